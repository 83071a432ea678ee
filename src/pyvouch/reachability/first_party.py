"""The project's own files: which ones, under which module names, and which are tests.

A source directory holding ``__init__.py`` is a package (its parent is the import root);
any other directory is an import root itself (``src/``, a flat project). Virtualenvs, VCS and
build directories are left out. Directory symlinks are followed once: a link back into what
was already read (a loop) is skipped and said so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LEFT_OUT = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        "node_modules",
        "build",
        "dist",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        "dist-packages",
    }
)
TEST_DIR_NAMES = frozenset({"tests", "test"})


@dataclass(frozen=True)
class SourceFile:
    path: Path
    module: str
    """Its module name under its import root (``pkg.sub.mod``; a package's ``__init__`` is
    the package)."""
    is_test: bool


def _is_test_name(parts: tuple[str, ...]) -> bool:
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in TEST_DIR_NAMES for part in parts[:-1])


@dataclass
class FirstParty:
    files: list[SourceFile]
    roots: list[Path]
    """Import roots (where first-party top-level modules are found)."""
    skipped: list[str]


def collect(
    source_dirs: tuple[Path, ...],
    test_dirs: tuple[Path, ...],
    *,
    patterns: bool = True,
    exclude: tuple[str, ...] = (),
) -> FirstParty:
    found = FirstParty([], [], [])
    files_seen: set[tuple[int, int]] = set()
    left_out = LEFT_OUT | frozenset(exclude)
    # Tests first: a test directory inside a source directory stays a test directory.
    for given, tests in [*((d, True) for d in test_dirs), *((d, False) for d in source_dirs)]:
        if given.is_file():
            root, prefix = given.parent, tuple[str, ...]()
            paths: Iterator[Path] = iter([given])
        elif given.is_dir():
            if (given / "__init__.py").is_file():
                root, prefix = given.parent, (given.name,)
            else:
                root, prefix = given, ()
            paths = _walk(given, left_out, found.skipped)
        else:
            found.skipped.append(f"{given}: no such directory; not read")
            continue
        if root not in found.roots:
            found.roots.append(root)
        for path in paths:
            identity = _identity(path)
            if identity is not None:
                if identity in files_seen:
                    continue  # the same file through another link
                files_seen.add(identity)
            rel = path.relative_to(given).parts if path != given else (path.name,)
            parts = (*prefix, *rel)
            is_test = tests or (patterns and _is_test_name(parts))
            found.files.append(SourceFile(path, _module_name(parts), is_test))
    return found


def _identity(path: Path | str) -> tuple[int, int] | None:
    """(device, inode) of what ``path`` leads to; None when it cannot be told (the reader
    then says why it cannot read it)."""
    try:
        info = os.stat(path)  # noqa: PTH116 (thousands of files: no Path objects)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _module_name(parts: tuple[str, ...]) -> str:
    names = [*parts[:-1], parts[-1].removesuffix(".py")]
    if names[-1] == "__init__" and len(names) > 1:
        names.pop()
    return ".".join(names)


def _walk(top: Path, left_out: frozenset[str], skipped: list[str]) -> Iterator[Path]:
    """Every ``.py`` file under ``top``, following directory symlinks once."""
    seen: dict[tuple[int, int], str] = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        identity = _identity(dirpath)
        if identity is None:
            continue
        if identity in seen:
            skipped.append(
                f"{dirpath}: a link to {seen[identity]}, already read (a symlink loop or a "
                "second link); not read"
            )
            dirnames[:] = []
            continue
        seen[identity] = dirpath
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            if name in left_out or os.path.exists(f"{dirpath}/{name}/pyvenv.cfg"):  # noqa: PTH110
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield here / name
