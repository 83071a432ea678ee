"""`pyvouch verify` as a `Report`: one line per file (status, file name, reason), the JSON
document ``pyvouch-verify/1``, a Markdown table and a SARIF run (a result per file that did
not verify, under the status rules that scan uses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pyvouch.model import AttestationInfo, Finding, Status
from pyvouch.report._common import finding_label, tally
from pyvouch.report.document import Code, Line, Paragraph, Report, Row, SarifRun, Table
from pyvouch.report.status_rules import RULES, file_result
from pyvouch.verify.inspect import iso_time
from pyvouch.verify.trust import TrustRoot

SCHEMA = "pyvouch-verify/1"


def attestation_json(info: AttestationInfo) -> dict[str, Any]:
    return {**info.to_dict(), "integrated_time_iso": iso_time(info.integrated_time)}


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "file": finding.file.filename,
        "sha256": finding.file.sha256,
        **finding.to_dict(),
        "attestations": [attestation_json(info) for info in finding.attestations],
    }


def unchecked_warning(findings: Sequence[Finding]) -> str | None:
    """The warning for files that verified without an identity check, if any did."""
    unchecked = [f for f in findings if f.status is Status.VERIFIED and not f.identity_checked]
    if not unchecked:
        return None
    return (
        f"identity NOT checked for {len(unchecked)} file(s): the signatures verify, but "
        "nothing says the signer is the publisher you expect; pass --publisher to check it"
    )


def _kind(finding: Finding) -> str:
    """`` [kind]``: the signature kind the verdict rests on, when there is one."""
    return f" [{finding.signature_kind.value}]" if finding.signature_kind else ""


def summary_of(statuses: Sequence[Status]) -> str:
    """E.g. ``3 files: 2 verified, 1 invalid``."""
    counts = tally(statuses, Status)
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    noun = "file" if len(statuses) == 1 else "files"
    return f"{len(statuses)} {noun}: {', '.join(parts) or 'none'}"


def _sarif(findings: Sequence[Finding], paths: Mapping[str, str], base_dir: str | None) -> SarifRun:
    results = []
    for f in findings:
        if f.status is not Status.VERIFIED:
            results.append(
                file_result(
                    f.status,
                    paths.get(f.file.filename, f.file.filename),
                    f"{f.file.filename}: {f.status.value}: {f.reason}",
                    ("pyvouchFile/v1", f.file.sha256 or f.file.filename),
                    {"file": f.file.filename, "sha256": f.file.sha256, **f.to_dict()},
                    base_dir,
                )
            )
    return SarifRun(tuple(RULES.values()), tuple(results))


def build(
    findings: Sequence[Finding],
    root: TrustRoot,
    warnings: Sequence[str] = (),
    paths: Sequence[Path] = (),
) -> Report:
    """``paths``: the files as the user named them (SARIF locates each finding there)."""
    where = {path.name: str(path) for path in paths}
    width = max((len(f.status.value) for f in findings), default=8)
    unchecked = unchecked_warning(findings)
    notices = [Line(w, status="warning:") for w in warnings]
    if unchecked:
        notices.append(Line(unchecked, status="warning:"))
    if root.name != "production":
        notices.append(
            Line(f"verified against the {root.name} trust root ({root.source})", status="note:")
        )
    rows = tuple(
        Row(
            (
                f.file.filename,
                Code(finding_label(f)),
                f.publisher.to_spec() if f.publisher else "",
                f.reason + _kind(f),
            ),
            f.status.value,
        )
        for f in findings
    )
    return Report(
        command="verify",
        schema=SCHEMA,
        body={
            "results": [finding_json(f) for f in findings],
            "trust_root": {"name": root.name, "source": root.source},
            "warnings": list(warnings),
        },
        title="pyvouch verify",
        blocks=(
            Paragraph(summary_of([f.status for f in findings]), strong=True),
            Paragraph(f"Trust root: {root.name} ({root.source})"),
            Table(("file", "status", "publisher", "reason"), rows),
        ),
        lines=tuple(
            Line(f"{f.file.filename}{_kind(f)}: {f.reason}", status=f.status.value, pad=width)
            for f in findings
        ),
        warnings=(*warnings, *((unchecked,) if unchecked else ())),
        notices=tuple(notices),
        sarif=lambda base_dir: _sarif(findings, where, base_dir),
    )
