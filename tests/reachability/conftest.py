"""One scratch venv per session with real packages from PyPI (see projects.PACKAGES)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reachability.projects import PACKAGES
from tests.support.venvs import make_venv

PYPI = "https://pypi.org/simple"


@pytest.fixture(scope="session")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding `PACKAGES` and their dependencies, installed by pip from PyPI."""
    venv = make_venv(tmp_path_factory.mktemp("reach") / "venv")
    done = venv.pip_install("--only-binary", ":all:", *PACKAGES, index_url=PYPI)
    if done.returncode != 0:
        pytest.fail(f"pip could not install the demo packages:\n{done.stdout}\n{done.stderr}")
    return venv.root
