"""The installer that carries out the gate's decision: pip or uv, given exactly the verified
files (a requirements file of ``name==version --hash=sha256:DIGEST`` lines, see
`plan.requirements_text`) and nothing to resolve.

Both run with ``--require-hashes --no-deps`` against the one index pyvouch verified from, so
each downloads, checks and installs those digests or nothing (a file whose bytes differ from
its pinned digest fails the install: pip and uv both check it before installing anything), and
with wheels only unless ``--allow-sdists``:

- pip runs fenced (`pyvouch.fenced_pip`: no process may start, no pip configuration);
- uv runs with ``--no-config`` (no ``uv.toml``, no ``[tool.uv]``), without any ``UV_*``
  variable but its cache folder (``UV_INDEX_URL``, ``UV_EXTRA_INDEX_URL``, ``UV_FIND_LINKS``
  ... cannot add or swap an index), ``--no-build`` (never builds), in an empty working folder.

`choose_installer` picks one: ``--installer``, else uv inside a uv project (a ``uv.lock`` is
installed, or the current folder has one) or when the target has no pip, provided uv is found;
else pip.

With ``--lock`` both reinstall (pip ``--force-reinstall``; uv ``--reinstall-package`` for each
package already in the target: ``--reinstall`` would refresh uv's whole cache): a distribution
of the same version already in the target, from wherever it came, would otherwise be kept, and
the target would not hold what was verified.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pyvouch.errors import UsageError
from pyvouch.fenced_pip import Pip
from pyvouch.gate.tool_run import run_tool

_ONLY_BINARY = ("--only-binary", ":all:")
# The uv variables the installs keep: where its cache is (every cached file is checked
# against the pinned digest like a downloaded one), and whether to use it.
_UV_KEPT = frozenset({"UV_CACHE_DIR", "UV_NO_CACHE"})


class InstallerName(StrEnum):
    PIP = "pip"
    UV = "uv"


@dataclass(frozen=True, slots=True)
class PipInstaller:
    pip: Pip
    options: tuple[str, ...] = ()
    """pip's install-time options (where and how to install, how to reach the network)."""
    reinstall: bool = False
    """Install every pinned file even where the same version is installed already."""

    name = InstallerName.PIP

    def install(
        self, requirements: Path, index_url: str, *, allow_sdists: bool, machine: bool
    ) -> int:
        done = self.pip.run(
            [
                "install",
                "--require-hashes",
                "--no-deps",
                "--index-url",
                index_url,
                *self.options,
                *(("--force-reinstall",) if self.reinstall else ()),
                *(() if allow_sdists else _ONLY_BINARY),
                "-r",
                str(requirements),
            ],
            capture=False,
            stdout_to_stderr=machine,
            guard=not allow_sdists,
        )
        return done.returncode


@dataclass(frozen=True, slots=True)
class UvInstaller:
    uv: Path
    target: Path
    env: Mapping[str, str]
    reinstall: tuple[str, ...] = ()
    """Packages to install even where the same version is installed already (uv's
    ``--reinstall`` would also refresh its whole cache: these only)."""

    name = InstallerName.UV

    def command(self, requirements: Path, index_url: str, *, allow_sdists: bool) -> list[str]:
        return [
            str(self.uv),
            "pip",
            "install",
            "--no-config",
            "--require-hashes",
            "--no-deps",
            *(arg for name in self.reinstall for arg in ("--reinstall-package", name)),
            *(() if allow_sdists else ("--no-build",)),
            "--python",
            str(self.target),
            "--index-url",
            index_url,
            "-r",
            str(requirements),
        ]

    def install(
        self, requirements: Path, index_url: str, *, allow_sdists: bool, machine: bool
    ) -> int:
        with tempfile.TemporaryDirectory(prefix="pyvouch-uv-") as empty:
            done = run_tool(
                self.command(requirements, index_url, allow_sdists=allow_sdists),
                env=uv_env(self.env),
                what=f"uv ({self.uv})",
                capture=False,
                stdout_to_stderr=machine,
                cwd=Path(empty),
            )
        return done.returncode


Installer = PipInstaller | UvInstaller


def uv_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without uv's configuration (every ``UV_*`` but the cache's) or pip's."""
    return {
        k: v
        for k, v in env.items()
        if not (k.upper().startswith("UV_") and k.upper() not in _UV_KEPT)
        and not k.upper().startswith("PIP_")
    }


def find_uv(env: Mapping[str, str]) -> Path | None:
    """uv on PATH, else the one installed beside pyvouch's interpreter (``pip install uv``)."""
    found = shutil.which("uv", path=env.get("PATH"))
    if found:
        return Path(found)
    beside = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    return beside if beside.is_file() else None


def is_uv_project(lock: Path | None, cwd: Path) -> bool:
    """A uv.lock is being installed, or the current folder holds one."""
    return (lock is not None and lock.name == "uv.lock") or (cwd / "uv.lock").is_file()


def choose_installer(
    asked: InstallerName | None,
    *,
    lock: Path | None,
    cwd: Path,
    target_has_pip: bool,
    env: Mapping[str, str],
) -> tuple[InstallerName, Path | None]:
    """The installer's name and uv's path (when uv)."""
    uv = find_uv(env)
    if asked is InstallerName.UV:
        if uv is None:
            raise UsageError("--installer uv: uv is not on PATH (pip install uv)")
        return InstallerName.UV, uv
    if asked is InstallerName.PIP:
        return InstallerName.PIP, None
    if uv is not None and (is_uv_project(lock, cwd) or not target_has_pip):
        return InstallerName.UV, uv
    return InstallerName.PIP, None


def refuse_uv_options(options: Sequence[str]) -> None:
    if options:
        raise UsageError(
            f"pip option {options[0]} is for pip; uv takes no pip options here "
            "(give --installer pip, or drop it)"
        )
