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
            paths: Iterator[tuple[Path, tuple[int, int] | None]] = iter([(given, _identity(given))])
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
        for path, identity in paths:
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


def _walk(
    top: Path, left_out: frozenset[str], skipped: list[str]
) -> Iterator[tuple[Path, tuple[int, int] | None]]:
    """Every ``.py`` file under ``top`` with its (device, inode), directories in order, each
    directory's files before its subdirectories; directory symlinks followed once."""
    seen: dict[tuple[int, int], str] = {}
    stack = [str(top)]
    while stack:
        directory = stack.pop()
        identity = _identity(directory)
        if identity is None:
            continue
        if identity in seen:
            skipped.append(
                f"{directory}: a link to {seen[identity]}, already read (a symlink loop or a "
                "second link); not read"
            )
            continue
        seen[identity] = directory
        files: list[tuple[str, tuple[int, int] | None]] = []
        subdirs: list[str] = []
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir():
                            if entry.name not in left_out and not os.path.exists(  # noqa: PTH110
                                f"{entry.path}/pyvenv.cfg"
                            ):
                                subdirs.append(entry.path)
                        elif entry.name.endswith(".py"):
                            files.append((entry.path, _entry_identity(entry, identity[0])))
                    except OSError:
                        files.append((entry.path, None))
        except OSError as err:
            skipped.append(f"{directory}: cannot be listed ({err.strerror or err}); not read")
            continue
        for path, file_identity in sorted(files):
            yield Path(path), file_identity
        stack.extend(sorted(subdirs, reverse=True))


def _entry_identity(entry: os.DirEntry[str], device: int) -> tuple[int, int] | None:
    if entry.is_symlink():
        return _identity(entry.path)
    return device, entry.inode()
