"""The SARIF rules of attestation statuses, shared by every command that reports files or
packages by status (scan, install, verify): one rule per status that is a problem, and
PYV007 for a verified package the policy still warns on or blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyvouch.model import Action, Rule, Severity, Status
from pyvouch.report.sarif_builder import Location, Result, artifact_uri

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


ACTION_SEVERITY = {
    Action.BLOCK: Severity.ERROR,
    Action.WARN: Severity.WARNING,
    Action.ALLOW: Severity.INFO,
}
"""A policy decision's SARIF severity: block is an error, warn a warning, allow a note."""

STATUS_SEVERITY = {status: rule.severity for status, rule in RULES.items() if status is not None}
"""Without a policy decision (``verify``): the severity of the status's rule."""


def file_result(
    status: Status,
    path: str,
    message: str,
    fingerprint: tuple[str, str],
    properties: Mapping[str, Any],
    base_dir: str | None,
) -> Result:
    """A SARIF result for one file that did not verify (``verify``, ``verify-blob``): its
    status's rule and severity, located at the file. ``fingerprint``: (key, stable value); the
    rule id is appended to the value."""
    rule = RULES[status]
    key, value = fingerprint
    return Result(
        rule.id,
        STATUS_SEVERITY[status],
        message,
        locations=(Location(artifact_uri(path, base_dir) or path),),
        fingerprints={key: f"{value}:{rule.id}"},
        properties=properties,
    )
