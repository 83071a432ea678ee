"""Table: a rich table for terminals, one line per package for CI logs; then a summary line.

Every status is coloured by the one status style (``status_style.py``). On a terminal long
cells wrap (never truncate) so the text fits the width. Compact (the CLI's
choice when the output is not a terminal): one line per package, columns aligned, the reason
shortened to `REASON_WIDTH` characters unless ``verbose``, so a 200-package lock prints about
200 lines that ``grep`` can read. Colour only when asked for and NO_COLOR is not set. Data is
shown one line per cell, without control characters (``_common.one_line``): a name cannot
move the cursor or recolour the terminal.
"""

from __future__ import annotations

import io
import os

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pyvouch.model import Action, PackageResult, ScanResult, Status
from pyvouch.report._common import (
    DEFAULT_OPTIONS,
    RenderOptions,
    display_version,
    finding_label,
    package_label,
    package_publishers,
    package_reason,
    signature_kinds,
    summary_line,
    unknown_statement,
    with_kinds,
)
from pyvouch.report._common import one_line as flat
from pyvouch.report.document import Report
from pyvouch.report.scan_report import as_report
from pyvouch.report.status_style import style_of
from pyvouch.report.text import render_lines


def _console(options: RenderOptions) -> Console:
    color = options.color and not os.environ.get("NO_COLOR")
    return Console(
        file=io.StringIO(),
        width=options.width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def _table() -> Table:
    # Borders cost width in CI logs: a header rule only. Status and coverage never break
    # mid-word; the free-text columns fold (wrap anywhere) rather than being cut.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("package", overflow="fold")
    table.add_column("version", overflow="fold")
    table.add_column("status", overflow="fold")
    table.add_column("coverage", overflow="fold")
    table.add_column("publisher", overflow="fold")
    table.add_column("reason", overflow="fold")
    return table


def _short_predicate(predicate_type: str) -> str:
    """``https://docs.pypi.org/attestations/publish/v1`` -> ``publish/v1``."""
    return "/".join(predicate_type.rstrip("/").split("/")[-2:])


def reason_cell(pkg: PackageResult) -> str:
    """The reason column: for a verified package the publisher column already names who
    signed, so only what was attested is shown; for anything else, the full reason."""
    if pkg.status is not Status.VERIFIED:
        return with_kinds(package_reason(pkg), pkg)
    kinds = dict.fromkeys(
        _short_predicate(a.predicate_type)
        for f in pkg.findings
        for a in f.attestations
        if a.predicate_type
    )
    files = len(pkg.findings)
    checked = all(f.identity_checked for f in pkg.findings)
    signed = ", ".join(kinds) or ", ".join(signature_kinds(pkg)) or "attested"
    what = f"{files} file{'s' if files != 1 else ''}: {signed}"
    return with_kinds(f"{what}; identity pinned" if checked else what, pkg)


REASON_WIDTH = 100
"""Characters of reason a compact line shows (the whole reason is in JSON, Markdown and
``--verbose``)."""


def shorten(text: str, width: int = REASON_WIDTH) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3].rstrip() + "..."


def _status_cell(pkg: PackageResult) -> str:
    label = package_label(pkg)
    return f"{label} [{pkg.decision.action.value}]" if pkg.decision is not None else label


def compact_lines(result: ScanResult, options: RenderOptions) -> list[str]:
    """One line per package: name, version, status [decision], coverage, publisher, reason."""
    rows = [
        tuple(
            flat(cell)
            for cell in (
                pkg.package.name,
                display_version(pkg),
                _status_cell(pkg),
                pkg.coverage.value,
                ", ".join(package_publishers(pkg)) or "-",
                reason_cell(pkg) if options.verbose else shorten(flat(reason_cell(pkg))),
            )
        )
        for pkg in result.packages
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)] if rows else []
    lines = []
    for pkg, row in zip(result.packages, rows, strict=True):
        cells = [cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)]
        lines.append("  ".join([*cells, " ".join(row[5].split())]).rstrip())
        if options.verbose:
            lines.extend(
                "    " + flat(f"{f.file.filename or f.file.sha256}: {finding_label(f)}: {f.reason}")
                for f in pkg.findings
                if f.status is not Status.VERIFIED
            )
    return lines


def render(value: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """The table, the summary line, a statement about unknowns, decisions and warnings, then
    the report's lines (``scan --vulns``: the vulnerability section).

    A report of another command than scan or install has no packages: its terminal view
    (``text``) is its table."""
    report = as_report(value)
    if report.scan is None:
        return render_lines(report.lines, options)
    result = report.scan
    console = _console(options)
    if result.packages and options.compact:
        for line in compact_lines(result, options):
            console.print(Text(line), soft_wrap=True)
    elif result.packages:
        table = _table()
        for pkg in result.packages:
            status = Text(package_label(pkg), style=style_of(pkg.status.value))
            if pkg.decision is not None:
                status.append(f" [{pkg.decision.action.value}]")
            table.add_row(
                Text(flat(pkg.package.name)),
                Text(flat(display_version(pkg))),
                status,
                Text(pkg.coverage.value),
                Text(flat(", ".join(package_publishers(pkg)) or "-")),
                Text(flat(reason_cell(pkg))),
            )
        console.print(table)
    one_line = options.compact  # off a terminal nothing wraps: one line per message
    console.print(Text(flat(summary_line(result))), soft_wrap=one_line)
    statement = unknown_statement(result)
    if statement:
        console.print(Text(flat(statement), style="magenta"), soft_wrap=one_line)
    for pkg in result.packages:
        decision = pkg.decision
        if decision is None or decision.action is Action.ALLOW:
            continue
        why = "; ".join(decision.reasons) or package_reason(pkg)
        line = f"{decision.action.value}: {pkg.package.name} ({decision.rule}): {why}"
        style = "red" if decision.action is Action.BLOCK else "yellow"
        console.print(Text(flat(line), style=style), soft_wrap=one_line)
    for warning in result.warnings:
        console.print(Text(flat(f"warning: {warning}")), soft_wrap=one_line)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue() + render_lines(report.lines, options)
