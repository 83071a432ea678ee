"""An installed distribution (environment scans), through a `Pipeline`: the index's wheel it
came from, verified, and the installed files compared with it (`pyvouch.installed`)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from pyvouch.errors import IndexLookupError
from pyvouch.index.client import DownloadFailed, noted
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
from pyvouch.installed.wheel import WheelProblem
from pyvouch.model import FileRef, Finding, Package, PackageResult, Status
from pyvouch.pipeline.options import FileChoice, release_files
from pyvouch.pipeline.service import Pipeline
from pyvouch.wheel_fetch.fetch import verified_wheel


class InstalledChecks:
    """Checks installed distributions through ``pipe`` (``files``: which of the release's other
    files are verified too)."""

    def __init__(self, pipe: Pipeline, files: FileChoice) -> None:
        self.pipe = pipe
        self.files = files
        self.listings = SiteListings()

    async def package(
        self, package: Package, project: str, version: str, dist_info: Path
    ) -> PackageResult:
        """The index's wheel with the installed tags, verified, and the installed files
        compared with it (`pyvouch.installed.check`)."""
        pipe = self.pipe
        state = await asyncio.to_thread(inspect_installation, dist_info, self.listings)
        try:
            page = await pipe.project(project)
        except IndexLookupError as err:
            unknown = Finding(FileRef(filename=""), Status.UNKNOWN, str(err))
            return PackageResult(package, (self._local_only(unknown, state),), note=str(err))
        release = release_files(page, version, FileChoice.ALL)
        wheel = matching_wheel(release, state.tags, state.build)
        if wheel is None:
            return await self._without_wheel(package, project, version, page, state)
        ref = FileRef(wheel.filename, wheel.sha256, wheel.url)
        finding = await pipe.finding(project, ref)
        finding = judge(finding, await self._compare(state, wheel, finding))
        extra = [f for f in release if f.filename != wheel.filename]
        if self.files is FileChoice.ALL and extra:
            more = await asyncio.gather(
                *(pipe.finding(project, FileRef(f.filename, f.sha256, f.url)) for f in extra)
            )
            return PackageResult(package, (finding, *more))
        return PackageResult(package, (finding,))

    async def _without_wheel(
        self, package: Package, project: str, version: str, page: ProjectPage, state: InstallState
    ) -> PackageResult:
        """No index wheel has the installed tags: the release's files are verified as for a
        pin, but nothing vouches for the installed files."""
        chosen = release_files(page, version, self.files)
        if not chosen:
            finding = Finding(
                FileRef(filename=""),
                Status.UNKNOWN,
                f"the index lists no files for version {version} at {page.url}",
            )
            return PackageResult(package, (self._local_only(finding, state),))
        refs = [FileRef(f.filename, f.sha256, f.url) for f in chosen]
        found = await asyncio.gather(*(self.pipe.finding(project, ref) for ref in refs))
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
                self.pipe.client,
                filename=wheel.filename,
                url=wheel.url,
                sha256=digest,
                cache=self.pipe.manifests,
            )
        except (DownloadFailed, WheelProblem) as err:
            self.pipe.keep(err.warnings)
            return unchecked(f"{wheel.filename}: {err}")
        except IndexLookupError as err:  # offline
            return unchecked(f"{wheel.filename}: {err}")
        self.pipe.keep(warnings)
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
