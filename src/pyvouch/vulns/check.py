"""Every locked package against the advisory sources: a `VulnReport`.

The source is a local OSV database (`local_db`) when one is given, else the OSV API
(`osv_api`) and, for what it could not answer, the index's JSON API (`pypi_json`). Each
package gets `affected` (with its findings, aliases merged), `no-known` (a source answered and
no advisory affects this version) or `unknown` with the reason: no version to match (a path,
VCS or URL package), a version that is not PEP 440, offline, or no source could answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyvouch.model import Package
from pyvouch.redact import quote
from pyvouch.vulns.local_db import load_database
from pyvouch.vulns.matching import match
from pyvouch.vulns.merge import merge
from pyvouch.vulns.model import PackageVulns, VulnReport, VulnStatus
from pyvouch.vulns.osv import Advisory
from pyvouch.vulns.osv_api import OsvApi, OsvSettings
from pyvouch.vulns.pypi_json import PypiJson


@dataclass(frozen=True)
class VulnSources:
    """Where advisories come from: a local database, else the OSV API (unless offline)."""

    db: Path | None = None
    osv: OsvSettings = field(default_factory=OsvSettings)
    offline: bool = False
    index_url: str | None = None
    """The scan's index: its JSON API (``/pypi/NAME/VERSION/json``) is asked for the packages
    the OSV API could not answer for (None: not asked)."""


def _versioned(package: Package) -> tuple[str, Version] | str:
    if package.origin is not None:
        return (
            f"not from an index ({package.origin}): advisories name released versions, "
            "not local or VCS code"
        )
    if not package.version:
        return "no version to match advisories against"
    try:
        return package.version, Version(package.version)
    except InvalidVersion:
        return f"version {quote(package.version)} is not a PEP 440 version: cannot be matched"


def _judged(
    name: str, version: str, parsed: Version, advisories: Sequence[Advisory], answered_by: str
) -> PackageVulns:
    matches = [m for a in advisories if (m := match(a, name, parsed)) is not None]
    findings = merge(name, version, matches)
    status = VulnStatus.AFFECTED if findings else VulnStatus.NO_KNOWN
    return PackageVulns(name, version, status, findings, answered_by)


def check_packages(packages: Sequence[Package], sources: VulnSources) -> VulnReport:
    """The vulnerability status of each package, in their order (duplicates kept)."""
    asked: list[tuple[str, tuple[str, Version] | str]] = [
        (str(canonicalize_name(p.name)), _versioned(p)) for p in packages
    ]
    if sources.db is not None:
        db = load_database(
            sources.db, cache_dir=sources.osv.cache_dir, use_cache=sources.osv.use_cache
        )
        by = f"advisory database {db.origin} ({len(db)} advisories)"
        out = []
        for name, v in asked:
            if isinstance(v, str):
                out.append(PackageVulns(name, None, VulnStatus.UNKNOWN, reason=v))
                continue
            judged = _judged(name, v[0], v[1], db.advisories(name), by)
            broken = db.unusable.get(name)
            if broken and judged.status is VulnStatus.NO_KNOWN:
                judged = PackageVulns(
                    name,
                    v[0],
                    VulnStatus.UNKNOWN,
                    reason=f"an advisory naming it could not be evaluated: {'; '.join(broken)}",
                )
            out.append(judged)
        return VulnReport(tuple(out), (db.origin,), db.skipped)
    if sources.offline:
        reason = "offline: the OSV API was not asked and no --vuln-db was given"
        return VulnReport(
            tuple(
                PackageVulns(
                    name,
                    None if isinstance(v, str) else v[0],
                    VulnStatus.UNKNOWN,
                    reason=v if isinstance(v, str) else reason,
                )
                for name, v in asked
            ),
            (),
        )
    return _from_api(asked, sources)


async def _ask(
    queries: list[tuple[str, str]], sources: VulnSources
) -> tuple[dict[tuple[str, str], list[Advisory]], dict[tuple[str, str], str], set[tuple[str, str]]]:
    """The OSV API's answers; for what it could not answer, the index's JSON API's."""
    api = OsvApi(sources.osv)
    try:
        answers = await api.answer(queries)
    finally:
        await api.aclose()
    advisories, problems = answers.advisories, answers.problems
    from_pypi: set[tuple[str, str]] = set()
    if problems and sources.index_url is not None:
        pypi = PypiJson(sources.index_url, sources.osv)
        try:
            fallback = await pypi.answer(list(problems))
        finally:
            await pypi.aclose()
        for query, found in fallback.advisories.items():
            advisories[query] = found
            from_pypi.add(query)
            del problems[query]
        for query, problem in fallback.problems.items():
            problems[query] = f"{problems[query]}; {problem}"
    return advisories, problems, from_pypi


def _from_api(
    asked: list[tuple[str, tuple[str, Version] | str]],
    sources: VulnSources,
) -> VulnReport:
    settings = sources.osv
    queries = [(name, v[0]) for name, v in asked if not isinstance(v, str)]
    advisories, problems, from_pypi = (
        asyncio.run(_ask(queries, sources)) if queries else ({}, {}, set())
    )
    by = f"the OSV API at {settings.url}"
    out: list[PackageVulns] = []
    warnings: list[str] = []
    for name, v in asked:
        if isinstance(v, str):
            out.append(PackageVulns(name, None, VulnStatus.UNKNOWN, reason=v))
            continue
        version, parsed = v
        if (name, version) in problems:
            out.append(
                PackageVulns(name, version, VulnStatus.UNKNOWN, reason=problems[name, version])
            )
            continue
        cited = advisories.get((name, version), [])
        answered_by = by
        if (name, version) in from_pypi:
            answered_by = "PyPI's JSON API on the index (the OSV API could not answer)"
        judged = _judged(name, version, parsed, cited, answered_by)
        matched = {i for f in judged.findings for i in f.ids}
        warnings += [
            f"the OSV API cited {a.id} for {name} {version}, but its ranges do not include "
            "that version (withdrawn, or not affected as OSV's rules read it): not counted"
            for a in cited
            if a.id not in matched
        ]
        out.append(judged)
    return VulnReport(tuple(out), (settings.url,), tuple(dict.fromkeys(warnings)))
