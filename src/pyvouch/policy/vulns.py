"""The policy on vulnerability findings (``scan --vulns``): plain data in, verdicts out.

A finding that may be reached (``direct``, ``transitive``, or ``unknown``: exposure that could
not be told is not taken as safe) blocks when its severity is at or above the threshold of its
package's tier (``[vulnerabilities.block-at]``, default ``high`` in both tiers; ``never``
turns it off); one with an unknown severity warns (blocks with
``block-unknown-severity = true``); one below the threshold warns. A ``test-only`` or
``not-imported`` finding is allowed, with the reason. An exception (``[[vulnerabilities.
exceptions]]``: an id or alias, optionally a package, owner, reason, expiry) allows what would
block until it expires; then it blocks and says so. In warn mode a block is shown as a warning.

The exit code: in enforce, 1 when a finding blocks, else 3 when a package's vulnerability
status is unknown (no source could answer), else 0; other modes 0.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from pyvouch.model import Action
from pyvouch.policy.schema import Mode, Policy, VulnException
from pyvouch.reachability.model import Exposure
from pyvouch.vulns.model import (
    Level,
    RankedFinding,
    VulnAssessment,
    VulnStatus,
    VulnVerdict,
)

_MAY_BE_REACHED = (Exposure.DIRECT, Exposure.TRANSITIVE, Exposure.UNKNOWN)


def _exception(policy: Policy, ranked: RankedFinding) -> VulnException | None:
    return next((e for e in policy.vulns.exceptions if e.covers(ranked.finding)), None)


def evaluate(ranked: RankedFinding, policy: Policy, today: date) -> VulnVerdict:
    """The verdict on one finding before the mode is applied."""
    finding = ranked.finding
    tier = policy.tier_of(finding.package)
    threshold = policy.vulns.block_at(tier.name)
    level = finding.rating.level
    rule = f"{tier.name.value}:vulns"
    if ranked.exposure not in _MAY_BE_REACHED:
        why = (
            "used only from tests or dev-only packages"
            if ranked.exposure is Exposure.TEST_ONLY
            else "installed but never imported"
        )
        return VulnVerdict(Action.ALLOW, f"{rule}:not-reached", (f"{finding.id}: {why}",))
    reached = (
        "reachability unknown, taken as reachable"
        if ranked.exposure is Exposure.UNKNOWN
        else f"{ranked.exposure.value} import"
    )
    if threshold is None:
        verdict = VulnVerdict(
            Action.WARN,
            f"{rule}:reachable",
            (f"{finding.id}: {reached}; the {tier.name.value} tier blocks no severity",),
        )
    elif level is Level.UNKNOWN:
        action = Action.BLOCK if policy.vulns.block_unknown_severity else Action.WARN
        verdict = VulnVerdict(
            action,
            f"{rule}:unknown-severity",
            (f"{finding.id}: {reached}; its severity is unknown ({finding.rating.source})",),
        )
    elif level.at_least(threshold):
        verdict = VulnVerdict(
            Action.BLOCK,
            f"{rule}:{threshold.value}",
            (
                f"{finding.id}: {reached}; severity {level.value} is at or above "
                f"{threshold.value} (the {tier.name.value} tier's threshold)",
            ),
        )
    else:
        verdict = VulnVerdict(
            Action.WARN,
            f"{rule}:below-threshold",
            (f"{finding.id}: {reached}; severity {level.value} is below {threshold.value}",),
        )
    exc = _exception(policy, ranked)
    if exc is None or verdict.action is not Action.BLOCK:
        return verdict
    if exc.expired(today):
        return VulnVerdict(
            Action.BLOCK,
            f"exception-expired:{exc.id} (expired {exc.expires}, owner {exc.owner})",
            (
                f"the exception for {exc.id} expired on {exc.expires.isoformat()} (owner "
                f"{exc.owner}, reason: {exc.reason}); renew or remove it ({exc.where})",
                *verdict.reasons,
            ),
        )
    return VulnVerdict(
        Action.ALLOW,
        f"exception:{exc.id} (expires {exc.expires}, owner {exc.owner})",
        (exc.reason, *(f"excepted: {r}" for r in verdict.reasons)),
    )


def _moded(verdict: VulnVerdict, mode: Mode) -> VulnVerdict:
    if mode is Mode.WARN and verdict.action is Action.BLOCK:
        return replace(
            verdict, action=Action.WARN, reasons=(*verdict.reasons, "would block in enforce mode")
        )
    return verdict


def decide_vulns(
    assessment: VulnAssessment, policy: Policy, today: date
) -> tuple[VulnAssessment, int]:
    """Every finding decided (as the mode shows it), and the exit code the findings ask for."""
    verdicts = [evaluate(r, policy, today) for r in assessment.findings]
    findings = tuple(
        replace(r, verdict=_moded(v, policy.mode))
        for r, v in zip(assessment.findings, verdicts, strict=True)
    )
    stale = tuple(
        f"the vulnerability exception for {exc.id} ({exc.where}) expired on "
        f"{exc.expires.isoformat()} (owner {exc.owner}) and matches no finding; remove it"
        for exc in policy.vulns.exceptions
        if exc.expired(today) and not any(exc.covers(r.finding) for r in findings)
    )
    report = replace(assessment.report, warnings=(*assessment.report.warnings, *stale))
    decided = replace(assessment, findings=findings, report=report)
    if policy.mode is not Mode.ENFORCE:
        return decided, EXIT_OK
    if any(v.action is Action.BLOCK for v in verdicts):
        return decided, EXIT_FINDINGS
    if assessment.report.count(VulnStatus.UNKNOWN):
        return decided, EXIT_INCOMPLETE
    return decided, EXIT_OK
