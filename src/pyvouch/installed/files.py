"""Installed files against their ``RECORD``: every listed file hashed once, streamed.

A listed file that is missing, is not a regular file, or whose size or hash differs from its
``RECORD`` line is a `Difference`. So is an importable file (``.py``, ``.pyc`` outside
``__pycache__``, an extension module, a ``.pth``) that sits in one of the distribution's own
import locations (its top-level packages and modules, where Python would find it first, e.g.
an ``__init__.so`` planted beside ``__init__.py``) and that no distribution's ``RECORD`` in the
same directory lists. Other unlisted files (data written at run time, caches, ``__pycache__``
contents) are not judged. The installed sha256 of every file is kept for the comparison with
the wheel (`pyvouch.installed.compare`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pyvouch.installed.record import InstalledRecord, Row

CHUNK = 1024 * 1024
IMPORTABLE = frozenset({".py", ".pyc", ".pyw", ".so", ".pyd", ".pth"})
"""Suffixes Python loads code from (or, for .pth, runs at start-up)."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One installed file that is not what it should be."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path} ({self.problem})"


@dataclass(frozen=True)
class LocalCheck:
    """An installation's files against its own RECORD."""

    record: InstalledRecord
    sha256: dict[Path, bytes]
    """The installed sha256 of every file that was read, by location."""
    differences: tuple[Difference, ...]


def hash_file(path: Path, algorithms: tuple[str, ...]) -> dict[str, bytes]:
    """The digests of ``path`` under each of ``algorithms``, reading it once."""
    hashers = {name: hashlib.new(name) for name in algorithms}
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            for hasher in hashers.values():
                hasher.update(chunk)
    return {name: hasher.digest() for name, hasher in hashers.items()}


def _check_row(row: Row, sha256: dict[Path, bytes]) -> Difference | None:
    try:
        info = row.location.stat()
    except FileNotFoundError:
        return Difference(row.path, "missing")
    except OSError as err:
        return Difference(row.path, f"cannot be read: {err.strerror or err}")
    if not stat.S_ISREG(info.st_mode):
        return Difference(row.path, "not a regular file")
    if row.size is not None and info.st_size != row.size:
        return Difference(row.path, f"{info.st_size} bytes, RECORD says {row.size}")
    algorithms = ("sha256",) if row.algorithm in (None, "sha256") else ("sha256", row.algorithm)
    try:
        digests = hash_file(row.location, tuple(a for a in algorithms if a is not None))
    except OSError as err:
        return Difference(row.path, f"cannot be read: {err.strerror or err}")
    sha256[row.location] = digests["sha256"]
    if row.algorithm is not None and digests[row.algorithm] != row.digest:
        return Difference(row.path, f"{row.algorithm} differs from RECORD")
    return None


def import_names(record: InstalledRecord) -> set[str]:
    """The top-level names under which the distribution's files are importable from its site
    directory (package directories and module stems), without its own .dist-info."""
    names: set[str] = set()
    for row in record.rows:
        try:
            parts = row.location.relative_to(record.site).parts
        except ValueError:
            continue
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith(".dist-info"):
            continue
        if len(parts) > 1:
            names.add(parts[0])
        elif Path(parts[0]).suffix in IMPORTABLE:
            names.add(parts[0].split(".", 1)[0])
    return names


Listing = dict[Path, str]
"""Every location some RECORD in a site directory lists -> the .dist-info that lists it."""


class _Owners:
    """Who may place an importable file in the distribution's import locations: itself, and
    (inside a namespace package it shares, one without its own ``__init__.py``) any other
    distribution whose RECORD lists the file."""

    def __init__(self, record: InstalledRecord, listed: Listing) -> None:
        self.record = record
        self.own = {row.location for row in record.rows}
        self.listed = listed

    def problem(self, path: Path, top: Path | None) -> str | None:
        if path in self.own:
            return None
        other = self.listed.get(path)
        if other is None:
            return "importable, but no RECORD lists it"
        shared = top is not None and (top / "__init__.py") not in self.own
        return None if shared else f"importable, listed only by {other}/RECORD"


def _planted(record: InstalledRecord, listed: Listing) -> list[Difference]:
    found: list[Difference] = []
    names = import_names(record)
    owners = _Owners(record, listed)
    try:
        entries = sorted(p.name for p in record.site.iterdir())
    except OSError:
        return found
    for entry in entries:
        stem = entry.split(".", 1)[0]
        if stem not in names:
            continue
        path = record.site / entry
        if entry == stem and path.is_dir():
            found.extend(_planted_under(path, owners))
        elif Path(entry).suffix in IMPORTABLE and (problem := owners.problem(path, None)):
            found.append(Difference(entry, problem))
    return found


def _planted_under(top: Path, owners: _Owners) -> list[Difference]:
    """Importable files under ``top``, following symbolic links (Python does) once each."""
    found: list[Difference] = []
    seen: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(top, followlinks=True):
        try:
            info = Path(folder).stat()
        except OSError:
            dirs[:] = []
            continue
        if (info.st_dev, info.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = Path(folder) / name
            if Path(name).suffix in IMPORTABLE and (problem := owners.problem(path, top)):
                shown = path.relative_to(owners.record.site).as_posix()
                found.append(Difference(shown, problem))
    return found


def check_files(record: InstalledRecord, listed: Listing) -> LocalCheck:
    """Every file ``record`` lists against its line, and the distribution's import locations
    against ``listed`` (every location any RECORD in the same directory lists)."""
    sha256: dict[Path, bytes] = {}
    differences: list[Difference] = []
    for row in record.rows:
        if row.digest is None and record.unhashed_allowed(row):
            continue
        # A file listed without a hash the spec requires is still read: the comparison with
        # the wheel judges it by its installed digest.
        problem = _check_row(row, sha256)
        if problem is not None:
            differences.append(problem)
    differences.extend(_planted(record, listed))
    return LocalCheck(record, sha256, tuple(differences))


def listed_in(site: Path) -> Listing:
    """Every location that some distribution's RECORD in ``site`` lists (unreadable RECORDs
    add nothing)."""
    listed: Listing = {}
    for dist in metadata.distributions(path=[str(site)]):
        where = getattr(dist, "_path", None)
        name = where.name if isinstance(where, Path) else "?"
        try:
            files = dist.files
        except Exception:  # noqa: S112 - an unparsable RECORD lists nothing
            continue
        for item in files or ():
            listed.setdefault(Path(os.path.normpath(site / str(item))), name)
    return listed


def unowned_pth(site: Path, listed: Listing) -> list[str]:
    """``.pth`` files in ``site`` that no RECORD lists (Python runs their import lines at
    every start-up)."""
    try:
        names = sorted(p.name for p in site.iterdir())
    except OSError:
        return []
    return [n for n in names if n.endswith(".pth") and (site / n) not in listed]
