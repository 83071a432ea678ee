"""A project's recent releases on the index, each file's attestation verified.

`pyvouch readiness` asks this of every dependency: the last N releases (newest first, yanked
ones left out) and, when the lock pins an older one, that release too. Every file's provenance
is looked up and verified (no expected identity: the identity it proves is recorded). Judging
the history is `policy.readiness`'s job; this module only gathers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pyvouch.errors import IndexLookupError
from pyvouch.index.client import IndexClient
from pyvouch.index.simple import IndexFile, ProjectPage
from pyvouch.model import FileRef, Finding, Status
from pyvouch.scan import ScanOptions
from pyvouch.verify.attestations import AttestationVerifier, DistFile
from pyvouch.verify.lookup import finding_for_lookup


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


class _Gatherer:
    def __init__(self, client: IndexClient, verifier: AttestationVerifier) -> None:
        self.client = client
        self.verifier = verifier

    async def file(self, project: str, entry: IndexFile) -> Finding:
        lookup = await self.client.provenance(project, entry.filename, entry.sha256)
        digest = entry.sha256 or lookup.sha256
        ref = FileRef(entry.filename, digest, entry.url)
        if digest is None:
            return Finding(ref, Status.UNKNOWN, f"the index gives no sha256 for {entry.filename}")
        return finding_for_lookup(
            DistFile(filename=entry.filename, sha256=digest), lookup, self.verifier, None
        )

    async def release(self, project: str, version: Version, files: list[IndexFile]) -> ReleaseFiles:
        findings = await asyncio.gather(*(self.file(project, f) for f in files))
        return ReleaseFiles(str(version), tuple(findings))

    async def history(self, name: str, locked: str | None, count: int) -> History:
        project = canonicalize_name(name)
        try:
            page = await self.client.project(project)
        except IndexLookupError as err:
            return History(project, locked_version=locked, error=str(err))
        grouped = group_releases(page)
        newest = sorted(grouped, reverse=True)[:count]
        wanted = list(newest)
        locked_v = _version(locked)
        extra = locked_v is not None and locked_v in grouped and locked_v not in newest
        if extra and locked_v is not None:
            wanted.append(locked_v)
        releases = await asyncio.gather(*(self.release(project, v, grouped[v]) for v in wanted))
        return History(
            project,
            releases=tuple(releases[: len(newest)]),
            locked=releases[-1] if extra else None,
            locked_version=locked,
            total_releases=len(grouped),
        )


def _version(text: str | None) -> Version | None:
    if text is None:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


async def histories_async(
    wanted: Sequence[tuple[str, str | None]],
    verifier: AttestationVerifier,
    options: ScanOptions,
    count: int = 10,
) -> tuple[list[History], str]:
    """The history of each ``(name, locked version)`` in order, and the index URL used."""
    async with IndexClient(
        options.index_url,
        cache_dir=options.cache_dir,
        offline=options.offline,
        concurrency=options.jobs,
        timeout=options.timeout,
        retries=options.retries,
    ) as client:
        gatherer = _Gatherer(client, verifier)
        found = await asyncio.gather(*(gatherer.history(n, v, count) for n, v in wanted))
        return list(found), client.index_url


def histories(
    wanted: Sequence[tuple[str, str | None]],
    verifier: AttestationVerifier,
    options: ScanOptions,
    count: int = 10,
) -> tuple[list[History], str]:
    return asyncio.run(histories_async(wanted, verifier, options, count))
