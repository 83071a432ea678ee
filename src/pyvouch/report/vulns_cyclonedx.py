"""CycloneDX 1.6 with ``--vulns``: the ``vulnerabilities`` section with VEX that
``cyclonedx_report.py`` adds to the scan's BOM when its `Report` carries ``vulns``.

One vulnerability per finding (aliases merged: the other ids are references), affecting the
component of its package and version. Its ``analysis``:

- ``not-imported``: state ``not_affected``, justification ``code_not_reachable``;
- ``direct`` or ``transitive`` where the advisory names affected symbols and first-party code
  references one: ``exploitable``;
- otherwise (``direct``, ``transitive``, ``test-only``, ``unknown``): ``in_triage``;

with the evidence (exposure, chain, importing file and line, the reasons) in ``detail``.
Ratings carry the CVSS score and vector where there is one. ``pyvouch:`` properties give the
priority, the exposure, the package's attestation status and the policy's decision.
"""

from __future__ import annotations

from decimal import Decimal

from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisAffectedStatus,
    ImpactAnalysisJustification,
    ImpactAnalysisState,
)
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)

from pyvouch.reachability.model import Exposure
from pyvouch.report.cyclonedx_report import NAMESPACE, purl
from pyvouch.report.vulns_common import attestation_text
from pyvouch.vulns.model import Level, RankedFinding, VulnAssessment

_SEVERITY = {
    Level.CRITICAL: VulnerabilitySeverity.CRITICAL,
    Level.HIGH: VulnerabilitySeverity.HIGH,
    Level.MEDIUM: VulnerabilitySeverity.MEDIUM,
    Level.LOW: VulnerabilitySeverity.LOW,
    Level.NONE: VulnerabilitySeverity.NONE,
    Level.UNKNOWN: VulnerabilitySeverity.UNKNOWN,
}


def _source(ident: str) -> VulnerabilitySource:
    if ident.startswith("GHSA-"):
        return VulnerabilitySource(
            name="GitHub Advisory Database",
            url=XsUri(f"https://github.com/advisories/{ident}"),
        )
    if ident.startswith("CVE-"):
        return VulnerabilitySource(
            name="NVD", url=XsUri(f"https://nvd.nist.gov/vuln/detail/{ident}")
        )
    return VulnerabilitySource(name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{ident}"))


def analysis_of(ranked: RankedFinding) -> VulnerabilityAnalysis:
    """The VEX analysis of a finding (see the module's docstring), evidence in the detail."""
    detail = "; ".join(ranked.reasons)
    if ranked.exposure is Exposure.NOT_IMPORTED:
        return VulnerabilityAnalysis(
            state=ImpactAnalysisState.NOT_AFFECTED,
            justification=ImpactAnalysisJustification.CODE_NOT_REACHABLE,
            detail=detail,
        )
    if ranked.reachable and ranked.symbol_uses:
        return VulnerabilityAnalysis(state=ImpactAnalysisState.EXPLOITABLE, detail=detail)
    return VulnerabilityAnalysis(state=ImpactAnalysisState.IN_TRIAGE, detail=detail)


def _rating(ranked: RankedFinding) -> VulnerabilityRating:
    rating = ranked.finding.rating
    method = None
    if rating.vector is not None:
        if rating.vector.startswith("CVSS:4"):
            method = VulnerabilityScoreSource.CVSS_V4
        elif rating.vector.startswith("CVSS:3.1"):
            method = VulnerabilityScoreSource.CVSS_V3_1
        elif rating.vector.startswith("CVSS:3"):
            method = VulnerabilityScoreSource.CVSS_V3
    return VulnerabilityRating(
        score=Decimal(str(rating.score)) if rating.score is not None else None,
        severity=_SEVERITY[rating.level],
        method=method,
        vector=rating.vector,
    )


def _vulnerability(ranked: RankedFinding, ref: str) -> Vulnerability:
    f = ranked.finding

    def prop(name: str, value: str) -> Property:
        return Property(name=f"{NAMESPACE}:{name}", value=value)

    props = [
        prop("vulnerability:priority", ranked.priority.value),
        prop("vulnerability:exposure", ranked.exposure.value),
        prop("vulnerability:attestation", attestation_text(ranked)),
        prop("vulnerability:matched", f.matched),
    ]
    if ranked.verdict is not None:
        props.append(prop("decision:action", ranked.verdict.action.value))
        props.append(prop("decision:rule", ranked.verdict.rule))
        props += [prop("decision:reason", r) for r in ranked.verdict.reasons]
    return Vulnerability(
        bom_ref=f"{f.id}@{ref}",
        id=f.id,
        source=_source(f.id),
        references=[VulnerabilityReference(id=a, source=_source(a)) for a in f.aliases],
        ratings=[_rating(ranked)],
        description=f.summary or None,
        recommendation=f"Upgrade to {' or '.join(f.fixed)}" if f.fixed else None,
        analysis=analysis_of(ranked),
        affects=[
            BomTarget(
                ref=ref,
                versions=[
                    BomTargetVersionRange(
                        version=f.version, status=ImpactAnalysisAffectedStatus.AFFECTED
                    )
                ],
            )
        ],
        properties=props,
    )


def add_vulnerabilities(bom: Bom, vulns: VulnAssessment) -> None:
    """One vulnerability per finding, affecting its package's component in ``bom``."""
    refs: dict[str, str] = {}
    for component in bom.components:
        if component.purl is not None and component.bom_ref.value is not None:
            refs.setdefault(component.purl.to_string(), component.bom_ref.value)
    for ranked in vulns.findings:
        key = purl(ranked.finding.package, ranked.finding.version).to_string()
        bom.vulnerabilities.add(_vulnerability(ranked, refs.get(key, key)))
