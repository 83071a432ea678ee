"""``pyvouch scan --vulns``: the real attested site on a loopback index, an OSV database on
disk (and the real PyPA snapshot), the findings ranked beside each package's attestation
status, the policy deciding in enforce, and bad input refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from tests.scan.conftest import Scan, packages_of
from tests.support.osv_server import Fault, serve_osv
from tests.support.scan_sites import LOCKS
from tests.support.static_server import StaticServer
from tests.vulns.conftest import SNAPSHOT, needs_snapshot, snapshot_cache  # noqa: F401

HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"  # 7.5


def _advisory(ident: str, name: str, fixed: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "modified": "2026-01-01T00:00:00Z",
        "summary": f"{name} test advisory",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
                "versions": [],
            }
        ],
        **extra,
    }


ADVISORIES = (
    _advisory(
        "GHSA-test-0001-aaaa",
        "pypi_attestations",
        "0.0.20",
        aliases=["CVE-2099-0001"],
        severity=[{"type": "CVSS_V3", "score": HIGH}],
    ),
    _advisory("PYSEC-2099-2", "sampleproject", "3.0.1"),
    _advisory("PYSEC-2099-3", "gitlab-oidc-project", "9.0", withdrawn="2026-02-01T00:00:00Z"),
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    root = tmp_path / "advisories"
    root.mkdir()
    for doc in ADVISORIES:
        (root / f"{doc['id']}.json").write_text(json.dumps(doc), encoding="utf-8")
    return root


def _findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = doc["vulnerabilities"]["findings"]
    return findings


def test_findings_sit_beside_the_attestation_status(
    scan: Scan, served: StaticServer, db: Path
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(
        str(lock), "--index-url", served.index_url, "--vulns", "--vuln-db", str(db)
    )
    assert code == 0  # no policy: the findings are reported, the statuses decide
    findings = _findings(doc)
    assert [(f["package"], f["id"]) for f in findings] == [
        ("pypi-attestations", "GHSA-test-0001-aaaa"),
        ("sampleproject", "PYSEC-2099-2"),
    ]
    signed = findings[0]
    # The package's rolled-up attestation status, as the scan reports it (sdist verified,
    # wheel unattested: unattested), shown beside the finding.
    assert signed["attestation"] == packages_of(doc)["pypi-attestations"]["status"]
    assert signed["attestation"] == "unattested"
    assert signed["severity"]["level"] == "high" and signed["fixed"] == ["0.0.20"]
    assert signed["exposure"] == "unknown" and signed["decision"] is None
    assert findings[1]["attestation"] == "verified"
    statuses = {p["name"]: p["status"] for p in doc["vulnerabilities"]["packages"]}
    assert statuses["gitlab-oidc-project"] == "no-known"  # its only advisory is withdrawn


def test_enforce_blocks_a_high_finding_that_may_be_reached(
    scan: Scan, served: StaticServer, db: Path
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    args = (str(lock), "--index-url", served.index_url, "--vulns", "--vuln-db", str(db))
    code, doc = scan.json(*args, "--mode", "enforce")
    assert code == 1
    by_id = {f["id"]: f for f in _findings(doc)}
    blocked = by_id["GHSA-test-0001-aaaa"]["decision"]
    assert blocked["action"] == "block"
    assert "reachability unknown, taken as reachable" in blocked["reasons"][0]
    assert by_id["PYSEC-2099-2"]["decision"]["action"] == "warn"  # severity unknown
    result = scan(*args, "--mode", "enforce")
    assert result.exit_code == 1
    assert "block: pypi-attestations 0.0.19: GHSA-test-0001-aaaa" in result.stdout


def test_an_exception_in_the_policy_file_lets_it_pass_until_it_expires(
    scan: Scan, served: StaticServer, db: Path
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    policy = """mode = "enforce"
vuln-db = "{db}"
[[vulnerabilities.exceptions]]
id = "CVE-2099-0001"
reason = "we never verify untrusted attestations with it"
owner = "security@example.org"
expires = {expires}
"""
    scan.write("pyvouch.toml", policy.format(db=db, expires="2999-01-01"))
    code, doc = scan.json(str(lock), "--index-url", served.index_url, "--vulns")
    assert code == 0
    (excepted,) = [f for f in _findings(doc) if f["id"] == "GHSA-test-0001-aaaa"]
    assert excepted["decision"]["action"] == "allow"
    assert "owner security@example.org" in excepted["decision"]["rule"]
    scan.write("pyvouch.toml", policy.format(db=db, expires="2020-01-01"))
    code, doc = scan.json(str(lock), "--index-url", served.index_url, "--vulns")
    assert code == 1


def test_an_api_that_cannot_answer_is_incomplete_in_enforce_never_clean(
    scan: Scan, served: StaticServer
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    with serve_osv({}) as osv:
        osv.fail("querybatch", *[Fault(status=503)] * 10)
        code, doc = scan.json(
            str(lock),
            "--index-url",
            served.index_url,
            "--vulns",
            "--osv-url",
            osv.url,
            "--retries",
            "0",
            "--mode",
            "enforce",
        )
    assert code == 3
    packages = doc["vulnerabilities"]["packages"]
    assert {p["status"] for p in packages} == {"unknown"}
    assert all("HTTP 503" in p["reason"] for p in packages)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--vuln-db", "x"), "--vuln-db, --source, --tests and --env need --vulns"),
        (("--vulns", "--env", "."), "--tests and --env need --source"),
        (("--vulns", "--vuln-db", "nowhere"), "no such advisory database"),
    ],
)
def test_bad_vulnerability_input_is_one_line_and_exit_2(
    scan: Scan, served: StaticServer, args: tuple[str, ...], message: str
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    result = scan(str(lock), "--index-url", served.index_url, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.corpus
@needs_snapshot
def test_a_real_project_with_vulnerable_pins_against_the_real_snapshot(
    scan: Scan,
    snapshot_cache: Path,  # noqa: F811 (the session fixture imported above)
) -> None:
    """Offline (no attestation can be told), the snapshot still answers: urllib3 1.24.1's
    CVSS-rated high finding comes first and blocks in enforce; the CycloneDX output carries
    VEX analysis for every finding."""
    lock = scan.write("requirements.txt", "jinja2==2.10\nurllib3==1.24.1\nrequests==2.31.0\n")
    args = (str(lock), "--offline", "--vulns", "--vuln-db", str(SNAPSHOT), "--mode", "enforce")
    code, doc = scan.json(*args, cache=snapshot_cache)  # the snapshot parsed once a session
    assert code == 1
    findings = _findings(doc)
    assert findings[0]["id"] == "PYSEC-2023-192" and findings[0]["priority"] == "P2"
    assert findings[0]["decision"]["action"] == "block"
    assert {f["package"] for f in findings} == {"jinja2", "urllib3"}
    assert all(f["attestation"] == "unknown" for f in findings)
    result = scan(*args, "--format", "cyclonedx", cache=snapshot_cache)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(result.stdout) is None
    bom = json.loads(result.stdout)
    assert len(bom["vulnerabilities"]) == len(findings)
    assert {v["analysis"]["state"] for v in bom["vulnerabilities"]} == {"in_triage"}
