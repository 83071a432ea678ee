"""Turn each package's findings into allow / warn / block, with the rule that decided it.

Pure: the scan result, the policy and today's date in; decisions and an exit code out.
The order of the rules (first that applies decides; docs/policy.md has the table):

1. an ``invalid`` attestation blocks, in every tier; no exception covers it;
2. a verified identity that is not the pinned one (``mismatch``) blocks, in every tier; no
   exception covers it;
3. an expired exception for the package blocks;
4. a pinned package whose files are now unattested, or that now comes from outside the
   index (not-indexed), blocks (warns in a tier that requires ``any``);
5. the tier's requirement (``verified-pinned``, ``verified``, ``no-regression``, ``any``); a
   not-indexed package in a tier that requires verification blocks;
6. a valid exception turns a warn or block from 4 or 5 into allow, naming itself.

The mode then decides what a block does: collect shows it and exits 0, warn shows it as a
warning and exits 0, enforce exits 1. In enforce, a package that must be verified but whose
status is ``unknown`` exits 3 when nothing blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from pyvouch.model import Action, Decision, Finding, PackageResult, ScanResult, Status
from pyvouch.policy.pins import (
    check_against_pins,
    describe_pins,
    matching_pin,
    mismatch_detail,
    package_pins,
    pin_origins,
)
from pyvouch.policy.schema import Mode, Pin, Policy, PolicyException, Require, Tier
from pyvouch.policy.tiers import TierName, normalize

_LOST = (Status.UNATTESTED, Status.LEGACY_SIGNED)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A decision before the mode is applied, and whether it is an answer at all."""

    action: Action
    rule: str
    reasons: tuple[str, ...]
    incomplete: bool = False
    """The package must be verified and nobody can tell whether it is (status unknown)."""


@dataclass(frozen=True, slots=True)
class _Files:
    """The package's findings sorted by what they mean for policy."""

    invalid: tuple[Finding, ...]
    mismatched: tuple[str, ...]
    lost: tuple[Finding, ...]
    unknown: tuple[str, ...]
    verified: tuple[Finding, ...]


def _sort_files(result: PackageResult, pins: tuple[Pin, ...]) -> _Files:
    invalid: list[Finding] = []
    mismatched: list[str] = []
    lost: list[Finding] = []
    unknown: list[str] = []
    verified: list[Finding] = []
    for f in result.findings:
        name = f.file.filename
        if f.status is Status.INVALID:
            invalid.append(f)
        elif f.status is Status.MISMATCH:
            if pins and f.publisher is not None:
                mismatched.append(_changed(pins, f))
            else:
                mismatched.append(f"publisher mismatch for {name}: {f.reason}")
        elif f.status in _LOST:
            lost.append(f)
        elif f.status is Status.VERIFIED:
            if pins and f.publisher is not None and matching_pin(pins, f.publisher) is None:
                mismatched.append(_changed(pins, f))
            elif pins and f.publisher is None and not f.identity_checked:
                unknown.append(f"{name} verified but its publisher identity is not known")
            else:
                verified.append(f)
        else:  # UNKNOWN (NOT_INDEXED only happens per package, handled before)
            unknown.append(f"{name}: {f.reason}" if f.reason else name)
    if not result.findings:
        unknown.append(result.note or "no files to check")
    return _Files(tuple(invalid), tuple(mismatched), tuple(lost), tuple(unknown), tuple(verified))


def _changed(pins: tuple[Pin, ...], f: Finding) -> str:
    if f.publisher is None:
        return f"publisher changed from {describe_pins(pins)} for {f.file.filename}: {f.reason}"
    return (
        f"publisher changed from {describe_pins(pins)} to {f.publisher.to_spec()} "
        f"for {f.file.filename} ({mismatch_detail(pins, f.publisher)})"
    )


def _lost_reason(name: str, pins: tuple[Pin, ...], f: Finding) -> str:
    serves = "only a PGP signature" if f.status is Status.LEGACY_SIGNED else "none"
    specs = " or ".join(dict.fromkeys(p.identity.to_spec() for p in pins))
    return (
        f"attestation lost: {name} is pinned to {specs} ({pin_origins(pins)}) but the index "
        f"serves {serves} for {f.file.filename}"
    )


def _exception_rule(exc: PolicyException, expired: bool) -> str:
    if expired:
        return f"exception-expired:{exc.package} (expired {exc.expires}, owner {exc.owner})"
    return f"exception:{exc.package} (expires {exc.expires}, owner {exc.owner})"


def _rule(tier: Tier, check: str) -> str:
    return f"{tier.name.value}:{check}"


def _publishers(files: tuple[Finding, ...]) -> str:
    specs = dict.fromkeys(f.publisher.to_spec() for f in files if f.publisher is not None)
    return ", ".join(specs) if specs else "an identity checked by the verifier"


def _not_indexed(
    result: PackageResult, tier: Tier, pins: tuple[Pin, ...], policy: Policy
) -> Verdict:
    """A package from a path, VCS checkout, editable or direct URL: nothing to verify.

    Changing where a package comes from must not escape its pin or its tier: a pinned
    package blocks as a lost attestation does (warns where the tier requires ``any``), and
    one in a tier that requires verification blocks. Only an exception admits either (or, for
    an unpinned package outside the critical tier, the install gate's --allow-not-indexed)."""
    origin = result.package.origin or "not from an index"
    name = result.package.name
    what = f"not-indexed ({origin}): nothing to verify"
    if pins:
        reason = (
            f"{what}, but {name} is pinned to {describe_pins(pins)}: a package that now "
            "comes from outside the index has no attestation to hold to its pin"
        )
        if tier.require is Require.ANY:
            return Verdict(Action.WARN, _rule(tier, tier.require.value), (reason,))
        return Verdict(Action.BLOCK, _rule(tier, "pin-regression"), (reason,))
    rule = _rule(tier, tier.require.value)
    if tier.require.must_verify:
        reason = f"{what}; the {tier.name.value} tier requires {tier.require.value}"
        if policy.allow_not_indexed and tier.name is TierName.LONG_TAIL:
            return Verdict(Action.WARN, rule, (f"{reason}; allowed by --allow-not-indexed",))
        return Verdict(Action.BLOCK, rule, (reason,))
    return Verdict(Action.ALLOW, rule, (what,))


def _requirement(
    result: PackageResult, tier: Tier, pins: tuple[Pin, ...], files: _Files
) -> Verdict:
    """Rules 4 and 5: regressions and the tier's own requirement."""
    name = result.package.name
    req = tier.require
    if files.lost and pins:
        reasons = tuple(_lost_reason(name, pins, f) for f in files.lost)
        if req is Require.ANY:
            return Verdict(Action.WARN, _rule(tier, req.value), reasons)
        return Verdict(Action.BLOCK, _rule(tier, "pin-regression"), reasons)
    rule = _rule(tier, req.value)
    if req.must_verify:
        if files.lost:
            return Verdict(
                Action.BLOCK,
                rule,
                tuple(
                    f"{f.status.value}: {f.file.filename} has no attestation; the "
                    f"{tier.name.value} tier requires {req.value}"
                    for f in files.lost
                ),
            )
        if files.unknown:
            return Verdict(
                Action.WARN,
                rule,
                tuple(f"cannot tell: {u}" for u in files.unknown),
                incomplete=True,
            )
        verified_as = _publishers(files.verified)
        if req is Require.VERIFIED_PINNED and all(p.observed for p in pins):
            seen = " (history's identities do not count)" if pins else ""
            return Verdict(
                Action.BLOCK,
                rule,
                (
                    f"verified as {verified_as}, but {name} has no pinned identity to compare "
                    f"with{seen}; pin it (pyvouch pin, or [tool.pyvouch.publishers])",
                ),
            )
        if pins:
            return Verdict(Action.ALLOW, rule, (f"verified as {verified_as}, the pinned identity",))
        return Verdict(Action.ALLOW, rule, (f"verified as {verified_as}",))
    if files.unknown and pins and req is Require.NO_REGRESSION:
        return Verdict(
            Action.WARN,
            rule,
            tuple(f"cannot tell whether {name} kept its attestation: {u}" for u in files.unknown),
            incomplete=True,
        )
    return Verdict(Action.ALLOW, rule, (_summary(result, tier, pins),))


def _summary(result: PackageResult, tier: Tier, pins: tuple[Pin, ...]) -> str:
    status = result.status
    if status is Status.VERIFIED:
        suffix = ", the pinned identity" if pins else ""
        return f"verified{suffix}"
    if tier.require is Require.ANY:
        return f"{status.value}; the {tier.name.value} tier requires nothing"
    return f"{status.value}; nothing pinned, so nothing regressed (trust on first use)"


def evaluate(result: PackageResult, policy: Policy, today: date) -> Verdict:
    """The decision for one package before the mode is applied."""
    package = result.package
    tier = policy.tier_of(package.name)
    pins = package_pins(package, policy)
    exc = policy.exception_for(package.name)

    if package.origin is not None:
        verdict = _not_indexed(result, tier, pins, policy)
    else:
        files = _sort_files(result, pins)
        blocked = _attack_signals(tier, files, exc)
        if blocked is not None:
            return blocked
        verdict = _requirement(result, tier, pins, files)

    if exc is None:
        return verdict
    if exc.expired(today):
        return Verdict(
            Action.BLOCK,
            _exception_rule(exc, expired=True),
            (
                f"the exception for {exc.package} expired on {exc.expires.isoformat()} "
                f"(owner {exc.owner}, reason: {exc.reason}); renew or remove it "
                f"({exc.where})",
                *verdict.reasons,
            ),
        )
    if verdict.action is Action.ALLOW:
        return replace(
            verdict,
            reasons=(
                *verdict.reasons,
                f"the exception for {exc.package} ({exc.where}) is not needed: it passes "
                f"{verdict.rule}; remove it",
            ),
        )
    return Verdict(
        Action.ALLOW,
        _exception_rule(exc, expired=False),
        (exc.reason, *(f"excepted: {r}" for r in verdict.reasons)),
    )


def _attack_signals(tier: Tier, files: _Files, exc: PolicyException | None) -> Verdict | None:
    """Rules 1 and 2: what blocks in every tier, whatever the exceptions say."""
    note = (
        (f"the exception for {exc.package} does not cover invalid or mismatched attestations",)
        if exc is not None
        else ()
    )
    if files.invalid:
        return Verdict(
            Action.BLOCK,
            _rule(tier, "invalid"),
            (
                *(
                    f"{f.file.filename or f.file.sha256} is invalid: {f.reason}"
                    for f in files.invalid
                ),
                *files.mismatched,
                *note,
            ),
        )
    if files.mismatched:
        return Verdict(Action.BLOCK, _rule(tier, "pin-mismatch"), (*files.mismatched, *note))
    return None


def apply_mode(verdict: Verdict, mode: Mode) -> Verdict:
    """What the mode makes of a verdict: warn mode shows a block as a warning."""
    if mode is Mode.WARN and verdict.action is Action.BLOCK:
        return replace(
            verdict,
            action=Action.WARN,
            reasons=(*verdict.reasons, "would block in enforce mode"),
        )
    return verdict


def _decision(result: PackageResult, verdict: Verdict) -> Decision:
    return Decision(
        package=result.package,
        action=verdict.action,
        rule=verdict.rule,
        reasons=verdict.reasons,
        findings=result.findings,
    )


def decide(result: PackageResult, policy: Policy, today: date) -> Decision:
    """The decision for one package, as the policy's mode presents it."""
    result = check_against_pins(result, package_pins(result.package, policy))
    return _decision(result, apply_mode(evaluate(result, policy, today), policy.mode))


def exit_code(verdicts: list[Verdict], mode: Mode) -> int:
    """0, 1 (a block in enforce) or 3 (enforce, nothing blocks, but a must-verify unknown)."""
    if mode is not Mode.ENFORCE:
        return EXIT_OK
    if any(v.action is Action.BLOCK for v in verdicts):
        return EXIT_FINDINGS
    if any(v.incomplete for v in verdicts):
        return EXIT_INCOMPLETE
    return EXIT_OK


def without_decisions(scan: ScanResult) -> ScanResult:
    """``scan`` with no decision on any package: what a scan reports when no policy file or
    mode made one (statuses, pins from the lock included, are kept)."""
    return replace(scan, packages=tuple(replace(p, decision=None) for p in scan.packages))


def exit_code_without_policy(scan: ScanResult) -> int:
    """The exit code when no policy file or mode decides: 1 when any file failed verification
    (`invalid`) or was signed by another identity than expected (`mismatch`), else 3 when any
    could not be told (`unknown`), else 0. Nothing tampered passes a CI job by default."""
    if scan.count(Status.INVALID) or scan.count(Status.MISMATCH):
        return EXIT_FINDINGS
    if scan.count(Status.UNKNOWN):
        return EXIT_INCOMPLETE
    return EXIT_OK


def decide_all(scan: ScanResult, policy: Policy, today: date) -> tuple[ScanResult, int]:
    """Every package decided; the scan result carrying the decisions, and the exit code."""
    checked = [check_against_pins(r, package_pins(r.package, policy)) for r in scan.packages]
    verdicts = [evaluate(r, policy, today) for r in checked]
    packages = tuple(
        replace(r, decision=_decision(r, apply_mode(v, policy.mode)))
        for r, v in zip(checked, verdicts, strict=True)
    )
    present = {normalize(r.package.name) for r in scan.packages}
    stale = tuple(
        f"the exception for {exc.package} ({exc.where}) expired on {exc.expires.isoformat()} "
        f"(owner {exc.owner}) and matches no package in this scan; remove it"
        for exc in policy.exceptions
        if exc.expired(today) and exc.package not in present
    )
    decided = replace(
        scan, packages=packages, warnings=(*scan.warnings, *stale), mode=policy.mode.value
    )
    return decided, exit_code(verdicts, policy.mode)
