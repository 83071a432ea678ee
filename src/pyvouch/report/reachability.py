"""`pyvouch reachability` output: a text table or JSON (``pyvouch-reachability/1``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyvouch.reachability import Evidence, Exposure, ReachabilityReport
from pyvouch.report._common import json_text, tally

FORMATS = ("table", "json")
SCHEMA = "pyvouch-reachability/1"
ORDER = (
    Exposure.DIRECT,
    Exposure.TRANSITIVE,
    Exposure.UNKNOWN,
    Exposure.TEST_ONLY,
    Exposure.NOT_IMPORTED,
)


def _clean(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def _sorted(report: ReachabilityReport) -> list[tuple[str, Evidence]]:
    return sorted(report.by_distribution.items(), key=lambda i: (ORDER.index(i[1].exposure), i[0]))


def _where(evidence: Evidence) -> str:
    if evidence.file is None:
        return "-"
    return f"{evidence.file}:{evidence.line}" if evidence.line else evidence.file


def render_table(report: ReachabilityReport) -> str:
    items = _sorted(report)
    rows = [["distribution", "exposure", "where", "chain"]]
    rows += [[n, e.exposure.value, _where(e), " -> ".join(e.chain) or "-"] for n, e in items]
    widths = [max(len(_clean(r[i])) for r in rows) for i in range(3)]
    lines = []
    for row in rows:
        head = "  ".join(_clean(c).ljust(w) for c, w in zip(row[:3], widths, strict=True))
        lines.append(f"{head}  {_clean(row[3])}".rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths) + "  -----")
    lines.append("")
    lines.extend(_clean(f"{n}: {e.exposure.value}: {e.note}") for n, e in items if e.note)
    for (module, attribute), uses in sorted(report.symbol_uses.items()):
        places = ", ".join(f"{f}:{line}" for f, line in uses) or "no first-party reference"
        lines.append(_clean(f"{module}.{attribute}: {places}"))
    for skipped in report.skipped:
        lines.append(_clean(f"skipped: {skipped}"))
    counts = tally((e.exposure for _, e in items), ORDER)
    lines.append(", ".join(f"{v} {k}" for k, v in counts.items() if v) or "no distributions")
    return "\n".join(lines) + "\n"


def document(report: ReachabilityReport) -> dict[str, Any]:
    """The JSON document (also what other outputs embed)."""
    return {
        "schema": SCHEMA,
        "distributions": [
            {
                "name": name,
                "exposure": e.exposure.value,
                "chain": list(e.chain),
                "file": e.file,
                "line": e.line,
                "note": e.note,
            }
            for name, e in _sorted(report)
        ],
        "symbols": [
            {"module": m, "attribute": a, "uses": [{"file": f, "line": n} for f, n in uses]}
            for (m, a), uses in sorted(report.symbol_uses.items())
        ],
        "skipped": list(report.skipped),
    }


def render_json(report: ReachabilityReport) -> str:
    return json_text(document(report))


RENDERERS: dict[str, Callable[[ReachabilityReport], str]] = {
    "table": render_table,
    "json": render_json,
}
