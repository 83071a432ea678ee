"""One scratch venv per session with real packages from PyPI (see projects.PACKAGES)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.reachability.projects import PACKAGES
from tests.support.venvs import PIP_TIMEOUT, make_venv, quiet_pip_env

PYPI = "https://pypi.org/simple"


@pytest.fixture(scope="session")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding `PACKAGES` and their dependencies, installed by pip from PyPI."""
    venv = make_venv(tmp_path_factory.mktemp("reach") / "venv")
    done = venv.pip_install("--only-binary", ":all:", *PACKAGES, index_url=PYPI)
    if done.returncode != 0:
        pytest.fail(f"pip could not install the demo packages:\n{done.stdout}\n{done.stderr}")
    return venv.root


@pytest.fixture(scope="session")
def bs4_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """beautifulsoup4's real wheel from PyPI: a distribution whose module (bs4) no guess from
    its name finds."""
    folder = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--no-cache-dir",
            "--index-url",
            PYPI,
            "--dest",
            str(folder),
            "beautifulsoup4==4.12.3",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=PIP_TIMEOUT,
        env=quiet_pip_env(),
    )
    if done.returncode != 0:
        pytest.fail(f"pip could not download the wheel:\n{done.stdout}\n{done.stderr}")
    (wheel,) = folder.glob("*.whl")
    return wheel
