"""The vulnerability section of scan's `Report` (``scan --vulns``), built once for every
format: `scan_report.build` adds it to the JSON body (``vulnerabilities``:
`vulns_common.section_data`), the document (`blocks`), the terminal view (`lines`, after the
package table) and the SARIF run (`SARIF_RULES`, `sarif_results`); CycloneDX adds its VEX
section from ``Report.vulns`` (``vulns_cyclonedx.py``). A new format that reads a `Report`
gets the section with the rest.

Findings come in priority order (reachable first), with exposure, severity, fix and
attestation side by side; a package no source could answer for is "could not be checked".
"""

from __future__ import annotations

from pyvouch.model import Action, Rule, Severity
from pyvouch.reachability.model import Exposure
from pyvouch.report._common import one_line
from pyvouch.report.document import Block, Bullets, Heading, Item, Line, Paragraph, Row, Table
from pyvouch.report.sarif_builder import Location, Result, artifact_uri
from pyvouch.report.vulns_common import (
    attestation_text,
    decision_text,
    exposure_text,
    finding_data,
    fix_text,
    severity_text,
    summary_line,
    unknown_statement,
)
from pyvouch.vulns.model import Priority, RankedFinding, VulnAssessment

# --- the document (Markdown) -----------------------------------------------------------------

COLUMNS = (
    "priority",
    "package",
    "version",
    "advisory",
    "severity",
    "exposure",
    "fix",
    "attestation",
    "decision",
)


def _cells(ranked: RankedFinding, ident: str) -> tuple[str, ...]:
    return (
        ranked.priority.value,
        ranked.finding.package,
        ranked.finding.version,
        ident,
        severity_text(ranked),
        exposure_text(ranked),
        fix_text(ranked),
        attestation_text(ranked),
        decision_text(ranked),
    )


def _why(ranked: RankedFinding) -> Item:
    why = list(ranked.reasons)
    if ranked.verdict is not None:
        why = [*ranked.verdict.reasons, *why]
    return Item(f"{ranked.finding.package} {ranked.finding.id}: {'; '.join(why)}")


def blocks(vulns: VulnAssessment) -> tuple[Block, ...]:
    """The "Vulnerabilities" section: summary, how exposure was told, what could not be
    checked, the findings, why each ranks where it does (folded), the advisory warnings."""
    out: list[Block] = [
        Heading("Vulnerabilities"),
        Paragraph(summary_line(vulns), strong=True),
        Paragraph(f"Reachability: {vulns.reachability}"),
    ]
    statement = unknown_statement(vulns)
    if statement:
        out.append(Paragraph(statement, quote=True))
    if vulns.findings:
        rows = tuple(Row(_cells(r, ", ".join(r.finding.ids))) for r in vulns.findings)
        out.append(Table(COLUMNS, rows))
        reasons = tuple(_why(r) for r in vulns.findings)
        out.append(Bullets(reasons, title="Why each finding ranks where it does", folded=True))
    if vulns.report.warnings:
        warnings = tuple(Item(w) for w in vulns.report.warnings)
        out.append(Bullets(warnings, title="Advisory warnings", folded=True))
    return tuple(out)


# --- the terminal view (after the package table) ---------------------------------------------

STYLES = {Priority.P1: "bold red", Priority.P2: "yellow", Priority.P3: None, Priority.P4: "dim"}
WARNINGS_SHOWN = 20
"""Advisory warnings shown without ``--verbose``."""
REASON_WIDTH = 200
"""Characters of a finding's reasons shown without ``--verbose``."""


def _shorten(text: str, width: int = REASON_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3].rstrip() + "..."


def _terminal_cells(ranked: RankedFinding) -> tuple[str, ...]:
    f = ranked.finding
    ident = f"{f.id} (+{len(f.aliases)})" if f.aliases else f.id
    return tuple(one_line(c) for c in _cells(ranked, ident))


def _reason_lines(ranked: RankedFinding) -> list[Line]:
    """A finding's reasons: all of them with ``--verbose``; without it, only a finding the
    policy warns on or blocks, shortened."""
    verdict = ranked.verdict
    why = "; ".join((*(verdict.reasons if verdict else ()), *ranked.reasons))
    head = f"{verdict.action.value}: " if verdict is not None else ""
    line = f"{head}{ranked.finding.package} {ranked.finding.version}: {why}"
    if verdict is None or verdict.action is Action.ALLOW:
        return [Line(line, verbose=True)]
    return [Line(_shorten(one_line(line)), verbose=False), Line(line, verbose=True)]


def lines(vulns: VulnAssessment) -> tuple[Line, ...]:
    """A blank line, one aligned line per finding (the `COLUMNS`), the summary, how exposure
    was told, what could not be checked, the reasons, the advisory warnings, what the
    reachability analysis skipped."""
    rows = [_terminal_cells(r) for r in vulns.findings]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)] if rows else []
    out = [Line("")]
    for ranked, row in zip(vulns.findings, rows, strict=True):
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        out.append(Line("  ".join([*cells, row[-1]]).rstrip(), style=STYLES[ranked.priority]))
    out.append(Line(summary_line(vulns)))
    out.append(Line(f"reachability: {vulns.reachability}"))
    statement = unknown_statement(vulns)
    if statement:
        out.append(Line(statement, style="magenta"))
    for ranked in vulns.findings:
        out += _reason_lines(ranked)
    warnings = vulns.report.warnings
    for i, warning in enumerate(warnings):
        out.append(Line(f"warning: {warning}", verbose=True if i >= WARNINGS_SHOWN else None))
    hidden = len(warnings) - WARNINGS_SHOWN
    if hidden > 0:
        out.append(Line(f"warning: ... and {hidden} more (--verbose)", verbose=False))
    out += [Line(f"reachability skipped: {skipped}") for skipped in vulns.skipped]
    return tuple(out)


# --- SARIF -----------------------------------------------------------------------------------

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
SARIF_RULES = (REACHABLE, POSSIBLY_REACHABLE)
LEVELS = {Priority.P1: Severity.ERROR, Priority.P2: Severity.WARNING}
"""A result's level by priority: P1 error, P2 warning, anything else a note."""
REACHED = (Exposure.DIRECT, Exposure.TRANSITIVE, Exposure.UNKNOWN)
"""The exposures that make a SARIF result: a finding that may be reached."""


def _location(ranked: RankedFinding, lock_uri: str | None, base_dir: str | None) -> Location | None:
    """The first-party file and line that imports the package where known, else the lock."""
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


def sarif_results(
    vulns: VulnAssessment, lock_uri: str | None, base_dir: str | None
) -> tuple[Result, ...]:
    """One result per finding that may be reached (``direct``, ``transitive``, ``unknown``)."""
    return tuple(_result(r, lock_uri, base_dir) for r in vulns.findings if r.exposure in REACHED)
