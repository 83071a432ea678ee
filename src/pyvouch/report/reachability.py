"""`pyvouch reachability` as a `Report`: a table (packages by exposure, then each one's why,
the symbol references and what was skipped), JSON (``pyvouch-reachability/1``), Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyvouch.reachability import Evidence, Exposure, ReachabilityReport
from pyvouch.report._common import one_line, tally
from pyvouch.report.document import Bullets, Code, Item, Line, Paragraph, Report, Row, Table

SCHEMA = "pyvouch-reachability/1"
ORDER = (
    Exposure.DIRECT,
    Exposure.TRANSITIVE,
    Exposure.UNKNOWN,
    Exposure.TEST_ONLY,
    Exposure.NOT_IMPORTED,
)
HEADERS = ("distribution", "exposure", "where", "chain")


def _sorted(report: ReachabilityReport) -> list[tuple[str, Evidence]]:
    return sorted(report.by_distribution.items(), key=lambda i: (ORDER.index(i[1].exposure), i[0]))


def _where(evidence: Evidence) -> str:
    if evidence.file is None:
        return "-"
    return f"{evidence.file}:{evidence.line}" if evidence.line else evidence.file


def _chain(evidence: Evidence) -> str:
    return " -> ".join(evidence.chain) or "-"


def _symbol_lines(report: ReachabilityReport) -> list[str]:
    lines = []
    for (module, attribute), uses in sorted(report.symbol_uses.items()):
        places = ", ".join(f"{f}:{n}" for f, n in uses) or "no first-party reference"
        lines.append(f"{module}.{attribute}: {places}")
    return lines


def _counts(items: Sequence[tuple[str, Evidence]]) -> str:
    counts = tally((e.exposure for _, e in items), ORDER)
    return ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "no distributions"


def _lines(report: ReachabilityReport) -> list[str]:
    items = _sorted(report)
    rows = [list(HEADERS)]
    rows += [[n, e.exposure.value, _where(e), _chain(e)] for n, e in items]
    widths = [max(len(one_line(r[i])) for r in rows) for i in range(3)]
    lines = []
    for row in rows:
        head = "  ".join(one_line(c).ljust(w) for c, w in zip(row[:3], widths, strict=True))
        lines.append(f"{head}  {one_line(row[3])}".rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths) + "  -----")
    lines.append("")
    lines.extend(one_line(f"{n}: {e.exposure.value}: {e.note}") for n, e in items if e.note)
    lines.extend(one_line(text) for text in _symbol_lines(report))
    lines.extend(one_line(f"skipped: {text}") for text in report.skipped)
    lines.append(_counts(items))
    return lines


def body(report: ReachabilityReport) -> dict[str, Any]:
    items = _sorted(report)
    return {
        "summary": tally((e.exposure for _, e in items), ORDER),
        "distributions": [
            {
                "name": name,
                "exposure": e.exposure.value,
                "chain": list(e.chain),
                "file": e.file,
                "line": e.line,
                "note": e.note,
            }
            for name, e in items
        ],
        "symbols": [
            {"module": m, "attribute": a, "uses": [{"file": f, "line": n} for f, n in uses]}
            for (m, a), uses in sorted(report.symbol_uses.items())
        ],
        "skipped": list(report.skipped),
    }


def build(report: ReachabilityReport, warnings: Sequence[str] = ()) -> Report:
    items = _sorted(report)
    rows = tuple(
        Row((n, Code(e.exposure.value), _where(e), _chain(e), e.note or "-")) for n, e in items
    )
    blocks: list[Any] = [Paragraph(_counts(items)), Table((*HEADERS, "why"), rows)]
    symbols = _symbol_lines(report)
    if symbols:
        blocks.append(Bullets(tuple(Item(text) for text in symbols), title="Symbols"))
    if report.skipped:
        blocks.append(Bullets(tuple(Item(text) for text in report.skipped), title="Skipped"))
    return Report(
        command="reachability",
        schema=SCHEMA,
        body=body(report),
        title="pyvouch reachability",
        blocks=tuple(blocks),
        lines=tuple(Line(text) for text in _lines(report)),
        warnings=tuple(warnings),
        notices=tuple(Line(f"warning: {w}") for w in warnings),
    )
