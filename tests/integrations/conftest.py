"""The test authority, a minter, an own cache per test (as for the policy commands), and the
loopback index both the action and the pre-commit tests check locks against."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integrations.action_world import GOOD, HELPER, MALLORY, World
from tests.policy_cmds.conftest import _own_cache, minter, trust_root
from tests.support.policy_sites import Minter, Release, build_site, publish
from tests.support.static_server import serve_directory

__all__ = ["_own_cache", "minter", "trust_root", "venv_tool", "world"]

RELEASES = (
    Release("vault", "1.0", GOOD),
    Release("vault", "1.1", MALLORY),
    Release("helper", "1.0", HELPER),
    Release("helper", "2.0", HELPER),
)


@pytest.fixture(scope="module")
def world(
    minter: Minter, trust_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    root = tmp_path_factory.mktemp("action-world")
    dists = publish(minter, root / "dists", RELEASES)
    with serve_directory(build_site(root / "dists", root / "site"), negotiate=True) as server:
        yield World(server, dists, trust_root)


def venv_tool(name: str) -> str:
    """A tool of the test extra: beside this interpreter, or on PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (pip install '.[test]')")
    return found
