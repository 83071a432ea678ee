"""SARIF 2.1.0: for code-scanning dashboards (GitHub code scanning and others).

One rule per status that is a problem, one result per package that is not verified (or that
the policy warns on or blocks). The level comes from the policy decision: block is an error,
warn a warning; allow, or no decision (collect mode), a note. Locations point at the scanned
lock file, relative to ``RenderOptions.base_dir`` (or the working directory).
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from pyvouch import __version__
from pyvouch.model import Action, PackageResult, ScanResult, Status
from pyvouch.report._common import (
    DEFAULT_OPTIONS,
    RenderOptions,
    display_version,
    package_label,
    package_reason,
)

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


RULES: dict[Status | None, tuple[str, str, str, str]] = {
    # status: (id, name, short description, default level)
    Status.UNATTESTED: (
        "PYV001",
        "Unattested",
        "The index serves PEP 740 provenance and has none for this file.",
        "warning",
    ),
    Status.INVALID: (
        "PYV002",
        "InvalidAttestation",
        "An attestation is present but fails verification.",
        "error",
    ),
    Status.MISMATCH: (
        "PYV003",
        "PublisherMismatch",
        "The attestation verifies, but the publisher identity is not the expected one.",
        "error",
    ),
    Status.UNKNOWN: (
        "PYV004",
        "AttestationUnknown",
        "Whether this file is attested could not be determined (the index does not serve "
        "PEP 740, or the lookup failed).",
        "warning",
    ),
    Status.LEGACY_SIGNED: (
        "PYV005",
        "LegacySignatureOnly",
        "Only a legacy PGP signature exists; it counts as unattested.",
        "warning",
    ),
    Status.NOT_INDEXED: (
        "PYV006",
        "NotIndexed",
        "A local path, VCS checkout, editable or direct URL: there is nothing to look up.",
        "note",
    ),
    None: (
        "PYV007",
        "PolicyDecision",
        "The package verified, but the policy warns on it or blocks it.",
        "warning",
    ),
}

_LEVELS = {Action.BLOCK: "error", Action.WARN: "warning", Action.ALLOW: "note"}


def _rule_key(pkg: PackageResult) -> Status | None:
    return None if pkg.status is Status.VERIFIED else pkg.status


def _rules() -> list[dict[str, Any]]:
    out = []
    for rule_id, name, text, level in RULES.values():
        out.append(
            {
                "id": rule_id,
                "name": name,
                "shortDescription": {"text": text},
                "fullDescription": {"text": text},
                "defaultConfiguration": {"level": level},
                "help": {"text": text},
            }
        )
    return out


def artifact_uri(source: str, base_dir: str | None = None) -> str | None:
    """The source as a SARIF artifact URI: relative to base_dir when it lies under it."""
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


def _message(pkg: PackageResult) -> str:
    head = f"{pkg.package.name} {display_version(pkg)}: {package_label(pkg)}"
    reason = package_reason(pkg)
    text = f"{head}: {reason}" if reason else head
    if pkg.decision is not None:
        text += f". Policy: {pkg.decision.action.value} by rule {pkg.decision.rule}"
        if pkg.decision.reasons:
            text += f" ({'; '.join(pkg.decision.reasons)})"
    return text + "."


def _result(pkg: PackageResult, index: dict[str, int], uri: str | None) -> dict[str, Any]:
    rule_id = RULES[_rule_key(pkg)][0]
    decision = pkg.decision
    level = _LEVELS[decision.action] if decision is not None else "note"
    props: dict[str, Any] = {
        "package": pkg.package.name,
        "version": pkg.package.version,
        "status": pkg.status.value,
        "coverage": pkg.coverage.value,
        "files": [
            {"filename": f.file.filename, "status": f.status.value, "reason": f.reason}
            for f in pkg.findings
        ],
    }
    if decision is not None:
        props["decision"] = {
            "action": decision.action.value,
            "rule": decision.rule,
            "reasons": list(decision.reasons),
        }
    out: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": level,
        "message": {"text": _message(pkg)},
        "partialFingerprints": {
            "pyvouchPackage/v1": f"{pkg.package.name}@{pkg.package.version or ''}:{rule_id}"
        },
        "properties": props,
    }
    if uri is not None:
        out["locations"] = [
            {
                "physicalLocation": {"artifactLocation": {"uri": uri}},
                "logicalLocations": [{"name": pkg.package.name, "kind": "package"}],
            }
        ]
    return out


def _needs_result(pkg: PackageResult) -> bool:
    if pkg.status is not Status.VERIFIED:
        return True
    return pkg.decision is not None and pkg.decision.action is not Action.ALLOW


def to_document(result: ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    uri = artifact_uri(result.source, options.base_dir)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pyvouch",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "results": [_result(p, index, uri) for p in result.packages if _needs_result(p)],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "source": result.source,
            "sourceFormat": result.source_format,
            "indexUrl": result.index_url,
            "mode": result.mode,
            "warnings": list(result.warnings),
        },
    }
    if uri is not None:
        run["artifacts"] = [{"location": {"uri": uri}, "roles": ["analysisTarget"]}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return json.dumps(to_document(result, options), indent=2, ensure_ascii=False) + "\n"
