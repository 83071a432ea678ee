"""SARIF 2.1.0: for code-scanning dashboards (GitHub code scanning and others).

Renders the SARIF run of any `Report` that has one (scan, install, verify, verify-blob,
check, workflow lint) through the one SARIF builder (``sarif_builder.py``). For a scan: one
rule per status that is a problem, one result per package that is not verified (or that the
policy warns on or blocks); the level comes from the policy decision (block an error, warn a
warning; allow, or no decision, a note); locations point at the scanned lock file, relative
to ``RenderOptions.base_dir`` (or the working directory).
"""

from __future__ import annotations

from typing import Any

from pyvouch.errors import UsageError
from pyvouch.model import ScanResult
from pyvouch.report import sarif_builder
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions, json_text
from pyvouch.report.document import Report
from pyvouch.report.sarif_builder import SARIF_SCHEMA, artifact_uri
from pyvouch.report.scan_report import as_report
from pyvouch.report.status_rules import RULES

__all__ = ["RULES", "SARIF_SCHEMA", "artifact_uri", "render", "supports", "to_document"]


def supports(report: Report) -> bool:
    return report.sarif is not None


def to_document(
    value: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS
) -> dict[str, Any]:
    report = as_report(value)
    if report.sarif is None:
        raise UsageError(f"--format sarif does not apply to `pyvouch {report.command}`")
    run = report.sarif(options.base_dir)
    return sarif_builder.document(
        run.rules, run.results, artifacts=run.artifacts, properties=run.properties
    )


def render(value: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return json_text(to_document(value, options))
