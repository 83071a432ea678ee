"""`scan` and `install` results (a `ScanResult`) as a `Report`: the JSON body of
``pyvouch-scan/1``, the Markdown document, and the SARIF run (one result per package that is
not verified, or that the policy warns on or blocks). With ``scan --vulns`` each part gains
the vulnerability section (``vulns_report.py``): JSON's ``vulnerabilities``, the document's
"Vulnerabilities" blocks, the lines after the table, SARIF rules PYV101/PYV102 and their
results; CycloneDX reads ``Report.vulns`` for its VEX section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyvouch.model import Action, Decision, Finding, PackageResult, ScanResult, Severity, Status
from pyvouch.report._common import (
    SCHEMA_ID,
    display_version,
    package_label,
    package_publishers,
    package_reason,
    summary_counts,
    summary_line,
    unknown_statement,
    with_kinds,
)
from pyvouch.report.document import (
    Block,
    Bullets,
    Cell,
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
from pyvouch.report.status_rules import ACTION_SEVERITY, RULES

if TYPE_CHECKING:  # the vulnerability section's code loads only for a report that has one
    from pyvouch.vulns.model import VulnAssessment


def as_report(value: Report | ScanResult) -> Report:
    """A `Report` as it is; a `ScanResult` as `scan`'s report (what the format modules take)."""
    return value if isinstance(value, Report) else build(value)


def build(
    result: ScanResult, command: str = "scan", *, vulns: VulnAssessment | None = None
) -> Report:
    """The report of a scan (``command`` ``install`` for the gate's plan); ``vulns``: the
    findings of ``scan --vulns``, a section of every part."""
    data = body(result)
    blocks = _blocks(result)
    lines: tuple[Line, ...] = ()
    if vulns is not None:
        from pyvouch.report import vulns_common, vulns_report

        data["vulnerabilities"] = vulns_common.section_data(vulns)
        blocks += vulns_report.blocks(vulns)
        lines = vulns_report.lines(vulns)
    return Report(
        command=command,
        schema=SCHEMA_ID,
        body=data,
        title=f"pyvouch {command}: {result.source}",
        blocks=blocks,
        lines=lines,
        warnings=tuple(result.warnings),
        sarif=lambda base_dir: sarif_run(result, base_dir, vulns),
        scan=result,
        vulns=vulns,
    )


# --- JSON -------------------------------------------------------------------------------------


def _file(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filename": finding.file.filename,
        "sha256": finding.file.sha256,
        "url": finding.file.url,
        **finding.to_dict(),
    }
    if finding.file.other_digests:
        out["other_digests"] = dict(finding.file.other_digests)
    return out


def decision_json(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "action": decision.action.value,
        "rule": decision.rule,
        "reasons": list(decision.reasons),
    }


def _package(pkg: PackageResult) -> dict[str, Any]:
    return {
        "name": pkg.package.name,
        "version": pkg.package.version,
        "status": pkg.status.value,
        "coverage": pkg.coverage.value,
        "origin": pkg.package.origin,
        "note": pkg.note,
        "decision": decision_json(pkg.decision),
        "files": [_file(f) for f in pkg.findings],
    }


def body(result: ScanResult) -> dict[str, Any]:
    """The scan's fields of ``pyvouch-scan/1`` (the envelope adds schema, command, version)."""
    return {
        "source": result.source,
        "source_format": result.source_format,
        "index_url": result.index_url,
        "mode": result.mode,
        "summary": summary_counts(result),
        "packages": [_package(p) for p in result.packages],
        "warnings": list(result.warnings),
        **({"run": run_json(result)} if result.run is not None else {}),
    }


def run_json(result: ScanResult) -> dict[str, Any]:
    """The run's idempotency key in a history store, when and by what it ran."""
    run = result.run
    assert run is not None
    return {
        "id": run.id,
        "scanned_at": run.scanned_at,
        "pyvouch_version": run.pyvouch_version,
        "sigstore_version": run.sigstore_version,
    }


# --- the document (Markdown) -----------------------------------------------------------------

COLUMNS = ("package", "version", "status", "coverage", "publisher", "reason")


def _status_cell(pkg: PackageResult) -> Cell:
    if pkg.decision is None:
        return Code(package_label(pkg))
    return (Code(package_label(pkg)), f" ({pkg.decision.action.value}: {pkg.decision.rule})")


def _row(pkg: PackageResult, *, reasons: bool) -> Row:
    why = with_kinds(package_reason(pkg) if reasons else "", pkg)
    if pkg.decision is not None and pkg.decision.reasons:
        why = "; ".join(filter(None, [why, *pkg.decision.reasons]))
    cells: tuple[Cell, ...] = (
        pkg.package.name,
        display_version(pkg),
        _status_cell(pkg),
        pkg.coverage.value,
        ", ".join(package_publishers(pkg)),
        why,
    )
    return Row(cells, pkg.status.value)


def flagged(pkg: PackageResult) -> bool:
    """A verified package the policy still warns on or blocks."""
    return pkg.decision is not None and pkg.decision.action is not Action.ALLOW


def _blocks(result: ScanResult) -> tuple[Block, ...]:
    meta = f"Index: {result.index_url} · format: {result.source_format} · mode: {result.mode}"
    blocks: list[Block] = [Paragraph(meta), Paragraph(summary_line(result), strong=True)]
    statement = unknown_statement(result)
    if statement:
        blocks.append(Paragraph(statement, quote=True))
    attention: list[PackageResult] = []
    verified: list[PackageResult] = []
    for pkg in result.packages:  # one pass (a membership test per package was quadratic)
        needs = pkg.status is not Status.VERIFIED or flagged(pkg)
        (attention if needs else verified).append(pkg)
    if attention:
        rows = tuple(_row(p, reasons=True) for p in attention)
        blocks.append(Table(COLUMNS, rows, title="Needs attention"))
    if verified:
        rows = tuple(_row(p, reasons=False) for p in verified)
        blocks.append(Table(COLUMNS, rows, title=f"{len(verified)} verified", folded=True))
    if result.warnings:
        blocks.append(Bullets(tuple(Item(w) for w in result.warnings), title="Warnings"))
    return tuple(blocks)


# --- SARIF -----------------------------------------------------------------------------------


def _rule_key(pkg: PackageResult) -> Status | None:
    return None if pkg.status is Status.VERIFIED else pkg.status


def _message(pkg: PackageResult) -> str:
    head = f"{pkg.package.name} {display_version(pkg)}: {package_label(pkg)}"
    reason = with_kinds(package_reason(pkg), pkg)
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
            {
                "filename": f.file.filename,
                "status": f.status.value,
                "reason": f.reason,
                "signature_kind": f.signature_kind.value if f.signature_kind else None,
            }
            for f in pkg.findings
        ],
    }
    if decision is not None:
        props["decision"] = decision_json(decision)
    return Result(
        rule_id,
        ACTION_SEVERITY[decision.action] if decision is not None else Severity.INFO,
        _message(pkg),
        locations=() if uri is None else (Location(uri, logical=((pkg.package.name, "package"),)),),
        fingerprints={
            "pyvouchPackage/v1": f"{pkg.package.name}@{pkg.package.version or ''}:{rule_id}"
        },
        properties=props,
    )


def _needs_result(pkg: PackageResult) -> bool:
    return pkg.status is not Status.VERIFIED or flagged(pkg)


def sarif_run(
    result: ScanResult, base_dir: str | None, vulns: VulnAssessment | None = None
) -> SarifRun:
    uri = artifact_uri(result.source, base_dir)
    rules = tuple(RULES.values())
    results = tuple(_result(p, uri) for p in result.packages if _needs_result(p))
    if vulns is not None:
        from pyvouch.report import vulns_report

        rules += vulns_report.SARIF_RULES
        results += vulns_report.sarif_results(vulns, uri, base_dir)
    return SarifRun(
        rules,
        results,
        artifacts=() if uri is None else (uri,),
        properties={
            "source": result.source,
            "sourceFormat": result.source_format,
            "indexUrl": result.index_url,
            "mode": result.mode,
            "warnings": list(result.warnings),
        },
    )
