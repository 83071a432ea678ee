"""The CLI frame: version, usage errors exit 2 with one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyvouch", *args], capture_output=True, text=True, check=False
    )


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert "pyvouch" in proc.stdout


def test_unknown_command_is_usage_error() -> None:
    proc = run("no-such-command")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "no-such-command" in proc.stderr
