"""What every format's vulnerability section shares: the JSON form of a finding, counts,
wording. Exposure, severity and attestation are always shown side by side, and a package no
source could answer for is "could not be checked", never "no known vulnerabilities".
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pyvouch.report._common import tally
from pyvouch.vulns.model import (
    PackageVulns,
    Priority,
    RankedFinding,
    VulnAssessment,
    VulnStatus,
)


def finding_data(ranked: RankedFinding) -> dict[str, Any]:
    """One ranked finding as JSON-ready data (JSON output, SARIF properties)."""
    f = ranked.finding
    evidence = ranked.evidence
    verdict = ranked.verdict
    return {
        "priority": ranked.priority.value,
        "package": f.package,
        "version": f.version,
        "id": f.id,
        "aliases": list(f.aliases),
        "summary": f.summary,
        "severity": {
            "level": f.rating.level.value,
            "score": f.rating.score,
            "vector": f.rating.vector,
            "source": f.rating.source,
        },
        "fixed": list(f.fixed),
        "fix_available": f.fix_available,
        "matched": f.matched,
        "exposure": ranked.exposure.value,
        "evidence": None
        if evidence is None
        else {
            "chain": list(evidence.chain),
            "file": evidence.file,
            "line": evidence.line,
            "note": evidence.note,
        },
        "attestation": ranked.attestation.value if ranked.attestation is not None else None,
        "symbols": [{"module": m, "attribute": a} for m, a in f.symbols],
        "symbol_uses": [{"file": file, "line": line} for file, line in ranked.symbol_uses],
        "reasons": list(ranked.reasons),
        "decision": None
        if verdict is None
        else {
            "action": verdict.action.value,
            "rule": verdict.rule,
            "reasons": list(verdict.reasons),
        },
        "urls": list(f.urls),
        "sources": list(f.sources),
    }


def package_data(pkg: PackageVulns) -> dict[str, Any]:
    return {
        "name": pkg.name,
        "version": pkg.version,
        "status": pkg.status.value,
        "reason": pkg.reason,
        "findings": [f.id for f in pkg.findings],
    }


def section_data(vulns: VulnAssessment) -> dict[str, Any]:
    """The ``vulnerabilities`` member of the JSON output."""
    report = vulns.report
    return {
        "sources": list(report.sources),
        "reachability": vulns.reachability,
        "summary": {
            **tally((p.status for p in report.packages), tuple(VulnStatus)),
            "findings": len(vulns.findings),
            "by_priority": tally((r.priority for r in vulns.findings), tuple(Priority)),
            "blocked": vulns.blocked(),
        },
        "findings": [finding_data(r) for r in vulns.findings],
        "packages": [package_data(p) for p in report.packages],
        "warnings": list(report.warnings),
        "skipped": list(vulns.skipped),
    }


def summary_line(vulns: VulnAssessment) -> str:
    """E.g. ``vulnerabilities: 3 findings in 2 packages (P1 1, P2 2); 1 package could not be
    checked``."""
    report = vulns.report
    affected = report.count(VulnStatus.AFFECTED)
    n = len(vulns.findings)
    line = f"vulnerabilities: {n} finding{'s' if n != 1 else ''}"
    if n:
        buckets = Counter(r.priority for r in vulns.findings)
        shown = ", ".join(f"{p.value} {buckets[p]}" for p in Priority if buckets[p])
        line += f" in {affected} package{'s' if affected != 1 else ''} ({shown})"
    clear = report.count(VulnStatus.NO_KNOWN)
    if clear:
        line += f"; {clear} with no known vulnerability"
    unknown = report.count(VulnStatus.UNKNOWN)
    if unknown:
        line += f"; {unknown} could not be checked"
    blocked = vulns.blocked()
    if blocked:
        line += f"; {blocked} blocked by policy"
    return line


def unknown_statement(vulns: VulnAssessment, *, top: int = 3) -> str | None:
    """ "N packages could not be checked for vulnerabilities: <reasons>", or None."""
    unknown = [p for p in vulns.report.packages if p.status is VulnStatus.UNKNOWN]
    if not unknown:
        return None
    reasons = Counter(p.reason or "no reason recorded" for p in unknown)
    shown = [f"{r} ({n})" if n > 1 else r for r, n in reasons.most_common(top)]
    if len(reasons) > top:
        shown.append(f"{len(reasons) - top} other reasons")
    noun = "package" if len(unknown) == 1 else "packages"
    return f"{len(unknown)} {noun} could not be checked for vulnerabilities: {'; '.join(shown)}"


def fix_text(ranked: RankedFinding) -> str:
    return ", ".join(ranked.finding.fixed) if ranked.finding.fixed else "no fix"


def severity_text(ranked: RankedFinding) -> str:
    rating = ranked.finding.rating
    if rating.score is not None:
        return f"{rating.level.value} {rating.score:.1f}"
    return rating.level.value


def attestation_text(ranked: RankedFinding) -> str:
    return ranked.attestation.value if ranked.attestation is not None else "-"


def decision_text(ranked: RankedFinding) -> str:
    return ranked.verdict.action.value if ranked.verdict is not None else "-"


def exposure_text(ranked: RankedFinding) -> str:
    evidence = ranked.evidence
    if evidence is not None and evidence.file and evidence.line:
        return f"{ranked.exposure.value} ({evidence.file}:{evidence.line})"
    return ranked.exposure.value
