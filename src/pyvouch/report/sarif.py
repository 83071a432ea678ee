"""SARIF 2.1.0: for code-scanning dashboards (GitHub code scanning and others).

One rule per status that is a problem, one result per package that is not verified (or that
the policy warns on or blocks). The level comes from the policy decision: block is an error,
warn a warning; allow, or no decision (collect mode), a note. Locations point at the scanned
lock file, relative to ``RenderOptions.base_dir`` (or the working directory).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyvouch.model import Action, PackageResult, Rule, ScanResult, Severity, Status
from pyvouch.report import sarif_builder
from pyvouch.report._common import (
    DEFAULT_OPTIONS,
    RenderOptions,
    display_version,
    json_text,
    package_label,
    package_reason,
)
from pyvouch.report.sarif_builder import SARIF_SCHEMA, Location, Result, artifact_uri

__all__ = ["RULES", "SARIF_SCHEMA", "artifact_uri", "render", "to_document"]

RULES: dict[Status | None, Rule] = {
    Status.UNATTESTED: Rule(
        "PYV001",
        "Unattested",
        Severity.WARNING,
        "The index serves PEP 740 provenance and has none for this file.",
    ),
    Status.INVALID: Rule(
        "PYV002",
        "InvalidAttestation",
        Severity.ERROR,
        "An attestation is present but fails verification.",
    ),
    Status.MISMATCH: Rule(
        "PYV003",
        "PublisherMismatch",
        Severity.ERROR,
        "The attestation verifies, but the publisher identity is not the expected one.",
    ),
    Status.UNKNOWN: Rule(
        "PYV004",
        "AttestationUnknown",
        Severity.WARNING,
        "Whether this file is attested could not be determined (the index does not serve "
        "PEP 740, or the lookup failed).",
    ),
    Status.LEGACY_SIGNED: Rule(
        "PYV005",
        "LegacySignatureOnly",
        Severity.WARNING,
        "Only a legacy PGP signature exists; it counts as unattested.",
    ),
    Status.NOT_INDEXED: Rule(
        "PYV006",
        "NotIndexed",
        Severity.INFO,
        "A local path, VCS checkout, editable or direct URL: there is nothing to look up.",
    ),
    None: Rule(
        "PYV007",
        "PolicyDecision",
        Severity.WARNING,
        "The package verified, but the policy warns on it or blocks it.",
    ),
}
"""One rule per status that is a problem (None: verified, but the policy warns or blocks)."""

_SEVERITY = {
    Action.BLOCK: Severity.ERROR,
    Action.WARN: Severity.WARNING,
    Action.ALLOW: Severity.INFO,
}


def _rule_key(pkg: PackageResult) -> Status | None:
    return None if pkg.status is Status.VERIFIED else pkg.status


def _message(pkg: PackageResult) -> str:
    head = f"{pkg.package.name} {display_version(pkg)}: {package_label(pkg)}"
    reason = package_reason(pkg)
    text = f"{head}: {reason}" if reason else head
    if pkg.decision is not None:
        text += f". Policy: {pkg.decision.action.value} by rule {pkg.decision.rule}"
        if pkg.decision.reasons:
            text += f" ({'; '.join(pkg.decision.reasons)})"
    return text + "."


def _result(pkg: PackageResult, uri: str | None) -> Result:
    rule_id = RULES[_rule_key(pkg)].id
    decision = pkg.decision
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
    return Result(
        rule_id,
        _SEVERITY[decision.action] if decision is not None else Severity.INFO,
        _message(pkg),
        locations=() if uri is None else (Location(uri, logical=((pkg.package.name, "package"),)),),
        fingerprints={
            "pyvouchPackage/v1": f"{pkg.package.name}@{pkg.package.version or ''}:{rule_id}"
        },
        properties=props,
    )


def _needs_result(pkg: PackageResult) -> bool:
    if pkg.status is not Status.VERIFIED:
        return True
    return pkg.decision is not None and pkg.decision.action is not Action.ALLOW


def to_document(
    result: ScanResult,
    options: RenderOptions = DEFAULT_OPTIONS,
    *,
    extra_rules: Iterable[Rule] = (),
    extra_results: Iterable[Result] = (),
) -> dict[str, Any]:
    """The scan as SARIF; ``extra_rules``/``extra_results`` join the same run (``--vulns``)."""
    uri = artifact_uri(result.source, options.base_dir)
    return sarif_builder.document(
        [*RULES.values(), *extra_rules],
        [*(_result(p, uri) for p in result.packages if _needs_result(p)), *extra_results],
        artifacts=() if uri is None else (uri,),
        properties={
            "source": result.source,
            "sourceFormat": result.source_format,
            "indexUrl": result.index_url,
            "mode": result.mode,
            "warnings": list(result.warnings),
        },
    )


def render(result: ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return json_text(to_document(result, options))
