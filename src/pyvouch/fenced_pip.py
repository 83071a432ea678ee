"""pip run fenced: in a given interpreter, through a small launcher that can install an audit
hook refusing to start any process.

pip runs build backends, ``setup.py`` and the installation of build dependencies only in
subprocesses, so with the hook (`sys.addaudithook`, which Python code cannot remove) pip
cannot run build code whatever its inputs say. Only the ``keyring`` command (pip's credential
helper) may start. Used by the install gate (`pyvouch.gate.pip_runner`) and by scan's
resolution of unpinned requirements (`pyvouch.sources.pip_resolve`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import UsageError

GUARD_MARK = "pyvouch: pip may not start a process (no build code runs before verification)"

# Runs as ``python -c LAUNCHER GUARD RUNNER PIP_ARGS...``. GUARD "1" installs the hook;
# RUNNER is pip's __pip-runner__.py to run pyvouch's pip, or "" for the target's own pip.
_LAUNCHER = f"""
import os, sys
guard, runner = sys.argv[1], sys.argv[2]
del sys.argv[1:3]
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]
if guard == "1":
    _BLOCKED = ("subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn",
                "os.fork", "os.forkpty", "os.startfile", "_winapi.CreateProcess")
    def _pyvouch_guard(event, args):
        if not event.startswith(_BLOCKED):
            return
        if event == "subprocess.Popen":
            try:
                argv = args[1]
                program = args[0] or (argv if isinstance(argv, (str, bytes)) else argv[0])
                if os.path.basename(os.fsdecode(program)) == "keyring":
                    return
            except Exception:
                pass
        raise PermissionError({GUARD_MARK!r} + " (" + event + ")")
    sys.addaudithook(_pyvouch_guard)
import runpy
sys.argv[0] = "pip"
if runner:
    runpy.run_path(runner, run_name="__main__")
else:
    runpy.run_module("pip", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True, slots=True)
class PipResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def guard_tripped(self) -> bool:
        """pip tried to start a process (a build) and the gate's hook refused it."""
        return GUARD_MARK in self.stderr


def gate_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without pip's configuration: no ``PIP_*`` variable, no configuration file."""
    out = {k: v for k, v in env.items() if not k.upper().startswith("PIP_")}
    out["PIP_CONFIG_FILE"] = os.devnull
    return out


@dataclass(frozen=True, slots=True)
class Pip:
    """How to run pip for the target interpreter."""

    target: Path
    runner: str
    """pip's ``__pip-runner__.py`` when pyvouch's pip serves the target; "" for its own."""
    env: Mapping[str, str]
    """The user's environment (pip's configuration is read from it)."""

    def run(
        self,
        args: Sequence[str],
        *,
        capture: bool = True,
        stdout_to_stderr: bool = False,
        guard: bool = True,
        user_config: bool = False,
        timeout: float | None = None,
    ) -> PipResult:
        """``pip ARGS``; with ``capture=False`` pip writes straight to this process's streams
        (its stdout to stderr with ``stdout_to_stderr``, to keep a machine report clean).
        ``guard``: no process may start; ``user_config``: pip reads the user's configuration
        (otherwise none)."""
        if capture:
            out: int | None = subprocess.PIPE
            err: int | None = subprocess.PIPE
        else:
            out, err = (2 if stdout_to_stderr else None), None
        # PIP_PYTHON would make pip re-run itself in another interpreter (a process start).
        env = (
            {k: v for k, v in self.env.items() if k != "PIP_PYTHON"}
            if user_config
            else gate_env(self.env)
        )
        command = [str(self.target), "-c", _LAUNCHER, "1" if guard else "0", self.runner]
        try:
            done = subprocess.run(
                [*command, *args],
                stdout=out,
                stderr=err,
                text=True,
                check=False,
                env=env,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise UsageError(f"pip did not finish within {timeout:.0f} s") from None
        except OSError as error:
            raise UsageError(f"cannot run pip ({self.target}): {error}") from None
        return PipResult(done.returncode, done.stdout or "", done.stderr or "")
