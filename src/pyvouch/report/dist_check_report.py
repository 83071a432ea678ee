"""`pyvouch check DIST_DIR` as a `Report`: the text report (what verified, each finding, the
verdict), the JSON document ``pyvouch-check/1``, a Markdown table and a SARIF run (one rule
per severity; a result per finding, located at the file in the folder)."""

from __future__ import annotations

from pyvouch.model import Rule, Severity
from pyvouch.publish_check import CheckFinding, CheckResult
from pyvouch.report.document import (
    Block,
    Bullets,
    Code,
    Item,
    Line,
    Paragraph,
    Report,
    Row,
    SarifRun,
    Table,
)
from pyvouch.report.sarif_builder import Location, Result, artifact_uri

SCHEMA = "pyvouch-check/1"

RULES: dict[Severity, Rule] = {
    Severity.ERROR: Rule(
        "PYV-C001",
        "DistFolderError",
        Severity.ERROR,
        "The folder is not fit to upload as it is: a file would be refused, or published "
        "for good in a state that cannot be replaced.",
    ),
    Severity.WARNING: Rule(
        "PYV-C002",
        "DistFolderWarning",
        Severity.WARNING,
        "The folder uploads, but something in it is likely a mistake.",
    ),
    Severity.INFO: Rule(
        "PYV-C003", "DistFolderNote", Severity.INFO, "Something an upload tool handles badly."
    ),
}
"""One rule per severity of a `check` finding."""


def summary(result: CheckResult) -> str:
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    return f"{errors} error(s), {warnings} warning(s): {result.verdict()}"


def _sarif_result(result: CheckResult, finding: CheckFinding, base_dir: str | None) -> Result:
    path = str(result.directory / finding.file)
    uri = artifact_uri(path, base_dir) or path
    rule = RULES[finding.level]
    return Result(
        rule.id,
        finding.level,
        f"{finding.file}: {finding.message}",
        locations=(Location(uri),),
        fingerprints={"pyvouchDist/v1": f"{finding.file}:{rule.id}"},
    )


def build(result: CheckResult) -> Report:
    head = (
        f"{result.directory}: {len(result.dists)} distribution(s), "
        f"{len(result.attestations)} attestation(s)"
    )
    lines = [Line(head)]
    lines += [Line(text, status="verified", pad=9, indent=2) for text in result.verified]
    lines += [
        Line(f"{f.file}: {f.message}", status=f.level.value, pad=9, indent=2)
        for f in result.findings
    ]
    lines.append(Line(summary(result)))
    rows = tuple(
        Row((f.file, Code(f.level.value), f.message), f.level.value) for f in result.findings
    )
    blocks: list[Block] = [Paragraph(summary(result), strong=True), Paragraph(head)]
    if rows:
        blocks.append(Table(("file", "level", "finding"), rows))
    if result.verified:
        blocks.append(Bullets(tuple(Item(v) for v in result.verified), title="Verified"))
    return Report(
        command="check",
        schema=SCHEMA,
        body={
            "directory": str(result.directory),
            "distributions": [d.path.name for d in result.dists],
            "attestations": [p.name for p in result.attestations],
            "verified": list(result.verified),
            "findings": [
                {"level": f.level.value, "file": f.file, "message": f.message}
                for f in result.findings
            ],
        },
        title=f"pyvouch check: {result.directory}",
        blocks=tuple(blocks),
        lines=tuple(lines),
        sarif=lambda base_dir: SarifRun(
            tuple(RULES.values()),
            tuple(_sarif_result(result, f, base_dir) for f in result.findings),
            artifacts=(artifact_uri(str(result.directory), base_dir) or str(result.directory),),
        ),
    )
