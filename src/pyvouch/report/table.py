"""Table: a rich table for terminals and CI logs, then a summary line.

Long cells wrap (never truncate) so the text fits the width; colour only when asked for and
NO_COLOR is not set.
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
    package_label,
    package_publishers,
    package_reason,
    summary_line,
    unknown_statement,
)

STATUS_STYLES: dict[Status, str] = {
    Status.VERIFIED: "green",
    Status.MISMATCH: "bold red",
    Status.INVALID: "bold red",
    Status.UNATTESTED: "yellow",
    Status.LEGACY_SIGNED: "yellow",
    Status.UNKNOWN: "magenta",
    Status.NOT_INDEXED: "dim",
}


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
        return package_reason(pkg)
    kinds = dict.fromkeys(
        _short_predicate(a.predicate_type)
        for f in pkg.findings
        for a in f.attestations
        if a.predicate_type
    )
    files = len(pkg.findings)
    checked = all(f.identity_checked for f in pkg.findings)
    what = f"{files} file{'s' if files != 1 else ''}: {', '.join(kinds) or 'attested'}"
    return f"{what}; identity pinned" if checked else what


def render(result: ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """The table, the summary line, a statement about unknowns, decisions and warnings."""
    console = _console(options)
    if result.packages:
        table = _table()
        for pkg in result.packages:
            status = Text(package_label(pkg), style=STATUS_STYLES.get(pkg.status, ""))
            if pkg.decision is not None:
                status.append(f" [{pkg.decision.action.value}]")
            table.add_row(
                Text(pkg.package.name),
                Text(display_version(pkg)),
                status,
                Text(pkg.coverage.value),
                Text(", ".join(package_publishers(pkg)) or "-"),
                Text(reason_cell(pkg)),
            )
        console.print(table)
    console.print(Text(summary_line(result)))
    statement = unknown_statement(result)
    if statement:
        console.print(Text(statement, style="magenta"))
    for pkg in result.packages:
        decision = pkg.decision
        if decision is None or decision.action is Action.ALLOW:
            continue
        why = "; ".join(decision.reasons) or package_reason(pkg)
        line = f"{decision.action.value}: {pkg.package.name} ({decision.rule}): {why}"
        console.print(Text(line, style="red" if decision.action is Action.BLOCK else "yellow"))
    for warning in result.warnings:
        console.print(Text(f"warning: {warning}"))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()
