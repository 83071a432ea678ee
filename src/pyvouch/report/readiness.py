"""`pyvouch readiness` as a `Report`: a text table, JSON (``pyvouch-readiness/1``) or
Markdown (and every other format)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyvouch.policy.readiness import Assessment, Verdict
from pyvouch.report._common import one_line
from pyvouch.report.document import CodeBlock, Line, Paragraph, Report, Row, Table

SCHEMA = "pyvouch-readiness/1"

_ORDER = (Verdict.READY, Verdict.CLOSE, Verdict.NOT_READY, Verdict.NEVER, Verdict.CANNOT_TELL)


def _sorted(assessments: Sequence[Assessment]) -> list[Assessment]:
    return sorted(assessments, key=lambda a: (_ORDER.index(a.verdict), a.name))


def _row(a: Assessment) -> list[str]:
    return [
        a.name,
        a.locked_version or "-",
        a.verdict.value,
        f"{a.signed_releases}/{len(a.releases)}",
        f"{a.verified_files}/{a.files}",
        a.identity or "-",
        a.signs_since or "-",
    ]


HEADERS = [
    "package",
    "locked",
    "verdict",
    "signed releases",
    "files verified",
    "publisher",
    "since",
]


def _lines(items: Sequence[Assessment], snippet: str | None, index_url: str) -> list[str]:
    rows = [HEADERS, *(_row(a) for a in items)]
    widths = [max(len(one_line(r[i])) for r in rows) for i in range(len(HEADERS))]
    lines = ["  ".join(one_line(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for a in items:
        for reason in a.reasons:
            lines.append(f"{a.name}: {a.verdict.value}: {reason}")
    lines.append("")
    lines.append(f"{_counts(items)} (index {index_url})")
    if snippet is not None:
        lines += ["", *snippet.rstrip("\n").splitlines()]
    return lines


def _counts(items: Sequence[Assessment]) -> str:
    parts = []
    for verdict in _ORDER:
        n = sum(a.verdict is verdict for a in items)
        if n:
            parts.append(f"{n} {verdict.value}")
    return f"{len(items)} packages: " + ", ".join(parts) if parts else "no packages"


def body(assessments: Sequence[Assessment], snippet: str | None, index_url: str) -> dict[str, Any]:
    return {
        "index_url": index_url,
        "packages": [
            {
                "name": a.name,
                "locked_version": a.locked_version,
                "verdict": a.verdict.value,
                "reasons": list(a.reasons),
                "publisher": a.identity,
                "pin": a.pin_spec,
                "signs_since": a.signs_since,
                "identity_changes": list(a.changes),
                "releases_listed": a.total_releases,
                "releases": [
                    {
                        "version": r.version,
                        "state": r.state.value,
                        "files": r.files,
                        "verified": r.verified,
                        "publishers": list(r.identities),
                        "problems": list(r.problems),
                    }
                    for r in a.releases
                ],
            }
            for a in _sorted(assessments)
        ],
        "snippet": snippet,
    }


def build(assessments: Sequence[Assessment], snippet: str | None, index_url: str) -> Report:
    items = _sorted(assessments)
    rows = tuple(Row((*_row(a), "; ".join(a.reasons)), a.verdict.value) for a in items)
    blocks: list[Any] = [
        Paragraph(f"{_counts(items)} (index {index_url})"),
        Table((*HEADERS, "why"), rows),
    ]
    if snippet is not None:
        blocks.append(CodeBlock(snippet, "toml", title="Policy snippet"))
    return Report(
        command="readiness",
        schema=SCHEMA,
        body=body(assessments, snippet, index_url),
        title="pyvouch readiness",
        blocks=tuple(blocks),
        lines=tuple(Line(text) for text in _lines(items, snippet, index_url)),
    )
