"""The index client against a site built by `pyvouch index build`, served by a static server.

The plain server answers HTML only (as `python -m http.server` does); the negotiating one
answers PEP 691 JSON when asked (as the documented nginx configuration does).
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from pyvouch.index.client import IndexClient, ProvenanceLookup, ProvenanceState
from pyvouch.index.simple import check_provenance
from pyvouch.registry.static_site import build_site
from tests.support.index_servers import ASSETS, sha256_of
from tests.support.static_server import serve_directory

pytestmark = pytest.mark.timeout(60)

SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "pypi_attestations-0.0.19-py3-none-any.whl"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("dists")
    for name in (SDIST, f"{SDIST}.publish.attestation", WHEEL):
        shutil.copy(ASSETS / name, src / name)
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(src, out)
    return out


def lookups(index: str, cache: Path) -> tuple[list[ProvenanceLookup], IndexClient]:
    async def run() -> tuple[list[ProvenanceLookup], IndexClient]:
        async with IndexClient(index, cache_dir=cache, timeout=5.0, retries=1) as client:
            found = await client.provenance_many(
                [("pypi-attestations", SDIST, None), ("pypi-attestations", WHEEL, None)]
            )
            return found, client

    return asyncio.run(run())


@pytest.mark.parametrize("negotiate", [False, True], ids=["html", "json"])
def test_built_site_serves_provenance(site: Path, tmp_path: Path, negotiate: bool) -> None:
    with serve_directory(site, negotiate=negotiate) as server:
        (sdist, wheel), client = lookups(server.index_url, tmp_path / "cache")
        page_types = {accept for _, path, accept in server.requests if path.startswith("/simple/")}
    assert all(a.startswith("application/vnd.pypi.simple.v1+json") for a in page_types)
    assert sdist.state is ProvenanceState.SERVED, sdist.reason
    assert sdist.sha256 == sha256_of((ASSETS / SDIST).read_bytes())
    assert sdist.provenance is not None
    check_provenance(sdist.provenance)
    on_disk = site / "integrity" / "pypi-attestations" / "0.0.19" / SDIST / "provenance"
    assert sdist.provenance == on_disk.read_bytes()
    # The wheel has no attestation: the site serves provenance, so this is "none published".
    assert wheel.state is ProvenanceState.NONE, wheel.reason
    assert client.stats.page_requests == 1


def test_built_site_second_run_revalidates_and_uses_cached_provenance(
    site: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with serve_directory(site) as server:
        lookups(server.index_url, cache)
        (sdist, _wheel), client = lookups(server.index_url, cache)
    assert sdist.state is ProvenanceState.SERVED and sdist.from_cache
    # http.server answers If-Modified-Since with 304; the provenance comes from the cache.
    assert client.stats.page_revalidated == 1
    assert client.stats.provenance_requests == 1  # only the wheel's integrity 404 is asked
