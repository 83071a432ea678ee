"""Markdown with ``--vulns``: the scan's report, then a "Vulnerabilities" section: findings in
priority order (reachable first), what could not be checked, each finding's reasons folded in
``<details>``. Every piece of data goes through the one escaper (`report.markdown.escape`)."""

from __future__ import annotations

from pyvouch.model import ScanResult
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions
from pyvouch.report.markdown import escape
from pyvouch.report.markdown import render as render_scan
from pyvouch.report.vulns_common import (
    attestation_text,
    decision_text,
    exposure_text,
    fix_text,
    severity_text,
    summary_line,
    unknown_statement,
)
from pyvouch.vulns.model import RankedFinding, VulnAssessment

_HEADER = (
    "| priority | package | version | advisory | severity | exposure | fix | attestation | "
    "decision |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
)


def _row(ranked: RankedFinding) -> str:
    f = ranked.finding
    ids = ", ".join(f.ids)
    cells = [
        ranked.priority.value,
        escape(f.package),
        escape(f.version),
        escape(ids),
        escape(severity_text(ranked)),
        escape(exposure_text(ranked)),
        escape(fix_text(ranked)),
        escape(attestation_text(ranked)),
        escape(decision_text(ranked)),
    ]
    return "| " + " | ".join(cells) + " |"


def render(
    result: ScanResult, vulns: VulnAssessment, options: RenderOptions = DEFAULT_OPTIONS
) -> str:
    limit = max(options.max_rows, 1)
    lines = ["", "### Vulnerabilities", "", f"**{escape(summary_line(vulns))}**", ""]
    lines.append(f"Reachability: {escape(vulns.reachability)}")
    statement = unknown_statement(vulns)
    if statement:
        lines += ["", f"> {escape(statement)}"]
    if vulns.findings:
        lines += ["", *_HEADER, *(_row(r) for r in vulns.findings[:limit])]
        if len(vulns.findings) > limit:
            lines += ["", f"... and {len(vulns.findings) - limit} more"]
        lines += ["", "<details><summary>Why each finding ranks where it does</summary>", ""]
        for ranked in vulns.findings[:limit]:
            why = list(ranked.reasons)
            if ranked.verdict is not None:
                why = [*ranked.verdict.reasons, *why]
            head = f"{ranked.finding.package} {ranked.finding.id}"
            lines.append(f"- {escape(head)}: {escape('; '.join(why))}")
        lines += ["", "</details>"]
    if vulns.report.warnings:
        lines += ["", "<details><summary>Advisory warnings</summary>", ""]
        lines += [f"- {escape(w)}" for w in vulns.report.warnings[:limit]]
        lines += ["", "</details>"]
    return render_scan(result, options) + "\n".join(lines) + "\n"
