"""``scan --vulns`` in every format: the same findings, in priority order, with exposure,
severity, fix and attestation side by side; SARIF and CycloneDX validate against their
schemas; VEX states follow exposure; hostile text cannot break Markdown."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pyvouch import report
from pyvouch.model import ScanResult
from pyvouch.policy.schema import Mode, Policy
from pyvouch.policy.vulns import decide_vulns
from pyvouch.reachability.model import Evidence, Exposure, ReachabilityReport
from pyvouch.report import json_report, scan_report
from pyvouch.report._common import RenderOptions
from pyvouch.vulns.model import Level, PackageVulns, VulnAssessment, VulnReport, VulnStatus
from pyvouch.vulns.priority import rank
from tests.support.report_samples import HOSTILE_NAME, every_status
from tests.support.sarif_schema import sarif_errors
from tests.vulns.test_priority import finding

CYCLONEDX = JsonStrictValidator(SchemaVersion.V1_6)


def _assessment(scan: ScanResult, decided: bool = True) -> VulnAssessment:
    findings = [
        finding(
            "requests",
            "PYSEC-2023-74",
            Level.MEDIUM,
            fixed=("2.31.0",),
            version="2.32.3",
            aliases=("CVE-2023-32681", "GHSA-j8r2-6x86-q33q"),
        ),
        finding(
            "urllib3",
            "PYSEC-2023-192",
            Level.HIGH,
            version="2.2.3",
            symbols=(("urllib3.util", "Retry"),),
        ),
        finding("bad-sig", "GHSA-xxxx-yyyy-zzzz", Level.CRITICAL, fixed=(), version="0.1"),
        finding(HOSTILE_NAME, "PYSEC-9|<b>x</b>", Level.UNKNOWN, version="1.0|2"),
    ]
    packages = [PackageVulns(f.package, f.version, VulnStatus.AFFECTED, (f,)) for f in findings]
    packages.append(
        PackageVulns(
            "oldpgp", "0.9", VulnStatus.UNKNOWN, reason="the OSV API could not answer: HTTP 500"
        )
    )
    packages.append(
        PackageVulns("swapped", "3.0", VulnStatus.NO_KNOWN, reason="advisory database x")
    )
    vreport = VulnReport(tuple(packages), ("db",), ("db/bad.yaml: not valid YAML",))
    reach = ReachabilityReport(
        {
            "requests": Evidence(Exposure.DIRECT, ("app", "requests"), "src/app.py", 7, ""),
            "urllib3": Evidence(
                Exposure.TRANSITIVE, ("app", "requests", "urllib3"), "src/app.py", 7, ""
            ),
            "bad-sig": Evidence(Exposure.NOT_IMPORTED, (), None, None, ""),
        },
        {("urllib3.util", "Retry"): (("src/net.py", 3),)},
        (),
    )
    status = {p.package.name: p.status for p in scan.packages}
    assessment = VulnAssessment(vreport, rank(vreport, reach, status), "analysed: src")
    if decided:
        assessment, _ = decide_vulns(assessment, Policy(mode=Mode.ENFORCE), date(2026, 1, 1))
    return assessment


@pytest.fixture
def sample() -> tuple[ScanResult, VulnAssessment]:
    scan = every_status()
    return scan, _assessment(scan)


def _render(fmt: str, sample: tuple[ScanResult, VulnAssessment], **opts: Any) -> str:
    built = scan_report.build(sample[0], vulns=sample[1])
    return report.render(fmt, built, RenderOptions(**opts))


def test_json_adds_a_vulnerabilities_member_that_validates(sample: Any) -> None:
    doc = json.loads(_render("json", sample))
    schema = json_report.schema()
    jsonschema.validators.validator_for(schema)(schema).validate(doc)
    vulns = doc["vulnerabilities"]
    assert [f["id"] for f in vulns["findings"]] == [
        "PYSEC-2023-74",
        "PYSEC-2023-192",
        "PYSEC-9|<b>x</b>",
        "GHSA-xxxx-yyyy-zzzz",
    ]
    first = vulns["findings"][0]
    assert first["exposure"] == "direct" and first["evidence"]["file"] == "src/app.py"
    assert first["attestation"] == "verified" and first["aliases"] == [
        "CVE-2023-32681",
        "GHSA-j8r2-6x86-q33q",
    ]
    assert first["decision"]["action"] == "warn"
    assert vulns["findings"][1]["decision"]["action"] == "block"
    assert vulns["findings"][1]["symbol_uses"] == [{"file": "src/net.py", "line": 3}]
    assert vulns["summary"]["unknown"] == 1 and vulns["summary"]["no-known"] == 1
    (unknown,) = [p for p in vulns["packages"] if p["status"] == "unknown"]
    assert "HTTP 500" in unknown["reason"]
    # Without --vulns the document has no such member (and still validates).
    assert "vulnerabilities" not in json.loads(report.render("json", sample[0]))


def test_sarif_has_one_result_per_finding_that_may_be_reached(sample: Any) -> None:
    doc = json.loads(_render("sarif", sample, base_dir="/"))
    assert sarif_errors(doc) == []
    run = doc["runs"][0]
    vuln = [r for r in run["results"] if r["ruleId"] in ("PYV101", "PYV102")]
    ids = [r["properties"]["id"] for r in vuln]
    assert ids == ["PYSEC-2023-74", "PYSEC-2023-192", "PYSEC-9|<b>x</b>"]  # not the unused one
    levels = {r["properties"]["id"]: r["level"] for r in vuln}
    assert levels == {
        "PYSEC-2023-74": "warning",
        "PYSEC-2023-192": "error",
        "PYSEC-9|<b>x</b>": "note",
    }
    direct = vuln[0]["locations"][0]["physicalLocation"]
    assert direct["artifactLocation"]["uri"] == "src/app.py" and direct["region"]["startLine"] == 7
    assert vuln[2]["ruleId"] == "PYV102"  # exposure unknown
    # The scan's own results are still there.
    assert any(r["ruleId"] == "PYV002" for r in run["results"])


def test_cyclonedx_carries_vex_analysis_by_exposure(sample: Any) -> None:
    text = _render("cyclonedx", sample)
    assert CYCLONEDX.validate_str(text) is None
    doc = json.loads(text)
    by_id = {v["id"]: v for v in doc["vulnerabilities"]}
    unused = by_id["GHSA-xxxx-yyyy-zzzz"]["analysis"]
    assert unused["state"] == "not_affected" and unused["justification"] == "code_not_reachable"
    assert "installed but never imported" in unused["detail"]
    # Reachable and the first-party code references the affected symbol: exploitable.
    assert by_id["PYSEC-2023-192"]["analysis"]["state"] == "exploitable"
    direct = by_id["PYSEC-2023-74"]
    assert direct["analysis"]["state"] == "in_triage"
    assert "src/app.py:7" in direct["analysis"]["detail"]
    assert {r["id"] for r in direct["references"]} == {"CVE-2023-32681", "GHSA-j8r2-6x86-q33q"}
    assert direct["recommendation"] == "Upgrade to 2.31.0"
    assert direct["ratings"][0]["severity"] == "medium"
    components = {c["bom-ref"] for c in doc["components"]}
    assert all(v["affects"][0]["ref"] in components for v in doc["vulnerabilities"])
    props = {p["name"]: p["value"] for p in direct["properties"]}
    assert props["pyvouch:vulnerability:attestation"] == "verified"
    assert props["pyvouch:vulnerability:exposure"] == "direct"


def test_markdown_lists_findings_in_order_and_escapes_hostile_text(sample: Any) -> None:
    text = _render("markdown", sample)
    section = text[text.index("### Vulnerabilities") :]
    rows = [line for line in section.splitlines() if line.startswith("| P")]
    assert [r.split(" | ")[0] for r in rows] == ["| P2", "| P1", "| P3", "| P4"]
    assert "<b>" not in section and "<script>" not in section
    assert "could not be checked for vulnerabilities" in section
    assert all(row.count(" | ") == 8 for row in rows)  # no cell broke the table


def test_the_table_shows_each_finding_and_what_blocks(sample: Any) -> None:
    text = _render("table", sample, compact=True, width=200)
    lines = text.splitlines()
    row = next(line for line in lines if "PYSEC-2023-192" in line and line.startswith("P1"))
    assert "urllib3" in row and "transitive" in row and "block" in row
    assert any(line.startswith("block: urllib3") for line in lines)
    assert "1 could not be checked" in text
    assert "with no known vulnerability" in text


def test_undecided_findings_render_without_decisions() -> None:
    scan = every_status()
    built = scan_report.build(scan, vulns=_assessment(scan, decided=False))
    text = report.render("json", built, RenderOptions())
    assert all(f["decision"] is None for f in json.loads(text)["vulnerabilities"]["findings"])


def test_verbose_shows_every_reason_and_every_advisory_warning() -> None:
    """Without --verbose: the reasons of what the policy warns on or blocks only, and 20
    advisory warnings then "... and N more"; with it, all of them (`Line.verbose`)."""
    scan = every_status()
    assessment = _assessment(scan)
    many = tuple(f"db/bad-{i}.yaml: not valid YAML" for i in range(25))
    vreport = VulnReport(assessment.report.packages, ("db",), many)
    built = scan_report.build(scan, vulns=replace(assessment, report=vreport))
    brief = report.render("table", built, RenderOptions(compact=True, width=200))
    full = report.render("table", built, RenderOptions(compact=True, verbose=True, width=200))
    allowed = "allow: bad-sig 0.1:"  # the unused package's finding: allowed, not flagged
    assert allowed not in brief and allowed in full
    assert brief.count("warning: db/bad-") == 20 and full.count("warning: db/bad-") == 25
    assert "warning: ... and 5 more (--verbose)" in brief and "... and 5 more" not in full
    assert any(line.startswith("block: urllib3") for line in brief.splitlines())
