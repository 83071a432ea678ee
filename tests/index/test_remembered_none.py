"""A file whose remembered answer is "none published", on an index that serves provenance, is
revalidated through its project page only (issue 14): one conditional request per project, not
its integrity URL first. What the page says now is what the file is: a page that lists
provenance makes it verifiable at once, a page that cannot be had makes it `unknown`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.testing import TestAuthority
from tests.support.cache_plants import HONEST
from tests.support.index_servers import PEP691_JSON, IndexServer, Reply, serve
from tests.support.policy_sites import Minter, build_site, write_wheel
from tests.support.scan_sites import mirror_site

pytestmark = pytest.mark.timeout(120)

ATTESTED = [(f"good{n}", "1.0") for n in range(5)]  # enough for the direct route (DIRECT_AFTER)
VICTIM = ("victim", "1.0")
ETAG = '"victim-page-1"'


@dataclass(frozen=True)
class Sites:
    now: Path
    """victim unattested (provenance null); the others signed by HONEST."""
    later: Path
    """The same wheels, victim signed by HONEST too (provenance added since)."""
    wheels: list[Path]
    victim: Path
    trust_root: Path


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    root = tmp_path_factory.mktemp("remembered-none")
    minter = Minter(TestAuthority())
    dists = root / "dists"
    good = [write_wheel(dists, *p) for p in ATTESTED]
    victim = write_wheel(dists, *VICTIM)
    minter.sign(good, HONEST)
    later = root / "later-dists"
    shutil.copytree(dists, later)
    minter.sign([later / victim.name], HONEST)
    return Sites(
        now=build_site(dists, root / "site-now"),
        later=build_site(later, root / "site-later"),
        wheels=[*good, victim],
        victim=victim,
        trust_root=minter.authority.write_trust_files(root / "trust")["trusted_root"],
    )


def _victim_page(site: Path) -> Reply:
    body = (site / "simple" / "victim" / "index.json").read_bytes()
    return Reply(body=body, content_type=PEP691_JSON, headers={"ETag": ETAG})


@pytest.fixture
def server(sites: Sites) -> Iterator[IndexServer]:
    with serve() as server:
        mirror_site(server, sites.now)
        server.route("/simple/victim/", _victim_page(sites.now))
        yield server


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return tmp_path / "cache"


def scan(sites: Sites, server: IndexServer, cache: Path) -> dict[str, tuple[str, str]]:
    """filename -> (status, reason) of `pyvouch scan --format json` over every wheel."""
    from tests.support.cache_plants import Corpus

    lock = cache.parent / "pylock.toml"
    parts = ['lock-version = "1.0"\ncreated-by = "pyvouch-tests"\n']
    for wheel in sites.wheels:
        project, version = wheel.name.split("-")[:2]
        parts.append(
            f'\n[[packages]]\nname = "{project}"\nversion = "{version}"\n'
            f'wheels = [{{ name = "{wheel.name}", url = "https://files.invalid/{wheel.name}", '
            f'hashes = {{ sha256 = "{Corpus.sha256(wheel)}" }} }}]\n'
        )
    lock.write_text("".join(parts), encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "scan", str(lock), "--index-url", server.url("/simple/"), "--trust-root",
            str(sites.trust_root), "--cache-dir", str(cache), "--format", "json",
            "--retries", "0",
        ],
    )  # fmt: skip
    assert result.exit_code in (0, 1, 3), result.output
    doc = json.loads(result.stdout)
    return {f["filename"]: (f["status"], f["reason"]) for p in doc["packages"] for f in p["files"]}


def _integrity(server: IndexServer, project: str) -> int:
    return server.count(f"/integrity/{project}/")


def test_a_remembered_none_is_revalidated_through_its_page_only(
    sites: Sites, server: IndexServer, cache: Path
) -> None:
    cold = scan(sites, server, cache)
    assert cold[sites.victim.name][0] == "unattested"
    assert all(cold[w.name][0] == "verified" for w in sites.wheels if w != sites.victim)
    server.requests.clear()
    warm = scan(sites, server, cache)
    assert warm == cold
    assert _integrity(server, "victim") == 0  # not asked: the page is what can change
    (page,) = [r for r in server.requests if r.path == "/simple/victim/"]
    assert page.headers.get("if-none-match") == ETAG  # conditional; the server said 304
    # The attested files came from the cache: the whole warm run asked only that page.
    assert [r.path for r in server.requests] == ["/simple/victim/"]


def test_without_the_remembered_page_the_integrity_url_is_asked_first(
    sites: Sites, server: IndexServer, cache: Path
) -> None:
    """The counting above is real: the same warm scan with the page entry gone goes direct."""
    scan(sites, server, cache)
    shutil.rmtree(cache / "index-v2" / "pages")
    server.requests.clear()
    warm = scan(sites, server, cache)
    assert warm[sites.victim.name][0] == "unattested"
    assert _integrity(server, "victim") == 1


def test_a_page_that_now_lists_provenance_makes_the_file_verifiable_at_once(
    sites: Sites, server: IndexServer, cache: Path
) -> None:
    assert scan(sites, server, cache)[sites.victim.name][0] == "unattested"
    mirror_site(server, sites.later)  # new page (another ETag-less body) and its provenance
    warm = scan(sites, server, cache)
    assert warm[sites.victim.name][0] == "verified"


def test_a_page_that_cannot_be_had_makes_the_file_unknown_with_its_reason(
    sites: Sites, server: IndexServer, cache: Path
) -> None:
    assert scan(sites, server, cache)[sites.victim.name][0] == "unattested"
    server.route("/simple/victim/", Reply(status=503, body=b"down", content_type="text/plain"))
    status, reason = scan(sites, server, cache)[sites.victim.name]
    assert status == "unknown"
    assert "project page" in reason and "503" in reason, reason
