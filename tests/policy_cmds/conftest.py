"""Fixtures for the policy command tests: the test authority, a minter, a served site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.testing import TestAuthority
from tests.support.policy_sites import Minter


@pytest.fixture(scope="module")
def minter() -> Minter:
    return Minter(TestAuthority())


@pytest.fixture(scope="module")
def trust_root(minter: Minter, tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = minter.authority.write_trust_files(tmp_path_factory.mktemp("trust"))
    return files["trusted_root"]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own index cache, so no answer leaks between tests."""
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    yield
