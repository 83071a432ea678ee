"""The direct route: once an index has shown that its provenance URLs are the integrity URLs,
files whose digest is known are asked there without their project page; anything but provenance
falls back to the page, so the states are those of the page route."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.index.cache import IndexCache
from pyvouch.index.client import IndexClient, ProvenanceLookup, ProvenanceState
from pyvouch.machine_key import key_for_cache
from pyvouch.model import FileRef, Package, Status
from pyvouch.pipeline.options import ScanOptions
from pyvouch.pipeline.scan import scan
from pyvouch.testing.corpus import Manifest, ManifestFile
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.trust import choose_trust_root
from tests.support.index_servers import IndexServer, Reply, serve
from tests.support.scan_corpus import latest_files, make_corpus
from tests.support.scan_sites import mirror_site


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("direct-corpus") / "c"
    return out, make_corpus(out)


@pytest.fixture
def faithful(corpus: tuple[Path, Manifest]) -> Iterator[IndexServer]:
    with serve() as server:
        mirror_site(server, corpus[0] / "site")
        yield server


def _lookups(
    server: IndexServer, files: list[ManifestFile], *, direct: bool
) -> tuple[list[ProvenanceLookup], int]:
    async def run() -> tuple[list[ProvenanceLookup], int]:
        async with IndexClient(server.url("/simple/"), use_cache=False) as client:
            found = await asyncio.gather(
                *(client.provenance(f.project, f.filename, f.sha256, direct=direct) for f in files)
            )
            return list(found), client.direct_served

    return asyncio.run(run())


def _answers(lookups: list[ProvenanceLookup]) -> list[tuple[str, ProvenanceState, bytes | None]]:
    return [(x.filename, x.state, x.provenance) for x in lookups]


def _learn_then_gather(
    server: IndexServer, files: list[ManifestFile]
) -> tuple[list[ProvenanceLookup], int, int]:
    """Look files up one at a time until the client goes direct, then the rest at once (so
    what is learned when does not depend on which response arrives first). Returns the
    answers in order, the number of files looked up while learning and how many were served
    directly."""

    async def run() -> tuple[list[ProvenanceLookup], int, int]:
        async with IndexClient(server.url("/simple/"), use_cache=False) as client:
            found: list[ProvenanceLookup] = []
            for f in files:
                if client.goes_direct:
                    break
                found.append(await client.provenance(f.project, f.filename, f.sha256))
            learned = len(found)
            rest = files[learned:]
            found += await asyncio.gather(
                *(client.provenance(f.project, f.filename, f.sha256) for f in rest)
            )
            return found, learned, client.direct_served

    return asyncio.run(run())


def test_direct_after_learning_with_the_page_routes_answers(
    corpus: tuple[Path, Manifest], faithful: IndexServer
) -> None:
    files = latest_files(corpus[1])
    projects = {f.project for f in files}
    unattested = {f.project for f in files if f.expected == "unattested"}
    assert unattested and len(projects) >= 10

    paged, _ = _lookups(faithful, files, direct=False)
    page_route_requests = len(faithful.requests)
    assert faithful.count("/simple/") == len(projects)

    before = len(faithful.requests)
    direct, learned, served_directly = _learn_then_gather(faithful, files)
    assert _answers(direct) == _answers(paged)  # same states, same provenance
    assert 0 < learned < len(files)
    assert served_directly > 0
    pages = {r.path for r in faithful.requests[before:] if r.path.startswith("/simple/")}
    # Once learned, an attested project's page is read only for a file that is not served
    # directly; every unattested project's page is read: a 404 from the integrity URL says
    # nothing on its own.
    learning = {f.project for f in files[:learned]}
    attested_later = {f.project for f in files[learned:]} - unattested - learning
    assert attested_later
    assert not {f"/simple/{p}/" for p in attested_later} & pages
    assert {f"/simple/{p}/" for p in unattested} <= pages
    assert len(faithful.requests) - before < page_route_requests
    assert {x.state for x in direct} == {ProvenanceState.SERVED, ProvenanceState.NONE}


def test_wrong_content_falls_back_to_the_page(
    corpus: tuple[Path, Manifest], faithful: IndexServer
) -> None:
    files = latest_files(corpus[1])
    attested = [f for f in files if f.expected != "unattested"]
    broken = attested[-1]  # looked up after the client learned
    path = f"/integrity/{broken.project}/{broken.version}/{broken.filename}/provenance"
    faithful.route(path, Reply(body=b"<html>login</html>", content_type="text/html"))
    paged, _ = _lookups(faithful, files, direct=False)
    direct, served_directly = _lookups(faithful, files, direct=True)
    assert served_directly > 0
    assert _answers(direct) == _answers(paged)
    by_name = {x.filename: x for x in direct}
    assert by_name[broken.filename].state is ProvenanceState.ERROR
    assert not by_name[broken.filename].direct


def test_a_mirror_that_strips_provenance_never_goes_direct(
    corpus: tuple[Path, Manifest],
) -> None:
    files = latest_files(corpus[1])
    with serve() as stripping:
        mirror_site(stripping, corpus[0] / "site", strip=True)
        found, served_directly = _lookups(stripping, files, direct=True)
        assert served_directly == 0
        assert {x.state for x in found} == {ProvenanceState.NOT_SERVED}
        # Every project's page was read, each once.
        assert stripping.count("/simple/") == len({f.project for f in files})


def test_a_digest_the_page_contradicts_stays_unknown(
    corpus: tuple[Path, Manifest], faithful: IndexServer
) -> None:
    """Asked directly, provenance for another build of a file fails verification; the page then
    says what the page route always said: the index lists another digest (unknown)."""
    out, manifest = corpus
    files = latest_files(manifest)
    attested = [f for f in files if f.expected == "verified"]
    wrong = attested[-1]
    other = "0" * 64
    packages: dict[str, list[FileRef]] = {}
    versions = {}
    for f in files:
        sha = other if f is wrong else f.sha256
        packages.setdefault(f.project, []).append(FileRef(f.filename, sha))
        versions[f.project] = f.version
    lock = [Package(name, versions[name], tuple(refs)) for name, refs in packages.items()]
    verifier = DeferredVerifier(choose_trust_root(trust_root_file=out / "trusted_root.json"))
    options = ScanOptions(index_url=faithful.url("/simple/"), cache_dir=out.parent / "cache-x")
    result = scan(lock, verifier, options, source="test", source_format="test")
    findings = {f.file.filename: f for p in result.packages for f in p.findings}
    assert findings[wrong.filename].status is Status.UNKNOWN
    assert f"not the expected {other}" in findings[wrong.filename].reason
    expected = {f.filename: f.expected for f in files if f is not wrong}
    assert {
        n: s for n, s in ((n, f.status.value) for n, f in findings.items()) if n != wrong.filename
    } == expected
    # The contradicted provenance was not cached: a second scan says the same.
    again = scan(lock, verifier, options, source="test", source_format="test")
    second = {f.file.filename: f for p in again.packages for f in p.findings}
    assert second[wrong.filename].status is Status.UNKNOWN


def _cached_lookups(
    server: IndexServer, files: list[ManifestFile], cache_dir: Path
) -> tuple[list[ProvenanceLookup], IndexClient]:
    async def run() -> tuple[list[ProvenanceLookup], IndexClient]:
        async with IndexClient(server.url("/simple/"), cache_dir=cache_dir) as client:
            found = await asyncio.gather(
                *(client.provenance(f.project, f.filename, f.sha256) for f in files)
            )
            return list(found), client

    return asyncio.run(run())


def test_a_later_run_remembers_the_route_and_reads_no_page_first(
    corpus: tuple[Path, Manifest], faithful: IndexServer, tmp_path: Path
) -> None:
    files = latest_files(corpus[1])
    _, client = _cached_lookups(faithful, files, tmp_path)
    assert client.goes_direct  # learned on this run, and remembered for the next
    attested = [f for f in files if f.expected != "unattested"]
    unattested = [f for f in files if f.expected == "unattested"]
    assert attested and unattested
    # A second run without the provenance cache (another file set: only the unattested ones,
    # whose answers are never cached) goes direct from its first lookup. (Their pages are
    # dropped too: a file a remembered page says has no provenance is revalidated through that
    # page instead, tests/index/test_remembered_none.py.)
    shutil.rmtree(tmp_path / "index-v2" / "pages")
    before = len(faithful.requests)
    second, client2 = _cached_lookups(faithful, unattested, tmp_path)
    assert client2.goes_direct
    asked = [r.path for r in faithful.requests[before:]]
    assert all(p.startswith("/integrity/") or p.startswith("/simple/") for p in asked)
    # each unattested file: the integrity URL first (404), then its page tells "none published"
    assert sum(p.startswith("/integrity/") for p in asked) == len(unattested)
    assert {x.state for x in second} == {ProvenanceState.NONE}


def test_a_stale_route_hint_costs_requests_never_a_status(
    corpus: tuple[Path, Manifest], tmp_path: Path
) -> None:
    """A hint this machine sealed that says "direct" for what is now a mirror that strips
    provenance: the integrity URLs 404, every file falls back to its page, and the states are
    the page route's (not served). (A hint not sealed with this machine's key is never read:
    tests/index/test_cache_trust.py.)"""
    files = latest_files(corpus[1])[:6]
    own = IndexCache(tmp_path, secret=key_for_cache(tmp_path))
    with serve() as stripping:
        mirror_site(stripping, corpus[0] / "site", strip=True)
        own.put_direct_route(stripping.url("/simple/"), True)
        assert own.get_direct_route(stripping.url("/simple/"))
        found, client = _cached_lookups(stripping, files, tmp_path)
        assert client.stats.provenance_requests > 0  # the hint was followed
        assert {x.state for x in found} == {ProvenanceState.NOT_SERVED}
        assert not client.goes_direct  # the pages showed no provenance keys: hint dropped
    assert not own.get_direct_route(stripping.url("/simple/"))
