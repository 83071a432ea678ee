"""Lint results as text (file:line: ID severity message, then the fix), JSON or SARIF 2.1.0.

JSON follows the report conventions (``report/_common.py``): a versioned ``schema`` tag, a
``summary`` with every severity present, written by ``json_text``; SARIF is made by the one
SARIF builder (``report/sarif_builder.py``) that ``scan --format sarif`` uses too.
"""

from __future__ import annotations

from typing import Any

from pyvouch import __version__
from pyvouch.model import Severity
from pyvouch.report import sarif_builder
from pyvouch.report._common import json_text, tally
from pyvouch.report.sarif_builder import artifact_uri
from pyvouch.workflows.lint import RULES, LintFinding, LintResult

SCHEMA_ID = "pyvouch-workflow-lint/1"
"""The version tag of the lint JSON output."""


def render_text(result: LintResult) -> str:
    lines: list[str] = []
    for f in result.findings:
        where = f"{f.path}:{f.line}" if f.line else str(f.path)
        lines.append(f"{where}: {f.rule} {f.severity.value} [{f.name}] {f.message}")
        fix_lines = f.fix.splitlines()
        lines.append(f"    fix: {fix_lines[0]}")
        lines.extend(f"         {extra}" for extra in fix_lines[1:])
    errors, warnings, infos = (result.count(s) for s in Severity)
    files = len(result.workflows)
    lines.append(
        f"{files} workflow file{'s' if files != 1 else ''}: {errors} error(s), "
        f"{warnings} warning(s), {infos} info"
    )
    return "\n".join(lines) + "\n"


def to_json(result: LintResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
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


def render_json(result: LintResult) -> str:
    return json_text(to_json(result))


def _sarif_result(f: LintFinding, base_dir: str | None) -> sarif_builder.Result:
    uri = artifact_uri(str(f.path), base_dir) or str(f.path)
    return sarif_builder.Result(
        f.rule,
        f.severity,
        f"{f.message} Fix: {f.fix}",
        locations=(sarif_builder.Location(uri, line=f.line or None),),
        fingerprints={"pyvouchWorkflow/v1": f"{f.path.name}:{f.job or ''}:{f.rule}:{f.line}"},
        properties={"job": f.job, "fix": f.fix},
    )


def to_sarif(result: LintResult, base_dir: str | None = None) -> dict[str, Any]:
    return sarif_builder.document(
        RULES.values(),
        [_sarif_result(f, base_dir) for f in result.findings],
        artifacts=[artifact_uri(str(w.path), base_dir) or str(w.path) for w in result.workflows],
    )


def render_sarif(result: LintResult, base_dir: str | None = None) -> str:
    return json_text(to_sarif(result, base_dir))
