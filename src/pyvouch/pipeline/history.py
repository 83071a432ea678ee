"""A project's recent releases on the index, each file's attestation verified.

`pyvouch readiness` asks this of every dependency (the last N releases, newest first, yanked
ones left out, and the locked release when it is older); `pyvouch diff` asks it of the
alternatives it offers (the newest release). Files go through the same `Pipeline` as a scan:
the verdict cache, the verification pool, the direct-route confirmation, and an index client
with backoff. No expected identity: the identity each file proves is recorded. Judging the
history is `pyvouch.policy.readiness`'s job; the data it judges is in
`pyvouch.release_history`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyvouch.errors import IndexLookupError
from pyvouch.index.simple import IndexFile
from pyvouch.model import FileRef, Finding, History, ReleaseFiles, Status
from pyvouch.pipeline.options import ScanOptions
from pyvouch.pipeline.service import Pipeline
from pyvouch.release_history import group_releases
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.dist import DistFile

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier


class _Gatherer:
    def __init__(self, pipe: Pipeline) -> None:
        self.pipe = pipe

    async def file(self, project: str, entry: IndexFile) -> Finding:
        lookup = await self.pipe.lookup(project, entry.filename, entry.sha256)
        digest = entry.sha256 or lookup.sha256
        if digest is None:
            ref = FileRef(entry.filename, digest, entry.url)
            return Finding(ref, Status.UNKNOWN, f"the index gives no sha256 for {entry.filename}")
        finding, _ = await self.pipe.check(DistFile(filename=entry.filename, sha256=digest), lookup)
        return finding

    async def release(self, project: str, version: Version, files: list[IndexFile]) -> ReleaseFiles:
        findings = await asyncio.gather(*(self.file(project, f) for f in files))
        return ReleaseFiles(str(version), tuple(findings))

    async def history(self, name: str, locked: str | None, count: int) -> History:
        project = canonicalize_name(name)
        try:
            page = await self.pipe.project(project)
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
    verifier: AttestationVerifier | DeferredVerifier,
    options: ScanOptions,
    count: int = 10,
) -> tuple[list[History], str]:
    """The history of each ``(name, locked version)`` in order, and the index URL used."""
    # About ``count`` files per project: enough of them verify in a pool.
    async with Pipeline(verifier, options, len(wanted) * count) as pipe:
        gatherer = _Gatherer(pipe)
        found = await asyncio.gather(*(gatherer.history(n, v, count) for n, v in wanted))
        return list(found), pipe.index_url


def histories(
    wanted: Sequence[tuple[str, str | None]],
    verifier: AttestationVerifier | DeferredVerifier,
    options: ScanOptions,
    count: int = 10,
) -> tuple[list[History], str]:
    return asyncio.run(histories_async(wanted, verifier, options, count))
