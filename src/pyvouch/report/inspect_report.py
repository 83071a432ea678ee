"""`pyvouch inspect` as a `Report`: what attestations state, verified by nobody. The text lists
each attestation's claims, the JSON document ``pyvouch-inspect/1`` carries them whole, and
every format says that nothing was verified."""

from __future__ import annotations

import json

from pyvouch.report.document import Line, Paragraph, Report, Row, Table
from pyvouch.verify.attestations import short_predicate
from pyvouch.verify.inspect import CLAIMS_SHOWN, SIBLING_SUFFIXES, InspectReport

SCHEMA = "pyvouch-inspect/1"
NOTE = "inspect shows what the attestations state; it verifies nothing"


def report_lines(report: InspectReport) -> list[str]:
    lines = [f"{report.target} ({report.kind})"]
    if report.file_sha256:
        lines.append(f"  sha256: {report.file_sha256}")
    if report.kind == "dist" and not report.sources:
        lines.append(
            "  no attestation files found next to it (looked for "
            + ", ".join("FILE" + s for s in SIBLING_SUFFIXES)
            + ")"
        )
    for n, item in enumerate(report.attestations, 1):
        lines.append(f"attestation {n}: {item['source']}")
        for subject in item["subjects"]:
            lines.append(f"  subject: {subject['name']}  sha256:{subject['sha256']}")
        if "digest_matches_file" in item:
            lines.append(
                f"  digest matches the file: {'yes' if item['digest_matches_file'] else 'NO'}"
            )
        lines.append(
            f"  predicate: {short_predicate(item['predicate_type'])} ({item['predicate_type']})"
        )
        if "publisher_spec" in item:
            lines.append(f"  publisher (from certificate): {item['publisher_spec']}")
            lines.append(f"  identity: {item['identity']}")
            lines.append(f"  issuer: {item['issuer']}")
            claims = item["claims"]
            for label, key in CLAIMS_SHOWN:
                if key in claims:
                    lines.append(f"  {label}: {claims[key]}")
        if item.get("certificate_error"):
            lines.append(f"  certificate unreadable: {item['certificate_error']}")
        hint = item.get("publisher_hint")
        if hint is not None:
            lines.append(f"  publisher label (index hint, unsigned): {json.dumps(hint)}")
        lines.append(f"  log index: {item['log_index']}")
        lines.append(f"  integrated time: {item['integrated_time_iso']}")
    lines.append("(not verified: use `pyvouch verify` to check signatures and identity)")
    return lines


def build(report: InspectReport) -> Report:
    rows = tuple(
        Row(
            (
                item["source"],
                short_predicate(item["predicate_type"]),
                item.get("publisher_spec", ""),
                str(item["log_index"]),
                item["integrated_time_iso"] or "",
            )
        )
        for item in report.attestations
    )
    return Report(
        command="inspect",
        schema=SCHEMA,
        body={
            "target": report.target,
            "kind": report.kind,
            "sha256": report.file_sha256,
            "sources": list(report.sources),
            "attestations": list(report.attestations),
            "verified": False,
            "note": NOTE,
        },
        title=f"pyvouch inspect: {report.target} ({report.kind})",
        blocks=(
            Paragraph(f"Not verified: {NOTE}.", strong=True),
            Table(("source", "predicate", "publisher (unverified)", "log index", "time"), rows),
        ),
        lines=tuple(Line(text) for text in report_lines(report)),
    )
