"""A source's packages into per-package results, through a `Pipeline`.

A package whose source names its files is checked file by file; digests the source records
without a file name (hash-only pins, or a file whose URL names none) are matched to the
index's files by digest, never dropped; a package the source names only by version gets the
release's files from the index page (`FileChoice`); an installed distribution (environment
scans) is checked against the index's wheel it came from (`pyvouch.pipeline.installed`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from packaging.utils import canonicalize_name

from pyvouch.errors import IndexLookupError
from pyvouch.index.simple import IndexFile, ProjectPage
from pyvouch.model import FileRef, Finding, Package, PackageResult, Status
from pyvouch.pipeline.options import FileChoice, Progress, release_files
from pyvouch.pipeline.service import Pipeline
from pyvouch.verify.digest_pins import unchecked_pin

if TYPE_CHECKING:  # installed distributions only (environment scans): imported when needed
    from pyvouch.pipeline.installed import InstalledChecks

T = TypeVar("T")
R = TypeVar("R")

PACKAGES_PER_CONNECTION = 4
"""Packages checked at once per connection (``--jobs``): enough to keep every connection busy,
few enough that memory does not grow with the lock (a task per package of a whole lock at
once held ~30 MB per 2,500 packages, and the workers forked with it)."""


def package_limit(jobs: int) -> int:
    """How many packages a run with ``jobs`` connections checks at once."""
    return max(1, PACKAGES_PER_CONNECTION * jobs)


async def each_bounded(items: Sequence[T], run: Callable[[T], Awaitable[R]], limit: int) -> list[R]:
    """``run`` of every item, results in the items' order, at most ``limit`` at a time (the
    first error propagates)."""
    results: list[R | None] = [None] * len(items)
    queue = iter(enumerate(items))

    async def worker() -> None:
        for n, item in queue:
            results[n] = await run(item)

    await asyncio.gather(*(worker() for _ in range(min(limit, len(items)))))
    assert all(r is not None for r in results)  # every item ran, or an error propagated
    return cast("list[R]", results)


class PackageChecks:
    """Checks packages through ``pipe``, calling ``progress`` as each one finishes."""

    def __init__(
        self, pipe: Pipeline, files: FileChoice, progress: Progress | None, total: int
    ) -> None:
        self.pipe = pipe
        self.files = files
        self.progress = progress
        self.total = total
        self.done = 0
        self._installed: InstalledChecks | None = None

    @property
    def installed(self) -> InstalledChecks:
        if self._installed is None:
            from pyvouch.pipeline.installed import InstalledChecks

            self._installed = InstalledChecks(self.pipe, self.files)
        return self._installed

    async def package(self, package: Package) -> PackageResult:
        try:
            return await self._package(package)
        finally:
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)

    async def _package(self, package: Package) -> PackageResult:
        if package.origin is not None:
            return PackageResult(package, (), note=f"not from an index: {package.origin}")
        project = canonicalize_name(package.name)
        if package.installed is not None and package.version is not None:
            return await self.installed.package(
                package, project, package.version, Path(package.installed)
            )
        pipe = self.pipe
        named = [f for f in package.files if f.filename]
        unnamed = (
            *(FileRef(filename="", sha256=h) for h in package.hashes),
            *(f for f in package.files if not f.filename and (f.sha256 or f.other_digests)),
        )
        if named and not unnamed:
            findings = await asyncio.gather(*(pipe.finding(project, f) for f in named))
            return PackageResult(package, tuple(findings))
        # The source names no files: take them from the index.
        try:
            page = await pipe.project(project)
        except IndexLookupError as err:
            unknown = Finding(FileRef(filename=""), Status.UNKNOWN, str(err))
            return PackageResult(package, (unknown,), note=str(err))
        if unnamed:
            found = await asyncio.gather(*(pipe.finding(project, f) for f in named))
            by_digest = await self._by_digest(project, unnamed, page)
            return PackageResult(package, (*found, *by_digest))
        if package.version is None:
            finding = Finding(
                FileRef(filename=""),
                Status.UNKNOWN,
                "no version pinned, so there are no exact files to check",
            )
            return PackageResult(package, (finding,))
        chosen = release_files(page, package.version, self.files)
        if not chosen:
            finding = Finding(
                FileRef(filename=""),
                Status.UNKNOWN,
                f"the index lists no files for version {package.version} at {page.url}",
            )
            return PackageResult(package, (pipe.note(finding, page.warnings),))
        refs = [FileRef(f.filename, f.sha256, f.url) for f in chosen]
        findings = await asyncio.gather(*(pipe.finding(project, ref) for ref in refs))
        return PackageResult(package, tuple(findings))

    async def _by_digest(
        self, project: str, pins: tuple[FileRef, ...], page: ProjectPage
    ) -> tuple[Finding, ...]:
        pipe = self.pipe
        by_sha256: dict[str, dict[str, IndexFile]] = {}
        for f in page.files:
            if f.sha256:
                by_sha256.setdefault(f.sha256.lower(), {}).setdefault(f.filename, f)
        refs: list[FileRef] = []
        missing: list[Finding] = []
        for pin in pins:
            if pin.sha256 is None:  # pinned only in other algorithms
                missing.append(pipe.note(unchecked_pin(pin, page), page.warnings))
                continue
            digest = pin.sha256.lower()
            entries = list(by_sha256.get(digest, {}).values())
            if len(entries) == 1:
                refs.append(
                    FileRef(
                        entries[0].filename, digest, entries[0].url, other_digests=pin.other_digests
                    )
                )
                continue
            if entries:  # the same bytes under several names: which one the lock means is open
                names = ", ".join(e.filename for e in entries)
                reason = (
                    f"the index page {page.url} lists sha256 {digest} under several names: {names}"
                )
            else:
                reason = f"no file with sha256 {digest} is listed at {page.url}"
            missing.append(
                pipe.note(
                    Finding(
                        FileRef(filename="", sha256=digest, other_digests=pin.other_digests),
                        Status.UNKNOWN,
                        reason,
                    ),
                    page.warnings,
                )
            )
        found = await asyncio.gather(*(pipe.finding(project, ref) for ref in refs))
        return (*found, *missing)
