"""Render `pyvouch verify` results as JSON or as one coloured line per file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from pyvouch.model import AttestationInfo, Finding, Status
from pyvouch.verify.trust import TrustRoot

STATUS_STYLE: dict[Status, str] = {
    Status.VERIFIED: "bold green",
    Status.MISMATCH: "bold red",
    Status.INVALID: "bold red",
    Status.UNATTESTED: "bold yellow",
    Status.LEGACY_SIGNED: "yellow",
    Status.UNKNOWN: "bold magenta",
    Status.NOT_INDEXED: "dim",
}


def exit_code(findings: Sequence[Finding]) -> int:
    """0 all verified; 1 any definite failure; else 3 if any could not be determined."""
    statuses = {finding.status for finding in findings}
    if statuses - {Status.VERIFIED, Status.UNKNOWN}:
        return EXIT_FINDINGS
    if Status.UNKNOWN in statuses:
        return EXIT_INCOMPLETE
    return EXIT_OK


def iso_time(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


def attestation_json(info: AttestationInfo) -> dict[str, Any]:
    return {**info.to_dict(), "integrated_time_iso": iso_time(info.integrated_time)}


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "file": finding.file.filename,
        "sha256": finding.file.sha256,
        **finding.to_dict(),
        "attestations": [attestation_json(info) for info in finding.attestations],
    }


def render_json(findings: Sequence[Finding], root: TrustRoot, warnings: Sequence[str] = ()) -> str:
    document = {
        "results": [finding_json(finding) for finding in findings],
        "trust_root": {"name": root.name, "source": root.source},
        "warnings": list(warnings),
    }
    return json.dumps(document, indent=2)


def unchecked_warning(findings: Sequence[Finding]) -> str | None:
    """The warning for files that verified without an identity check, if any did."""
    unchecked = [f for f in findings if f.status is Status.VERIFIED and not f.identity_checked]
    if not unchecked:
        return None
    return (
        f"identity NOT checked for {len(unchecked)} file(s): the signatures verify, but "
        "nothing says the signer is the publisher you expect; pass --publisher to check it"
    )


def print_text(
    console: Console, findings: Sequence[Finding], root: TrustRoot, warnings: Sequence[str]
) -> None:
    """One line per file: status, file name, reason; then a warning if identity was unchecked."""
    width = max((len(f.status.value) for f in findings), default=8)
    for finding in findings:
        status = finding.status.value.ljust(width)
        console.print(
            f"[{STATUS_STYLE[finding.status]}]{status}[/] {escape(finding.file.filename)}: "
            f"{escape(finding.reason)}",
            soft_wrap=True,
        )
    err = Console(stderr=True, highlight=False)
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    unchecked = unchecked_warning(findings)
    if unchecked:
        err.print(f"[bold yellow]warning:[/] {escape(unchecked)}", soft_wrap=True)
    if root.name != "production":
        err.print(f"[yellow]note:[/] verified against the {root.name} trust root ({root.source})")
