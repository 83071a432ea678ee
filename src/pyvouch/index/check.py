"""`pyvouch index check`: does an index (a mirror, a proxy, a private index) pass PEP 740
provenance through?

For a sample of projects, the latest files are looked up on the index and on the upstream
(PyPI by default) with the index client, so both sides are judged the same way (by the data:
provenance keys, then the integrity endpoint). Per file the two answers are compared:

- the upstream serves provenance and so does the index: it passes through;
- the upstream serves provenance and the index has none or does not serve provenance: dropped;
- anything else (the upstream has none, a lookup failed, the index does not list the file)
  cannot be compared.

When nothing can be compared (the upstream cannot be reached, is the index itself, or
attests none of the sampled files) the index is judged alone, and the verdict says so.
Pure data in `CheckResult`; `render_text` / `to_json` present it. See docs/scan.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from packaging.version import InvalidVersion, Version

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, IndexLookupError
from pyvouch.index.client import (
    ACCEPT_PROVENANCE,
    DEFAULT_INDEX_URL,
    IndexClient,
    ProvenanceLookup,
    ProvenanceState,
    integrity_url,
    resolve_index_url,
)
from pyvouch.index.simple import (
    IndexFile,
    ProjectPage,
    file_version,
    normalize_name,
    strip_credentials,
)
from pyvouch.index.transport import ClientStats, FetchError, Transport

DEFAULT_PROJECTS: tuple[str, ...] = (
    "sampleproject",
    "pypi-attestations",
    "sigstore",
    "pip-audit",
)
"""Projects that publish PEP 740 attestations on PyPI with Trusted Publishing (their latest
releases carry them), so a faithful mirror of PyPI must serve provenance for them."""

DEFAULT_SAMPLE = 2


class Verdict(StrEnum):
    PASSES = "passes"
    DROPS = "drops"
    UNDETERMINED = "undetermined"

    @property
    def exit_code(self) -> int:
        return {
            Verdict.PASSES: EXIT_OK,
            Verdict.DROPS: EXIT_FINDINGS,
            Verdict.UNDETERMINED: EXIT_INCOMPLETE,
        }[self]


class Outcome(StrEnum):
    PASSED = "passed"
    """The upstream serves provenance for the file and so does the index."""
    DROPPED = "dropped"
    """The upstream serves provenance for the file; the index has none or serves none."""
    NOT_COMPARED = "not-compared"


@dataclass(frozen=True)
class Side:
    """What one index said about one file."""

    state: str
    """A `ProvenanceState` value, or ``not-listed`` / ``unreachable``."""
    reason: str


@dataclass(frozen=True)
class FileCheck:
    project: str
    filename: str
    index: Side
    upstream: Side | None
    """None when the upstream was not asked (unreachable, or the index itself)."""

    @property
    def outcome(self) -> Outcome:
        if self.upstream is None or self.upstream.state != ProvenanceState.SERVED:
            return Outcome.NOT_COMPARED
        if self.index.state == ProvenanceState.SERVED:
            return Outcome.PASSED
        if self.index.state in (ProvenanceState.NONE, ProvenanceState.NOT_SERVED):
            return Outcome.DROPPED
        return Outcome.NOT_COMPARED


@dataclass(frozen=True)
class ProjectCheck:
    name: str
    index_api_version: str | None = None
    upstream_api_version: str | None = None
    index_provenance_keys: bool | None = None
    """Whether the index's page carried provenance keys (None: page not fetched)."""
    integrity: str | None = None
    """How the index's integrity endpoint answered for one sampled file."""
    index_error: str | None = None
    upstream_error: str | None = None
    files: tuple[FileCheck, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    index_url: str
    upstream_url: str | None
    upstream_note: str | None
    """Why the upstream could not be compared with, when it could not."""
    projects: tuple[ProjectCheck, ...]
    verdict: Verdict
    summary: str
    details: tuple[str, ...] = field(default=())

    @property
    def files(self) -> list[FileCheck]:
        return [f for p in self.projects for f in p.files]


@dataclass(frozen=True)
class CheckOptions:
    upstream_url: str | None = DEFAULT_INDEX_URL
    projects: tuple[str, ...] = DEFAULT_PROJECTS
    sample: int = DEFAULT_SAMPLE
    timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5


def _latest(files: Sequence[IndexFile], count: int) -> list[IndexFile]:
    """The ``count`` newest files (by version, then name), newest first."""
    dated: list[tuple[Version, str, IndexFile]] = []
    for entry in files:
        raw = file_version(entry.filename)
        if raw is None:
            continue
        try:
            dated.append((Version(raw), entry.filename, entry))
        except InvalidVersion:
            continue
    dated.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [entry for _, _, entry in dated[:count]]


def _side(lookup: ProvenanceLookup) -> Side:
    return Side(lookup.state.value, lookup.reason)


async def _page(client: IndexClient, name: str) -> tuple[ProjectPage | None, str | None]:
    try:
        return await client.project(name), None
    except IndexLookupError as err:
        return None, str(err)


async def _probe_integrity(transport: Transport, url: str | None) -> str:
    if url is None:
        return "not asked (no version in the filename)"
    try:
        resp = await transport.get(
            url, accept=ACCEPT_PROVENANCE, limit=5 * 1024 * 1024, kind="provenance"
        )
    except FetchError as err:
        return f"no answer ({err.reason})"
    if resp.status == 200:
        return f"HTTP 200 ({resp.content_type or 'no content type'})"
    return f"HTTP {resp.status}"


async def _check_project(
    name: str,
    index: IndexClient,
    upstream: IndexClient | None,
    transport: Transport,
    sample: int,
) -> ProjectCheck:
    project = normalize_name(name)
    index_task = _page(index, project)
    if upstream is not None:
        (index_page, index_error), (up_page, up_error) = await asyncio.gather(
            index_task, _page(upstream, project)
        )
    else:
        (index_page, index_error), (up_page, up_error) = await index_task, (None, None)
    source = up_page if up_page is not None else index_page
    if source is None:
        return ProjectCheck(project, index_error=index_error, upstream_error=up_error)
    chosen = _latest(source.files, sample)

    async def one(entry: IndexFile) -> FileCheck:
        up_side: Side | None = None
        if up_page is not None and upstream is not None:
            up_side = _side(await upstream.provenance(project, entry.filename, entry.sha256))
        if index_page is None:
            idx_side = Side("unreachable", index_error or "the index page could not be fetched")
        elif index_page.file(entry.filename) is None:
            idx_side = Side("not-listed", f"{entry.filename} is not listed at {index_page.url}")
        else:
            idx_side = _side(await index.provenance(project, entry.filename, entry.sha256))
        return FileCheck(project, entry.filename, idx_side, up_side)

    files = await asyncio.gather(*(one(entry) for entry in chosen))
    integrity: str | None = None
    if index_page is not None:
        listed = [e for e in chosen if index_page.file(e.filename) is not None]
        if listed:
            url = integrity_url(index.index_url, project, listed[0].filename)
            integrity = f"{await _probe_integrity(transport, url)} for {listed[0].filename}"
    return ProjectCheck(
        project,
        index_api_version=index_page.api_version if index_page else None,
        upstream_api_version=up_page.api_version if up_page else None,
        index_provenance_keys=index_page.serves_provenance if index_page else None,
        integrity=integrity,
        index_error=index_error,
        upstream_error=up_error,
        files=tuple(files),
    )


async def check_index_async(index_url: str, options: CheckOptions) -> CheckResult:
    index_resolved = resolve_index_url(index_url, "the checked index URL")
    upstream_resolved = (
        resolve_index_url(options.upstream_url, "--upstream") if options.upstream_url else None
    )
    client_args: dict[str, Any] = {
        "use_cache": False,
        "timeout": options.timeout,
        "retries": options.retries,
        "backoff": options.backoff,
        "concurrency": 8,
    }
    same = upstream_resolved is not None and upstream_resolved == index_resolved
    async with IndexClient(index_resolved, **client_args) as index:
        transport = Transport(
            index_url=index_resolved,
            stats=ClientStats(),
            timeout=options.timeout,
            retries=options.retries,
            backoff=options.backoff,
        )
        try:
            if upstream_resolved is None or same:
                projects = await asyncio.gather(
                    *(
                        _check_project(n, index, None, transport, options.sample)
                        for n in options.projects
                    )
                )
            else:
                async with IndexClient(upstream_resolved, **client_args) as upstream:
                    projects = await asyncio.gather(
                        *(
                            _check_project(n, index, upstream, transport, options.sample)
                            for n in options.projects
                        )
                    )
        finally:
            await transport.aclose()
        shown_index = index.index_url
    shown_upstream = None if upstream_resolved is None else _shown(upstream_resolved)
    note: str | None = None
    if upstream_resolved is None:
        note = "no upstream given"
    elif same:
        note = f"the upstream {shown_upstream} is the index itself"
    elif all(p.upstream_error is not None for p in projects) and not any(
        "is not on the index" in (p.upstream_error or "") for p in projects
    ):
        first = next((p.upstream_error for p in projects if p.upstream_error), "")
        note = f"the upstream {shown_upstream} cannot be reached ({first})"
    return judge(shown_index, shown_upstream, note, tuple(projects))


def _shown(url: str) -> str:
    return strip_credentials(url)


def check_index(index_url: str, options: CheckOptions | None = None) -> CheckResult:
    """Compare ``index_url`` with the upstream for a sample of projects (runs its own loop)."""
    return asyncio.run(check_index_async(index_url, options or CheckOptions()))


def _announced(projects: Sequence[ProjectCheck]) -> str:
    versions = sorted({p.index_api_version or "none" for p in projects if p.index_error is None})
    if not versions:
        return "announces nothing (no page could be fetched)"
    return f"announces api-version {' / '.join(versions)}"


def _integrity(projects: Sequence[ProjectCheck]) -> str | None:
    answers = [p.integrity.split(" for ")[0] for p in projects if p.integrity]
    if not answers:
        return None
    common = sorted(set(answers))
    return f"its integrity endpoint answers {' / '.join(common)}"


def judge(
    index_url: str,
    upstream_url: str | None,
    upstream_note: str | None,
    projects: tuple[ProjectCheck, ...],
) -> CheckResult:
    """The verdict and the plain sentence that says it."""
    files = [f for p in projects for f in p.files]
    compared = [f for f in files if f.outcome is not Outcome.NOT_COMPARED]
    dropped = [f for f in compared if f.outcome is Outcome.DROPPED]
    passed = [f for f in compared if f.outcome is Outcome.PASSED]
    announced = _announced(projects)
    integrity = _integrity(projects)
    keys = any(p.index_provenance_keys for p in projects)
    listing = "lists provenance keys" if keys else "lists no provenance keys"
    evidence = f"it {announced}, {listing}" + (f", and {integrity}" if integrity else "")
    details: list[str] = []

    def result(verdict: Verdict, summary: str) -> CheckResult:
        return CheckResult(
            index_url,
            upstream_url,
            upstream_note,
            projects,
            verdict,
            summary,
            tuple(details),
        )

    if compared:
        if dropped and not passed:
            not_served = all(f.index.state == ProvenanceState.NOT_SERVED for f in dropped)
            what = "does not serve PEP 740 provenance" if not_served else "drops PEP 740 provenance"
            return result(
                Verdict.DROPS,
                f"this index {what}: {evidence}; it has no provenance for files the upstream "
                f"attests ({len(dropped)} of {len(compared)})",
            )
        if dropped:
            return result(
                Verdict.DROPS,
                f"this index drops PEP 740 provenance for some files: {len(dropped)} of "
                f"{len(compared)} files the upstream attests have none here; {evidence}",
            )
        return result(
            Verdict.PASSES,
            f"this index passes PEP 740 provenance through: it serves provenance for all "
            f"{len(compared)} sampled files the upstream attests ({announced})",
        )
    why = upstream_note or "the upstream attests none of the sampled files"
    details.append(f"cannot compare with the upstream: {why}; judging the index alone")
    index_states = [f.index.state for f in files]
    listed = [s for s in index_states if s not in ("not-listed", "unreachable")]
    served = [s for s in listed if s == ProvenanceState.SERVED]
    if served:
        return result(
            Verdict.PASSES,
            f"this index serves PEP 740 provenance ({len(served)} of {len(listed)} sampled "
            f"files have it); cannot compare with the upstream: {why}",
        )
    if listed and all(s == ProvenanceState.NOT_SERVED for s in listed):
        return result(
            Verdict.DROPS,
            f"this index does not serve PEP 740 provenance: {evidence} "
            f"({len(listed)} of {len(listed)} sampled files); cannot compare with the "
            f"upstream: {why}",
        )
    if listed and all(s == ProvenanceState.NONE for s in listed):
        return result(
            Verdict.UNDETERMINED,
            f"cannot tell: this index serves PEP 740 ({evidence}) but publishes no "
            f"provenance for any of the {len(listed)} sampled files, and there is no "
            f"upstream to compare with: {why}",
        )
    return result(
        Verdict.UNDETERMINED,
        f"cannot tell whether this index passes PEP 740 provenance through: "
        f"{len(listed)} of {len(files)} sampled files could be looked up on it; {why}",
    )


def to_json(result: CheckResult) -> dict[str, Any]:
    def side(s: Side | None) -> dict[str, str] | None:
        return None if s is None else {"state": s.state, "reason": s.reason}

    return {
        "schema": "pyvouch-index-check/1",
        "index_url": result.index_url,
        "upstream_url": result.upstream_url,
        "upstream_note": result.upstream_note,
        "verdict": result.verdict.value,
        "summary": result.summary,
        "details": list(result.details),
        "projects": [
            {
                "name": p.name,
                "index_api_version": p.index_api_version,
                "upstream_api_version": p.upstream_api_version,
                "index_provenance_keys": p.index_provenance_keys,
                "integrity": p.integrity,
                "index_error": p.index_error,
                "upstream_error": p.upstream_error,
                "files": [
                    {
                        "filename": f.filename,
                        "outcome": f.outcome.value,
                        "index": side(f.index),
                        "upstream": side(f.upstream),
                    }
                    for f in p.files
                ],
            }
            for p in result.projects
        ],
    }


def render_text(result: CheckResult) -> str:
    lines = [f"index:    {result.index_url}"]
    lines.append(f"upstream: {result.upstream_url or '(none)'}")
    if result.upstream_note:
        lines.append(f"          ({result.upstream_note})")
    for p in result.projects:
        keys = {True: "yes", False: "no", None: "-"}[p.index_provenance_keys]
        head = (
            f"{p.name}: index api-version {p.index_api_version or '-'}, upstream "
            f"{p.upstream_api_version or '-'}, provenance keys {keys}"
        )
        lines.append(head)
        if p.integrity:
            lines.append(f"  integrity endpoint: {p.integrity}")
        if p.index_error:
            lines.append(f"  index: {p.index_error}")
        if p.upstream_error:
            lines.append(f"  upstream: {p.upstream_error}")
        for f in p.files:
            upstream = f.upstream.state if f.upstream else "-"
            lines.append(
                f"  {f.filename}: upstream {upstream}, index {f.index.state} -> {f.outcome.value}"
            )
            if f.outcome is not Outcome.PASSED:
                lines.append(f"    index: {f.index.reason}")
    lines.extend(result.details)
    lines.append(f"{result.verdict.value}: {result.summary}")
    return "\n".join(lines)
