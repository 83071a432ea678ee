"""The policy on vulnerability findings: ``vuln-db`` and ``[vulnerabilities]`` read (and
refused when wrong), reachable findings at or above the tier's severity blocked in enforce,
exceptions with owner, reason and expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, ConfigError
from pyvouch.model import Action
from pyvouch.policy.schema import Mode, Policy
from pyvouch.policy.vulns import decide_vulns
from pyvouch.policy_files.config_file import load_config
from pyvouch.reachability.model import Evidence, Exposure, ReachabilityReport
from pyvouch.vulns.model import (
    Level,
    PackageVulns,
    VulnAssessment,
    VulnReport,
    VulnStatus,
)
from pyvouch.vulns.priority import rank
from tests.vulns.test_priority import finding

TODAY = date(2026, 6, 1)


def _policy(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "pyvouch.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_vulnerability_settings_are_read(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        """
mode = "enforce"
vuln-db = "advisories"
[tiers.critical]
packages = ["flask"]
[vulnerabilities]
block-at = { critical = "medium", long-tail = "never" }
block-unknown-severity = true
[[vulnerabilities.exceptions]]
id = "GHSA-462w-v97r-4m45"
package = "Jinja2"
reason = "sandbox not used"
owner = "sec@example.org"
expires = 2026-12-31
""",
    )
    rules = policy.vulns
    assert rules.db == str(tmp_path / "advisories")
    assert rules.block_critical is Level.MEDIUM and rules.block_long_tail is None
    assert rules.block_unknown_severity is True
    (exc,) = rules.exceptions
    assert (exc.id, exc.package, exc.owner) == ("GHSA-462w-v97r-4m45", "jinja2", "sec@example.org")
    assert exc.where == "pyvouch.toml vulnerabilities.exceptions[0]"
    defaults = _policy(tmp_path, "").vulns
    assert defaults.block_critical is Level.HIGH and defaults.block_long_tail is Level.HIGH
    assert defaults.db is None


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ('vuln-db = ""', "vuln-db", "must not be empty"),
        ("vuln-db = 3", "vuln-db", "must be a string"),
        ("[vulnerabilities]\nblock = 1", "vulnerabilities.block", "unknown key"),
        (
            '[vulnerabilities]\nblock-at = { critical = "severe" }',
            "vulnerabilities.block-at.critical",
            "'severe' is not one of critical | high | medium | low | never",
        ),
        (
            '[vulnerabilities]\nblock-at = { tail = "high" }',
            "vulnerabilities.block-at.tail",
            "unknown key",
        ),
        (
            '[vulnerabilities]\nblock-unknown-severity = "yes"',
            "vulnerabilities.block-unknown-severity",
            "must be true or false",
        ),
        (
            '[[vulnerabilities.exceptions]]\nid = "X"\nreason = "r"\nowner = "o"',
            "vulnerabilities.exceptions[0]",
            "missing required key 'expires'",
        ),
        (
            '[[vulnerabilities.exceptions]]\nid = "X"\nreason = "r"\nowner = "o"\n'
            'expires = "2027-01-01"',
            "vulnerabilities.exceptions[0].expires",
            "must be a TOML date",
        ),
        (
            '[[vulnerabilities.exceptions]]\nid = "X"\npackage = "a b"\nreason = "r"\n'
            'owner = "o"\nexpires = 2027-01-01',
            "vulnerabilities.exceptions[0].package",
            "",
        ),
    ],
)
def test_a_wrong_setting_is_refused_naming_the_key(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as info:
        _policy(tmp_path, text)
    assert info.value.where == where
    assert problem in info.value.problem


def _assessment(*exposures: tuple[str, Exposure, Level], unknown: bool = False) -> VulnAssessment:
    findings = [finding(name, f"PYSEC-{i}", level) for i, (name, _, level) in enumerate(exposures)]
    packages = [PackageVulns(f.package, "1.0", VulnStatus.AFFECTED, (f,)) for f in findings]
    if unknown:
        packages.append(PackageVulns("mystery", "1.0", VulnStatus.UNKNOWN, reason="offline"))
    report = VulnReport(tuple(packages))
    reach = ReachabilityReport(
        {
            name: Evidence(exp, (), "app.py", 1, "")
            for name, exp, _ in exposures
            if exp is not Exposure.UNKNOWN
        },
        {},
        (),
    )
    return VulnAssessment(report, rank(report, reach, {}), "analysed")


def _verdicts(assessment: VulnAssessment, policy: Policy) -> tuple[dict[str, Action], int]:
    decided, code = decide_vulns(assessment, policy, TODAY)
    return {
        r.finding.package: r.verdict.action for r in decided.findings if r.verdict is not None
    }, code


ENFORCE = Policy(mode=Mode.ENFORCE)


def test_reachable_at_or_above_the_threshold_blocks_in_enforce() -> None:
    actions, code = _verdicts(
        _assessment(
            ("direct-high", Exposure.DIRECT, Level.HIGH),
            ("deep-critical", Exposure.TRANSITIVE, Level.CRITICAL),
            ("maybe-high", Exposure.UNKNOWN, Level.HIGH),
            ("direct-medium", Exposure.DIRECT, Level.MEDIUM),
            ("direct-unrated", Exposure.DIRECT, Level.UNKNOWN),
            ("tests-critical", Exposure.TEST_ONLY, Level.CRITICAL),
            ("unused-critical", Exposure.NOT_IMPORTED, Level.CRITICAL),
        ),
        ENFORCE,
    )
    assert actions == {
        "direct-high": Action.BLOCK,
        "deep-critical": Action.BLOCK,
        "maybe-high": Action.BLOCK,  # could not tell: not taken as safe
        "direct-medium": Action.WARN,
        "direct-unrated": Action.WARN,
        "tests-critical": Action.ALLOW,
        "unused-critical": Action.ALLOW,
    }
    assert code == EXIT_FINDINGS


def test_thresholds_are_per_tier() -> None:
    policy = _policy_with(critical=("app-core",), block_critical=Level.MEDIUM, block_long_tail=None)
    actions, code = _verdicts(
        _assessment(
            ("app-core", Exposure.DIRECT, Level.MEDIUM),
            ("other", Exposure.DIRECT, Level.CRITICAL),
        ),
        policy,
    )
    assert actions == {"app-core": Action.BLOCK, "other": Action.WARN}
    assert code == EXIT_FINDINGS


def _policy_with(critical: tuple[str, ...] = (), **rules: object) -> Policy:
    base = ENFORCE
    return replace(
        base,
        critical=replace(base.critical, packages=critical),
        vulns=replace(base.vulns, **rules),  # type: ignore[arg-type]
    )


def test_unknown_severity_blocks_only_when_asked() -> None:
    assessment = _assessment(("a", Exposure.DIRECT, Level.UNKNOWN))
    assert _verdicts(assessment, ENFORCE) == ({"a": Action.WARN}, EXIT_OK)
    strict = _policy_with(block_unknown_severity=True)
    assert _verdicts(assessment, strict) == ({"a": Action.BLOCK}, EXIT_FINDINGS)


def test_an_exception_allows_until_it_expires(tmp_path: Path) -> None:
    text = """
mode = "enforce"
[[vulnerabilities.exceptions]]
id = "pysec-0"
package = "a"
reason = "not exploitable here: we never call the affected API"
owner = "sec@example.org"
expires = {expires}
"""
    assessment = _assessment(("a", Exposure.DIRECT, Level.CRITICAL))
    valid = _policy(tmp_path, text.format(expires="2026-12-31"))
    decided, code = decide_vulns(assessment, valid, TODAY)
    (ranked,) = decided.findings
    assert ranked.verdict is not None and ranked.verdict.action is Action.ALLOW
    assert "owner sec@example.org" in ranked.verdict.rule
    assert ranked.verdict.reasons[0].startswith("not exploitable here")
    assert code == EXIT_OK
    expired = _policy(tmp_path, text.format(expires="2026-05-31"))
    decided, code = decide_vulns(assessment, expired, TODAY)
    (ranked,) = decided.findings
    assert ranked.verdict is not None and ranked.verdict.action is Action.BLOCK
    assert "expired on 2026-05-31" in ranked.verdict.reasons[0]
    assert code == EXIT_FINDINGS
    # An exception for another package does not cover this one.
    other = _policy(tmp_path, text.format(expires="2026-12-31").replace('"a"', '"b"'))
    assert _verdicts(assessment, other)[1] == EXIT_FINDINGS
    # An expired one that matches nothing is named, so it gets removed.
    stale = _policy(tmp_path, text.format(expires="2026-05-31").replace('"a"', '"b"'))
    decided, _ = decide_vulns(assessment, stale, TODAY)
    assert any("pysec-0" in w and "matches no finding" in w for w in decided.report.warnings)
    assert not decide_vulns(assessment, valid, TODAY)[0].report.warnings


def test_warn_and_collect_never_fail_and_unknown_status_is_incomplete_in_enforce() -> None:
    blocking = _assessment(("a", Exposure.DIRECT, Level.CRITICAL))
    warned, code = decide_vulns(blocking, replace(ENFORCE, mode=Mode.WARN), TODAY)
    (ranked,) = warned.findings
    assert ranked.verdict is not None and ranked.verdict.action is Action.WARN
    assert "would block in enforce mode" in ranked.verdict.reasons
    assert code == EXIT_OK
    assert decide_vulns(blocking, Policy(mode=Mode.COLLECT), TODAY)[1] == EXIT_OK
    incomplete = _assessment(("a", Exposure.DIRECT, Level.LOW), unknown=True)
    assert decide_vulns(incomplete, ENFORCE, TODAY)[1] == EXIT_INCOMPLETE
