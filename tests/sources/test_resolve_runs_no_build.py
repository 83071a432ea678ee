"""`pyvouch scan` of unpinned requirements resolves them with pip, and must never run build
code doing so: a requirements file under review (a pull request) that names a local source
tree, an sdist, `-e` or `--no-binary` is refused, and the trap's build code never runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.sources import load_packages
from tests.support.build_traps import Trap, make_trap
from tests.support.sources_inputs import make_wheel, write_simple_index
from tests.support.static_server import serve_directory


@pytest.fixture
def quiet_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    """pip sees only the loopback index the test serves."""
    for key in list(os.environ):
        if key.startswith("PIP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")


@pytest.fixture
def trap(tmp_path: Path) -> Trap:
    return make_trap(tmp_path / "trap", tmp_path / "marker.txt")


def _lines(trap: Trap, variant: str) -> str:
    return {
        "local directory": f"trap-pkg @ {trap.tree.as_uri()}\n",
        "editable": f"-e {trap.tree}#egg=trap-pkg\n",
        "local sdist": f"{trap.sdist}\n",
        "sdist from find-links": f"--find-links {trap.sdist.parent}\ntrap-pkg>=1.0\n",
        "no-binary in the file": (
            f"--no-binary :all:\n--find-links {trap.sdist.parent}\ntrap-pkg>=1.0\n"
        ),
        "legacy setup.py": f"--find-links {trap.sdist.parent}\ntrap-legacy>=1.0\n",
    }[variant]


VARIANTS = [
    "local directory",
    "editable",
    "local sdist",
    "sdist from find-links",
    "no-binary in the file",
    "legacy setup.py",
]


FENCED = ("local directory", "local sdist")
"""Variants pip tries to build (the audit hook stops it); in the others `--only-binary :all:`
leaves it nothing to take."""


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("quiet_pip")
@pytest.mark.parametrize("variant", VARIANTS)
def test_resolution_runs_no_build_code(tmp_path: Path, trap: Trap, variant: str) -> None:
    dists = tmp_path / "dists"
    write_simple_index(tmp_path / "site", [make_wheel(dists, "demo-app", "1.0")])
    req = tmp_path / "requirements.txt"
    req.write_text("demo-app>=1.0\n" + _lines(trap, variant))  # unpinned: pip resolves
    with serve_directory(tmp_path / "site") as server, pytest.raises(InputError) as err:
        load_packages(req, index_url=server.index_url)
    assert trap.marks() == ""  # no build backend, setup.py or build dependency ran
    problem = err.value.problem
    # pip is stopped by the fence (it tried to build) or finds no wheel to take (it never tries)
    expected = "would run build code" if variant in FENCED else "pip could not resolve"
    assert expected in problem, problem
    assert "\n" not in problem


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("quiet_pip")
def test_the_trap_is_real_under_plain_pip(tmp_path: Path, trap: Trap) -> None:
    """What the scan prevents: plain pip's dry run imports the trap's build backend."""
    req = tmp_path / "requirements.txt"
    req.write_text(f"{trap.tree}\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "-r", str(req)],
        capture_output=True,
        check=False,
        timeout=240,
    )
    assert "backend" in trap.marks()


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("quiet_pip")
def test_wheels_still_resolve(tmp_path: Path) -> None:
    dists = tmp_path / "dists"
    wheel = make_wheel(dists, "demo-app", "1.1")
    write_simple_index(tmp_path / "site", [make_wheel(dists, "demo-app", "1.0"), wheel])
    req = tmp_path / "requirements.txt"
    req.write_text("demo-app>=1.0\n")
    with serve_directory(tmp_path / "site") as server:
        result = load_packages(req, index_url=server.index_url)
    (package,) = result.packages
    assert (package.version, package.files[0].sha256) == ("1.1", wheel.sha256)
