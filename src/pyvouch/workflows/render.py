"""Lint results as text (file:line: ID severity message, then the fix), JSON or SARIF 2.1.0."""

from __future__ import annotations

import json
from typing import Any

from pyvouch import __version__
from pyvouch.report.sarif import SARIF_SCHEMA, artifact_uri
from pyvouch.workflows.lint import RULES, LintResult, Severity


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
        "tool": "pyvouch",
        "version": __version__,
        "workflows": [str(w.path) for w in result.workflows],
        "summary": {s.value: result.count(s) for s in Severity},
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
    return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def to_sarif(result: LintResult, base_dir: str | None = None) -> dict[str, Any]:
    rules = [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
            "help": {"text": rule.summary},
        }
        for rule in RULES.values()
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in result.findings:
        uri = artifact_uri(str(f.path), base_dir) or str(f.path)
        location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if f.line:
            location["region"] = {"startLine": f.line}
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message} Fix: {f.fix}"},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {
                    "pyvouchWorkflow/v1": f"{f.path.name}:{f.job or ''}:{f.rule}:{f.line}"
                },
                "properties": {"job": f.job, "fix": f.fix},
            }
        )
    run = {
        "tool": {
            "driver": {
                "name": "pyvouch",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
        "artifacts": [
            {
                "location": {"uri": artifact_uri(str(w.path), base_dir) or str(w.path)},
                "roles": ["analysisTarget"],
            }
            for w in result.workflows
        ],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(result: LintResult, base_dir: str | None = None) -> str:
    return json.dumps(to_sarif(result, base_dir), indent=2, ensure_ascii=False) + "\n"
