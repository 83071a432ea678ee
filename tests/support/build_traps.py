"""Source distributions whose build code leaves a mark: the install gate must never run them.

`Trap` makes, for one marker file:

- an sdist ``trap-pkg`` with an in-tree PEP 517 backend (``backend-path = ["."]``) that
  appends a line to the marker as soon as it is imported, which is the first thing pip does
  with a source tree (to ask for its build requirements or metadata);
- the same source tree unpacked as a directory, and as a one-commit git repository;
- a legacy ``setup.py``-only sdist ``trap-legacy`` (no pyproject.toml), whose setup.py marks,
  and a fake ``setuptools`` 99.0 wheel (the build dependency pip installs for it into its
  isolated build environment) whose import marks too.

Each mark is one line: the kind of code that ran and its command line, so a failing test says
which path ran it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.install_sites import write_wheel

PROJECT = "trap-pkg"
VERSION = "1.0"
SDIST = "trap_pkg-1.0.tar.gz"
LEGACY = "trap-legacy"
LEGACY_SDIST = "trap_legacy-1.0.tar.gz"


def _mark(marker: Path, what: str) -> str:
    return (
        "import sys as _s\n"
        f"with open({str(marker)!r}, 'a') as _f:\n"
        f"    _f.write({what!r} + ' ' + ' '.join(_s.argv) + '\\n')\n"
    )


def _tree_files(marker: Path) -> dict[str, str]:
    return {
        "pyproject.toml": (
            '[build-system]\nrequires = []\nbuild-backend = "trap_backend"\nbackend-path = ["."]\n'
            f'\n[project]\nname = "{PROJECT}"\nversion = "{VERSION}"\n'
        ),
        "trap_backend.py": _mark(marker, "backend")
        + "def get_requires_for_build_wheel(config_settings=None):\n    return []\n",
        "trap_pkg/__init__.py": "",
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {PROJECT}\nVersion: {VERSION}\n",
    }


def _legacy_files(marker: Path) -> dict[str, str]:
    return {
        "setup.py": _mark(marker, "setup.py")
        + f"from setuptools import setup\nsetup(name={LEGACY!r}, version={VERSION!r})\n",
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {LEGACY}\nVersion: {VERSION}\n",
    }


def _write_sdist(path: Path, top: str, files: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return path


def _write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _fake_setuptools(folder: Path, marker: Path) -> Path:
    """``setuptools`` 99.0 whose import (by setup.py or by its build_meta) marks."""
    init = _mark(marker, "build dependency") + "def setup(**kw):\n    pass\n"
    build_meta = "from setuptools import setup\n__legacy__ = None\n"
    modules = {"setuptools/__init__.py": init, "setuptools/build_meta.py": build_meta}
    return write_wheel(folder, "setuptools", "99.0", modules=modules)


@dataclass(frozen=True)
class Trap:
    marker: Path
    sdist: Path
    tree: Path
    repo: Path
    legacy_sdist: Path
    setuptools_wheel: Path

    def marks(self) -> str:
        return self.marker.read_text(encoding="utf-8") if self.marker.exists() else ""


def make_trap(root: Path, marker: Path) -> Trap:
    """The trap's sdists in ``root/dists``, its tree in ``root/tree``, its repo in ``root/repo``
    and the fake setuptools wheel in ``root/build-deps``."""
    files = _tree_files(marker)
    sdist = _write_sdist(root / "dists" / SDIST, f"trap_pkg-{VERSION}", files)
    legacy = _write_sdist(
        root / "dists" / LEGACY_SDIST, f"trap_legacy-{VERSION}", _legacy_files(marker)
    )
    tree = _write_tree(root / "tree" / "trap-pkg", files)
    repo = _write_tree(root / "repo" / "trap-pkg", files)
    if shutil.which("git"):
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        subprocess.run([*git, "init", "-q", str(repo)], check=True, timeout=60)
        subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True, timeout=60)
        subprocess.run([*git, "-C", str(repo), "commit", "-qm", "trap"], check=True, timeout=60)
    setuptools_wheel = _fake_setuptools(root / "build-deps", marker)
    return Trap(marker, sdist, tree, repo, legacy, setuptools_wheel)
