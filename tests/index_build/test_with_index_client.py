"""pyvouch's own index client reads a built site as served: every attested fixture is SERVED
(byte for byte what the build wrote), the unattested wheel is NONE, through HTML and JSON."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from pyvouch.dist_names import parse_dist_name
from pyvouch.index.client import IndexClient, ProvenanceLookup, ProvenanceState
from pyvouch.registry.static_site import build_site
from tests.index_build.conftest import ATTESTED, copy_attested
from tests.support.static_server import serve_directory

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(copy_attested(tmp_path_factory.mktemp("dists")), out)
    return out


def wanted(site: Path) -> list[tuple[str, str, str | None]]:
    rows: list[tuple[str, str, str | None]] = []
    for path in sorted(site.glob("files/*/*")):
        if path.name.endswith(".metadata"):
            continue
        rows.append((path.parent.name, path.name, hashlib.sha256(path.read_bytes()).hexdigest()))
    return rows


def look_up_all(
    index_url: str, cache: Path, rows: list[tuple[str, str, str | None]]
) -> list[ProvenanceLookup]:
    async def run() -> list[ProvenanceLookup]:
        async with IndexClient(index_url, cache_dir=cache, timeout=5.0, retries=1) as client:
            return await client.provenance_many(rows)

    return asyncio.run(run())


@pytest.mark.parametrize("negotiate", [False, True], ids=["html", "json"])
def test_index_client_finds_every_provenance(site: Path, tmp_path: Path, negotiate: bool) -> None:
    rows = wanted(site)
    assert len(rows) == len(ATTESTED)
    with serve_directory(site, negotiate=negotiate) as server:
        found = look_up_all(server.index_url, tmp_path / "cache", rows)
        assert len(server.requests) <= 3 * len(rows) + 1
    for (project, filename, _sha), lookup in zip(rows, found, strict=True):
        if ATTESTED[filename]:
            assert lookup.state is ProvenanceState.SERVED, (filename, lookup.reason)
            version = parse_dist_name(filename).version
            served = site / "integrity" / project / str(version) / filename / "provenance"
            assert lookup.provenance == served.read_bytes()
        else:
            assert lookup.state is ProvenanceState.NONE, (filename, lookup.reason)
            assert lookup.provenance is None
