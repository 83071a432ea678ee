"""`pyvouch diff` as a `Report`: Markdown for a pull-request comment, JSON
(``pyvouch-diff/1``), text, SARIF for code scanning (`diff_sarif`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyvouch.policy.diff import ChangeKind, DiffReport, Entry
from pyvouch.policy.trust_inputs import TrustChange
from pyvouch.report.diff_sarif import sarif_run
from pyvouch.report.document import Block, Bullets, Item, Line, Paragraph, Report, Row, Table
from pyvouch.report.scan_report import decision_json

SCHEMA = "pyvouch-diff/1"
ALTERNATIVES_HEAD = "Signed alternatives (their current release verifies on the index):"


def _counts(entries: Sequence[Entry]) -> str:
    parts = [
        f"{sum(e.change.kind is kind for e in entries)} {kind.value}"
        for kind in (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED)
    ]
    return ", ".join(parts)


def _findings(entry: Entry) -> list[str]:
    """What a reviewer must read: the decision's reasons when it is not a plain allow, and
    the comparisons with the base."""
    out: list[str] = []
    decision = entry.decision
    if decision is not None and decision.action.value != "allow":
        out += [f"{decision.action.value} ({decision.rule}): {r}" for r in decision.reasons]
    out += list(entry.notes)
    return out


def _status(entry: Entry) -> str:
    if entry.status is None:
        return "-" if entry.change.kind is ChangeKind.REMOVED else "not looked up"
    return entry.status.value


def _summary(report: DiffReport) -> str:
    blocked = sum(e.blocked for e in report.entries)
    head = f"{_counts(report.entries)}; mode {report.mode}"
    if report.trust.changes:
        head += f"; {len(report.trust.changes)} trust input change(s) ({report.trust.action.value})"
    if report.index_url is None:
        return head + "; nothing looked up (--no-lookup)"
    return head + f"; {blocked} blocked (index {report.index_url})"


def _trust_line(change: TrustChange) -> str:
    return f"{change.input.value} ({change.where}): {change.detail}"


def _lines(report: DiffReport) -> list[Line]:
    lines = [Line(f"pyvouch diff {report.base} -> {report.head}: {_summary(report)}")]
    for e in report.entries:
        c = e.change
        head = f"{c.kind.value:8} {c.name} {c.base_versions} -> {c.head_versions}"
        head += f" ({c.detail}): " if c.detail else ": "
        head += _status(e)
        if e.publishers:
            head += f" ({', '.join(e.publishers)})"
        lines.append(Line(head))
        lines += [Line(f, indent=4) for f in _findings(e)]
        lines += [Line(f"signed alternative: {a}", indent=4) for a in e.alternatives]
    if report.trust.changes:
        lines.append(Line(f"trust inputs: {report.trust.summary()}"))
        lines += [Line(_trust_line(c), indent=4) for c in report.trust.changes]
    lines += [Line(w, status="warning:") for w in report.warnings]
    return lines


def _blocks(report: DiffReport) -> list[Block]:
    blocks: list[Block] = [Paragraph(_summary(report))]
    trust = report.trust
    if trust.changes:
        blocks.append(Paragraph(trust.summary(), label="Trust inputs changed:"))
        blocks.append(Bullets(tuple(Item(_trust_line(c)) for c in trust.changes)))
    blocked = [e for e in report.entries if e.blocked]
    if blocked:
        blocks.append(Paragraph(f"{len(blocked)} change(s) blocked by the policy:", strong=True))
        items = [
            Item(reason, label=e.change.name)
            for e in blocked
            if e.decision is not None
            for reason in e.decision.reasons
        ]
        blocks.append(Bullets(tuple(items)))
    if report.entries:
        rows = []
        for e in report.entries:
            c = e.change
            cells = (
                c.kind.value,
                c.name,
                c.base_versions,
                c.head_versions + (f" ({c.detail})" if c.detail else ""),
                _status(e),
                ", ".join(e.publishers) or "-",
                e.decision.action.value if e.decision is not None else "-",
            )
            rows.append(Row(cells, e.status.value if e.status is not None else None))
        columns = ("change", "package", "base", "head", "attestation", "publisher", "decision")
        blocks.append(Table(columns, tuple(rows)))
    notes = [
        Item(f, label=e.change.name) for e in report.entries if not e.blocked for f in _findings(e)
    ]
    if notes:
        blocks += [Paragraph("Findings:"), Bullets(tuple(notes))]
    alternatives = [e for e in report.entries if e.alternatives]
    if alternatives:
        blocks.append(
            Paragraph("Signed alternatives (their current release verifies on the index):")
        )
        blocks.append(
            Bullets(
                tuple(
                    Item(
                        f"({_status(e)}): consider {', '.join(e.alternatives)}", label=e.change.name
                    )
                    for e in alternatives
                )
            )
        )
    return blocks


def body(report: DiffReport) -> dict[str, Any]:
    return {
        "base": report.base,
        "head": report.head,
        "mode": report.mode,
        "index_url": report.index_url,
        "exit_code": report.exit_code,
        "changes": [
            {
                "name": e.change.name,
                "change": e.change.kind.value,
                "base_version": e.change.base_versions,
                "head_version": e.change.head_versions,
                "detail": e.change.detail,
                "status": e.status.value if e.status else None,
                "base_status": e.base_status.value if e.base_status else None,
                "publishers": list(e.publishers),
                "base_publishers": list(e.base_publishers),
                "notes": list(e.notes),
                "decision": decision_json(e.decision),
                "alternatives": list(e.alternatives),
            }
            for e in report.entries
        ],
        "trust_changes": {
            "action": report.trust.action.value,
            "approved_by": list(report.trust.approved_by),
            "summary": report.trust.summary(),
            "changes": [
                {"input": c.input.value, "where": c.where, "detail": c.detail}
                for c in report.trust.changes
            ],
        },
        "warnings": list(report.warnings),
    }


def build(report: DiffReport) -> Report:
    return Report(
        command="diff",
        schema=SCHEMA,
        body=body(report),
        title=f"pyvouch: dependency changes in {report.head}",
        blocks=tuple(_blocks(report)),
        lines=tuple(_lines(report)),
        warnings=tuple(report.warnings),
        sarif=lambda base_dir: sarif_run(report, base_dir),
    )
