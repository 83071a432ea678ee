"""One way to run a tool the gate needs (the target interpreter, uv): no standard input, a
time limit, and a one-line `UsageError` when it cannot start or does not finish."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from pyvouch.errors import UsageError


def run_tool(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    what: str,
    timeout: float | None = None,
    capture: bool = True,
    stdout_to_stderr: bool = False,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``argv`` run to its end; ``what`` names it in errors (``uv``, ``/venv/bin/python``).
    Without ``capture`` its output goes to this process's streams (stdout to stderr with
    ``stdout_to_stderr``)."""
    try:
        return subprocess.run(
            list(argv),
            capture_output=capture,
            stdout=None if capture else (2 if stdout_to_stderr else None),
            text=True,
            check=False,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            cwd=cwd,
        )
    except subprocess.TimeoutExpired:
        raise UsageError(f"{what} did not finish within {timeout:.0f} s") from None
    except OSError as err:
        raise UsageError(f"cannot run {what}: {err.strerror or err}") from None
