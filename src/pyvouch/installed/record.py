"""An installed distribution's ``RECORD``, read with ``importlib.metadata``.

``RECORD`` (the wheel spec, "Recording installed files") lists every installed file with its
hash (``algorithm=urlsafe-base64-without-padding``) and size; ``RECORD`` itself and compiled
``.pyc`` files may be listed without a hash. A distribution whose ``RECORD`` is missing, cannot
be parsed, names a hash the spec does not allow, or lists no hash at all cannot be checked:
`RecordUnavailable` says why.
"""

from __future__ import annotations

import binascii
import hashlib
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.tags import Tag, parse_tag

NOT_ALLOWED = frozenset({"md5", "sha1"})
"""Algorithms the wheel spec forbids in RECORD."""
UNHASHED_NAMES = frozenset({"RECORD", "RECORD.jws", "RECORD.p7s"})
"""Files of the distribution's own .dist-info directory the spec lists without a hash."""


class RecordUnavailable(Exception):
    """The installation has no checkable RECORD."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Row:
    """One RECORD line."""

    path: str
    """As RECORD writes it (relative to the directory holding the .dist-info, or absolute)."""
    location: Path
    """Absolute and normalized (symbolic links are not resolved)."""
    algorithm: str | None
    digest: bytes | None
    size: int | None


@dataclass(frozen=True, slots=True)
class InstalledRecord:
    """A distribution's RECORD and what the rest of the check needs from its .dist-info."""

    dist_info: Path
    site: Path
    """The directory holding the .dist-info (site-packages); RECORD paths are relative to it."""
    rows: tuple[Row, ...]

    def unhashed_allowed(self, row: Row) -> bool:
        """Whether the spec lets ``row`` go without a hash: RECORD (and its signatures) of
        this distribution, and compiled files in a ``__pycache__`` directory."""
        if row.location.parent == self.dist_info and row.location.name in UNHASHED_NAMES:
            return True
        return row.location.suffix == ".pyc" and row.location.parent.name == "__pycache__"


def decode_digest(value: str) -> bytes:
    """urlsafe base64 without padding (padding tolerated) -> bytes; ValueError if not that."""
    text = value.strip()
    if not text or any(c in text for c in "+/\n\r\t "):
        raise ValueError("not urlsafe base64")
    padded = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
    try:
        return binascii.a2b_base64(padded.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not urlsafe base64") from None


def _row(site: Path, item: metadata.PackagePath) -> Row:
    path = str(item)
    location = Path(os.path.normpath(site / path))
    if item.hash is None:
        return Row(path, location, None, None, item.size)
    algorithm = item.hash.mode.lower()
    if algorithm in NOT_ALLOWED or algorithm not in hashlib.algorithms_guaranteed:
        raise RecordUnavailable(
            f"RECORD gives {path} a {item.hash.mode!r} hash, which the wheel spec does not allow"
        )
    if algorithm.startswith("shake_"):
        raise RecordUnavailable(f"RECORD gives {path} a variable-length {algorithm} hash")
    try:
        digest = decode_digest(item.hash.value)
    except ValueError:
        raise RecordUnavailable(f"RECORD gives {path} a hash that is not urlsafe base64") from None
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise RecordUnavailable(f"RECORD gives {path} a {algorithm} hash of the wrong length")
    return Row(path, location, algorithm, digest, item.size)


def wheel_tags(dist_info: Path) -> tuple[frozenset[Tag], str | None]:
    """The tags and build tag the installation's ``WHEEL`` file names (empty, None if none)."""
    try:
        text = (dist_info / "WHEEL").read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return frozenset(), None
    tags: set[Tag] = set()
    build = None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "tag" and value:
            try:
                tags.update(parse_tag(value))
            except ValueError:
                continue
        elif key == "build" and value:
            build = value
    return frozenset(tags), build


def read_record(dist_info: Path) -> InstalledRecord:
    """The RECORD of the distribution installed at ``dist_info``; RecordUnavailable if none
    can be checked."""
    dist = metadata.PathDistribution(dist_info)
    try:
        text = dist.read_text("RECORD")
    except UnicodeError:
        raise RecordUnavailable(f"{dist_info.name}/RECORD is not UTF-8") from None
    if text is None:
        raise RecordUnavailable(f"{dist_info.name} has no RECORD")
    site = Path(os.path.normpath(Path(str(dist.locate_file("")))))
    try:
        listed = dist.files
    except Exception as err:  # csv.Error, ValueError (a bad size, a short line), ...
        raise RecordUnavailable(f"{dist_info.name}/RECORD cannot be parsed: {err}") from None
    if not listed:
        raise RecordUnavailable(f"{dist_info.name}/RECORD lists no files")
    rows = tuple(_row(site, item) for item in listed)
    if not any(row.digest is not None for row in rows):
        raise RecordUnavailable(f"{dist_info.name}/RECORD lists no hashes")
    return InstalledRecord(dist_info, site, rows)
