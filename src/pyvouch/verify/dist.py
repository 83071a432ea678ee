"""A distribution file to verify: its name and digest (no cryptography imported here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import InputError
from pyvouch.model import FileRef


@dataclass(frozen=True, slots=True)
class DistFile:
    """A distribution file to verify: its name (as the subject must name it) and digest."""

    filename: str
    sha256: str
    path: Path | None = None

    def ref(self) -> FileRef:
        return FileRef(filename=self.filename, sha256=self.sha256)


def digest_file(path: Path) -> DistFile:
    """Name and sha256 of a file on disk; `InputError` if it cannot be read."""
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a distribution file") from None
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    return DistFile(filename=path.name, sha256=digest, path=path)
