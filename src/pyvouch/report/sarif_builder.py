"""The one SARIF 2.1.0 builder: every command's SARIF output is made here.

A command turns its result into rules (``pyvouch.model.Rule``: id, name, default severity,
summary), results and the artifacts it analysed; ``document`` lays them out as one run of
``pyvouch`` with its version, the rules in the order given, each result pointing at its rule by
id and index, locations with line numbers where known. Severities map to SARIF levels in one
place (``LEVELS``). The output validates against the OASIS schema (tests/assets/schemas).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from pyvouch import __version__
from pyvouch.model import Rule, Severity

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"

LEVELS: Mapping[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}
"""SARIF ``level`` for each severity."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where a result is: an artifact URI, a line in it when known, and logical names."""

    uri: str
    line: int | None = None
    logical: tuple[tuple[str, str], ...] = ()
    """(name, kind) pairs, e.g. ``("requests", "package")``."""


@dataclass(frozen=True, slots=True)
class Result:
    rule_id: str
    severity: Severity
    message: str
    locations: tuple[Location, ...] = ()
    fingerprints: Mapping[str, str] = field(default_factory=dict)
    """``partialFingerprints``: stable keys that let dashboards follow a result across runs."""
    properties: Mapping[str, Any] = field(default_factory=dict)


def artifact_uri(source: str, base_dir: str | None = None) -> str | None:
    """The source as a SARIF artifact URI: relative to base_dir when it lies under it.

    None for a source that is not a file (``<environment>``, empty).
    """
    if not source or source.startswith("<"):
        return None
    if "://" in source:
        return source
    path = PurePath(source)
    if path.is_absolute():
        base = PurePath(base_dir) if base_dir else Path.cwd()
        try:
            path = path.relative_to(base)
        except ValueError:
            return "file://" + quote(path.as_posix())
    rel = posixpath.normpath(path.as_posix())
    return quote(rel)


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "help": {"text": rule.summary},
    }


def _location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": location.uri}}
    if location.line:
        physical["region"] = {"startLine": location.line}
    out: dict[str, Any] = {"physicalLocation": physical}
    if location.logical:
        out["logicalLocations"] = [{"name": n, "kind": k} for n, k in location.logical]
    return out


def _result(result: Result, index: Mapping[str, int]) -> dict[str, Any]:
    try:
        rule_index = index[result.rule_id]
    except KeyError:
        raise ValueError(f"SARIF result for undeclared rule {result.rule_id!r}") from None
    out: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[result.severity],
        "message": {"text": result.message},
    }
    if result.locations:
        out["locations"] = [_location(loc) for loc in result.locations]
    if result.fingerprints:
        out["partialFingerprints"] = dict(result.fingerprints)
    if result.properties:
        out["properties"] = dict(result.properties)
    return out


def document(
    rules: Iterable[Rule],
    results: Iterable[Result],
    *,
    artifacts: Sequence[str] = (),
    properties: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One SARIF log with one run of pyvouch: JSON-ready data.

    ``artifacts`` are the URIs of the files analysed (role ``analysisTarget``); ``properties``
    the run's own property bag. A result whose rule is not among ``rules`` is a ValueError.
    """
    rule_list = [_rule(r) for r in rules]
    index = {r["id"]: i for i, r in enumerate(rule_list)}
    if len(index) != len(rule_list):
        raise ValueError("SARIF rule ids must be unique")
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pyvouch",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rule_list,
            }
        },
        "results": [_result(r, index) for r in results],
        "columnKind": "unicodeCodePoints",
    }
    if properties is not None:
        run["properties"] = dict(properties)
    unique = list(dict.fromkeys(artifacts))  # the schema wants them unique
    if unique:
        run["artifacts"] = [
            {"location": {"uri": uri}, "roles": ["analysisTarget"]} for uri in unique
        ]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
