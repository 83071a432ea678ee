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
failed) and the index is judged alone.

This module samples and compares (it does the I/O); `check_outcomes` holds what was seen and
its `Counts`, `check_verdict` judges them (every sentence of the verdict is built from the
counts it states); `pyvouch.report.index_check_report` renders the result in every format.
See docs/scan.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from pyvouch.errors import IndexLookupError
from pyvouch.index.check_outcomes import (
    LISTED_NOT_SERVED,
    NOT_LISTED,
    UNREACHABLE,
    CheckResult,
    FileCheck,
    ProjectCheck,
    Side,
)
from pyvouch.index.check_verdict import judge
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
