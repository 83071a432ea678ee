"""Find the interpreter to install into and the pip that serves it; run pip, fenced.

The target is ``--python``, else the active virtualenv (``$VIRTUAL_ENV``), else ``python3`` on
PATH: what a bare ``pip install`` in this shell would install into. When the target has no pip
of its own, pyvouch's pip runs in the target interpreter (as ``pip --python TARGET`` does,
through pip's ``__pip-runner__.py``).

Every pip run starts in the target interpreter through a small launcher. For the gate's runs
the launcher first installs an audit hook (`sys.addaudithook`, which Python code cannot
remove) that refuses to start any process: pip runs build backends, ``setup.py`` and the
installation of build dependencies only in subprocesses, so with the hook pip cannot run
build code even if an input slipped past `pip_inputs` (a file changed after it was read, a pip
rule pyvouch does not know). Only the ``keyring`` command (pip's credential helper) may start.
Those runs also get no pip configuration (``PIP_CONFIG_FILE=os.devnull``, no ``PIP_*``
variables): pyvouch hands the configuration over as checked options (`pip_config`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from pyvouch.errors import UsageError
from pyvouch.fenced_pip import GUARD_MARK, Pip, PipResult, gate_env
from pyvouch.gate.pip_config import PipConfig, parse_config_debug, parse_config_list
from pyvouch.index.client import DEFAULT_INDEX_URL, resolve_index_url

__all__ = [
    "GUARD_MARK",
    "Pip",
    "PipResult",
    "find_pip",
    "gate_env",
    "pip_index_url",
    "read_pip_config",
    "target_python",
]

_PROBE_TIMEOUT = 60.0


def target_python(explicit: str | None, env: Mapping[str, str]) -> Path:
    """The interpreter pip installs into (see the module docstring), as an absolute path: uv
    runs in an empty working folder, where a relative ``--python`` would name nothing."""
    if explicit:
        found = shutil.which(explicit) if os.sep not in explicit else explicit
        path = Path(found) if found else Path(explicit)
        if path.is_dir():  # a virtualenv directory, as pip's own --python accepts
            path = path / "bin" / "python"
        if not path.is_file():
            raise UsageError(f"--python {explicit}: no such interpreter")
        return path.absolute()
    venv = env.get("VIRTUAL_ENV")
    if venv:
        path = Path(venv) / "bin" / "python"
        if path.is_file():
            return path.absolute()
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


def _own_pip_runner() -> Path | None:
    spec = importlib.util.find_spec("pip")
    if spec is None or spec.origin is None:
        return None
    runner = Path(spec.origin).parent / "__pip-runner__.py"
    return runner if runner.is_file() else None


def find_pip(target: Path, env: Mapping[str, str], *, has_pip: bool | None = None) -> Pip:
    """The target's own pip, else pyvouch's pip run in the target interpreter (``has_pip``:
    whether the target has pip, when already known)."""
    if has_pip if has_pip is not None else _has_pip(target, env):
        return Pip(target, "", env)
    runner = _own_pip_runner()
    if runner is not None:
        return Pip(target, str(runner), env)
    raise UsageError(f"{target} has no pip, and neither has pyvouch; install pip into one of them")


def read_pip_config(pip: Pip) -> PipConfig:
    """The user's pip configuration as the target's pip sees it (environment and files)."""
    listed = pip.run(["config", "list"], user_config=True)
    if listed.returncode != 0:
        detail = (listed.stderr.strip().splitlines() or [f"exit {listed.returncode}"])[-1]
        raise UsageError(f"cannot read pip's configuration (pip config list: {detail})")
    debug = pip.run(["config", "debug"], user_config=True)
    files = parse_config_debug(debug.stdout) if debug.returncode == 0 else {}
    return PipConfig(parse_config_list(listed.stdout), files)


def pip_index_url(config: PipConfig, given: str | None) -> str:
    """The one index both pip and the scan use: the given one, else pip's configured one
    (``$PIP_INDEX_URL``, then pip's configuration files), else PyPI."""
    if given:
        return resolve_index_url(given, "--index-url (or the policy's index-url)")
    configured = config.index_url()
    if configured:
        return resolve_index_url(configured, "pip's index-url ($PIP_INDEX_URL or pip.conf)")
    return resolve_index_url(DEFAULT_INDEX_URL)
