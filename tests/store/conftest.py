"""The store's tests run against both backends: a SQLite file in tmp_path and a private
PostgreSQL 15 cluster (started once per session, a new database per test).

Without PostgreSQL on the machine the PostgreSQL half is skipped, except under ``CI=true``,
where it fails: CI's image has PostgreSQL and the suite must prove both backends there.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.store.engine import Store, open_store
from pyvouch.store.location import resolve_store
from pyvouch.testing import TestAuthority
from pyvouch.testing.postgres import Cluster, ClusterUnavailable, start_cluster
from tests.pipeline.conftest import Site
from tests.support.policy_sites import Minter, Release, Signer, build_site, publish
from tests.support.static_server import serve_directory

REAL = Signer("octo/alpha", "release.yml")
ATTACKER = Signer("mallory/alpha", "release.yml")
BETA = Signer("octo/beta", "release.yml")

RELEASES = (
    Release("alpha", "1.0", REAL),
    Release("alpha", "1.1", ATTACKER),  # the same project, now signed by someone else
    Release("beta", "1.0", BETA),
    Release("beta", "1.1", None),  # attested before, not any more
    Release("newbie", "1.0", None),  # a new dependency that never signed
)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A loopback index: alpha 1.0 signed by its publisher, 1.1 by an attacker; beta 1.0
    signed, 1.1 not; newbie never signed."""
    minter = Minter(TestAuthority())
    root = tmp_path_factory.mktemp("store-site")
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    dists = publish(minter, root / "dists", RELEASES)
    with serve_directory(build_site(root / "dists", root / "site"), negotiate=True) as server:
        yield Site(server, dists, trust)


BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    try:
        with start_cluster() as cluster:
            yield cluster
    except ClusterUnavailable as err:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL must run in CI: {err}")
        pytest.skip(f"PostgreSQL is not available here: {err}")


def new_store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return str(tmp_path / f"history-{next(_counter)}.sqlite3")
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"t_{uuid.uuid4().hex[:16]}")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store location on each backend (path or postgresql:// URL)."""
    return new_store_url(request.param, request, tmp_path)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(resolve_store(store_url)) as opened:
        yield opened
