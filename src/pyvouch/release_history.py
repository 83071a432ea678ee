"""A project's recent releases on the index, each file's attestation verified: the data.

`pyvouch readiness` asks for every dependency the last N releases (newest first, yanked ones
left out) and, when the lock pins an older one, that release too. Gathering them (looking up
and verifying every file) is `pyvouch.pipeline.history`'s job; judging them is
`pyvouch.policy.readiness`'s. The data that passes between the two (`History`,
`ReleaseFiles`) is in `pyvouch.model`; this module groups a project page's files by release.
"""

from __future__ import annotations

from packaging.version import Version

from pyvouch.dist_names import dist_name
from pyvouch.index.simple import IndexFile, ProjectPage


def file_version(filename: str) -> Version | None:
    parsed = dist_name(filename)
    return parsed.version if parsed is not None else None


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
