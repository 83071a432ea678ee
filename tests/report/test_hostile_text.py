"""Hostile names and reasons in every command's Markdown and text output.

A package name, a file name, a reason, a workflow path or an index's answer is chosen by
whoever publishes or serves it. Rendered into a pull-request comment or a job summary it must
not break a table (a pipe or a newline), inject HTML, close a code span (a backtick), form a
link, hide text behind a bidirectional override; printed on a terminal it must not send
control sequences. Each command's report is built here from results carrying the same hostile
string everywhere a string goes, and rendered through the shared builders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pyvouch import report
from pyvouch.index.check_outcomes import CheckResult as IndexCheck
from pyvouch.index.check_outcomes import FileCheck, ProjectCheck, Side, Verdict
from pyvouch.model import (
    Action,
    Decision,
    FileRef,
    Finding,
    Package,
    PackageResult,
    ScanResult,
    Severity,
    Status,
)
from pyvouch.policy.diff import Change, ChangeKind, DiffReport, Entry
from pyvouch.policy.readiness import Assessment, ReleaseState, ReleaseSummary
from pyvouch.policy.readiness import Verdict as Readiness
from pyvouch.policy.trust_inputs import TrustChange, TrustInput, TrustReview
from pyvouch.publish_check import CheckResult as DistCheck
from pyvouch.reachability.model import Evidence, Exposure
from pyvouch.report import (
    blob_report,
    diff_review,
    dist_check_report,
    index_check_report,
    inspect_report,
    readiness,
    scan_plan,
    scan_report,
    verify_report,
)
from pyvouch.report._common import RenderOptions
from pyvouch.report.document import Report
from pyvouch.report.markdown_escape import code, escape
from pyvouch.verify.blob_result import BlobResult
from pyvouch.verify.inspect import InspectReport
from pyvouch.verify.signed_content import ContentPolicy
from pyvouch.verify.trust import TrustRoot
from pyvouch.vulns.model import (
    Level,
    PackageVulns,
    Priority,
    RankedFinding,
    Rating,
    VulnAssessment,
    VulnFinding,
    VulnReport,
    VulnStatus,
    VulnVerdict,
)
from pyvouch.workflows import render as lint_report
from pyvouch.workflows.lint import LintFinding, LintResult
from tests.support.sarif_schema import sarif_errors

EVIL = (
    "evil|pkg`code`<script>alert(1)</script>\n| injected | row |\r\n"
    "\u202e[link](https://x.test)![img](https://x.test/i.png)\x1b[31m# head *em* _u_ ~~s~~"
)
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _package(version: str | None = EVIL) -> Package:
    return Package(name=EVIL, version=version, source="pylock.toml")


def _scan_result() -> ScanResult:
    found = Finding(FileRef(EVIL, "a" * 64), Status.UNKNOWN, EVIL)
    blocked = Decision(_package(), Action.BLOCK, EVIL, (EVIL,))
    return ScanResult(
        EVIL,
        "requirements",
        "https://pypi.org/simple/",
        (
            PackageResult(_package(), (found,), decision=blocked, note=EVIL),
            PackageResult(
                _package("1.0"), (Finding(FileRef(EVIL), Status.VERIFIED, EVIL),), note=EVIL
            ),
        ),
        warnings=(EVIL,),
    )


def _scan() -> Report:
    return scan_report.build(_scan_result())


def _vulns() -> VulnAssessment:
    """Advisory ids, aliases, summaries, versions, fixes, reasons and evidence all hostile: a
    local advisory database or an index's JSON API says what it likes."""
    found = VulnFinding(
        package=EVIL,
        version=EVIL,
        id=EVIL,
        aliases=(EVIL,),
        summary=EVIL,
        rating=Rating(Level.HIGH, 7.5, EVIL, EVIL),
        fixed=(EVIL,),
        matched=EVIL,
        symbols=((EVIL, EVIL),),
        urls=(EVIL,),
        sources=(EVIL,),
    )
    evidence = Evidence(Exposure.DIRECT, (EVIL,), EVIL, 3, EVIL)
    verdict = VulnVerdict(Action.BLOCK, EVIL, (EVIL,))
    reached = RankedFinding(
        found,
        Exposure.DIRECT,
        evidence,
        Status.UNKNOWN,
        Priority.P1,
        (EVIL,),
        ((EVIL, 3),),
        verdict,
    )
    unknown = RankedFinding(found, Exposure.UNKNOWN, None, None, Priority.P3, (EVIL,))
    packages = (
        PackageVulns(EVIL, EVIL, VulnStatus.AFFECTED, (found,)),
        PackageVulns(EVIL, EVIL, VulnStatus.UNKNOWN, reason=EVIL),
    )
    report = VulnReport(packages, (EVIL,), (EVIL,))
    return VulnAssessment(report, (reached, unknown), EVIL, skipped=(EVIL,))


def _scan_vulns() -> Report:
    return scan_report.build(_scan_result(), vulns=_vulns())


def _root() -> TrustRoot:
    return TrustRoot(EVIL, EVIL, cast(Any, None))


def _verify() -> Report:
    findings = [
        Finding(FileRef(EVIL, "b" * 64), Status.MISMATCH, EVIL),
        Finding(FileRef(EVIL, "c" * 64), Status.VERIFIED, EVIL),
    ]
    return verify_report.build(findings, _root(), [EVIL])


def _blob() -> Report:
    result = BlobResult(
        Path(EVIL), Path(EVIL), "d" * 64, Status.INVALID, EVIL, subject=EVIL, notes=(EVIL,)
    )
    return blob_report.build([result], _root(), ContentPolicy(required=(EVIL,)))


def _dist_check() -> Report:
    result = DistCheck(Path(EVIL), verified=[EVIL])
    result.add(Severity.ERROR, EVIL, EVIL)
    return dist_check_report.build(result)


def _index_check() -> Report:
    project = ProjectCheck(
        EVIL, files=(FileCheck(EVIL, EVIL, Side("none", EVIL), Side("served", EVIL)),)
    )
    result = IndexCheck(EVIL, EVIL, EVIL, (project,), Verdict.DROPS, EVIL, details=(EVIL,))
    return index_check_report.build(result)


def _inspect() -> Report:
    attestation = {
        "source": EVIL,
        "predicate_type": EVIL,
        "publisher_spec": EVIL,
        "identity": EVIL,
        "issuer": EVIL,
        "claims": {"source_repository_uri": EVIL},
        "subjects": [{"name": EVIL, "sha256": EVIL}],
        "log_index": 1,
        "integrated_time_iso": EVIL,
        "publisher_hint": EVIL,
    }
    return inspect_report.build(InspectReport(EVIL, "dist", "e" * 64, (EVIL,), (attestation,)))


def _diff() -> Report:
    entry = Entry(
        Change(EVIL, ChangeKind.ADDED, (), (_package(),)),
        status=Status.UNATTESTED,
        publishers=(EVIL,),
        notes=(EVIL,),
        decision=Decision(_package(), Action.BLOCK, EVIL, (EVIL,)),
        alternatives=(EVIL,),
    )
    warned = Entry(
        Change(EVIL, ChangeKind.CHANGED, (_package("1"),), (_package("2"),)),
        status=Status.UNKNOWN,
        notes=(EVIL,),
        alternatives=(EVIL,),
    )
    trust = TrustReview(changes=(TrustChange(TrustInput.INDEX, EVIL, EVIL),))
    return diff_review.build(
        DiffReport(EVIL, EVIL, (entry, warned), "enforce", EVIL, 1, (EVIL,), trust)
    )


def _readiness() -> Report:
    release = ReleaseSummary(EVIL, ReleaseState.SIGNED, 1, 1, (EVIL,), (EVIL,))
    assessment = Assessment(
        EVIL,
        Readiness.READY,
        (EVIL,),
        (release,),
        locked_version=EVIL,
        identity=EVIL,
        signs_since=EVIL,
    )
    # The snippet is TOML that pyvouch wrote (names quoted, as json.dumps quotes them), with
    # fences in it that must not close the Markdown block.
    return readiness.build([assessment], f"```\npackages = [{json.dumps(EVIL)}]\n~~~\n", EVIL)


def _lint() -> Report:
    # The fix is pyvouch's own text, several lines by design; the rest comes from the workflow.
    fix = "Use Trusted Publishing:\n  permissions: {id-token: write}"
    finding = LintFinding("PYV-W001", Severity.ERROR, Path(EVIL), 3, EVIL, fix, job=EVIL)
    return lint_report.build(LintResult([], [finding]))


def _plan() -> Report:
    return scan_plan.dry_run([_package(), Package(EVIL, None, files=(FileRef(EVIL),))])


BUILDERS: dict[str, Callable[[], Report]] = {
    "scan": _scan,
    "verify": _verify,
    "verify-blob": _blob,
    "check": _dist_check,
    "index check": _index_check,
    "inspect": _inspect,
    "diff": _diff,
    "readiness": _readiness,
    "workflow lint": _lint,
    "scan --dry-run": _plan,
    "scan --vulns": _scan_vulns,
}


def _tables(lines: list[str]) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def _outside_fences(text: str) -> list[str]:
    """The lines of ``text`` that are not inside a fenced code block."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append(line)
    assert not fenced, "a fence was left open"
    return out


def test_every_command_with_output_is_attacked_here() -> None:
    commands = {r.command for r in (build() for build in BUILDERS.values())}
    assert commands == {"scan", "verify", "verify-blob", "check", "index check", "inspect",
                        "diff", "readiness", "workflow lint"}  # fmt: skip


@pytest.mark.parametrize("name", BUILDERS)
def test_markdown_keeps_hostile_text_inert(name: str) -> None:
    text = report.render("markdown", BUILDERS[name]())
    assert "&lt;script&gt;" in text  # the data is shown, escaped
    for raw in ("\u202e", "\x1b", "\r"):
        assert raw not in text, (name, raw)
    lines = _outside_fences(text)  # inside a fence Markdown and HTML are shown as they are
    for raw in ("<script", "](", "`code`", "~~s~~", "*em*"):
        assert not any(raw in line for line in lines), (name, raw)
    assert not any(line.startswith(("| injected", "# head", "![", "[link")) for line in lines)
    tables = _tables(lines)
    assert tables, name
    for table in tables:
        header = len(UNESCAPED_PIPE.findall(table[0]))
        for row in table:
            assert len(UNESCAPED_PIPE.findall(row)) == header, (name, row)


@pytest.mark.parametrize("name", BUILDERS)
def test_text_keeps_hostile_text_on_its_line(name: str) -> None:
    built = BUILDERS[name]()
    for fmt in ("text", "table"):
        text = report.render(fmt, built)
        assert "\x1b" not in text and "\u202e" not in text and "\r" not in text, (name, fmt)
        lines = text.splitlines()
        assert not any(line.lstrip().startswith("| injected") for line in lines), (name, fmt)


def test_code_spans_and_fences_cannot_be_closed_by_data() -> None:
    assert code("a`b|c") == "`a'b\\|c`"
    snippet = report.render("markdown", _readiness())
    fence = snippet.index("```toml")
    assert snippet[fence:].count("```") == 2  # the snippet's own fences became '''
    assert escape("x\ny\tz") == "x y z"


def test_scan_vulns_keeps_hostile_text_as_data_in_machine_formats() -> None:
    """JSON keeps each hostile string as it is; SARIF and CycloneDX (with its VEX section)
    still validate against their schemas, the strings inside as data."""
    built = _scan_vulns()
    doc = json.loads(report.render("json", built))
    found = doc["vulnerabilities"]["findings"][0]
    assert found["id"] == EVIL and found["summary"] == EVIL and found["package"] == EVIL
    sarif = json.loads(report.render("sarif", built, RenderOptions(base_dir="/")))
    assert sarif_errors(sarif) == []
    vulns = [r for r in sarif["runs"][0]["results"] if r["ruleId"] in ("PYV101", "PYV102")]
    assert [r["ruleId"] for r in vulns] == ["PYV101", "PYV102"]
    assert vulns[0]["properties"]["id"] == EVIL
    bom = report.render("cyclonedx", built)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(bom) is None
    (vex,) = {v["id"]: v for v in json.loads(bom)["vulnerabilities"]}.values()
    assert vex["id"] == EVIL and vex["description"] == EVIL
