"""`pyvouch verify-blob` as a `Report`: per file its status, bundle, what was signed, log
entry and times (text), the JSON document ``pyvouch-verify-blob/1``, a Markdown table and a
SARIF run (a result per file that did not verify)."""

from __future__ import annotations

from collections.abc import Sequence

from pyvouch.model import Status
from pyvouch.report.document import Code, Line, Paragraph, Report, Row, SarifRun, Table
from pyvouch.report.status_rules import RULES, file_result
from pyvouch.report.verify_report import summary_of
from pyvouch.verify.blob_result import BlobResult
from pyvouch.verify.signed_content import ContentPolicy
from pyvouch.verify.trust import TrustRoot

SCHEMA = "pyvouch-verify-blob/1"
_INDENT = 10


def accepted_line(accept: ContentPolicy) -> str:
    return (
        "accepted: "
        + ("a message signature, or " if not accept.required else "")
        + f"an in-toto statement with predicate type {', '.join(accept.accepted)}"
    )


def _lines(result: BlobResult) -> list[Line]:
    lines = [Line(f"{result.file}  {result.reason}", status=result.status.value, pad=9)]
    more = [f"bundle {result.bundle}, sha256 {result.sha256}"]
    more.append(f"signed: {result.describe_content()}")
    if result.transparency_log:
        more.append(f"transparency log entry {result.log_index}")
    more += [f"time: {when}" for when in result.verified_times]
    more += [f"note: {note}" for note in result.notes]
    return lines + [Line(text, indent=_INDENT) for text in more]


def _signer(result: BlobResult) -> str:
    if result.publisher is not None:
        return result.publisher.to_spec()
    if result.key_id is not None:
        return f"key {result.key_id}"
    return result.subject or ""


def _sarif(results: Sequence[BlobResult], base_dir: str | None) -> SarifRun:
    found = [
        file_result(
            r.status,
            str(r.file),
            f"{r.file}: {r.status.value}: {r.reason}",
            ("pyvouchBlob/v1", r.sha256),
            {"bundle": str(r.bundle), "sha256": r.sha256},
            base_dir,
        )
        for r in results
        if r.status is not Status.VERIFIED
    ]
    return SarifRun(tuple(RULES.values()), tuple(found))


def build(results: Sequence[BlobResult], root: TrustRoot, accept: ContentPolicy) -> Report:
    lines = [line for r in results for line in _lines(r)]
    lines.append(Line(f"trust root: {root.source}", style="dim"))
    lines.append(Line(accepted_line(accept), style="dim"))
    rows = tuple(
        Row(
            (str(r.file), Code(r.status.value), _signer(r), r.describe_content(), r.reason),
            r.status.value,
        )
        for r in results
    )
    return Report(
        command="verify-blob",
        schema=SCHEMA,
        body={
            "trust_root": {"name": root.name, "source": root.source},
            "accepted_content": accept.to_dict(),
            "results": [r.to_dict() for r in results],
        },
        title="pyvouch verify-blob",
        blocks=(
            Paragraph(summary_of([r.status for r in results]), strong=True),
            Paragraph(f"Trust root: {root.name} ({root.source}); {accepted_line(accept)}"),
            Table(("file", "status", "signer", "signed", "reason"), rows),
        ),
        lines=tuple(lines),
        sarif=lambda base_dir: _sarif(results, base_dir),
    )
