"""One ordering a person can explain: reachability first, then severity, then whether a fix
exists; the package's attestation status is shown beside it and never decides exposure.

Order of exposure: ``direct``, ``transitive``, ``unknown`` (could not tell, so it may be
reached), ``test-only``, ``not-imported``. Within one exposure, worse severity first (an
unknown severity after the known ones, and said so); then a finding with a fix before one
without (it can be acted on now); then by package and id. Each finding carries its reasons in
that order. The buckets (`Priority`) give reports a level: P1 reachable and high or critical,
P2 reachable otherwise or unknown exposure and high or critical, P3 unknown exposure otherwise
or test-only, P4 not imported.

A package the reachability report has no entry for (or no report at all) is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyvouch.model import Status
from pyvouch.reachability.model import Evidence, Exposure, ReachabilityReport
from pyvouch.vulns.model import Level, Priority, RankedFinding, VulnFinding, VulnReport

EXPOSURE_ORDER: tuple[Exposure, ...] = (
    Exposure.DIRECT,
    Exposure.TRANSITIVE,
    Exposure.UNKNOWN,
    Exposure.TEST_ONLY,
    Exposure.NOT_IMPORTED,
)
_SEVERE = (Level.CRITICAL, Level.HIGH)


def bucket(exposure: Exposure, level: Level) -> Priority:
    if exposure in (Exposure.DIRECT, Exposure.TRANSITIVE):
        return Priority.P1 if level in _SEVERE else Priority.P2
    if exposure is Exposure.UNKNOWN:
        return Priority.P2 if level in _SEVERE else Priority.P3
    if exposure is Exposure.TEST_ONLY:
        return Priority.P3
    return Priority.P4


def _exposure_reason(evidence: Evidence | None, missing: str) -> str:
    if evidence is None:
        return f"exposure unknown: {missing}"
    where = f" at {evidence.file}:{evidence.line}" if evidence.file and evidence.line else ""
    chain = f" (chain: {' -> '.join(evidence.chain)})" if evidence.chain else ""
    words = {
        Exposure.DIRECT: f"imported directly by first-party code{where}{chain}",
        Exposure.TRANSITIVE: f"reached through other packages' imports{where}{chain}",
        Exposure.TEST_ONLY: f"imported only from tests or dev-only packages{where}{chain}",
        Exposure.NOT_IMPORTED: "installed but never imported",
        Exposure.UNKNOWN: "exposure unknown",
    }[evidence.exposure]
    return f"{words}: {evidence.note}" if evidence.note else words


def _severity_reason(finding: VulnFinding) -> str:
    rating = finding.rating
    if rating.level is Level.UNKNOWN:
        return f"severity unknown ({rating.source}); ranked after known severities"
    score = f" {rating.score:.1f}" if rating.score is not None else ""
    return f"severity {rating.level.value} ({rating.source}{score})"


def _symbol_reason(
    finding: VulnFinding, report: ReachabilityReport | None
) -> tuple[str | None, tuple[tuple[str, int], ...]]:
    if not finding.symbols or report is None:
        return None, ()
    uses: list[tuple[str, int]] = []
    for module, attribute in finding.symbols:
        if attribute is not None:
            uses += report.symbol_uses.get((module, attribute), ())
    names = ", ".join(m if a is None else f"{m}.{a}" for m, a in finding.symbols)
    if uses:
        shown = ", ".join(f"{f}:{line}" for f, line in uses[:5])
        return f"first-party code references the affected {names} ({shown})", tuple(uses)
    return f"the advisory names {names}; no first-party reference to it was found", ()


def rank(
    report: VulnReport,
    reachability: ReachabilityReport | None,
    attestation: Mapping[str, Status],
    missing: str = "reachability was not analysed (no --source)",
) -> tuple[RankedFinding, ...]:
    """Every finding of ``report`` with its exposure and reasons, in priority order.

    ``attestation``: the scan's status per normalized name; ``missing``: why exposure is
    unknown when the reachability report has nothing for a package."""
    ranked: list[RankedFinding] = []
    seen: set[tuple[str, str, str]] = set()
    for package in report.packages:
        for finding in package.findings:
            key = (finding.package, finding.version, finding.id)
            if key in seen:
                continue
            seen.add(key)
            evidence = reachability.by_distribution.get(finding.package) if reachability else None
            exposure = evidence.exposure if evidence is not None else Exposure.UNKNOWN
            why_missing = missing if reachability is None else "no entry in the analysis"
            status = attestation.get(finding.package)
            reasons = [
                _exposure_reason(evidence, why_missing),
                _severity_reason(finding),
                f"fixed in {', '.join(finding.fixed)}"
                if finding.fixed
                else "no fixed version known",
            ]
            symbols, uses = _symbol_reason(finding, reachability)
            if symbols:
                reasons.append(symbols)
            if status is not None:
                reasons.append(
                    f"attestation: {status.value} (shown beside; it does not change exposure)"
                )
            ranked.append(
                RankedFinding(
                    finding,
                    exposure,
                    evidence,
                    status,
                    bucket(exposure, finding.rating.level),
                    tuple(reasons),
                    uses,
                )
            )
    ranked.sort(
        key=lambda r: (
            EXPOSURE_ORDER.index(r.exposure),
            r.finding.rating.level.rank,
            not r.finding.fix_available,
            r.finding.package,
            r.finding.id,
        )
    )
    return tuple(ranked)
