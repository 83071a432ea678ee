"""SARIF with ``--vulns``: the scan's results plus one result per finding that may be reached
(``direct``, ``transitive`` or ``unknown`` exposure), in the same run.

The level comes from the priority: P1 error, P2 warning, P3 note. A finding imported directly
points at the first-party file and line that imports it; otherwise at the lock file.
"""

from __future__ import annotations

from pyvouch.model import Rule, ScanResult, Severity
from pyvouch.reachability.model import Exposure
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions, json_text
from pyvouch.report.sarif import to_document
from pyvouch.report.sarif_builder import Location, Result, artifact_uri
from pyvouch.report.vulns_common import finding_data
from pyvouch.vulns.model import Priority, RankedFinding, VulnAssessment

REACHABLE = Rule(
    "PYV101",
    "ReachableVulnerability",
    Severity.ERROR,
    "A locked package has a known vulnerability and the project's code imports it (directly "
    "or through other packages).",
)
POSSIBLY_REACHABLE = Rule(
    "PYV102",
    "PossiblyReachableVulnerability",
    Severity.WARNING,
    "A locked package has a known vulnerability and whether the project's code reaches it "
    "could not be told.",
)
VULN_RULES = (REACHABLE, POSSIBLY_REACHABLE)
LEVELS = {Priority.P1: Severity.ERROR, Priority.P2: Severity.WARNING}


def _location(ranked: RankedFinding, lock_uri: str | None, base_dir: str | None) -> Location | None:
    logical = ((ranked.finding.package, "package"),)
    evidence = ranked.evidence
    if evidence is not None and evidence.file:
        uri = artifact_uri(evidence.file, base_dir)
        if uri is not None:
            return Location(uri, evidence.line, logical)
    return Location(lock_uri, logical=logical) if lock_uri is not None else None


def _result(ranked: RankedFinding, lock_uri: str | None, base_dir: str | None) -> Result:
    f = ranked.finding
    rule = POSSIBLY_REACHABLE if ranked.exposure is Exposure.UNKNOWN else REACHABLE
    also = f" ({', '.join(f.aliases)})" if f.aliases else ""
    text = (
        f"{f.package} {f.version}: {f.id}{also}, {ranked.priority.value}: "
        f"{'; '.join(ranked.reasons)}."
    )
    if ranked.verdict is not None:
        text += f" Policy: {ranked.verdict.action.value} by rule {ranked.verdict.rule}."
    location = _location(ranked, lock_uri, base_dir)
    return Result(
        rule.id,
        LEVELS.get(ranked.priority, Severity.INFO),
        text,
        locations=() if location is None else (location,),
        fingerprints={"pyvouchVulnerability/v1": f"{f.package}@{f.version}:{f.id}"},
        properties=finding_data(ranked),
    )


def render(
    result: ScanResult, vulns: VulnAssessment, options: RenderOptions = DEFAULT_OPTIONS
) -> str:
    lock_uri = artifact_uri(result.source, options.base_dir)
    reached = (Exposure.DIRECT, Exposure.TRANSITIVE, Exposure.UNKNOWN)
    results = [
        _result(r, lock_uri, options.base_dir) for r in vulns.findings if r.exposure in reached
    ]
    return json_text(to_document(result, options, extra_rules=VULN_RULES, extra_results=results))
