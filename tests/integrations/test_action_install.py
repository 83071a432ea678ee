"""The action's install step, run as written: a virtual environment under $RUNNER_TEMP, the
pinned, hash-checked dependencies from PyPI, pyvouch from the action's checkout, `pip check`.
Slow (it downloads every dependency); it needs PyPI, as CI has it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.action_runner import run_action

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def action_checkout(dest: Path) -> Path:
    """The files git tracks, as they are in this work tree: what `uses:` checks out."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file() and not rel.startswith(("tests/", "benchmarks/", "docs/")):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest / "action.yml"


def test_the_install_step_installs_the_pinned_pyvouch(tmp_path: Path) -> None:
    if shutil.which("git") is None or shutil.which("python3") is None:
        pytest.skip("needs git and python3")
    action = action_checkout(tmp_path / "action")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    result = run_action(
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        event_name="push",
        action=action,
        given_outputs={"check": {}},  # only the install step runs here
        env={"PYTHONPATH": ""},
    )
    step = result.step("install")
    assert step.returncode == 0, step.stdout + step.stderr
    python = step.outputs["python"]
    assert python == str(tmp_path / "runner-temp" / "pyvouch-venv" / "bin" / "python")
    version = subprocess.run(
        [python, "-m", "pyvouch", "--version"], capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin"}, check=False,
    )  # fmt: skip
    assert version.returncode == 0 and "pyvouch" in version.stdout, version.stderr
    # installed from the checkout, not from anywhere else
    where = subprocess.run(
        [python, "-c", "import pyvouch, sys; print(pyvouch.__file__)"],
        capture_output=True, text=True, timeout=60, check=True, env={"PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip
    assert "pyvouch-venv" in where
