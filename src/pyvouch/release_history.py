"""A project's recent releases on the index, each file's attestation verified: the data.

`pyvouch readiness` asks for every dependency the last N releases (newest first, yanked ones
left out) and, when the lock pins an older one, that release too. Gathering them (looking up
and verifying every file) is `pyvouch.pipeline.history`'s job; judging them is
`pyvouch.policy.readiness`'s. This module only holds what passes between the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pyvouch.index.simple import IndexFile, ProjectPage
from pyvouch.model import Finding


@dataclass(frozen=True, slots=True)
class ReleaseFiles:
    version: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class History:
    name: str
    """Normalized project name."""
    releases: tuple[ReleaseFiles, ...] = ()
    """The last N releases, newest first."""
    locked: ReleaseFiles | None = None
    """The locked release when it is older than the last N (else it is among them)."""
    locked_version: str | None = None
    error: str | None = None
    """Why the project page could not be read (then there are no releases)."""
    total_releases: int = 0
    """How many (unyanked) releases the index lists."""


def file_version(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


def group_releases(page: ProjectPage) -> dict[Version, list[IndexFile]]:
    """The page's unyanked distribution files by release version."""
    out: dict[Version, list[IndexFile]] = {}
    for entry in page.files:
        if entry.yanked:
            continue
        version = file_version(entry.filename)
        if version is not None:
            out.setdefault(version, []).append(entry)
    return out
