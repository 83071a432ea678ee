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


def _planted(record: InstalledRecord, listed: frozenset[Path]) -> list[Difference]:
    found: list[Difference] = []
    names = import_names(record)
    try:
        entries = sorted(p.name for p in record.site.iterdir())
    except OSError:
        return found
    for entry in entries:
        stem = entry.split(".", 1)[0]
        if stem not in names:
            continue
        path = record.site / entry
        if path.is_dir() and not path.is_symlink() and entry == stem:
            found.extend(_planted_under(path, record.site, listed))
        elif Path(entry).suffix in IMPORTABLE and path not in listed:
            found.append(Difference(entry, "importable, but no RECORD lists it"))
    return found


def _planted_under(top: Path, site: Path, listed: frozenset[Path]) -> list[Difference]:
    found: list[Difference] = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = Path(folder) / name
            if Path(name).suffix in IMPORTABLE and path not in listed:
                shown = path.relative_to(site).as_posix()
                found.append(Difference(shown, "importable, but no RECORD lists it"))
    return found


def check_files(record: InstalledRecord, listed: frozenset[Path]) -> LocalCheck:
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


def listed_in(site: Path) -> frozenset[Path]:
    """Every location that some distribution's RECORD in ``site`` lists (unreadable RECORDs
    add nothing)."""
    listed: set[Path] = set()
    for dist in metadata.distributions(path=[str(site)]):
        try:
            files = dist.files
        except Exception:  # noqa: S112 - an unparsable RECORD lists nothing
            continue
        for item in files or ():
            listed.add(Path(os.path.normpath(site / str(item))))
    return frozenset(listed)


def unowned_pth(site: Path, listed: frozenset[Path]) -> list[str]:
    """``.pth`` files in ``site`` that no RECORD lists (Python runs their import lines at
    every start-up)."""
    try:
        names = sorted(p.name for p in site.iterdir())
    except OSError:
        return []
    return [n for n in names if n.endswith(".pth") and (site / n) not in listed]
