"""Markdown: for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

Packages that need attention come first in a table; verified ones are folded into a
``<details>`` block. Every piece of data is escaped, so a package name or a reason cannot
break the table, inject HTML or form a link.
"""

from __future__ import annotations

import html
import re

from pyvouch.model import Action, PackageResult, ScanResult, Status
from pyvouch.report._common import (
    DEFAULT_OPTIONS,
    RenderOptions,
    display_version,
    package_label,
    package_publishers,
    package_reason,
    summary_line,
    unknown_statement,
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_NEWLINES = re.compile(r"[\r\n]+")


def escape(text: str) -> str:
    """Text safe inside a Markdown table cell (GitHub-flavoured): no HTML, links or emphasis."""
    text = _MD_SPECIAL.sub(r"\\\1", _NEWLINES.sub(" ", text))
    return html.escape(text, quote=False)  # after: entities must keep their '#' and ';'


def _cell(text: str) -> str:
    return escape(text) if text else "-"


def _status_cell(pkg: PackageResult) -> str:
    label = f"`{package_label(pkg)}`"
    if pkg.decision is not None:
        label += f" ({pkg.decision.action.value}: {_cell(pkg.decision.rule)})"
    return label


def _row(pkg: PackageResult, reason: str) -> str:
    cells = [
        _cell(pkg.package.name),
        _cell(display_version(pkg)),
        _status_cell(pkg),
        pkg.coverage.value,
        _cell(", ".join(package_publishers(pkg))),
        _cell(reason),
    ]
    return "| " + " | ".join(cells) + " |"


_HEADER = (
    "| package | version | status | coverage | publisher | reason |",
    "| --- | --- | --- | --- | --- | --- |",
)


def _table(packages: list[PackageResult], limit: int, *, reasons: bool) -> list[str]:
    lines = list(_HEADER)
    for pkg in packages[:limit]:
        why = package_reason(pkg) if reasons else ""
        if pkg.decision is not None and pkg.decision.reasons:
            why = "; ".join(filter(None, [why, *pkg.decision.reasons]))
        lines.append(_row(pkg, why))
    if len(packages) > limit:
        lines.append("")
        lines.append(f"... and {len(packages) - limit} more")
    return lines


def render(result: ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    limit = max(options.max_rows, 1)
    lines = [f"## pyvouch scan: {escape(result.source)}", ""]
    meta = f"Index: {escape(result.index_url)} · format: {escape(result.source_format)}"
    lines += [f"{meta} · mode: {escape(result.mode)}", "", f"**{escape(summary_line(result))}**"]
    statement = unknown_statement(result)
    if statement:
        lines += ["", f"> {escape(statement)}"]
    attention: list[PackageResult] = []
    verified: list[PackageResult] = []
    for pkg in result.packages:
        needs = pkg.status is not Status.VERIFIED or _flagged(pkg)
        (attention if needs else verified).append(pkg)
    if attention:
        lines += ["", "### Needs attention", ""]
        lines += _table(attention, limit, reasons=True)
    if verified:
        lines += ["", f"<details><summary>{len(verified)} verified</summary>", ""]
        lines += _table(verified, limit, reasons=False)
        lines += ["", "</details>"]
    if result.warnings:
        lines += ["", "### Warnings", ""]
        lines += [f"- {escape(w)}" for w in result.warnings[:limit]]
        if len(result.warnings) > limit:
            lines.append(f"- ... and {len(result.warnings) - limit} more")
    return "\n".join(lines) + "\n"


def _flagged(pkg: PackageResult) -> bool:
    """A verified package the policy still warns on or blocks."""
    return pkg.decision is not None and pkg.decision.action is not Action.ALLOW
