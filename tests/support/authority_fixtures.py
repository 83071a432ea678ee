"""Pytest fixtures that run the local Sigstore-compatible test authority on 127.0.0.1.

Import the fixtures into a ``conftest.py``::

    from tests.support.authority_fixtures import authority, served_authority, trust_files
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.testing import TestAuthority


@pytest.fixture
def authority() -> TestAuthority:
    """A fresh authority, not served (use ``pyvouch.testing.local`` for in-process signing)."""
    return TestAuthority()


@pytest.fixture
def served_authority(authority: TestAuthority) -> Iterator[TestAuthority]:
    """The authority serving Fulcio, Rekor and OIDC on an ephemeral 127.0.0.1 port."""
    with authority.serve():
        yield authority


@pytest.fixture
def trust_files(served_authority: TestAuthority, tmp_path: Path) -> dict[str, Path]:
    """trusted_root.json, signing_config.json and trust_config.json for the served authority."""
    return served_authority.write_trust_files(tmp_path / "trust")
