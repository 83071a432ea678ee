"""`pyvouch readiness` output: a text table, JSON (``pyvouch-readiness/1``) or Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pyvouch.policy.readiness import Assessment, Verdict

FORMATS = ("table", "json", "markdown")
SCHEMA = "pyvouch-readiness/1"

_ORDER = (Verdict.READY, Verdict.CLOSE, Verdict.NOT_READY, Verdict.NEVER, Verdict.CANNOT_TELL)


def _sorted(assessments: Sequence[Assessment]) -> list[Assessment]:
    return sorted(assessments, key=lambda a: (_ORDER.index(a.verdict), a.name))


def _clean(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


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


def render_table(assessments: Sequence[Assessment], snippet: str | None, index_url: str) -> str:
    items = _sorted(assessments)
    rows = [HEADERS, *(_row(a) for a in items)]
    widths = [max(len(_clean(r[i])) for r in rows) for i in range(len(HEADERS))]
    lines = ["  ".join(_clean(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for a in items:
        for reason in a.reasons:
            lines.append(_clean(f"{a.name}: {a.verdict.value}: {reason}"))
    lines.append("")
    lines.append(_clean(f"{_counts(items)} (index {index_url})"))
    if snippet is not None:
        lines += ["", snippet.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _counts(items: Sequence[Assessment]) -> str:
    parts = []
    for verdict in _ORDER:
        n = sum(a.verdict is verdict for a in items)
        if n:
            parts.append(f"{n} {verdict.value}")
    return f"{len(items)} packages: " + ", ".join(parts) if parts else "no packages"


def to_json(assessments: Sequence[Assessment], snippet: str | None, index_url: str) -> str:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
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
    return json.dumps(doc, indent=2) + "\n"


def _md(text: str) -> str:
    out = _clean(text).replace("\\", "\\\\")
    for ch in "|*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out


def render_markdown(assessments: Sequence[Assessment], snippet: str | None, index_url: str) -> str:
    items = _sorted(assessments)
    lines = [
        "## pyvouch readiness",
        "",
        _md(f"{_counts(items)} (index {index_url})"),
        "",
        "| " + " | ".join([*HEADERS, "why"]) + " |",
        "|" + "---|" * (len(HEADERS) + 1),
    ]
    for a in items:
        cells = [*_row(a), "; ".join(a.reasons)]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    if snippet is not None:
        lines += [
            "",
            "Policy snippet:",
            "",
            "```toml",
            snippet.rstrip("\n").replace("```", "'''"),
            "```",
        ]
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": to_json, "markdown": render_markdown}
