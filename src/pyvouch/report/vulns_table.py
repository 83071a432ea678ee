"""The table with ``--vulns``: the scan's table, then one row per finding in priority order
(priority, package, version, id, severity, exposure, fix, attestation, decision), its summary
line, what could not be checked and each finding's reasons (``--verbose``: all of them)."""

from __future__ import annotations

import io

from rich import box
from rich.table import Table
from rich.text import Text

from pyvouch.model import Action, ScanResult
from pyvouch.report import table as scan_table
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions
from pyvouch.report.vulns_common import (
    attestation_text,
    decision_text,
    exposure_text,
    fix_text,
    severity_text,
    summary_line,
    unknown_statement,
)
from pyvouch.vulns.model import Priority, RankedFinding, VulnAssessment

_STYLES = {Priority.P1: "bold red", Priority.P2: "yellow", Priority.P3: "", Priority.P4: "dim"}
_COLUMNS = ("prio", "package", "version", "id", "severity", "exposure", "fix", "attestation")


def _row(ranked: RankedFinding) -> tuple[str, ...]:
    f = ranked.finding
    ident = f"{f.id} (+{len(f.aliases)})" if f.aliases else f.id
    return (
        ranked.priority.value,
        f.package,
        f.version,
        ident,
        severity_text(ranked),
        exposure_text(ranked),
        fix_text(ranked),
        attestation_text(ranked),
        decision_text(ranked),
    )


def render(
    result: ScanResult, vulns: VulnAssessment, options: RenderOptions = DEFAULT_OPTIONS
) -> str:
    console = scan_table._console(options)
    rows = [_row(r) for r in vulns.findings]
    one_line = options.compact
    console.print(Text(""))
    if rows and options.compact:
        widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
        for row in rows:
            cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
            console.print(Text("  ".join([*cells, row[-1]]).rstrip()), soft_wrap=True)
    elif rows:
        grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        for name in (*_COLUMNS, "decision"):
            grid.add_column(name, overflow="fold")
        for ranked, row in zip(vulns.findings, rows, strict=True):
            grid.add_row(*(Text(c) for c in row), style=_STYLES[ranked.priority])
        console.print(grid)
    console.print(Text(summary_line(vulns)), soft_wrap=one_line)
    console.print(Text(f"reachability: {vulns.reachability}"), soft_wrap=one_line)
    statement = unknown_statement(vulns)
    if statement:
        console.print(Text(statement, style="magenta"), soft_wrap=one_line)
    for ranked in vulns.findings:
        verdict = ranked.verdict
        if options.verbose or (verdict is not None and verdict.action is not Action.ALLOW):
            why = "; ".join((*(verdict.reasons if verdict else ()), *ranked.reasons))
            head = f"{verdict.action.value}: " if verdict is not None else ""
            line = f"{head}{ranked.finding.package} {ranked.finding.version}: {why}"
            console.print(
                Text(line if options.verbose else scan_table.shorten(line, 200)), soft_wrap=one_line
            )
    for warning in vulns.report.warnings[: 20 if not options.verbose else None]:
        console.print(Text(f"warning: {warning}"), soft_wrap=one_line)
    hidden = len(vulns.report.warnings) - 20
    if hidden > 0 and not options.verbose:
        console.print(Text(f"warning: ... and {hidden} more (--verbose)"), soft_wrap=one_line)
    for skipped in vulns.skipped:
        console.print(Text(f"reachability skipped: {skipped}"), soft_wrap=one_line)
    out = console.file
    assert isinstance(out, io.StringIO)
    return scan_table.render(result, options) + out.getvalue()
