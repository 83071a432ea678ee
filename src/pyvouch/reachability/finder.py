"""Where a module's code is, found as the import system finds it (without importing): over a
list of root directories, a regular package (``__init__.py``) or a module file in the first
root that has one, else the namespace package made of every root's directory of that name.
Directory listings are read once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

EXTENSION_SUFFIXES = (".so", ".pyd")


@dataclass(frozen=True, slots=True)
class Found:
    name: str
    path: Path | None
    """The source file (a module, or a package's ``__init__.py``); None for a namespace
    package or a compiled module."""
    search: tuple[Path, ...]
    """Where its submodules are (a package), else empty."""
    compiled: bool = False

    @property
    def is_package(self) -> bool:
        return bool(self.search)


@dataclass(frozen=True, slots=True)
class _Listing:
    dirs: frozenset[str]
    sources: frozenset[str]
    """Module names of ``.py`` files."""
    compiled: frozenset[str]
    """Module names of extension modules (``name.cpython-311-x86_64-linux-gnu.so``)."""


_EMPTY = _Listing(frozenset(), frozenset(), frozenset())


class Finder:
    def __init__(self, roots: list[Path], tops: frozenset[str] | None = None) -> None:
        """``tops``: the only top-level names to find (None: any)."""
        self.roots = tuple(roots)
        self.tops = tops
        self._listings: dict[Path, _Listing] = {}
        self._found: dict[str, Found | None] = {}

    def _listing(self, directory: Path) -> _Listing:
        known = self._listings.get(directory)
        if known is not None:
            return known
        dirs: set[str] = set()
        sources: set[str] = set()
        compiled: set[str] = set()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = entry.name
                    try:
                        if entry.is_dir():
                            dirs.add(name)
                            continue
                    except OSError:
                        continue
                    if name.endswith(".py"):
                        sources.add(name[:-3])
                    elif name.endswith(EXTENSION_SUFFIXES):
                        compiled.add(name.split(".", 1)[0])
        except OSError:
            listing = _EMPTY
        else:
            listing = _Listing(frozenset(dirs), frozenset(sources), frozenset(compiled))
        self._listings[directory] = listing
        return listing

    def find(self, name: str) -> Found | None:
        if name in self._found:
            return self._found[name]
        found = self._find(name)
        self._found[name] = found
        return found

    def _find(self, name: str) -> Found | None:
        parent_name, _, last = name.rpartition(".")
        if parent_name:
            parent = self.find(parent_name)
            if parent is None or not parent.search:
                return None
            places = parent.search
        else:
            if self.tops is not None and name not in self.tops:
                return None
            places = self.roots
        portions: list[Path] = []
        for place in places:
            listing = self._listing(place)
            if last in listing.dirs:
                package = place / last
                if "__init__" in self._listing(package).sources:
                    return Found(name, package / "__init__.py", (package,))
            if last in listing.sources:
                return Found(name, place / f"{last}.py", ())
            if last in listing.compiled:
                return Found(name, None, (), compiled=True)
            if last in listing.dirs:
                portions.append(place / last)
        if portions:
            return Found(name, None, tuple(portions))
        return None
