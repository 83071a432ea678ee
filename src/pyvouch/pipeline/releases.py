"""`pyvouch verify --package NAME==VERSION`: every file of a release on the index, verified
without downloading it.

The digests are the index page's (the PEP 691 ``hashes`` or the PEP 503 URL fragment): what
is verified is that the provenance (or a signature beside the file) covers exactly the digest
the index lists, as `pypi-attestations verify pypi` does for one downloaded file. A file the
page lists without a sha256 is `unknown`; so is a release the index does not list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from pyvouch.errors import IndexLookupError, UsageError
from pyvouch.model import FileRef, Finding, Publisher, Status
from pyvouch.pipeline.options import FileChoice, ScanOptions, release_files
from pyvouch.pipeline.service import Pipeline
from pyvouch.policy.tiers import check_name, normalize
from pyvouch.redact import quote
from pyvouch.verify.dist import DistFile

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier


@dataclass(frozen=True, slots=True)
class Release:
    """One ``NAME==VERSION``."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def parse_release(text: str, flag: str = "--package") -> Release:
    """``NAME==VERSION`` (an exact PEP 440 version, no wildcard); `UsageError` otherwise."""
    name, sep, version = text.partition("==")
    name, version = name.strip(), version.strip()
    if not sep or not name or not version or "=" in version or version.startswith("="):
        raise UsageError(f"{flag} {quote(text)}: expected NAME==VERSION")
    problem = check_name(name)
    if problem:
        raise UsageError(f"{flag} {quote(text)}: {problem}")
    try:
        Version(version)
    except InvalidVersion:
        raise UsageError(
            f"{flag} {quote(text)}: {quote(version)} is not a PEP 440 version"
        ) from None
    return Release(normalize(name), version)


async def _release(
    pipe: Pipeline, release: Release, expected: Publisher | None
) -> list[tuple[Finding, tuple[str, ...]]]:
    try:
        page = await pipe.project(release.name)
    except IndexLookupError as err:
        return [(Finding(FileRef(str(release)), Status.UNKNOWN, str(err)), ())]
    files = release_files(page, release.version, FileChoice.ALL)
    if not files:
        reason = f"the index lists no files of {release} ({page.url})"
        return [(Finding(FileRef(str(release)), Status.UNKNOWN, reason), page.warnings)]

    async def one(filename: str, sha256: str | None) -> tuple[Finding, tuple[str, ...]]:
        if not sha256:
            reason = f"the index lists no sha256 for {filename}: nothing to verify against"
            return Finding(FileRef(filename), Status.UNKNOWN, reason), page.warnings
        dist = DistFile(filename=filename, sha256=sha256.lower())
        lookup = await pipe.lookup(release.name, filename, dist.sha256, direct=False)
        finding, lookup = await pipe.check(dist, lookup, expected)
        return finding, lookup.warnings

    return list(await asyncio.gather(*(one(f.filename, f.sha256) for f in files)))


async def verify_releases(
    releases: Sequence[Release],
    verifier: AttestationVerifier,
    expected: Publisher | None,
    options: ScanOptions,
) -> tuple[list[Finding], list[str]]:
    """One finding per file of every release (in the index's order), through the pipeline,
    and the warnings (once each)."""
    async with Pipeline(verifier, options, 4 * len(releases)) as pipe:
        done = await asyncio.gather(*(_release(pipe, r, expected) for r in releases))
        kept = pipe.warnings
    findings = [finding for per_release in done for finding, _ in per_release]
    warnings = dict.fromkeys(w for per in done for _, ws in per for w in ws)
    warnings.update(dict.fromkeys(kept))
    return findings, list(warnings)
