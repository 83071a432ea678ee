"""No cache entry can create trust (issue 8, rule 1).

The cache directory is the attacker's: on CI it is often restored from a cache another branch
wrote. Here the attacker plants every kind of entry the index client and the verdict cache read
(provenance signed by a valid attacker identity, entries copied from another file or index, an
edited body with its digest fixed up, a route hint, pages, verdicts), and a loopback index says
what is true. Every planted entry costs at most a request: scans say what the index says, `pin`
never records the attacker, offline and keyless runs trust nothing from the cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.index.cache import IndexCache
from pyvouch.index.simple import normalize_name
from pyvouch.machine_key import KEY_FILE, load_or_create_key
from pyvouch.testing import TestAuthority
from pyvouch.verify.verdicts import LAYOUT as VERDICTS
from tests.support.cache_plants import (
    FOREIGN_KEY,
    HONEST,
    MALLORY,
    Corpus,
    entries,
    make_corpus,
    plant_route,
    plant_sealed_provenance,
    plant_unsealed_provenance,
    write_entry,
)
from tests.support.index_servers import PEP691_JSON, IndexServer, Reply, serve
from tests.support.policy_sites import Minter
from tests.support.scan_sites import mirror_site

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return make_corpus(Minter(TestAuthority()), tmp_path_factory.mktemp("cache-trust"))


@pytest.fixture
def honest(corpus: Corpus) -> Iterator[IndexServer]:
    """The index that tells the truth: victim unattested, goodpkg signed by `HONEST`."""
    with serve() as server:
        mirror_site(server, corpus.honest_site)
        yield server


@pytest.fixture
def attacker(corpus: Corpus) -> Iterator[IndexServer]:
    """An index the attacker runs: both wheels signed by `MALLORY`."""
    with serve() as server:
        mirror_site(server, corpus.attacker_site)
        yield server


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This machine's data dir (its key) and cache dir; returns the cache dir."""
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return tmp_path / "cache"


def index_url(server: IndexServer) -> str:
    return server.url("/simple/")


Statuses = dict[str, tuple[str, str | None, str]]


def scan(corpus: Corpus, server: IndexServer, cache: Path, *extra: str) -> Statuses:
    """`pyvouch scan --format json`: filename -> (status, publisher repository, reason)."""
    lock = corpus.pylock(cache.parent / "pylock.toml")
    result = CliRunner().invoke(
        cli,
        [
            "scan", str(lock), "--index-url", index_url(server), "--trust-root",
            str(corpus.trust_root), "--cache-dir", str(cache), "--format", "json",
            "--retries", "0", *extra,
        ],
    )  # fmt: skip
    assert result.exit_code in (0, 1, 3), result.output
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout)
    out: Statuses = {}
    for package in doc["packages"]:
        for f in package["files"]:
            publisher = f["publisher"]
            out[f["filename"]] = (
                f["status"],
                publisher.get("repository") if publisher else None,
                f["reason"],
            )
    return out


def brief(statuses: Statuses) -> dict[str, tuple[str, str | None]]:
    return {name: (status, who) for name, (status, who, _) in statuses.items()}


def honest_answer(corpus: Corpus) -> dict[str, tuple[str, str | None]]:
    return {
        corpus.victim.name: ("unattested", None),
        corpus.good.name: ("verified", HONEST.repository),
    }


def mallory_provenance(corpus: Corpus, wheel: Path) -> bytes:
    return Corpus.provenance(corpus.attacker_site, wheel)


def provenance_requests(server: IndexServer, wheel: Path) -> int:
    return server.count(f"/integrity/{normalize_name(wheel.name.split('-')[0])}/")


# ---- the baseline: what the honest index says, cold and warm ---------------------------------


def test_the_honest_index_cold_and_warm(corpus: Corpus, honest: IndexServer, env: Path) -> None:
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    (meta,) = entries(env, "provenance")  # only goodpkg has provenance to keep
    assert isinstance(json.loads(meta.read_text())["mac"], str)
    assert all("mac" in json.loads(p.read_text()) for p in entries(env, "pages"))
    before = provenance_requests(honest, corpus.good)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    assert provenance_requests(honest, corpus.good) == before  # the sealed entry was used


def test_the_planted_provenance_is_real(corpus: Corpus, attacker: IndexServer, env: Path) -> None:
    """What the attacker plants verifies for these very files: the attacker's own index serves
    it, and a scan against that index says mallory."""
    assert brief(scan(corpus, attacker, env)) == {
        corpus.victim.name: ("verified", MALLORY.repository),
        corpus.good.name: ("verified", MALLORY.repository),
    }


# ---- provenance ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["unsealed", "old-layout", "foreign-key"])
def test_planted_provenance_never_verifies_an_unattested_file(
    corpus: Corpus, honest: IndexServer, env: Path, how: str
) -> None:
    body = mallory_provenance(corpus, corpus.victim)
    if how == "unsealed":
        plant_unsealed_provenance(env, index_url(honest), corpus.victim, body)
    elif how == "old-layout":
        plant_unsealed_provenance(env, index_url(honest), corpus.victim, body, layout="index-v1")
    else:
        plant_sealed_provenance(env, index_url(honest), corpus.victim, body, FOREIGN_KEY)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    assert brief(scan(corpus, honest, env, "--offline")) == honest_answer(corpus)


def test_an_entry_this_machine_cached_for_another_index_does_not_move(
    corpus: Corpus, honest: IndexServer, attacker: IndexServer, env: Path
) -> None:
    """The machine once scanned against the attacker's index (its entries are sealed with this
    machine's own key); copied to the honest index's place, or with its index field edited,
    they are misses."""
    assert brief(scan(corpus, attacker, env))[corpus.victim.name] == (
        "verified",
        MALLORY.repository,
    )
    own = IndexCache(env, secret=load_or_create_key(env.parent / "data"))
    sha = Corpus.sha256(corpus.victim)
    src_meta, src_body = own._provenance_paths(index_url(attacker), sha, corpus.victim.name)
    dst_meta, dst_body = own._provenance_paths(index_url(honest), sha, corpus.victim.name)
    dst_meta.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src_body, dst_body)
    shutil.copyfile(src_meta, dst_meta)
    assert own.get_provenance(index_url(honest), sha, corpus.victim.name) is None
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)

    meta = json.loads(src_meta.read_text())
    meta["index"] = index_url(honest)  # the binding edited to fit its new place
    dst_meta.write_text(json.dumps(meta))
    assert own.get_provenance(index_url(honest), sha, corpus.victim.name) is None
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    assert brief(scan(corpus, honest, env, "--offline")) == honest_answer(corpus)


def test_an_entry_copied_from_another_file_is_a_miss(
    corpus: Corpus, honest: IndexServer, env: Path
) -> None:
    """goodpkg's sealed entry copied to victim's place (as is, and with its filename and digest
    fields edited): not even `invalid`, the index's answer."""
    scan(corpus, honest, env)
    own = IndexCache(env, secret=load_or_create_key(env.parent / "data"))
    good_sha, victim_sha = Corpus.sha256(corpus.good), Corpus.sha256(corpus.victim)
    src_meta, src_body = own._provenance_paths(index_url(honest), good_sha, corpus.good.name)
    dst_meta, dst_body = own._provenance_paths(index_url(honest), victim_sha, corpus.victim.name)
    dst_meta.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src_body, dst_body)
    shutil.copyfile(src_meta, dst_meta)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    meta = json.loads(src_meta.read_text())
    meta.update(filename=corpus.victim.name, sha256=victim_sha)
    dst_meta.write_text(json.dumps(meta))
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)


def test_an_edited_body_with_its_digest_fixed_up_is_refetched(
    corpus: Corpus, honest: IndexServer, env: Path
) -> None:
    """goodpkg's own entry, its body swapped for mallory's provenance of the same file and the
    body digest in the metadata fixed up: the MAC no longer verifies, the index is asked again,
    and the honest publisher is what the scan (and `pin`) sees."""
    scan(corpus, honest, env)
    (meta_path,) = entries(env, "provenance")
    evil = mallory_provenance(corpus, corpus.good)
    meta = json.loads(meta_path.read_text())
    meta["body_sha256"] = hashlib.sha256(evil).hexdigest()
    write_entry(meta_path, meta_path.with_suffix(".body"), meta, evil)
    before = provenance_requests(honest, corpus.good)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    assert provenance_requests(honest, corpus.good) == before + 1


# ---- route hints -----------------------------------------------------------------------------


@pytest.fixture
def shared_host(corpus: Corpus) -> Iterator[IndexServer]:
    """An honest page (victim: provenance null) on a host where someone else can put a file at
    victim's integrity URL: the page never lists it, so only a route hint would ask there."""
    with serve() as server:
        mirror_site(server, corpus.honest_site)
        project, version = corpus.victim.name.split("-")[:2]
        server.route(
            f"/integrity/{project}/{version}/{corpus.victim.name}/provenance",
            Reply(body=mallory_provenance(corpus, corpus.victim)),
        )
        yield server


@pytest.mark.parametrize("secret", [None, FOREIGN_KEY], ids=["unsealed", "foreign-key"])
def test_a_planted_route_hint_is_ignored(
    corpus: Corpus, shared_host: IndexServer, env: Path, secret: bytes | None
) -> None:
    plant_route(env, index_url(shared_host), secret)
    assert brief(scan(corpus, shared_host, env)) == honest_answer(corpus)
    assert provenance_requests(shared_host, corpus.victim) == 0  # never asked there


# ---- pages -----------------------------------------------------------------------------------


def _evil_page(corpus: Corpus, honest: IndexServer, attacker: IndexServer) -> bytes:
    """victim's page as the honest index serves it, but listing mallory's provenance (on the
    attacker's host) for it."""
    name = normalize_name(corpus.victim.name.split("-")[0])
    doc = json.loads(honest.routes[f"/simple/{name}/"][0].body)
    project, version = corpus.victim.name.split("-")[:2]
    (entry,) = doc["files"]
    entry["provenance"] = attacker.url(
        f"/integrity/{project}/{version}/{corpus.victim.name}/provenance"
    )
    return json.dumps(doc).encode()


@pytest.mark.parametrize("secret", [None, FOREIGN_KEY], ids=["unsealed", "foreign-key"])
def test_a_planted_page_is_never_revalidated_into_use(
    corpus: Corpus, honest: IndexServer, attacker: IndexServer, env: Path, secret: bytes | None
) -> None:
    """The honest index answers 304 to the planted page's ETag: a page read from the cache on a
    304 would list the attacker's provenance. A planted page is not even offered for
    revalidation."""
    name = normalize_name(corpus.victim.name.split("-")[0])
    page_path = f"/simple/{name}/"
    honest.routes[page_path][0].headers["ETag"] = '"v1"'
    evil = _evil_page(corpus, honest, attacker)
    page_url = honest.url(page_path)
    if secret is not None:
        IndexCache(env, secret=secret).put_page(page_url, evil, PEP691_JSON, '"v1"', None)
    else:
        meta_path, body_path = IndexCache(env)._page_paths(page_url)
        meta = {
            "url": page_url,
            "base_url": page_url,
            "content_type": PEP691_JSON,
            "etag": '"v1"',
            "last_modified": None,
            "body_sha256": hashlib.sha256(evil).hexdigest(),
        }
        write_entry(meta_path, body_path, meta, evil)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    asked = [r for r in honest.requests if r.path == page_path]
    assert asked and "if-none-match" not in asked[0].headers
    assert provenance_requests(attacker, corpus.victim) == 0


def test_a_replayed_page_of_this_machine_is_revalidated(
    corpus: Corpus, honest: IndexServer, env: Path
) -> None:
    """An older page this machine sealed (victim: `provenance: null`, ETag v1), put back after
    the index changed (it now strips provenance, ETag v2): online, the page is revalidated, the
    index answers with its current page, and the scan says what that page says."""
    name = normalize_name(corpus.victim.name.split("-")[0])
    page_path = f"/simple/{name}/"
    honest.routes[page_path][0].headers["ETag"] = '"v1"'
    assert brief(scan(corpus, honest, env))[corpus.victim.name] == ("unattested", None)
    own = IndexCache(env, secret=load_or_create_key(env.parent / "data"))
    meta_path, body_path = own._page_paths(honest.url(page_path))
    old = meta_path.read_bytes(), body_path.read_bytes()
    doc = json.loads(honest.routes[page_path][0].body)
    doc["meta"]["api-version"] = "1.1"
    doc["files"][0].pop("provenance")
    stripped = Reply(body=json.dumps(doc).encode(), content_type=PEP691_JSON)
    stripped.headers["ETag"] = '"v2"'
    honest.route(page_path, stripped)
    assert scan(corpus, honest, env)[corpus.victim.name][0] == "unknown"
    meta_path.write_bytes(old[0])  # the replay
    body_path.write_bytes(old[1])
    assert own.get_page(honest.url(page_path)) is not None  # authentic, but old
    assert scan(corpus, honest, env)[corpus.victim.name][0] == "unknown"
    last = [r for r in honest.requests if r.path == page_path][-1]
    assert last.headers.get("if-none-match") == '"v1"'  # offered, and not confirmed


def test_a_planted_page_with_null_provenance_cannot_make_a_stripping_mirror_tell(
    corpus: Corpus, env: Path
) -> None:
    """A mirror that strips provenance cannot tell (unknown); a planted page saying
    `provenance: null` would make it unattested, online or offline."""
    with serve() as mirror:
        mirror_site(mirror, corpus.honest_site, strip=True)
        name = normalize_name(corpus.victim.name.split("-")[0])
        page_url = mirror.url(f"/simple/{name}/")
        doc = json.loads(mirror.routes[f"/simple/{name}/"][0].body)
        doc["meta"]["api-version"] = "1.3"
        doc["files"][0]["provenance"] = None
        IndexCache(env, secret=FOREIGN_KEY).put_page(
            page_url, json.dumps(doc).encode(), PEP691_JSON, None, None
        )
        online = scan(corpus, mirror, env)
        assert {s for s, _, _ in online.values()} == {"unknown"}
    offline = scan(corpus, mirror, env, "--offline")
    assert {s for s, _, _ in offline.values()} == {"unknown"}


# ---- verdicts --------------------------------------------------------------------------------


def _forge_verdicts(cache: Path, secret: bytes, repository: str) -> int:
    """Rewrite every verdict to name ``repository``, MAC'd with ``secret``; how many."""
    count = 0
    for path in (cache / VERDICTS).rglob("*.json"):
        entry = json.loads(path.read_text())
        value = json.loads(entry["value"])
        value["publisher"]["repository"] = repository
        for att in value["attestations"]:
            if att["publisher"]:
                att["publisher"]["repository"] = repository
        raw = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
        message = b"pyvouch-verdict-mac/1\0" + path.stem.encode() + b"\0" + raw
        mac = hmac.new(secret, message, hashlib.sha256).hexdigest()
        path.write_text(json.dumps({"value": raw.decode(), "mac": mac}))
        count += 1
    return count


def test_a_planted_verdict_does_not_name_the_attacker(
    corpus: Corpus, honest: IndexServer, env: Path
) -> None:
    scan(corpus, honest, env)
    assert _forge_verdicts(env, FOREIGN_KEY, MALLORY.repository) == 1
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)


# ---- offline, no key, a key inside the cache -------------------------------------------------


def _plant_everything(corpus: Corpus, server: IndexServer, cache: Path, secret: bytes) -> None:
    for wheel in (corpus.victim, corpus.good):
        body = mallory_provenance(corpus, wheel)
        plant_sealed_provenance(cache, index_url(server), wheel, body, secret)
    plant_route(cache, index_url(server), secret)


def test_offline_trusts_nothing_planted(corpus: Corpus, honest: IndexServer, env: Path) -> None:
    _plant_everything(corpus, honest, env, FOREIGN_KEY)
    for wheel in (corpus.victim, corpus.good):
        plant_unsealed_provenance(env, index_url(honest), wheel, mallory_provenance(corpus, wheel))
    offline = scan(corpus, honest, env, "--offline")
    assert {s for s, _, _ in offline.values()} == {"unknown"}
    assert all("offline: not in cache" in reason for _, _, reason in offline.values())
    assert len(honest.requests) == 0


def test_without_a_machine_key_nothing_is_read_or_written(
    corpus: Corpus, honest: IndexServer, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm cache sealed with the key this machine had; then the data dir is unusable (it
    names a path under a file): the entries (honest ones!) are not trusted, offline is unknown,
    online is the index's answer, and nothing new is cached."""
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file")
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(blocker / "data"))
    offline = scan(corpus, honest, env, "--offline")
    assert {s for s, _, _ in offline.values()} == {"unknown"}
    shutil.rmtree(env)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    written = [p for p in env.rglob("*") if p.is_file()] if env.exists() else []
    assert written == []


def test_a_key_inside_the_cache_directory_is_not_a_key(
    corpus: Corpus, honest: IndexServer, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data dir inside the cache dir travels with the cache: the attacker ships a key there
    and entries sealed with it. pyvouch uses no key at all then."""
    shipped = env / "data"
    secret = load_or_create_key(shipped)
    assert secret is not None and (shipped / KEY_FILE).is_file()
    _plant_everything(corpus, honest, env, secret)
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(shipped))
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    offline = scan(corpus, honest, env, "--offline")
    assert {s for s, _, _ in offline.values()} == {"unknown"}


# ---- pin -------------------------------------------------------------------------------------


def test_pin_never_records_a_planted_identity(
    corpus: Corpus, honest: IndexServer, env: Path
) -> None:
    """Planted: mallory's provenance for victim (unsealed and foreign-key), goodpkg's own entry
    with mallory's body and a fixed-up digest, and a forged verdict. `pin` records the honest
    publisher for goodpkg and nothing for victim."""
    scan(corpus, honest, env)
    (meta_path,) = entries(env, "provenance")
    evil = mallory_provenance(corpus, corpus.good)
    meta = json.loads(meta_path.read_text())
    meta["body_sha256"] = hashlib.sha256(evil).hexdigest()
    write_entry(meta_path, meta_path.with_suffix(".body"), meta, evil)
    _forge_verdicts(env, FOREIGN_KEY, MALLORY.repository)
    victim_body = mallory_provenance(corpus, corpus.victim)
    plant_sealed_provenance(env, index_url(honest), corpus.victim, victim_body, FOREIGN_KEY)

    lock = corpus.pylock(env.parent / "pylock.toml")
    result = CliRunner().invoke(
        cli,
        [
            "pin", str(lock), "--index-url", index_url(honest),
            "--trust-root", str(corpus.trust_root), "--cache-dir", str(env),
        ],
    )  # fmt: skip
    assert "Traceback" not in result.output, result.output
    assert "mallory" not in result.output
    pinned = {
        p["name"]: [i.get("repository") for i in p.get("attestation-identities", [])]
        for p in tomllib.loads(lock.read_text("utf-8"))["packages"]
    }
    assert pinned == {"victim": [], "goodpkg": [HONEST.repository]}


# ---- the seal itself -------------------------------------------------------------------------


def test_the_key_is_refused_when_it_would_travel_with_the_cache(tmp_path: Path) -> None:
    from pyvouch.machine_key import key_for_cache

    cache = tmp_path / "cache"
    assert key_for_cache(cache, tmp_path / "data") is not None
    assert key_for_cache(cache, cache) is None  # the same directory
    assert key_for_cache(cache, cache / "deep" / "data") is None
    link = tmp_path / "link-to-cache-data"
    (cache / "d").mkdir(parents=True)
    link.symlink_to(cache / "d")
    assert key_for_cache(cache, link) is None  # a symlink into the cache is inside it


def test_an_entry_sealed_for_one_kind_or_place_does_not_open_as_another(tmp_path: Path) -> None:
    """Entries are sealed under their purpose and bound to their place: page fields MAC'd as
    a provenance entry (or a route hint) do not open as a page; a page moved to another URL is
    a miss."""
    secret = b"\x07" * 32
    cache = IndexCache(tmp_path, secret=secret)
    index = "http://127.0.0.1:9/simple/"
    page_url = f"{index}p/"
    body = b"{}"
    meta_path, body_path = cache._page_paths(page_url)
    fields = {
        "url": page_url,
        "base_url": page_url,
        "content_type": PEP691_JSON,
        "etag": None,
        "last_modified": None,
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    for kind in ("provenance", "route"):
        write_entry(meta_path, body_path, {**fields, "mac": cache._mac(kind, fields)}, body)
        assert cache.get_page(page_url) is None, kind
    write_entry(meta_path, body_path, {**fields, "mac": cache._mac("page", fields)}, body)
    assert cache.get_page(page_url) is not None  # the control: sealed as a page, it opens

    other_path, other_body = cache._page_paths(f"{index}q/")
    moved = json.loads(meta_path.read_text())
    moved["url"] = f"{index}q/"
    write_entry(other_path, other_body, moved, b"{}")
    assert cache.get_page(f"{index}q/") is None
    assert IndexCache(tmp_path, secret=b"\x08" * 32).get_page(page_url) is None  # another key
    assert IndexCache(tmp_path).get_page(page_url) is None  # no key: nothing is read
