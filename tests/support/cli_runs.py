"""Running the `pyvouch` command in tests: in this process (click's CliRunner) for everything a
command decides, and in a subprocess (`python -m pyvouch`) only for the one smoke test per
command that the real entry point, interpreter start and streams work.

An exception that escapes a command in process is raised into the test (``catch_exceptions``
off): a user would have seen a traceback, so the test fails with it instead of reading exit 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from pyvouch.cli.main import cli

PYVOUCH = [sys.executable, "-m", "pyvouch"]


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def invoke(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str | None] | None = None,
    input: str | bytes | None = None,
) -> Run:
    """``pyvouch ARGS`` in this process; ``env`` sets (or, with None, removes) variables for
    the call only."""
    result = CliRunner().invoke(
        cli,
        [str(a) for a in args],
        env=dict(env or {}),
        input=input,
        catch_exceptions=False,
        prog_name="pyvouch",
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def run_process(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str | None] | None = None,
    input: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> Run:
    """``python -m pyvouch ARGS`` in a subprocess (``env`` as for `invoke`, on top of this
    process's environment)."""
    merged = {**os.environ, **(env or {})}
    done = subprocess.run(
        [*PYVOUCH, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        input=input,
        env={key: value for key, value in merged.items() if value is not None},
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)
