"""`pyvouch diff` output: Markdown for a pull-request comment, JSON (``pyvouch-diff/1``), text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pyvouch.policy.diff import ChangeKind, DiffReport, Entry
from pyvouch.policy.trust_inputs import TrustChange

FORMATS = ("markdown", "json", "text")
SCHEMA = "pyvouch-diff/1"


def _clean(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


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


def render_text(report: DiffReport) -> str:
    lines = [_clean(f"pyvouch diff {report.base} -> {report.head}: {_summary(report)}")]
    for e in report.entries:
        c = e.change
        head = f"{c.kind.value:8} {c.name} {c.base_versions} -> {c.head_versions}"
        head += f" ({c.detail}): " if c.detail else ": "
        head += _status(e)
        if e.publishers:
            head += f" ({', '.join(e.publishers)})"
        lines.append(_clean(head))
        lines += [_clean(f"    {f}") for f in _findings(e)]
        lines += [_clean(f"    signed alternative: {a}") for a in e.alternatives]
    if report.trust.changes:
        lines.append(_clean(f"trust inputs: {report.trust.summary()}"))
        lines += [_clean(f"    {_trust_line(c)}") for c in report.trust.changes]
    lines += [_clean(f"warning: {w}") for w in report.warnings]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    out = _clean(text).replace("\\", "\\\\")
    for ch in "|*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out


def render_markdown(report: DiffReport) -> str:
    blocked = [e for e in report.entries if e.blocked]
    lines = [
        f"## pyvouch: dependency changes in {_md(report.head)}",
        "",
        _md(_summary(report)),
        "",
    ]
    trust = report.trust
    if trust.changes:
        lines += [f"**Trust inputs changed:** {_md(trust.summary())}", ""]
        lines += [f"- {_md(_trust_line(c))}" for c in trust.changes]
        lines.append("")
    if blocked:
        lines.append(f"**{len(blocked)} change(s) blocked by the policy:**")
        lines.append("")
        for e in blocked:
            assert e.decision is not None
            for reason in e.decision.reasons:
                lines.append(f"- **{_md(e.change.name)}**: {_md(reason)}")
        lines.append("")
    if report.entries:
        lines += [
            "| change | package | base | head | attestation | publisher | decision |",
            "|---|---|---|---|---|---|---|",
        ]
        for e in report.entries:
            c = e.change
            decision = e.decision.action.value if e.decision is not None else "-"
            cells = [
                c.kind.value,
                c.name,
                c.base_versions,
                c.head_versions + (f" ({c.detail})" if c.detail else ""),
                _status(e),
                ", ".join(e.publishers) or "-",
                decision,
            ]
            lines.append("| " + " | ".join(_md(x) for x in cells) + " |")
        lines.append("")
    notes = [(e, f) for e in report.entries for f in _findings(e) if not e.blocked]
    if notes:
        lines += ["Findings:", ""]
        lines += [f"- **{_md(e.change.name)}**: {_md(f)}" for e, f in notes]
        lines.append("")
    alternatives = [e for e in report.entries if e.alternatives]
    if alternatives:
        lines += ["Signed alternatives (their current release verifies on the index):", ""]
        for e in alternatives:
            lines.append(
                f"- **{_md(e.change.name)}** ({_status(e)}): consider "
                + ", ".join(_md(a) for a in e.alternatives)
            )
        lines.append("")
    lines += [f"> warning: {_md(w)}" for w in report.warnings]
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(report: DiffReport) -> str:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
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
                "decision": None
                if e.decision is None
                else {
                    "action": e.decision.action.value,
                    "rule": e.decision.rule,
                    "reasons": list(e.decision.reasons),
                },
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
    return json.dumps(doc, indent=2) + "\n"


RENDERERS = {"markdown": render_markdown, "json": to_json, "text": render_text}
