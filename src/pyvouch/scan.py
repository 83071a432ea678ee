"""The spine: packages -> index lookup -> verification -> per-package results.

`scan_packages` runs every lookup concurrently (the index client bounds the concurrency) and
verifies each served provenance against the digest the source recorded, so nothing but
metadata is downloaded. A verdict already reached for the same file, provenance and trust root
is reused from the authenticated verdict cache (`pyvouch.verify.verdicts`); the verifier is
built only when something must really be verified. Policy and rendering happen after, on the
returned `ScanResult`.

What the index client warned about (a redirect to another host, on a page or a provenance
URL, now or when a cached answer was fetched) is named in the reason of every file it touched
and, once each, in the result's warnings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.tags import Tag, sys_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pyvouch.errors import IndexLookupError
from pyvouch.index.cache import default_cache_dir
from pyvouch.index.client import DownloadFailed, IndexClient, noted
from pyvouch.index.simple import IndexFile, ProjectPage
from pyvouch.installed.check import (
    InstalledVerdict,
    InstallState,
    Outcome,
    SiteListings,
    differs,
    inspect_installation,
    judge,
    matching_wheel,
    unchecked,
)
from pyvouch.installed.compare import compare
from pyvouch.installed.fetch import verified_wheel
from pyvouch.installed.manifests import ManifestCache
from pyvouch.installed.wheel import WheelProblem
from pyvouch.machine_key import data_dir
from pyvouch.model import FileRef, Finding, Package, PackageResult, ScanResult, Status
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.digest_pins import account_for_other_digests, unchecked_pin
from pyvouch.verify.dist import DistFile
from pyvouch.verify.parallel import LookupVerifier
from pyvouch.verify.verdicts import VerdictCache

if TYPE_CHECKING:  # sigstore is imported only when something must really be verified
    from pyvouch.verify.attestations import AttestationVerifier


class FileChoice(StrEnum):
    """Which of a release's files to look up when the source does not name them."""

    BEST = "best"
    """The wheel this environment would install, else the sdist."""
    ALL = "all"


@dataclass(frozen=True)
class ScanOptions:
    index_url: str | None = None
    offline: bool = False
    jobs: int = 16
    files: FileChoice = FileChoice.BEST
    cache_dir: Path | None = None
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    """Seconds before the first retry (doubling after)."""
    verdict_cache: bool = True
    """Reuse verdicts cached (authenticated) in the cache dir; see `pyvouch.verify.verdicts`."""
    refresh: bool = False
    """Ignore a remembered "does not serve provenance" verdict (`pyvouch.index.not_served`)."""


Progress = Callable[[int, int], None]


def _release_version(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        if filename.endswith((".tar.gz", ".zip")):
            return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def _wheel_tags(filename: str) -> frozenset[Tag]:
    try:
        return parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return frozenset()


def release_files(page: ProjectPage, version: str, choice: FileChoice) -> list[IndexFile]:
    """The files of ``version`` on ``page``: all of them, or the one this machine would use."""
    wanted = canonicalize_version(version)
    files = [
        f
        for f in page.files
        if (v := _release_version(f.filename)) is not None and canonicalize_version(v) == wanted
    ]
    if choice is FileChoice.ALL or len(files) <= 1:
        return files
    wheels = [f for f in files if f.filename.endswith(".whl")]
    for tag in sys_tags():
        for wheel in wheels:
            if tag in _wheel_tags(wheel.filename):
                return [wheel]
    sdists = [f for f in files if not f.filename.endswith(".whl")]
    return sdists[:1] or files[:1]


class _Scanner:
    def __init__(
        self,
        client: IndexClient,
        checks: LookupVerifier,
        options: ScanOptions,
        progress: Progress | None,
        total: int,
        manifests: ManifestCache | None = None,
    ) -> None:
        self.client = client
        self.checks = checks
        self.options = options
        self.progress = progress
        self.total = total
        self.done = 0
        self.listings = SiteListings()
        self.manifests = manifests
        self.warnings: dict[str, None] = {}
        """What the index client warned about, once each, in the order first seen."""

    def _noted(self, finding: Finding, warnings: Sequence[str]) -> Finding:
        self.warnings.update(dict.fromkeys(warnings))
        reason = noted(finding.reason, warnings)
        if reason == finding.reason:
            return finding
        return Finding(
            finding.file,
            finding.status,
            reason,
            finding.publisher,
            finding.attestations,
            finding.identity_checked,
        )

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
            return await self._installed(package, project, package.version, Path(package.installed))
        named = [f for f in package.files if f.filename]
        # Digests the source records without a file name (hash-only pins, or a file whose URL
        # names none) are matched to the index's files by digest, never dropped.
        unnamed = (
            *(FileRef(filename="", sha256=h) for h in package.hashes),
            *(f for f in package.files if not f.filename and (f.sha256 or f.other_digests)),
        )
        if named and not unnamed:
            findings = await asyncio.gather(*(self._file(project, f) for f in named))
            return PackageResult(package, tuple(findings))
        # The source names no files: take them from the index.
        try:
            page = await self.client.project(project)
        except IndexLookupError as err:
            unknown = Finding(FileRef(filename=""), Status.UNKNOWN, str(err))
            return PackageResult(package, (unknown,), note=str(err))
        if unnamed:
            found = await asyncio.gather(*(self._file(project, f) for f in named))
            by_digest = await self._by_digest(project, package, unnamed, page)
            return PackageResult(package, (*found, *by_digest.findings))
        if package.version is None:
            finding = Finding(
                FileRef(filename=""),
                Status.UNKNOWN,
                "no version pinned, so there are no exact files to check",
            )
            return PackageResult(package, (finding,))
        chosen = release_files(page, package.version, self.options.files)
        if not chosen:
            finding = Finding(
                FileRef(filename=""),
                Status.UNKNOWN,
                f"the index lists no files for version {package.version} at {page.url}",
            )
            return PackageResult(package, (self._noted(finding, page.warnings),))
        refs = [FileRef(f.filename, f.sha256, f.url) for f in chosen]
        findings = await asyncio.gather(*(self._file(project, ref) for ref in refs))
        return PackageResult(package, tuple(findings))

    async def _installed(
        self, package: Package, project: str, version: str, dist_info: Path
    ) -> PackageResult:
        """An installed distribution: the index's wheel it came from, verified, and the
        installed files compared with it (`pyvouch.installed.check`)."""
        state = await asyncio.to_thread(inspect_installation, dist_info, self.listings)
        try:
            page = await self.client.project(project)
        except IndexLookupError as err:
            unknown = Finding(FileRef(filename=""), Status.UNKNOWN, str(err))
            return PackageResult(package, (self._local_only(unknown, state),), note=str(err))
        release = release_files(page, version, FileChoice.ALL)
        wheel = matching_wheel(release, state.tags, state.build)
        if wheel is None:
            return await self._without_wheel(package, project, version, page, state)
        ref = FileRef(wheel.filename, wheel.sha256, wheel.url)
        finding = await self._file(project, ref)
        finding = judge(finding, await self._compare(state, wheel, finding))
        extra = [f for f in release if f.filename != wheel.filename]
        if self.options.files is FileChoice.ALL and extra:
            more = await asyncio.gather(
                *(self._file(project, FileRef(f.filename, f.sha256, f.url)) for f in extra)
            )
            return PackageResult(package, (finding, *more))
        return PackageResult(package, (finding,))

    async def _without_wheel(
        self, package: Package, project: str, version: str, page: ProjectPage, state: InstallState
    ) -> PackageResult:
        """No index wheel has the installed tags: the release's files are verified as for a
        pin, but nothing vouches for the installed files."""
        chosen = release_files(page, version, self.options.files)
        if not chosen:
            finding = Finding(
                FileRef(filename=""),
                Status.UNKNOWN,
                f"the index lists no files for version {version} at {page.url}",
            )
            return PackageResult(package, (self._local_only(finding, state),))
        refs = [FileRef(f.filename, f.sha256, f.url) for f in chosen]
        found = await asyncio.gather(*(self._file(project, ref) for ref in refs))
        if state.local is None:
            verdict = unchecked(state.unavailable or "no RECORD")
        elif state.local.differences:
            verdict = differs("its RECORD", state.local.differences)
        else:
            tags = ", ".join(sorted(str(t) for t in state.tags)) or "none"
            verdict = unchecked(
                f"the index lists no wheel with the installed tags ({tags}): it was installed "
                "from another file (a locally built sdist?)"
            )
        return PackageResult(package, tuple(judge(f, verdict) for f in found))

    def _local_only(self, finding: Finding, state: InstallState) -> Finding:
        if state.local is not None and state.local.differences:
            return judge(finding, differs("its RECORD", state.local.differences))
        return finding

    async def _compare(
        self, state: InstallState, wheel: IndexFile, finding: Finding
    ) -> InstalledVerdict:
        local = state.local
        if local is None:
            return unchecked(state.unavailable or "no RECORD")
        if local.differences:
            return differs("its RECORD", local.differences)
        if finding.status not in (Status.VERIFIED, Status.MISMATCH):
            return unchecked("the wheel did not verify, so it was not downloaded")
        digest = finding.file.sha256
        if not digest or not wheel.url:
            return unchecked(f"no digest or URL is known for {wheel.filename}")
        try:
            manifest, warnings = await verified_wheel(
                self.client,
                filename=wheel.filename,
                url=wheel.url,
                sha256=digest,
                cache=self.manifests,
            )
        except (DownloadFailed, WheelProblem) as err:
            self.warnings.update(dict.fromkeys(err.warnings))
            return unchecked(f"{wheel.filename}: {err}")
        except IndexLookupError as err:  # offline
            return unchecked(f"{wheel.filename}: {err}")
        self.warnings.update(dict.fromkeys(warnings))
        differences = compare(local, manifest)
        if differences:
            verdict = differs(f"the verified wheel {wheel.filename}", differences)
            return replace(verdict, reason=noted(verdict.reason, warnings))
        return InstalledVerdict(
            Outcome.SAME,
            noted(
                f"the installed files are this wheel's ({len(manifest.members)} files compared)",
                warnings,
            ),
        )

    async def _by_digest(
        self, project: str, package: Package, pins: tuple[FileRef, ...], page: ProjectPage
    ) -> PackageResult:
        by_sha256: dict[str, dict[str, IndexFile]] = {}
        for f in page.files:
            if f.sha256:
                by_sha256.setdefault(f.sha256.lower(), {}).setdefault(f.filename, f)
        refs: list[FileRef] = []
        missing: list[Finding] = []
        for pin in pins:
            if pin.sha256 is None:  # pinned only in other algorithms
                missing.append(self._noted(unchecked_pin(pin, page), page.warnings))
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
                self._noted(
                    Finding(
                        FileRef(filename="", sha256=digest, other_digests=pin.other_digests),
                        Status.UNKNOWN,
                        reason,
                    ),
                    page.warnings,
                )
            )
        found = await asyncio.gather(*(self._file(project, ref) for ref in refs))
        return PackageResult(package, (*found, *missing))

    async def _file(self, project: str, ref: FileRef) -> Finding:
        lookup = await self.client.provenance(project, ref.filename, ref.sha256)
        digest = ref.sha256 or lookup.sha256
        if digest is None:
            return Finding(ref, Status.UNKNOWN, f"no sha256 is known for {ref.filename}")
        dist = DistFile(filename=ref.filename, sha256=digest)
        finding = await self.checks.finding(dist, lookup)
        if lookup.direct:  # asked without the project page
            if finding.status is not Status.VERIFIED:  # let the page say what it would say
                confirmed = await self.client.confirm_direct(lookup)
                if confirmed is not lookup:
                    lookup, finding = confirmed, await self.checks.finding(dist, confirmed)
            self.client.keep_direct(lookup)
        # Keep what the source recorded (url, size, other digests) alongside the digest that
        # was checked.
        file = FileRef(ref.filename, digest, ref.url, ref.size, ref.other_digests)
        kept = Finding(
            file,
            finding.status,
            finding.reason,
            finding.publisher,
            finding.attestations,
            finding.identity_checked,
        )
        result = self._noted(kept, lookup.warnings)
        if not ref.other_digests:
            return result
        try:
            listed = await self.client.project(project)
        except IndexLookupError:
            listed = None
        entry = listed.file(ref.filename) if listed is not None else None
        return account_for_other_digests(result, ref, entry)


def _verdicts(options: ScanOptions, client: IndexClient) -> VerdictCache | None:
    if not options.verdict_cache:
        return None
    # Written on the client's cache-writing threads; closing the client waits for them.
    return VerdictCache.open(options.cache_dir or default_cache_dir(), data_dir(), client.writes)


def _manifests(options: ScanOptions, client: IndexClient) -> ManifestCache | None:
    """Wheel manifests for environment scans, cached (authenticated) beside the verdicts."""
    if not options.verdict_cache:
        return None
    return ManifestCache.open(options.cache_dir or default_cache_dir(), data_dir(), client.writes)


async def scan_packages_async(
    packages: Sequence[Package],
    verifier: AttestationVerifier | DeferredVerifier,
    options: ScanOptions,
    progress: Progress | None = None,
) -> tuple[list[PackageResult], str, tuple[str, ...]]:
    """Results for ``packages`` in their order, the index URL used (without credentials), and
    what the index client warned about (redirects to another host), once each."""
    async with IndexClient(
        options.index_url,
        cache_dir=options.cache_dir,
        offline=options.offline,
        concurrency=options.jobs,
        timeout=options.timeout,
        retries=options.retries,
        backoff=options.backoff,
        refresh=options.refresh,
    ) as client:
        # Served provenance is verified (unless its verdict is cached) on other cores while
        # lookups continue.
        verdicts = _verdicts(options, client)
        async with LookupVerifier(verifier, len(packages), verdicts=verdicts) as checks:
            scanner = _Scanner(
                client, checks, options, progress, len(packages), _manifests(options, client)
            )
            results = await asyncio.gather(*(scanner.package(p) for p in packages))
        return list(results), client.index_url, tuple(scanner.warnings)


def scan(
    packages: Sequence[Package],
    verifier: AttestationVerifier | DeferredVerifier,
    options: ScanOptions,
    *,
    source: str,
    source_format: str,
    warnings: Sequence[str] = (),
    progress: Progress | None = None,
) -> ScanResult:
    """Run the spine over ``packages`` and return one result for every report format."""
    results, index_url, index_warnings = asyncio.run(
        scan_packages_async(packages, verifier, options, progress)
    )
    return ScanResult(
        source=source,
        source_format=source_format,
        index_url=index_url,
        packages=tuple(results),
        warnings=tuple(dict.fromkeys((*warnings, *index_warnings))),
    )
