"""Which distribution a module belongs to.

In order of trust:

1. an installed environment: the distribution whose ``RECORD`` lists the module's file (what
   ``importlib.metadata.packages_distributions()`` gives, read over the given site-packages,
   never pyvouch's own environment), else whose top-level names (``top_level.txt``, or the
   first parts of its ``RECORD``'s paths) hold the module;
2. a locked wheel's manifest (its member names; `pyvouch.wheel_fetch`, sealed cache);
3. a guess from the distribution's name (``python-dateutil`` -> ``dateutil``), said so.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

from pyvouch.reachability.finder import EXTENSION_SUFFIXES

SITE_DIRS = ("site-packages", "dist-packages")


class How(StrEnum):
    RECORD = "its RECORD lists the module's file"
    TOP_LEVEL = "its top-level names hold the module"
    WHEEL = "its wheel holds the module"
    GUESS = "a guess from the distribution's name"


def site_dirs(environment: Path) -> list[Path]:
    """The site-packages of a virtual environment (``pyvenv.cfg``), or the directory itself;
    plus the directories its ``.pth`` files add (editable installs)."""
    if (environment / "pyvenv.cfg").is_file():
        found = sorted(environment.glob("lib/python3*/site-packages")) + sorted(
            environment.glob("Lib/site-packages")
        )
    else:
        found = [environment]
    extra: list[Path] = []
    for site in found:
        for pth in sorted(site.glob("*.pth")):
            try:
                lines = pth.read_text("utf-8", errors="replace").splitlines()[:1000]
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                path = (site / line).resolve()
                if path.is_dir() and path not in found and path not in extra:
                    extra.append(path)
    return found + extra


def _name_and_version(dist: metadata.Distribution) -> tuple[str, str]:
    """Name (normalized) and version from the metadata's headers, read without the email
    parser (thousands of lines of a long description are never parsed)."""
    try:
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    except (OSError, ValueError, UnicodeDecodeError):
        return "", ""
    name = version = ""
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key.lower() == "name" and not name:
            name = value.strip()
        elif key.lower() == "version" and not version:
            version = value.strip()
    return canonicalize_name(name) if name else "", version


def _record_paths(dist: metadata.Distribution) -> list[str]:
    """The paths a ``RECORD`` lists (egg-info: importlib's own file list)."""
    text = dist.read_text("RECORD")
    if text is None:
        return [str(f) for f in dist.files or []]
    return [row[0] for row in csv.reader(text.splitlines()) if row]


def _module_of(path: str) -> str | None:
    """The module a wheel member or RECORD path is (``a/b/__init__.py`` -> ``a.b``)."""
    parts = path.split("/")
    last = parts[-1]
    if last.endswith(".py"):
        stem = last[:-3]
    elif last.endswith(EXTENSION_SUFFIXES):
        stem = last.split(".", 1)[0]
    else:
        return None
    names = [*parts[:-1], stem]
    if names[-1] == "__init__":
        names.pop()
    if not names or not all(n.isidentifier() for n in names):
        return None  # also "..", dist-info directories, scripts with dashes
    return ".".join(names)


@dataclass
class Distributions:
    """Module -> distribution, from every source the analysis has."""

    owners_by_file: dict[str, str] = field(default_factory=dict)
    top_level: dict[str, set[str]] = field(default_factory=dict)
    wheel_modules: dict[str, set[str]] = field(default_factory=dict)
    guesses: dict[str, set[str]] = field(default_factory=dict)
    installed: dict[str, str] = field(default_factory=dict)
    """Installed distributions (normalized name -> version)."""
    tops_of: dict[str, set[str]] = field(default_factory=dict)
    """Distribution -> its top-level module names (all sources but guesses)."""

    def read_environment(self, sites: list[Path]) -> None:
        for dist in metadata.distributions(path=[str(s) for s in sites]):
            name, version = _name_and_version(dist)
            if not name or name in self.installed:
                continue  # the first on the path wins, as at import time
            self.installed[name] = version
            base = str(dist.locate_file(""))
            tops = self.tops_of.setdefault(name, set())
            try:
                listed = dist.read_text("top_level.txt") or ""
                files = _record_paths(dist)
            except (OSError, ValueError, UnicodeDecodeError, csv.Error):
                files, listed = [], ""
            for entry in files:
                module = _module_of(entry)
                if module is None:
                    continue
                self.owners_by_file.setdefault(os.path.normpath(f"{base}/{entry}"), name)
                tops.add(module.split(".", 1)[0])
            tops.update(t for t in listed.split() if t.isidentifier())
            for top in tops:
                self.top_level.setdefault(top, set()).add(name)

    def add_wheel(self, name: str, members: list[str]) -> None:
        name = canonicalize_name(name)
        tops = self.tops_of.setdefault(name, set())
        for member in members:
            path = PurePosixPath(member)
            if len(path.parts) > 2 and path.parts[0].endswith(".data"):
                if path.parts[1] not in ("purelib", "platlib"):
                    continue
                path = PurePosixPath(*path.parts[2:])
            module = _module_of(str(path))
            if module is None:
                continue
            parts = module.split(".")
            tops.add(parts[0])
            for i in range(1, len(parts) + 1):
                self.wheel_modules.setdefault(".".join(parts[:i]), set()).add(name)

    def add_guess(self, name: str) -> str:
        """A guessed top-level module for distribution ``name`` (normalized)."""
        module = name.replace("-", "_").replace(".", "_")
        for prefix in ("python_", "py_"):
            if module.startswith(prefix) and len(module) > len(prefix):
                self.guesses.setdefault(module.removeprefix(prefix), set()).add(name)
        self.guesses.setdefault(module, set()).add(name)
        return module

    def owner(self, module: str, path: Path | None) -> tuple[frozenset[str], How | None]:
        """The distributions ``module`` (found at ``path`` when it was) belongs to, and how
        that is known; empty when nothing says."""
        if path is not None:
            owner = self.owners_by_file.get(os.path.normpath(path))
            if owner is not None:
                return frozenset({owner}), How.RECORD
        top = module.split(".", 1)[0]
        if path is None or top in self.top_level:
            owners = self.top_level.get(top)
            if owners and len(owners) == 1:
                return frozenset(owners), How.TOP_LEVEL
        parts = module.split(".")
        for i in range(len(parts), 0, -1):
            owners = self.wheel_modules.get(".".join(parts[:i]))
            if owners:
                return frozenset(owners), How.WHEEL
        owners = self.top_level.get(top)
        if owners:
            return frozenset(owners), How.TOP_LEVEL
        guessed = self.guesses.get(top)
        if guessed:
            return frozenset(guessed), How.GUESS
        return frozenset(), None
