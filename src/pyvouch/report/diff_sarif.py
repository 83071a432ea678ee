"""`pyvouch diff --format sarif`: a pull request's dependency review for code scanning (the
SARIF run of diff's `Report`).

Made by the one SARIF builder with the rules of `scan --format sarif` (one per status that
is a problem, and the policy's warn/block of a verified package), plus one rule for a change
to what the review trusts. One result per added or changed package that is not verified or
that the policy warns on or blocks, and one per trust input change; locations point at the
head's lock file. Levels come from the decisions, as for `scan`.
"""

from __future__ import annotations

from pyvouch.model import Action, Rule, Severity, Status
from pyvouch.policy.diff import DiffReport, Entry
from pyvouch.report.document import SarifRun
from pyvouch.report.sarif_builder import Location, Result, artifact_uri
from pyvouch.report.status_rules import ACTION_SEVERITY, RULES

TRUST_RULE = Rule(
    "PYV008",
    "TrustInputChanged",
    Severity.WARNING,
    "The change edits what the review trusts (the policy, the pins or the index); the base's "
    "are used, and the base policy decides whether the change may land.",
)


def _needs_result(entry: Entry) -> bool:
    if entry.status is None:
        return False
    if entry.status is not Status.VERIFIED:
        return True
    return entry.decision is not None and entry.decision.action is not Action.ALLOW


def _entry_result(entry: Entry, uri: str | None) -> Result:
    assert entry.status is not None
    rule = RULES[None if entry.status is Status.VERIFIED else entry.status]
    change = entry.change
    text = f"{change.name} {change.head_versions} ({change.kind.value}): {entry.status.value}"
    if entry.notes:
        text += f"; {'; '.join(entry.notes)}"
    decision = entry.decision
    if decision is not None:
        text += f". Policy: {decision.action.value} by rule {decision.rule}"
        if decision.reasons:
            text += f" ({'; '.join(decision.reasons)})"
    return Result(
        rule.id,
        ACTION_SEVERITY[decision.action] if decision is not None else Severity.INFO,
        text + ".",
        locations=() if uri is None else (Location(uri, logical=((change.name, "package"),)),),
        fingerprints={"pyvouchPackage/v1": f"{change.name}@{change.head_versions}:{rule.id}"},
        properties={
            "package": change.name,
            "change": change.kind.value,
            "status": entry.status.value,
            "baseStatus": entry.base_status.value if entry.base_status else None,
            "publishers": list(entry.publishers),
        },
    )


def sarif_run(report: DiffReport, base_dir: str | None = None) -> SarifRun:
    uri = artifact_uri(report.head, base_dir)
    results = [_entry_result(e, uri) for e in report.entries if _needs_result(e)]
    trust_level = Severity.ERROR if report.trust.blocks else Severity.WARNING
    for change in report.trust.changes:
        results.append(
            Result(
                TRUST_RULE.id,
                trust_level,
                f"{change.input.value} ({change.where}): {change.detail}. "
                f"{report.trust.summary()}.",
                locations=() if uri is None else (Location(uri),),
                fingerprints={"pyvouchTrust/v1": f"{change.input.value}:{change.where}"},
            )
        )
    return SarifRun(
        (*RULES.values(), TRUST_RULE),
        tuple(results),
        artifacts=() if uri is None else (uri,),
        properties={
            "base": report.base,
            "head": report.head,
            "mode": report.mode,
            "indexUrl": report.index_url,
            "warnings": list(report.warnings),
        },
    )
