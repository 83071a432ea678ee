"""One form of a finding: the scan JSON, the verify JSON and the verdict cache agree on it."""

from __future__ import annotations

import json

from pyvouch.model import (
    AttestationInfo,
    FileRef,
    Finding,
    Package,
    PackageResult,
    Publisher,
    ScanResult,
    SignatureKind,
    Status,
)
from pyvouch.report.json_report import render
from pyvouch.report.verify_report import finding_json
from pyvouch.verify.dist import DistFile
from pyvouch.verify.verdicts import decode_finding, encode_finding

DIST = DistFile("demo-1.0-py3-none-any.whl", "ab" * 32)
PUBLISHER = Publisher("GitHub", repository="o/demo", workflow="release.yml", subject="s")
FINDING = Finding(
    DIST.ref(),
    Status.INVALID,
    "attestation invalid: the signature does not verify",
    publisher=PUBLISHER,
    attestations=(
        AttestationInfo("https://docs.pypi.org/attestations/publish/v1", PUBLISHER, 7, 1700, True),
        AttestationInfo("https://slsa.dev/provenance/v1", None, None, None, False, "bad chain"),
    ),
    signature_kind=SignatureKind.PEP740,
)
VERDICT = {
    "status": "invalid",
    "reason": "attestation invalid: the signature does not verify",
    "publisher": {
        "kind": "GitHub",
        "repository": "o/demo",
        "workflow": "release.yml",
        "subject": "s",
    },
    "identity_checked": False,
    "signature_kind": "pep740",
    "attestations": [
        {
            "predicate_type": "https://docs.pypi.org/attestations/publish/v1",
            "publisher": {
                "kind": "GitHub",
                "repository": "o/demo",
                "workflow": "release.yml",
                "subject": "s",
            },
            "log_index": 7,
            "integrated_time": 1700,
            "verified": True,
            "error": None,
        },
        {
            "predicate_type": "https://slsa.dev/provenance/v1",
            "publisher": None,
            "log_index": None,
            "integrated_time": None,
            "verified": False,
            "error": "bad chain",
        },
    ],
}


def _without(doc: dict[str, object], *keys: str) -> dict[str, object]:
    return {k: v for k, v in doc.items() if k not in keys}


def test_the_finding_has_one_form() -> None:
    assert FINDING.to_dict() == VERDICT


def test_scan_json_uses_it() -> None:
    package = Package("demo", "1.0", files=(FileRef(DIST.filename, DIST.sha256),))
    scan = ScanResult(
        "pylock.toml", "pylock", "https://pypi.org/simple", (PackageResult(package, (FINDING,)),)
    )
    entry = json.loads(render(scan))["packages"][0]["files"][0]
    assert _without(entry, "filename", "sha256", "url") == VERDICT
    assert (entry["filename"], entry["sha256"]) == (DIST.filename, DIST.sha256)


def test_verify_json_uses_it_and_adds_iso_times() -> None:
    doc = finding_json(FINDING)
    assert (doc["file"], doc["sha256"]) == (DIST.filename, DIST.sha256)
    times = [a.pop("integrated_time_iso") for a in doc["attestations"]]
    assert times == ["1970-01-01T00:28:20Z", None]
    assert _without(doc, "file", "sha256") == VERDICT


def test_the_verdict_cache_stores_it_without_the_identity_check() -> None:
    stored = json.loads(encode_finding(FINDING))
    assert stored == _without(VERDICT, "identity_checked")
    assert decode_finding(encode_finding(FINDING), DIST) == FINDING
