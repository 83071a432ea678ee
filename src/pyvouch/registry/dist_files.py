"""Distribution files for the static index: names, digests and the little metadata it serves.

A file is a distribution when its name parses as a wheel (``.whl``) or an sdist (``.tar.gz``,
``.zip``) by ``packaging``'s rules. Reading metadata never fails a build: a dist whose archive
cannot be read is still served, just without ``requires-python`` or a ``.metadata`` file.
"""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from email.parser import BytesParser
from pathlib import Path

from packaging.utils import (
    NormalizedName,
)
from packaging.version import Version

from pyvouch.dist_names import DistName, DistNameError, parse_dist_name
from pyvouch.errors import InputError
from pyvouch.limits import MAX_DIST_METADATA_BYTES


@dataclass(frozen=True, slots=True)
class SiteDist:
    """One wheel or sdist from the input folder."""

    path: Path
    filename: str
    project: NormalizedName
    version: Version
    sha256: str
    size: int
    requires_python: str | None
    core_metadata: bytes | None
    """A wheel's ``METADATA`` (served as ``<file>.metadata``, PEP 658); None for sdists."""
    metadata_problem: str | None = None
    """Why the archive's metadata could not be read, when it could not."""


def _dist_name(path: Path) -> DistName:
    """What the file's name says; InputError when it is no valid distribution name."""
    try:
        return parse_dist_name(path.name)
    except DistNameError as err:
        raise InputError(path, f"not a valid distribution filename ({err})") from err


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _wheel_metadata(path: Path) -> bytes | None:
    with zipfile.ZipFile(path) as zf:
        names = [
            n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        ]
        if len(names) != 1:
            return None
        info = zf.getinfo(names[0])
        if info.file_size > MAX_DIST_METADATA_BYTES:
            return None
        return zf.read(info)


def _sdist_metadata(path: Path) -> bytes | None:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO")]
            if len(names) != 1 or zf.getinfo(names[0]).file_size > MAX_DIST_METADATA_BYTES:
                return None
            return zf.read(names[0])
    with tarfile.open(path, "r:gz") as tf:
        for member in tf:
            parts = member.name.split("/")
            if len(parts) == 2 and parts[1] == "PKG-INFO" and member.isfile():
                if member.size > MAX_DIST_METADATA_BYTES:
                    return None
                fh = tf.extractfile(member)
                return fh.read() if fh is not None else None
    return None


def _requires_python(metadata: bytes | None) -> str | None:
    if metadata is None:
        return None
    message = BytesParser().parsebytes(metadata, headersonly=True)
    value = message.get("Requires-Python")
    if value is None:
        return None
    return str(value).strip() or None


def read_dist(path: Path) -> SiteDist:
    """Name, version, digest, size and (best effort) metadata of one dist file."""
    name = _dist_name(path)
    core_metadata: bytes | None = None
    metadata: bytes | None = None
    problem: str | None = None
    try:
        if path.name.endswith(".whl"):
            core_metadata = metadata = _wheel_metadata(path)
        else:
            metadata = _sdist_metadata(path)
    except (
        OSError,
        zipfile.BadZipFile,
        tarfile.TarError,
        EOFError,
        zlib.error,  # corrupt deflate data in a wheel
        NotImplementedError,  # a zip compression method zipfile cannot read
        RuntimeError,  # an encrypted zip member
    ) as err:
        problem = f"cannot read its metadata ({err.__class__.__name__}: {err})"
    try:
        requires_python = _requires_python(metadata)
    except (ValueError, UnicodeError):
        requires_python = None
    try:
        sha256 = _sha256(path)
        size = path.stat().st_size
    except OSError as err:
        raise InputError(path, f"cannot read file ({err.strerror or err})") from err
    return SiteDist(
        path=path,
        filename=path.name,
        project=name.project,
        version=name.version,
        sha256=sha256,
        size=size,
        requires_python=requires_python,
        core_metadata=core_metadata,
        metadata_problem=problem,
    )
