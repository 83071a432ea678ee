"""Advisories that name each other (PYSEC, GHSA, CVE aliases) merged into one finding.

Two matches are one vulnerability when their ids and aliases overlap, directly or through a
third (a union over the shared ids). The finding shows a PYSEC id first when there is one (the
PyPA database's), else a GHSA id, else the smallest id; every other id is an alias. Its rating
is the worst of the group's, its fixed versions the union.
"""

from __future__ import annotations

from collections.abc import Sequence

from packaging.version import Version

from pyvouch.vulns.matching import Match
from pyvouch.vulns.model import VulnFinding
from pyvouch.vulns.severity import rate


def _preferred(ids: set[str]) -> str:
    advisory_ids = [i for i in ids if not i.startswith("CVE-")] or list(ids)
    return min(
        advisory_ids, key=lambda i: (not i.startswith("PYSEC-"), not i.startswith("GHSA-"), i)
    )


def _groups(matches: Sequence[Match]) -> list[list[Match]]:
    parent = list(range(len(matches)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, m in enumerate(matches):
        for ident in (m.advisory.id, *m.advisory.aliases):
            if ident in owner:
                parent[root(i)] = root(owner[ident])
            else:
                owner[ident] = i
    groups: dict[int, list[Match]] = {}
    for i, m in enumerate(matches):
        groups.setdefault(root(i), []).append(m)
    return list(groups.values())


def merge(name: str, version: str, matches: Sequence[Match]) -> tuple[VulnFinding, ...]:
    """One finding per vulnerability among ``matches`` (of package ``name`` at ``version``)."""
    findings = []
    for group in _groups(matches):
        ids = {i for m in group for i in (m.advisory.id, *m.advisory.aliases)}
        shown = _preferred(ids)
        summary = next((m.advisory.summary for m in group if m.advisory.summary), "")
        fixed = sorted({v for m in group for v in m.fixed}, key=Version)
        findings.append(
            VulnFinding(
                package=name,
                version=version,
                id=shown,
                aliases=tuple(sorted(ids - {shown})),
                summary=summary,
                rating=rate(m.advisory for m in group),
                fixed=tuple(fixed),
                matched="; ".join(dict.fromkeys(f"{m.advisory.id}: {m.matched}" for m in group)),
                symbols=tuple(dict.fromkeys(s for m in group for s in m.symbols)),
                urls=tuple(dict.fromkeys(u for m in group for u in m.advisory.urls))[:5],
                sources=tuple(dict.fromkeys(m.advisory.origin for m in group if m.advisory.origin)),
            )
        )
    findings.sort(key=lambda f: (f.rating.level.rank, f.id))
    return tuple(findings)
