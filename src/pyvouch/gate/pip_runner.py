"""Find the interpreter to install into, the pip that serves it and the index pip uses; run pip.

The target is ``--python``, else the active virtualenv (``$VIRTUAL_ENV``), else ``python3`` on
PATH: what a bare ``pip install`` in this shell would install into. When the target has no pip
of its own, the pip next to pyvouch installs into it with ``pip --python TARGET``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import UsageError
from pyvouch.index.client import DEFAULT_INDEX_URL, resolve_index_url

_PROBE_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class PipResult:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True, slots=True)
class Pip:
    """The command that runs pip for the target interpreter."""

    target: Path
    command: tuple[str, ...]
    env: Mapping[str, str]

    def run(
        self, args: Sequence[str], *, capture: bool = True, stdout_to_stderr: bool = False
    ) -> PipResult:
        """``pip ARGS``; with ``capture=False`` pip writes straight to this process's streams
        (its stdout to stderr with ``stdout_to_stderr``, to keep a machine report clean)."""
        if capture:
            out: int | None = subprocess.PIPE
            err: int | None = subprocess.PIPE
        else:
            out, err = (2 if stdout_to_stderr else None), None
        try:
            done = subprocess.run(
                [*self.command, *args],
                stdout=out,
                stderr=err,
                text=True,
                check=False,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
            )
        except OSError as err:
            raise UsageError(f"cannot run pip ({' '.join(self.command)}): {err}") from None
        return PipResult(done.returncode, done.stdout or "", done.stderr or "")


def target_python(explicit: str | None, env: Mapping[str, str]) -> Path:
    """The interpreter pip installs into (see the module docstring)."""
    if explicit:
        found = shutil.which(explicit) if os.sep not in explicit else explicit
        path = Path(found) if found else Path(explicit)
        if path.is_dir():  # a virtualenv directory, as pip's own --python accepts
            path = path / "bin" / "python"
        if not path.is_file():
            raise UsageError(f"--python {explicit}: no such interpreter")
        return path
    venv = env.get("VIRTUAL_ENV")
    if venv:
        path = Path(venv) / "bin" / "python"
        if path.is_file():
            return path
        raise UsageError(f"$VIRTUAL_ENV {venv}: no bin/python in it; give --python")
    found = shutil.which("python3") or shutil.which("python")
    if found is None:
        raise UsageError("no python3 on PATH and no virtualenv active; give --python")
    return Path(found)


def _has_pip(python: Path, env: Mapping[str, str]) -> bool:
    try:
        done = subprocess.run(
            [str(python), "-c", "import pip"],
            capture_output=True,
            check=False,
            env=dict(env),
            timeout=_PROBE_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def find_pip(target: Path, env: Mapping[str, str]) -> Pip:
    """The target's own pip, else pyvouch's pip driving the target with ``--python``."""
    if _has_pip(target, env):
        return Pip(target, (str(target), "-m", "pip"), env)
    own = Path(sys.executable)
    if _has_pip(own, env):
        return Pip(target, (str(own), "-m", "pip", "--python", str(target)), env)
    raise UsageError(f"{target} has no pip, and neither has {own}; install pip into one of them")


def _config_index(pip: Pip) -> str | None:
    """``index-url`` from pip's configuration files, as ``pip config list`` shows them."""
    done = pip.run(["config", "list"])
    if done.returncode != 0:
        return None
    found: dict[str, str] = {}
    for line in done.stdout.splitlines():
        key, eq, value = line.partition("=")
        if not eq:
            continue
        section, _, option = key.strip().rpartition(".")
        if option == "index-url":
            found[section] = value.strip().strip("'\"")
    for section in (":env:", "install", "global"):
        if section in found:
            return found[section]
    return None


def pip_index_url(pip: Pip, given: str | None) -> str:
    """The one index both pip and the scan use: the given one, else pip's configured one
    (``$PIP_INDEX_URL``, then pip's configuration files), else PyPI."""
    if given:
        return resolve_index_url(given, "--index-url (or the policy's index-url)")
    from_env = pip.env.get("PIP_INDEX_URL")
    if from_env:
        return resolve_index_url(from_env, "$PIP_INDEX_URL")
    configured = _config_index(pip)
    if configured:
        return resolve_index_url(configured, "pip's configured index-url")
    return resolve_index_url(DEFAULT_INDEX_URL)
