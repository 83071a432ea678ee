"""`pyvouch index check`: does an index (a mirror, a proxy, a private index) pass PEP 740
provenance through?

For a sample of projects, the latest files are looked up on the index and on the upstream
(PyPI by default) with the index client, so both sides are judged the same way (by the data:
provenance keys, then the integrity endpoint). Per file the two answers are compared:

- the upstream serves provenance and so does the index: it passes through;
- the upstream serves provenance and the index has none, does not serve provenance, or lists
  a provenance URL that does not serve it (404, 410, not provenance JSON): dropped;
- the upstream serves provenance and the lookup on the index failed: failed (counted apart,
  never as looked up);
- anything else (the upstream has none, its lookup failed, the index does not list the file)
  cannot be compared.

An index that lists provenance URLs it does not serve drops provenance whatever the upstream
says. When nothing can be compared, the reason is worked out from the counts (no upstream,
the upstream is the index, cannot be reached, attests none of the files, or its lookups
failed) and the index is judged alone. Every sentence of the verdict is built from the
`Counts` it states. Pure data in `CheckResult`; `render_text` / `to_json` present it. See
docs/scan.md.
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
from pyvouch.limits import MAX_PROVENANCE_BYTES

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
    """The upstream serves provenance for the file; the index has none, serves none, or lists
    a provenance URL that does not serve it."""
    FAILED = "failed"
    """The upstream serves provenance for the file; the lookup on the index failed."""
    NOT_COMPARED = "not-compared"


LISTED_NOT_SERVED = "listed-not-served"
"""The index's page lists a provenance URL for the file that answers without provenance."""
NOT_LISTED = "not-listed"
UNREACHABLE = "unreachable"
_WITHOUT = frozenset({ProvenanceState.NONE.value, ProvenanceState.NOT_SERVED.value})
_FAILURES = frozenset({ProvenanceState.ERROR.value, UNREACHABLE})


@dataclass(frozen=True)
class Side:
    """What one index said about one file."""

    state: str
    """A `ProvenanceState` value, or ``listed-not-served`` / ``not-listed`` / ``unreachable``."""
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
        if self.index.state in _WITHOUT or self.index.state == LISTED_NOT_SERVED:
            return Outcome.DROPPED
        if self.index.state in _FAILURES:
            return Outcome.FAILED
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
    warnings: tuple[str, ...] = ()
    """What the clients warned about on either side (redirects to another host)."""


@dataclass(frozen=True)
class Counts:
    """What was seen, file by file: the numbers every verdict sentence is built from."""

    sampled: int = 0
    served: int = 0
    """Files the index served provenance for."""
    none: int = 0
    """Files the index says have no provenance."""
    not_served: int = 0
    """Files for which the index serves no provenance at all (no keys, no integrity answer)."""
    listed_not_served: int = 0
    """Files whose listed provenance URL answered without provenance (404, 410, not JSON)."""
    errors: int = 0
    """Files whose lookup on the index failed (or whose page could not be fetched)."""
    not_listed: int = 0
    """Files the index does not list."""
    upstream_served: int = 0
    """Files the upstream attests (serves provenance for)."""
    upstream_without: int = 0
    """Files the upstream has no provenance for (none published, or not served)."""
    upstream_errors: int = 0
    upstream_not_asked: int = 0
    passed: int = 0
    dropped: int = 0
    failed: int = 0
    """Files the upstream attests whose lookup on the index failed."""

    @property
    def looked_up(self) -> int:
        """Files the index gave an answer for (failed lookups are not counted here)."""
        return self.served + self.none + self.not_served + self.listed_not_served

    @property
    def compared(self) -> int:
        return self.passed + self.dropped

    def as_dict(self) -> dict[str, int]:
        names = (
            "sampled",
            "served",
            "none",
            "not_served",
            "listed_not_served",
            "errors",
            "not_listed",
            "upstream_served",
            "upstream_without",
            "upstream_errors",
            "upstream_not_asked",
            "passed",
            "dropped",
            "failed",
        )
        return {
            **{n: int(getattr(self, n)) for n in names},
            "looked_up": self.looked_up,
            "compared": self.compared,
        }


def count(files: Sequence[FileCheck]) -> Counts:
    index = [f.index.state for f in files]
    upstream = [f.upstream.state if f.upstream else None for f in files]
    outcomes = [f.outcome for f in files]
    return Counts(
        sampled=len(files),
        served=index.count(ProvenanceState.SERVED.value),
        none=index.count(ProvenanceState.NONE.value),
        not_served=index.count(ProvenanceState.NOT_SERVED.value),
        listed_not_served=index.count(LISTED_NOT_SERVED),
        errors=sum(s in _FAILURES for s in index),
        not_listed=index.count(NOT_LISTED),
        upstream_served=upstream.count(ProvenanceState.SERVED.value),
        upstream_without=sum(s in _WITHOUT for s in upstream),
        upstream_errors=upstream.count(ProvenanceState.ERROR.value),
        upstream_not_asked=upstream.count(None),
        passed=outcomes.count(Outcome.PASSED),
        dropped=outcomes.count(Outcome.DROPPED),
        failed=outcomes.count(Outcome.FAILED),
    )


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
    counts: Counts = field(default_factory=Counts)

    @property
    def files(self) -> list[FileCheck]:
        return [f for p in self.projects for f in p.files]

    @property
    def warnings(self) -> list[str]:
        return list(dict.fromkeys(w for p in self.projects for w in p.warnings))


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


def _index_side(index: IndexClient, lookup: ProvenanceLookup) -> Side:
    """The index's answer; an ERROR on a listed provenance URL that answered without provenance
    is what it is: provenance listed and not served."""
    if lookup.state is ProvenanceState.ERROR and lookup.url in index.listed_not_served:
        return Side(LISTED_NOT_SERVED, lookup.reason)
    return _side(lookup)


async def _page(client: IndexClient, name: str) -> tuple[ProjectPage | None, str | None]:
    try:
        return await client.project(name), None
    except IndexLookupError as err:
        return None, str(err)


async def _probe_integrity(transport: Transport, url: str | None) -> tuple[str, tuple[str, ...]]:
    """How the integrity endpoint answered, and the transport's warnings (redirects)."""
    if url is None:
        return "not asked (no version in the filename)", ()
    try:
        resp = await transport.get(
            url, accept=ACCEPT_PROVENANCE, limit=MAX_PROVENANCE_BYTES, kind="provenance"
        )
    except FetchError as err:
        return f"no answer ({err.reason})", ()
    if resp.status == 200:
        return f"HTTP 200 ({resp.content_type or 'no content type'})", resp.warnings
    return f"HTTP {resp.status}", resp.warnings


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

    warnings: list[str] = [
        *(index_page.warnings if index_page else ()),
        *(up_page.warnings if up_page else ()),
    ]

    async def one(entry: IndexFile) -> FileCheck:
        # direct=False: the check judges what the pages list, so it always reads them.
        up_side: Side | None = None
        if up_page is not None and upstream is not None:
            up_lookup = await upstream.provenance(
                project, entry.filename, entry.sha256, direct=False
            )
            warnings.extend(up_lookup.warnings)
            up_side = _side(up_lookup)
        if index_page is None:
            idx_side = Side(UNREACHABLE, index_error or "the index page could not be fetched")
        elif index_page.file(entry.filename) is None:
            idx_side = Side(NOT_LISTED, f"{entry.filename} is not listed at {index_page.url}")
        else:
            lookup = await index.provenance(project, entry.filename, entry.sha256, direct=False)
            warnings.extend(lookup.warnings)
            idx_side = _index_side(index, lookup)
        return FileCheck(project, entry.filename, idx_side, up_side)

    files = await asyncio.gather(*(one(entry) for entry in chosen))
    integrity: str | None = None
    if index_page is not None:
        listed = [e for e in chosen if index_page.file(e.filename) is not None]
        if listed:
            url = integrity_url(index.index_url, project, listed[0].filename)
            answer, probe_warnings = await _probe_integrity(transport, url)
            integrity = f"{answer} for {listed[0].filename}"
            warnings.extend(probe_warnings)
    return ProjectCheck(
        project,
        index_api_version=index_page.api_version if index_page else None,
        upstream_api_version=up_page.api_version if up_page else None,
        index_provenance_keys=index_page.serves_provenance if index_page else None,
        integrity=integrity,
        index_error=index_error,
        upstream_error=up_error,
        files=tuple(files),
        warnings=tuple(dict.fromkeys(warnings)),
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
        "not_served_after": None,  # the check states what each file's URL answered: ask all
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
    answers = [p.integrity.rsplit(" for ", 1)[0] for p in projects if p.integrity]
    if not answers:
        return None
    common = sorted(set(answers))
    return f"its integrity endpoint answers {' / '.join(common)}"


def _first(files: Sequence[FileCheck], states: frozenset[str] | set[str]) -> str:
    """The index's reason for the first file in one of ``states`` (an example for a count)."""
    return next((f.index.reason for f in files if f.index.state in states), "")


def _first_upstream_error(files: Sequence[FileCheck]) -> str:
    return next(
        (
            f.upstream.reason
            for f in files
            if f.upstream is not None and f.upstream.state == ProvenanceState.ERROR
        ),
        "",
    )


def _failures(c: Counts, files: Sequence[FileCheck]) -> str:
    """``; N lookups failed on this index (first reason)`` when any did, else ``""``."""
    if not c.errors:
        return ""
    plural = "s" if c.errors != 1 else ""
    return f"; {c.errors} lookup{plural} failed on this index ({_first(files, _FAILURES)})"


def _without_here(dropped: Sequence[FileCheck]) -> str:
    """What the dropped files have here, counted by kind."""
    parts = []
    listed = sum(f.index.state == LISTED_NOT_SERVED for f in dropped)
    none = sum(f.index.state == ProvenanceState.NONE for f in dropped)
    not_served = sum(f.index.state == ProvenanceState.NOT_SERVED for f in dropped)
    if listed:
        example = _first(dropped, {LISTED_NOT_SERVED})
        parts.append(f"{listed} listed with a provenance URL that does not serve it ({example})")
    if none:
        parts.append(f"{none} said to have none")
    if not_served:
        parts.append(f"{not_served} with no provenance served")
    return "; ".join(parts)


def _why_not_compared(
    upstream_note: str | None,
    c: Counts,
    files: Sequence[FileCheck],
    projects: Sequence[ProjectCheck],
) -> str:
    """Why no file could be compared, from the counts (never a sentence they contradict)."""
    if upstream_note:
        return upstream_note
    if not c.sampled:
        errors = [e for p in projects for e in (p.upstream_error, p.index_error) if e]
        return "no file could be sampled" + (
            f" ({errors[0]})" if errors else ": the pages list no files with a version"
        )
    if c.sampled == c.upstream_not_asked:
        return "the upstream lists none of the sampled projects"
    if c.upstream_served == 0:
        if c.upstream_errors == 0 and c.upstream_not_asked == 0:
            return f"the upstream attests none of the {c.sampled} sampled files"
        said = [
            f"the upstream attests none of the {c.upstream_without} sampled files it answered for"
        ]
        if c.upstream_errors:
            said.append(
                f"its lookup failed for {c.upstream_errors} ({_first_upstream_error(files)})"
            )
        if c.upstream_not_asked:
            said.append(f"it does not list the projects of {c.upstream_not_asked}")
        return ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
    # The upstream attests some files, and none of them could be compared here.
    said = []
    if c.failed:
        said.append(
            f"the lookup on this index failed for {c.failed} of them ({_first(files, _FAILURES)})"
        )
    unlisted = c.upstream_served - c.failed
    if unlisted:
        said.append(f"this index does not list {unlisted} of them")
    return f"the upstream attests {c.upstream_served} of the {c.sampled} sampled files, but " + (
        " and ".join(said)
    )


def judge(
    index_url: str,
    upstream_url: str | None,
    upstream_note: str | None,
    projects: tuple[ProjectCheck, ...],
) -> CheckResult:
    """The verdict and the plain sentence that says it, built from the counts."""
    files = [f for p in projects for f in p.files]
    c = count(files)
    dropped = [f for f in files if f.outcome is Outcome.DROPPED]
    announced = _announced(projects)
    integrity = _integrity(projects)
    pages = [p.index_provenance_keys for p in projects if p.index_provenance_keys is not None]
    with_keys = sum(pages)
    if with_keys and with_keys == len(pages):
        listing = "lists provenance keys"
    elif with_keys:
        listing = f"lists provenance keys on {with_keys} of its {len(pages)} project pages"
    else:
        listing = "lists no provenance keys"
    evidence = f"it {announced}, {listing}" + (f", and {integrity}" if integrity else "")
    failures = _failures(c, files)
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
            c,
        )

    upstream_attests = "sampled files the upstream attests"
    attested = f"{c.upstream_served} {upstream_attests}"
    if c.dropped:
        if not c.passed:
            only_not_served = not c.served and all(
                f.index.state == ProvenanceState.NOT_SERVED for f in dropped
            )
            what = (
                "does not serve PEP 740 provenance"
                if only_not_served
                else "drops PEP 740 provenance"
            )
            return result(
                Verdict.DROPS,
                f"this index {what}: {evidence}; it has no provenance for {c.dropped} of the "
                f"{attested} ({_without_here(dropped)}){failures}",
            )
        return result(
            Verdict.DROPS,
            f"this index drops PEP 740 provenance for some files: {c.dropped} of the {attested} "
            f"have no provenance here ({_without_here(dropped)}), {c.passed} do; "
            f"{evidence}{failures}",
        )
    if c.listed_not_served:
        # Whatever the upstream says, a provenance URL that serves nothing drops provenance.
        example = _first(files, {LISTED_NOT_SERVED})
        why = _why_not_compared(upstream_note, c, files, projects) if not c.compared else None
        return result(
            Verdict.DROPS,
            f"this index lists provenance it does not serve: {c.listed_not_served} of the "
            f"{c.looked_up} files looked up on it list a provenance URL that answers without "
            f"provenance ({example}){failures}"
            + (f"; cannot compare with the upstream: {why}" if why else ""),
        )
    if c.failed:
        return result(
            Verdict.UNDETERMINED,
            f"cannot tell whether this index passes PEP 740 provenance through: of the "
            f"{attested}, it served provenance for {c.passed} and the lookup failed for "
            f"{c.failed} ({_first(files, _FAILURES)})",
        )
    if c.passed:
        # Not dropped, not failed: the upstream's other attested files are not listed here.
        unlisted = c.upstream_served - c.passed
        which = (
            f"{c.passed} of the {attested} (the other {unlisted} are not listed here)"
            if unlisted
            else f"{c.passed} {upstream_attests}"
        )
        up_failed = (
            f"; the upstream's lookup failed for {c.upstream_errors} other file(s) (not compared: "
            f"{_first_upstream_error(files)})"
            if c.upstream_errors
            else ""
        )
        return result(
            Verdict.PASSES,
            f"this index passes PEP 740 provenance through: it serves provenance for all "
            f"{which} ({announced}){failures}{up_failed}",
        )
    why = _why_not_compared(upstream_note, c, files, projects)
    if not c.sampled:
        nothing = _why_not_compared(None, c, files, projects)
        return result(
            Verdict.UNDETERMINED,
            f"cannot tell whether this index passes PEP 740 provenance through: {nothing}"
            + (f"; {upstream_note}" if upstream_note else ""),
        )
    details.append(f"cannot compare with the upstream: {why}; judging the index alone")
    looked_up = f"{c.looked_up} files looked up on it"
    if c.served:
        return result(
            Verdict.PASSES,
            f"this index serves PEP 740 provenance ({c.served} of the {looked_up} have it)"
            f"{failures}; cannot compare with the upstream: {why}",
        )
    if c.looked_up and c.not_served == c.looked_up:
        return result(
            Verdict.DROPS,
            f"this index does not serve PEP 740 provenance: {evidence} ({c.not_served} of the "
            f"{looked_up}){failures}; cannot compare with the upstream: {why}",
        )
    if c.looked_up and c.none == c.looked_up:
        return result(
            Verdict.UNDETERMINED,
            f"cannot tell: this index serves PEP 740 ({evidence}) but publishes no "
            f"provenance for any of the {looked_up}{failures}; cannot compare with the "
            f"upstream: {why}",
        )
    seen = [
        f"{n} {label}"
        for n, label in (
            (c.none, "said to have none"),
            (c.not_served, "with no provenance served"),
            (c.errors, "failed"),
            (c.not_listed, "not listed"),
        )
        if n
    ]
    first_error = f" (first failure: {_first(files, _FAILURES)})" if c.errors else ""
    return result(
        Verdict.UNDETERMINED,
        f"cannot tell whether this index passes PEP 740 provenance through: of the "
        f"{c.sampled} sampled files, {', '.join(seen)}"
        f"{first_error}; cannot compare with the upstream: {why}",
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
        "counts": result.counts.as_dict(),
        "warnings": result.warnings,
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
    c = result.counts
    lines.append(
        f"files: {c.sampled} sampled; index: {c.served} served, {c.none} none, "
        f"{c.not_served} not served, {c.listed_not_served} listed but not served, "
        f"{c.errors} failed, {c.not_listed} not listed; upstream: {c.upstream_served} "
        f"attested, {c.upstream_without} without, {c.upstream_errors} failed, "
        f"{c.upstream_not_asked} not asked; compared: {c.passed} passed, {c.dropped} dropped, "
        f"{c.failed} failed on the index"
    )
    lines.extend(f"warning: {w}" for w in result.warnings)
    lines.extend(result.details)
    lines.append(f"{result.verdict.value}: {result.summary}")
    return "\n".join(lines)
