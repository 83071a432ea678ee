"""Lint results as a `Report` (``pyvouch.report.document``): text (file:line: ID severity
message, then the fix), JSON (``pyvouch-workflow-lint/1``), Markdown, SARIF 2.1.0.

The builder lives here because ``workflows`` sits above ``report`` in the layers; every format
is ``report``'s own: JSON follows the one convention (``report/json_report.py``), SARIF is
made by the one SARIF builder (``report/sarif_builder.py``) that ``scan --format sarif`` uses
too, Markdown by the one escaper.
"""

from __future__ import annotations

from typing import Any

from pyvouch import __version__
from pyvouch.model import Severity
from pyvouch.report import RenderOptions, json_report, sarif
from pyvouch.report._common import tally
from pyvouch.report.document import Code, Line, Paragraph, Report, Row, SarifRun, Table
from pyvouch.report.sarif_builder import Location, Result, artifact_uri
from pyvouch.workflows.lint import RULES, LintFinding, LintResult

SCHEMA_ID = "pyvouch-workflow-lint/1"
"""The version tag of the lint JSON output."""


def _lines(result: LintResult) -> list[Line]:
    lines: list[Line] = []
    for f in result.findings:
        where = f"{f.path}:{f.line}" if f.line else str(f.path)
        lines.append(Line(f"{where}: {f.rule} {f.severity.value} [{f.name}] {f.message}"))
        fix_lines = f.fix.splitlines() or [""]
        lines.append(Line(f"fix: {fix_lines[0]}", indent=4))
        lines.extend(Line(extra, indent=9) for extra in fix_lines[1:])
    lines.append(Line(summary(result)))
    return lines


def summary(result: LintResult) -> str:
    errors, warnings, infos = (result.count(s) for s in Severity)
    files = len(result.workflows)
    return (
        f"{files} workflow file{'s' if files != 1 else ''}: {errors} error(s), "
        f"{warnings} warning(s), {infos} info"
    )


def body(result: LintResult) -> dict[str, Any]:
    return {
        "tool": "pyvouch",
        "version": __version__,
        "workflows": [str(w.path) for w in result.workflows],
        "summary": tally((f.severity for f in result.findings), Severity),
        "findings": [
            {
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity.value,
                "path": str(f.path),
                "line": f.line,
                "job": f.job,
                "message": f.message,
                "fix": f.fix,
            }
            for f in result.findings
        ],
    }


def _sarif_result(f: LintFinding, base_dir: str | None) -> Result:
    uri = artifact_uri(str(f.path), base_dir) or str(f.path)
    return Result(
        f.rule,
        f.severity,
        f"{f.message} Fix: {f.fix}",
        locations=(Location(uri, line=f.line or None),),
        fingerprints={"pyvouchWorkflow/v1": f"{f.path.name}:{f.job or ''}:{f.rule}:{f.line}"},
        properties={"job": f.job, "fix": f.fix},
    )


def sarif_run(result: LintResult, base_dir: str | None = None) -> SarifRun:
    return SarifRun(
        tuple(RULES.values()),
        tuple(_sarif_result(f, base_dir) for f in result.findings),
        artifacts=tuple(
            artifact_uri(str(w.path), base_dir) or str(w.path) for w in result.workflows
        ),
    )


def build(result: LintResult) -> Report:
    rows = tuple(
        Row(
            (
                f"{f.path}:{f.line}" if f.line else str(f.path),
                Code(f.rule),
                Code(f.severity.value),
                f.message,
                f.fix,
            ),
            f.severity.value,
        )
        for f in result.findings
    )
    return Report(
        command="workflow lint",
        schema=SCHEMA_ID,
        body=body(result),
        title="pyvouch workflow lint",
        blocks=(
            Paragraph(summary(result), strong=True),
            Table(("where", "rule", "severity", "finding", "fix"), rows),
        ),
        lines=tuple(_lines(result)),
        sarif=lambda base_dir: sarif_run(result, base_dir),
    )


def render_text(result: LintResult) -> str:
    from pyvouch.report.text import render_lines

    return render_lines(build(result).lines)


def to_json(result: LintResult) -> dict[str, Any]:
    return json_report.envelope(build(result))


def render_json(result: LintResult) -> str:
    return json_report.render(build(result))


def to_sarif(result: LintResult, base_dir: str | None = None) -> dict[str, Any]:
    return sarif.to_document(build(result), RenderOptions(base_dir=base_dir))


def render_sarif(result: LintResult, base_dir: str | None = None) -> str:
    return sarif.render(build(result), RenderOptions(base_dir=base_dir))
