"""`pyvouch history`: the store's read API (`pyvouch.store.queries`) as a `Report` (the
terminal table, JSON, Markdown). One `HistoryView` per subcommand: a title, the column names
and the rows as text, plus the records themselves for JSON (``pyvouch-history-VIEW/1``:
``rows``, one object per dataclass, datetimes ISO 8601)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pyvouch.report.document import Line, Paragraph, Report, Row, Table
from pyvouch.store.queries import (
    CoveragePoint,
    NewUnsigned,
    PackageObservation,
    RegressionEntry,
    RepositoryOverview,
    ScanSummary,
    SigningRecord,
)


@dataclass(frozen=True)
class HistoryView:
    view: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    records: tuple[Any, ...]
    empty: str = "nothing recorded"


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def scans_view(items: Sequence[ScanSummary]) -> HistoryView:
    return HistoryView(
        "scans",
        "scans, newest first",
        (
            "when",
            "repository",
            "commit",
            "branch",
            "packages",
            "verified",
            "regressions",
            "blocked",
            "evidence",
        ),
        tuple(
            (
                _when(s.scanned_at),
                s.repository,
                (s.commit or "")[:12],
                s.branch or "",
                str(s.packages),
                f"{s.verified} ({_pct(s.share_verified)})",
                str(s.regressions),
                str(s.blocked),
                s.evidence,
            )
            for s in items
        ),
        tuple(items),
    )


def overview_view(items: Sequence[RepositoryOverview]) -> HistoryView:
    return HistoryView(
        "overview",
        "repositories: latest scan",
        (
            "repository",
            "scans",
            "latest",
            "packages",
            "verified",
            "critical verified",
            "regressions",
        ),
        tuple(
            (
                o.repository,
                str(o.scans),
                _when(o.latest.scanned_at),
                str(o.latest.packages),
                _pct(o.latest.share_verified),
                f"{o.critical_verified}/{o.critical}",
                str(o.latest.regressions),
            )
            for o in items
        ),
        tuple(items),
    )


def coverage_view(items: Sequence[CoveragePoint]) -> HistoryView:
    return HistoryView(
        "coverage",
        "coverage per day, repository and tier",
        ("day", "repository", "tier", "packages", "verified", "share"),
        tuple(
            (
                p.day.isoformat(),
                p.repository,
                p.tier,
                str(p.packages),
                str(p.verified),
                _pct(p.share_verified),
            )
            for p in items
        ),
        tuple(items),
    )


def package_view(name: str, items: Sequence[PackageObservation]) -> HistoryView:
    return HistoryView(
        "package",
        f"{name}: as each scan saw it, newest first",
        ("when", "repository", "version", "status", "publishers", "evidence", "regression"),
        tuple(
            (
                _when(o.scanned_at),
                o.repository,
                o.version or "",
                o.status,
                ", ".join(o.publishers),
                o.evidence,
                o.regression or "",
            )
            for o in items
        ),
        tuple(items),
        empty=f"no scan recorded {name}",
    )


def regressions_view(items: Sequence[RegressionEntry]) -> HistoryView:
    return HistoryView(
        "regressions",
        "regressions against history, newest first",
        ("when", "repository", "package", "version", "why", "evidence"),
        tuple(
            (_when(r.scanned_at), r.repository, r.name, r.version or "", r.reason, r.evidence)
            for r in items
        ),
        tuple(items),
        empty="no regression recorded",
    )


def new_unsigned_view(items: Sequence[NewUnsigned]) -> HistoryView:
    return HistoryView(
        "new-unsigned",
        "newly added dependencies without attestations, newest first",
        ("when", "repository", "package", "version", "status"),
        tuple(
            (_when(n.scanned_at), n.repository, n.name, n.version or "", n.status) for n in items
        ),
        tuple(items),
        empty="no unsigned dependency was added",
    )


def signing_view(items: Sequence[SigningRecord], window: str) -> HistoryView:
    return HistoryView(
        "signing",
        f"consistently signing over {window}",
        ("package", "consistent", "verified", "identities", "first seen", "last seen"),
        tuple(
            (
                r.name,
                "yes" if r.consistent else "no",
                f"{r.verified}/{r.observations}",
                ", ".join(r.identities),
                _when(r.first_seen),
                _when(r.last_seen),
            )
            for r in items
        ),
        tuple(items),
        empty="no package of the tier was observed in the window",
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _record(record: Any) -> dict[str, Any]:
    out = {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, ScanSummary | CoveragePoint):
        out["share_verified"] = round(record.share_verified, 4)
    if isinstance(record, RepositoryOverview):
        out["latest"] = _record(record.latest)
    if isinstance(record, SigningRecord):
        out["consistent"] = record.consistent
    return out


def _lines(view: HistoryView) -> tuple[Line, ...]:
    if not view.rows:
        return (Line(view.empty),)
    widths = [
        min(60, max(len(c), *(len(r[i]) for r in view.rows))) for i, c in enumerate(view.columns)
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            (c if len(c) <= w else c[: w - 1] + "…").ljust(w)
            for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return (Line(line(view.columns)), *(Line(line(r)) for r in view.rows))


def build(view: HistoryView) -> Report:
    """The view as a `Report`: JSON ``pyvouch-history-VIEW/1`` with one object per row,
    Markdown and the terminal table from the same rows."""
    table = Table(view.columns, tuple(Row(tuple(r)) for r in view.rows))
    blocks = (Paragraph(view.title), table) if view.rows else (Paragraph(view.empty),)
    return Report(
        command=f"history {view.view}",
        schema=f"pyvouch-history-{view.view}/1",
        body={"view": view.title, "rows": [_record(r) for r in view.records]},
        title=f"pyvouch history {view.view}",
        blocks=blocks,
        lines=_lines(view),
    )
