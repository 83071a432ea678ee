"""The real PyPA advisory snapshot (../shared/fixtures/osv/pypa-advisory-database, 2,661
advisories), read once per session; tests using it are marked ``corpus`` and skip naming the
path when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.vulns.local_db import AdvisoryDatabase, load_database

SNAPSHOT = (
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "osv" / "pypa-advisory-database"
)
needs_snapshot = pytest.mark.skipif(
    not (SNAPSHOT / "vulns").is_dir(), reason=f"{SNAPSHOT} is absent (../shared not checked out)"
)


@pytest.fixture(scope="session")
def snapshot_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache dir for every test that reads the snapshot: it is parsed once (cold), then
    read from the sealed cache."""
    return tmp_path_factory.mktemp("vulndb-cache")


@pytest.fixture(scope="session")
def snapshot_db(snapshot_cache: Path) -> AdvisoryDatabase:
    if not (SNAPSHOT / "vulns").is_dir():
        pytest.skip(f"{SNAPSHOT} is absent (../shared not checked out)")
    return load_database(SNAPSHOT, cache_dir=snapshot_cache)
