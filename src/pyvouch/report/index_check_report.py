"""`pyvouch index check` as a `Report`: the text report, the JSON document
(``pyvouch-index-check/1``) and a Markdown table of a `CheckResult`."""

from __future__ import annotations

from typing import Any

from pyvouch.index.check_outcomes import CheckResult, Outcome, Side
from pyvouch.report.document import Bullets, Code, Item, Line, Paragraph, Report, Row, Table

SCHEMA = "pyvouch-index-check/1"


def body(result: CheckResult) -> dict[str, Any]:
    def side(s: Side | None) -> dict[str, str] | None:
        return None if s is None else {"state": s.state, "reason": s.reason}

    return {
        "index_url": result.index_url,
        "upstream_url": result.upstream_url,
        "upstream_note": result.upstream_note,
        "verdict": result.verdict.value,
        "summary": result.summary,
        "details": list(result.details),
        "counts": result.counts.as_dict(),
        "warnings": result.warnings,
        "projects": [
            {
                "name": p.name,
                "index_api_version": p.index_api_version,
                "upstream_api_version": p.upstream_api_version,
                "index_provenance_keys": p.index_provenance_keys,
                "integrity": p.integrity,
                "index_error": p.index_error,
                "upstream_error": p.upstream_error,
                "files": [
                    {
                        "filename": f.filename,
                        "outcome": f.outcome.value,
                        "index": side(f.index),
                        "upstream": side(f.upstream),
                    }
                    for f in p.files
                ],
            }
            for p in result.projects
        ],
    }


def text_lines(result: CheckResult) -> list[str]:
    lines = [f"index:    {result.index_url}"]
    lines.append(f"upstream: {result.upstream_url or '(none)'}")
    if result.upstream_note:
        lines.append(f"          ({result.upstream_note})")
    for p in result.projects:
        keys = {True: "yes", False: "no", None: "-"}[p.index_provenance_keys]
        head = (
            f"{p.name}: index api-version {p.index_api_version or '-'}, upstream "
            f"{p.upstream_api_version or '-'}, provenance keys {keys}"
        )
        lines.append(head)
        if p.integrity:
            lines.append(f"  integrity endpoint: {p.integrity}")
        if p.index_error:
            lines.append(f"  index: {p.index_error}")
        if p.upstream_error:
            lines.append(f"  upstream: {p.upstream_error}")
        for f in p.files:
            upstream = f.upstream.state if f.upstream else "-"
            lines.append(
                f"  {f.filename}: upstream {upstream}, index {f.index.state} -> {f.outcome.value}"
            )
            if f.outcome is not Outcome.PASSED:
                lines.append(f"    index: {f.index.reason}")
    c = result.counts
    lines.append(
        f"files: {c.sampled} sampled; index: {c.served} served, {c.none} none, "
        f"{c.not_served} not served, {c.listed_not_served} listed but not served, "
        f"{c.errors} failed, {c.not_listed} not listed; upstream: {c.upstream_served} "
        f"attested, {c.upstream_without} without, {c.upstream_errors} failed, "
        f"{c.upstream_not_asked} not asked; compared: {c.passed} passed, {c.dropped} dropped, "
        f"{c.failed} failed on the index"
    )
    lines.extend(f"warning: {w}" for w in result.warnings)
    lines.extend(result.details)
    return lines


def _details(result: CheckResult) -> tuple[Bullets, ...]:
    if not result.details:
        return ()
    return (Bullets(tuple(Item(d) for d in result.details), title="Details"),)


def build(result: CheckResult) -> Report:
    rows = tuple(
        Row(
            (
                f.project,
                f.filename,
                f.upstream.state if f.upstream else "-",
                f.index.state,
                Code(f.outcome.value),
                f.index.reason if f.outcome is not Outcome.PASSED else "",
            ),
            f.outcome.value,
        )
        for p in result.projects
        for f in p.files
    )
    verdict = f"{result.verdict.value}: {result.summary}"
    return Report(
        command="index check",
        schema=SCHEMA,
        body=body(result),
        title=f"pyvouch index check: {result.index_url}",
        blocks=(
            Paragraph(verdict, strong=True),
            Paragraph(f"Upstream: {result.upstream_url or '(none)'}"),
            Table(("project", "file", "upstream", "index", "outcome", "reason"), rows),
            *(
                (Bullets(tuple(Item(d) for d in result.details), title="Details"),)
                if result.details
                else ()
            ),
        ),
        lines=(
            *(Line(text) for text in text_lines(result)),
            Line(result.summary, status=f"{result.verdict.value}:"),
        ),
        warnings=tuple(result.warnings),
    )
