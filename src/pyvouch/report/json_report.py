"""JSON: pyvouch's own versioned machine-readable format (``pyvouch-scan/1``).

The JSON Schema ships inside the package (``report/schema/scan-v1.json``); see
``docs/report-formats.md`` for the meaning of each field and the versioning rules.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pyvouch.model import Decision, Finding, PackageResult, ScanResult
from pyvouch.report._common import (
    DEFAULT_OPTIONS,
    SCHEMA_ID,
    RenderOptions,
    json_text,
    summary_counts,
)

SCHEMA_RESOURCE = "schema/scan-v1.json"


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``pyvouch-scan/1`` document validates against."""
    text = resources.files("pyvouch.report").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _file(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filename": finding.file.filename,
        "sha256": finding.file.sha256,
        "url": finding.file.url,
        **finding.to_dict(),
    }
    if finding.file.other_digests:
        out["other_digests"] = dict(finding.file.other_digests)
    return out


def _decision(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "action": decision.action.value,
        "rule": decision.rule,
        "reasons": list(decision.reasons),
    }


def _package(pkg: PackageResult) -> dict[str, Any]:
    return {
        "name": pkg.package.name,
        "version": pkg.package.version,
        "status": pkg.status.value,
        "coverage": pkg.coverage.value,
        "origin": pkg.package.origin,
        "note": pkg.note,
        "decision": _decision(pkg.decision),
        "files": [_file(f) for f in pkg.findings],
    }


def to_document(result: ScanResult) -> dict[str, Any]:
    """The scan as plain JSON-ready data (what ``render`` serialises)."""
    return {
        "schema": SCHEMA_ID,
        "source": result.source,
        "source_format": result.source_format,
        "index_url": result.index_url,
        "mode": result.mode,
        "summary": summary_counts(result),
        "packages": [_package(p) for p in result.packages],
        "warnings": list(result.warnings),
    }


def render(result: ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """Indented UTF-8 JSON with a trailing newline; non-ASCII kept as is."""
    return json_text(to_document(result))
