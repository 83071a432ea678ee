"""A mirror that strips provenance is asked only as often as needed (issue 9 item 7, issue 10
item 4; `pyvouch.index.not_served`).

The loopback index lists projects whose pages carry no provenance keys (api-version 1.1) and
answers 404 at every integrity URL, unless a test makes one page carry keys or one integrity
URL serve real provenance. Lookups run one after another where the order matters, so what was
asked is exact. The remembered verdict lives in the sealed cache: planted, edited, moved and
foreign-key entries are attacked like every other kind (docs/security.md, rule 1).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from pyvouch.index.cache import IndexCache
from pyvouch.index.client import (
    NOT_SERVED_AFTER,
    NOT_SERVED_LIFETIME,
    IndexClient,
    ProvenanceLookup,
    ProvenanceState,
)
from pyvouch.machine_key import key_for_cache, mac
from tests.support.index_servers import (
    PEP691_JSON,
    IndexServer,
    PageFile,
    Reply,
    asset,
    json_page,
    serve,
    sha256_of,
)

pytestmark = pytest.mark.timeout(120)

COUNT = NOT_SERVED_AFTER + 4
NAMES = [f"p{i:02d}" for i in range(COUNT)]
PROVENANCE = asset("pypi_attestations-0.0.19.tar.gz.provenance")


def filename(name: str) -> str:
    return f"{name}-1.0.tar.gz"


def digest(name: str) -> str:
    return sha256_of(name.encode())


def integrity_path(name: str) -> str:
    return f"/integrity/{name}/1.0/{filename(name)}/provenance"


def keyless(server: IndexServer, name: str) -> None:
    """A stripping mirror's page: api-version 1.1, no provenance key (integrity: 404)."""
    page = json_page(
        name, [PageFile(filename(name), f"/files/{filename(name)}", digest(name))], "1.1"
    )
    server.route(f"/simple/{name}/", Reply(body=page, content_type=PEP691_JSON))


def keyed(server: IndexServer, name: str) -> None:
    """The page of an index that serves PEP 740: a provenance key, null for this file."""
    files = [PageFile(filename(name), f"/files/{filename(name)}", digest(name), provenance=None)]
    page = json_page(name, files, "1.3")
    server.route(f"/simple/{name}/", Reply(body=page, content_type=PEP691_JSON))


def serves_at_integrity(server: IndexServer, name: str) -> None:
    server.route(integrity_path(name), Reply(body=PROVENANCE))


@pytest.fixture
def mirror() -> Iterator[IndexServer]:
    with serve() as server:
        for name in NAMES:
            keyless(server, name)
        yield server


def integrity_asked(server: IndexServer) -> int:
    return server.count("/integrity/")


def run(
    server: IndexServer,
    cache: Path,
    names: Sequence[str] = NAMES,
    *,
    together: bool = False,
    **kwargs: Any,
) -> tuple[list[ProvenanceLookup], int]:
    """Lookups of ``names`` (one after another, or all at once), and integrity URLs asked."""
    before = integrity_asked(server)

    async def go() -> list[ProvenanceLookup]:
        async with IndexClient(server.url("/simple/"), cache_dir=cache, **kwargs) as client:
            if together:
                return await client.provenance_many((n, filename(n), digest(n)) for n in names)
            return [await client.provenance(n, filename(n), digest(n)) for n in names]

    found = asyncio.run(go())
    return found, integrity_asked(server) - before


def remembered(server: IndexServer, cache: Path) -> bool:
    store = IndexCache(cache, secret=key_for_cache(cache))
    verdict = store.get_not_served(
        server.url("/simple/"), now=time.time(), lifetime=NOT_SERVED_LIFETIME
    )
    return verdict is not None


def says_not_served(lookup: ProvenanceLookup) -> bool:
    return (
        lookup.state is ProvenanceState.NOT_SERVED
        and f"the index does not serve provenance for {lookup.filename}" in lookup.reason
        and "api-version 1.1, its page lists no provenance keys" in lookup.reason
    )


# -- one run: the K-404 shortcut ----------------------------------------------------------


@pytest.mark.parametrize("together", [False, True], ids=["in-order", "concurrent"])
def test_a_stripping_mirror_is_asked_k_integrity_urls(
    mirror: IndexServer, tmp_path: Path, together: bool
) -> None:
    found, asked = run(mirror, tmp_path / "cache", together=together)
    assert asked == NOT_SERVED_AFTER
    assert all(says_not_served(f) for f in found), [f.reason for f in found]
    seen = [f for f in found if "integrity endpoint 404" in f.reason]
    skipped = [f for f in found if "integrity endpoint not asked: in this run" in f.reason]
    assert len(seen) == NOT_SERVED_AFTER and len(skipped) == COUNT - NOT_SERVED_AFTER
    assert all(f"answered 404 for {NOT_SERVED_AFTER} files" in f.reason for f in skipped)
    assert remembered(mirror, tmp_path / "cache")


def test_fewer_files_than_k_are_all_asked_and_nothing_is_remembered(
    mirror: IndexServer, tmp_path: Path
) -> None:
    few = NAMES[: NOT_SERVED_AFTER - 1]
    found, asked = run(mirror, tmp_path / "cache", few)
    assert asked == len(few) and all(says_not_served(f) for f in found)
    assert not remembered(mirror, tmp_path / "cache")
    _, again = run(mirror, tmp_path / "cache", few)
    assert again == len(few)


def test_a_page_with_provenance_keys_read_first_turns_the_shortcut_off(
    mirror: IndexServer, tmp_path: Path
) -> None:
    keyed(mirror, "keyed")
    found, asked = run(mirror, tmp_path / "cache", ["keyed", *NAMES])
    assert found[0].state is ProvenanceState.NONE  # the key says it: unattested, as before
    assert asked == COUNT  # every file without a key was asked
    assert not any("not asked" in f.reason for f in found)
    assert not remembered(mirror, tmp_path / "cache")


def test_a_page_with_provenance_keys_read_later_turns_it_off_from_then_on(
    mirror: IndexServer, tmp_path: Path
) -> None:
    keyed(mirror, "keyed")
    order = [*NAMES[: NOT_SERVED_AFTER + 1], "keyed", *NAMES[NOT_SERVED_AFTER + 1 :]]
    found, asked = run(mirror, tmp_path / "cache", order)
    by_name = {f.project: f for f in found}
    assert by_name["keyed"].state is ProvenanceState.NONE
    assert asked == NOT_SERVED_AFTER + len(NAMES[NOT_SERVED_AFTER + 1 :])
    assert "not asked" in by_name[NAMES[NOT_SERVED_AFTER]].reason  # before the keyed page
    assert all("integrity endpoint 404" in by_name[n].reason for n in NAMES[NOT_SERVED_AFTER + 1 :])
    assert not remembered(mirror, tmp_path / "cache")  # an index with keys is never remembered


def test_concurrent_lookups_with_a_keyed_page_keep_every_state_honest(
    mirror: IndexServer, tmp_path: Path
) -> None:
    keyed(mirror, "keyed")
    found, _ = run(mirror, tmp_path / "cache", ["keyed", *NAMES], together=True)
    assert found[0].state is ProvenanceState.NONE
    assert all(says_not_served(f) for f in found[1:])
    assert not remembered(mirror, tmp_path / "cache")


def test_an_integrity_url_that_serves_among_the_first_k_turns_the_shortcut_off(
    mirror: IndexServer, tmp_path: Path
) -> None:
    """Pages without keys, but the integrity endpoint serves some files: ask every file."""
    serves_at_integrity(mirror, NAMES[2])
    found, asked = run(mirror, tmp_path / "cache")
    assert found[2].state is ProvenanceState.SERVED
    assert asked == COUNT
    assert not any("not asked" in f.reason for f in found)
    assert not remembered(mirror, tmp_path / "cache")


def test_index_check_asks_every_file(mirror: IndexServer, tmp_path: Path) -> None:
    found, asked = run(mirror, tmp_path / "cache", not_served_after=None)
    assert asked == COUNT and all("integrity endpoint 404" in f.reason for f in found)
    assert not remembered(mirror, tmp_path / "cache")


# -- across runs: the remembered verdict ----------------------------------------------------


def test_a_warm_run_asks_one_probe_and_says_when_the_verdict_was_learned(
    mirror: IndexServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    run(mirror, cache)
    found, asked = run(mirror, cache, together=True)
    assert asked == 1
    assert all(says_not_served(f) for f in found)
    told = [f for f in found if "remembered verdict learned 20" in f.reason]
    assert len(told) == COUNT - 1
    assert all("--refresh asks again" in f.reason for f in told)
    assert all(f"answered 404 for {NOT_SERVED_AFTER} files" in f.reason for f in told)


def test_offline_after_a_stripping_scan_says_remembered_not_missing(
    mirror: IndexServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    run(mirror, cache)
    before = len(mirror.requests)
    found, _ = run(mirror, cache, offline=True)
    assert len(mirror.requests) == before
    assert all(says_not_served(f) for f in found)
    assert all("remembered verdict learned" in f.reason for f in found)
    assert not any("not in cache" in f.reason for f in found)


def test_the_verdict_is_not_extended_by_the_runs_that_use_it(
    mirror: IndexServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    run(mirror, cache)
    store = IndexCache(cache, secret=key_for_cache(cache))
    index = mirror.url("/simple/")
    first = store.get_not_served(index, now=time.time(), lifetime=NOT_SERVED_LIFETIME)
    run(mirror, cache)
    second = store.get_not_served(index, now=time.time(), lifetime=NOT_SERVED_LIFETIME)
    assert first is not None and second == first


def test_a_served_file_is_unknown_while_the_verdict_holds_never_verified_or_unattested(
    mirror: IndexServer, tmp_path: Path
) -> None:
    """The probe (the first file) still answers 404; a later file that the integrity endpoint
    now serves stays NOT_SERVED (`unknown`), with the remembered reason. `--refresh` asks."""
    cache = tmp_path / "cache"
    run(mirror, cache)
    serves_at_integrity(mirror, NAMES[5])
    found, asked = run(mirror, cache)
    assert asked == 1
    assert {f.state for f in found} == {ProvenanceState.NOT_SERVED}
    assert "remembered verdict" in found[5].reason
    refreshed, asked = run(mirror, cache, refresh=True)
    assert refreshed[5].state is ProvenanceState.SERVED
    assert asked == COUNT  # a served file shows the index serves provenance: all asked
    assert not remembered(mirror, cache)  # and the verdict is forgotten


def test_an_index_that_starts_serving_is_noticed_by_the_probe(
    mirror: IndexServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    run(mirror, cache)
    serves_at_integrity(mirror, NAMES[0])
    found, asked = run(mirror, cache)
    assert found[0].state is ProvenanceState.SERVED
    assert asked == COUNT
    assert not any("remembered" in f.reason for f in found)
    assert not remembered(mirror, cache)


def test_an_index_whose_pages_start_listing_keys_is_noticed_at_once(
    mirror: IndexServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    run(mirror, cache)
    keyed(mirror, NAMES[0])  # pages are revalidated on every run
    found, asked = run(mirror, cache)
    assert found[0].state is ProvenanceState.NONE
    assert asked == COUNT - 1
    assert not any("remembered" in f.reason for f in found)
    assert not remembered(mirror, cache)


def test_an_index_that_starts_serving_is_noticed_after_the_lifetime(
    mirror: IndexServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    store = IndexCache(cache, secret=key_for_cache(cache))
    old = time.time() - NOT_SERVED_LIFETIME - 1
    store.put_not_served(mirror.url("/simple/"), learned_at=old, files=50)
    serves_at_integrity(mirror, NAMES[5])
    found, asked = run(mirror, cache)
    assert found[5].state is ProvenanceState.SERVED
    assert asked == COUNT
    assert not any("remembered" in f.reason for f in found)


# -- the cache is the attacker's -----------------------------------------------------------


def _path(cache: Path, index: str) -> Path:
    return IndexCache(cache, secret=b"")._not_served_path(index)


def _meta(index: str, learned_at: float) -> dict[str, Any]:
    return {"index": index, "learned_at": learned_at, "files": 50}


def plant_unsealed(cache: Path, index: str) -> None:
    path = _path(cache, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_meta(index, time.time())))


def plant_foreign_key(cache: Path, index: str) -> None:
    IndexCache(cache, secret=b"k" * 32).put_not_served(index, learned_at=time.time(), files=50)


def plant_edited(cache: Path, index: str) -> None:
    """A genuine, expired verdict whose time is moved forward (its MAC kept)."""
    store = IndexCache(cache, secret=key_for_cache(cache))
    store.put_not_served(index, learned_at=time.time() - 10 * NOT_SERVED_LIFETIME, files=50)
    path = _path(cache, index)
    meta = json.loads(path.read_text())
    meta["learned_at"] = time.time()
    path.write_text(json.dumps(meta))


def plant_moved(cache: Path, index: str) -> None:
    """A genuine verdict about another index, copied to this index's place."""
    other = "http://127.0.0.1:1/simple/"
    store = IndexCache(cache, secret=key_for_cache(cache))
    store.put_not_served(other, learned_at=time.time(), files=50)
    path = _path(cache, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_path(cache, other).read_bytes())


def plant_other_purpose(cache: Path, index: str) -> None:
    """The right fields, sealed with the machine key under another kind's purpose."""
    key = key_for_cache(cache)
    assert key is not None
    meta = _meta(index, time.time())
    message = json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()
    meta["mac"] = mac(key, "index-v2/route", message)
    path = _path(cache, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(meta))


def plant_future(cache: Path, index: str) -> None:
    """Sealed with this machine's key but dated far ahead (a clock set back, or replayed)."""
    store = IndexCache(cache, secret=key_for_cache(cache))
    store.put_not_served(index, learned_at=time.time() + 10 * NOT_SERVED_LIFETIME, files=50)


PLANTS = {
    "unsealed": plant_unsealed,
    "foreign-key": plant_foreign_key,
    "edited": plant_edited,
    "moved-from-another-index": plant_moved,
    "another-purpose": plant_other_purpose,
    "from-the-future": plant_future,
}


@pytest.mark.parametrize("plant", list(PLANTS), ids=list(PLANTS))
def test_a_planted_verdict_is_ignored(mirror: IndexServer, tmp_path: Path, plant: str) -> None:
    cache = tmp_path / "cache"
    run(mirror, cache, not_served_after=None)  # pages cached; nothing learned
    assert not remembered(mirror, cache)
    PLANTS[plant](cache, mirror.url("/simple/"))
    assert not remembered(mirror, cache)
    offline, _ = run(mirror, cache, offline=True)
    assert not any("remembered" in f.reason for f in offline)
    assert all(f.state is ProvenanceState.ERROR for f in offline)
    assert all("offline: not in cache" in f.reason for f in offline)
    serves_at_integrity(mirror, NAMES[3])  # what a planted verdict would hide
    found, asked = run(mirror, cache)
    assert found[3].state is ProvenanceState.SERVED
    assert asked == COUNT
    assert not any("remembered" in f.reason for f in found)


def test_without_a_machine_key_nothing_is_remembered(
    mirror: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(cache / "data"))  # inside the cache: no key
    run(mirror, cache)
    _, asked = run(mirror, cache)
    assert asked == NOT_SERVED_AFTER  # learned again within the run, never remembered
    assert not list(cache.rglob("not-served/*.json"))
