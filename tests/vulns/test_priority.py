"""The one ordering: reachability first, then severity, then whether a fix exists; the
attestation status beside it, never deciding; each finding with its reasons."""

from __future__ import annotations

from pyvouch.model import Status
from pyvouch.reachability.model import Evidence, Exposure, ReachabilityReport
from pyvouch.vulns.model import (
    Level,
    PackageVulns,
    Priority,
    Rating,
    VulnFinding,
    VulnReport,
    VulnStatus,
)
from pyvouch.vulns.priority import rank


def finding(
    package: str,
    ident: str,
    level: Level,
    fixed: tuple[str, ...] = ("9.9",),
    version: str = "1.0",
    **kw: object,
) -> VulnFinding:
    kw.setdefault("aliases", ())
    score = {Level.CRITICAL: 9.8, Level.HIGH: 7.5, Level.MEDIUM: 5.0, Level.LOW: 2.0}.get(level)
    return VulnFinding(
        package=package,
        version=version,
        id=ident,
        summary=f"{ident} summary",
        rating=Rating(level, score, None, "CVSS_V3 base score" if score else "none"),
        fixed=fixed,
        matched="range introduced 0",
        **kw,  # type: ignore[arg-type]
    )


def report(*findings: VulnFinding) -> VulnReport:
    names = dict.fromkeys(f.package for f in findings)
    return VulnReport(
        tuple(
            PackageVulns(
                n, "1.0", VulnStatus.AFFECTED, tuple(f for f in findings if f.package == n)
            )
            for n in names
        )
    )


def evidence(exposure: Exposure, file: str | None = None, line: int | None = None) -> Evidence:
    chain = ("app.main", "lib") if exposure is Exposure.TRANSITIVE else ()
    return Evidence(exposure, chain, file, line, "")


def test_reachability_comes_before_severity_and_attestation() -> None:
    """A signed (verified) package imported directly with a medium finding ranks above an
    unattested critical one that nothing imports: attestation does not decide exposure."""
    findings = report(
        finding("signed", "PYSEC-1", Level.MEDIUM),
        finding("unsigned", "PYSEC-2", Level.CRITICAL),
        finding("deep", "PYSEC-3", Level.LOW),
        finding("unseen", "PYSEC-4", Level.HIGH),
        finding("tests", "PYSEC-5", Level.CRITICAL),
    )
    reach = ReachabilityReport(
        {
            "signed": evidence(Exposure.DIRECT, "src/app.py", 3),
            "unsigned": evidence(Exposure.NOT_IMPORTED),
            "deep": evidence(Exposure.TRANSITIVE, "src/app.py", 4),
            "tests": evidence(Exposure.TEST_ONLY, "tests/test_x.py", 1),
        },
        {},
        (),
    )
    ranked = rank(
        findings,
        reach,
        {"signed": Status.VERIFIED, "unsigned": Status.UNATTESTED, "deep": Status.VERIFIED},
    )
    assert [r.finding.id for r in ranked] == ["PYSEC-1", "PYSEC-3", "PYSEC-4", "PYSEC-5", "PYSEC-2"]
    assert [r.exposure for r in ranked] == [
        Exposure.DIRECT,
        Exposure.TRANSITIVE,
        Exposure.UNKNOWN,  # no entry in the analysis: unknown, never not-imported
        Exposure.TEST_ONLY,
        Exposure.NOT_IMPORTED,
    ]
    assert [r.priority for r in ranked] == [
        Priority.P2,
        Priority.P2,
        Priority.P2,
        Priority.P3,
        Priority.P4,
    ]
    top = ranked[0]
    assert top.attestation is Status.VERIFIED
    assert top.reasons[0] == "imported directly by first-party code at src/app.py:3"
    assert "severity medium" in top.reasons[1]
    assert top.reasons[2] == "fixed in 9.9"
    assert "attestation: verified" in top.reasons[-1]
    assert "chain: app.main -> lib" in ranked[1].reasons[0]
    assert ranked[2].reasons[0] == "exposure unknown: no entry in the analysis"


def test_within_one_exposure_severity_then_fix() -> None:
    ranked = rank(
        report(
            finding("a", "PYSEC-1", Level.UNKNOWN),
            finding("a", "PYSEC-2", Level.HIGH, fixed=()),
            finding("a", "PYSEC-3", Level.HIGH),
            finding("a", "PYSEC-4", Level.CRITICAL, fixed=()),
            finding("a", "PYSEC-5", Level.LOW),
        ),
        ReachabilityReport({"a": evidence(Exposure.DIRECT, "m.py", 1)}, {}, ()),
        {},
    )
    assert [r.finding.id for r in ranked] == ["PYSEC-4", "PYSEC-3", "PYSEC-2", "PYSEC-5", "PYSEC-1"]
    assert ranked[0].priority is Priority.P1
    assert ranked[2].reasons[2] == "no fixed version known"
    assert "ranked after known severities" in ranked[-1].reasons[1]


def test_without_an_analysis_every_exposure_is_unknown_and_says_why() -> None:
    (only,) = rank(report(finding("a", "PYSEC-1", Level.CRITICAL)), None, {})
    assert only.exposure is Exposure.UNKNOWN and only.priority is Priority.P2
    assert "not analysed" in only.reasons[0]


def test_affected_symbols_are_checked_against_first_party_references() -> None:
    used = finding("lib", "PYSEC-1", Level.HIGH, symbols=(("lib.sandbox", "escape"),))
    unused = finding("lib", "PYSEC-2", Level.HIGH, symbols=(("lib.other", "thing"),))
    reach = ReachabilityReport(
        {"lib": evidence(Exposure.DIRECT, "app.py", 1)},
        {("lib.sandbox", "escape"): (("app.py", 12),)},
        (),
    )
    by_id = {r.finding.id: r for r in rank(report(used, unused), reach, {})}
    assert by_id["PYSEC-1"].symbol_uses == (("app.py", 12),)
    assert "references the affected lib.sandbox.escape (app.py:12)" in by_id["PYSEC-1"].reasons[3]
    assert by_id["PYSEC-2"].symbol_uses == ()
    assert "no first-party reference" in by_id["PYSEC-2"].reasons[3]
