"""JSON: every command's result as one JSON document, in one convention.

Every document is an object whose first three fields are the same for every command:

- ``schema``: the document's name and major version, ``pyvouch-<command>/<major>``
  (``pyvouch-scan/1``, ``pyvouch-verify/1``, ``pyvouch-index-check/1`` ...);
- ``command``: the command that made it, as typed (``scan``, ``index check``);
- ``pyvouch_version``: the version of pyvouch that made it;

then the command's own fields, and always ``warnings`` (a list, empty when there are none).
Written by ``json_text``: indented, UTF-8 kept as is, one trailing newline. Within a major
version fields are only added; consumers ignore the ones they do not know.

The JSON Schema of ``pyvouch-scan/1`` ships inside the package (``report/schema/scan-v1.json``);
see ``docs/report-formats.md`` for the meaning of each field and the versioning rules.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pyvouch import __version__
from pyvouch.model import ScanResult
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions, json_text
from pyvouch.report.document import Report
from pyvouch.report.scan_report import as_report

SCHEMA_RESOURCE = "schema/scan-v1.json"
ENVELOPE = ("schema", "command", "pyvouch_version")
"""The fields every JSON document starts with, in this order."""


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``pyvouch-scan/1`` document validates against."""
    text = resources.files("pyvouch.report").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def envelope(report: Report) -> dict[str, Any]:
    """The report's JSON document: the convention's fields, the body, the warnings."""
    clash = set(ENVELOPE) & set(report.body)
    if clash:
        raise ValueError(f"a report body may not set {sorted(clash)}")
    doc: dict[str, Any] = {
        "schema": report.schema,
        "command": report.command,
        "pyvouch_version": __version__,
        **report.body,
    }
    doc.setdefault("warnings", list(report.warnings))
    return doc


def to_document(value: Report | ScanResult) -> dict[str, Any]:
    """The result as plain JSON-ready data (what ``render`` serialises)."""
    return envelope(as_report(value))


def render(value: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """Indented UTF-8 JSON with a trailing newline; non-ASCII kept as is."""
    return json_text(to_document(value))
