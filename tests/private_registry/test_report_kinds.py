"""Every report format says which kind of signature each verdict rests on."""

from __future__ import annotations

import json

import pytest

from pyvouch import report
from pyvouch.model import (
    FileRef,
    Finding,
    Package,
    PackageResult,
    Publisher,
    ScanResult,
    SignatureKind,
    Status,
)
from pyvouch.report import RenderOptions

KINDS = {
    "attested": (Status.VERIFIED, SignatureKind.PEP740),
    "bundled": (Status.VERIFIED, SignatureKind.SIGSTORE_BUNDLE),
    "classic": (Status.INVALID, SignatureKind.COSIGN_SIG),
    "nothing": (Status.UNKNOWN, None),
}


def _result() -> ScanResult:
    packages = []
    for name, (status, kind) in KINDS.items():
        ref = FileRef(f"{name}-1.0-py3-none-any.whl", "ab" * 32)
        who = Publisher("GitHub", repository=f"acme/{name}") if status is Status.VERIFIED else None
        finding = Finding(ref, status, f"{name} reason", publisher=who, signature_kind=kind)
        packages.append(PackageResult(Package(name, "1.0", files=(ref,)), (finding,)))
    return ScanResult(
        "requirements.txt", "requirements", "http://127.0.0.1/simple/", tuple(packages)
    )


@pytest.mark.parametrize("name", report.names())
def test_each_format_names_the_signature_kind(name: str) -> None:
    text = report.render(name, _result(), RenderOptions(compact=True, width=200))
    # SARIF holds only what needs attention (no result for a verified package)
    kinds = ("cosign-sig",) if name == "sarif" else ("pep740", "sigstore-bundle", "cosign-sig")
    for kind in kinds:
        assert kind in text, f"{name} does not say {kind}"


def test_json_and_cyclonedx_carry_it_per_file() -> None:
    doc = json.loads(report.render("json", _result()))
    kinds = {p["name"]: p["files"][0]["signature_kind"] for p in doc["packages"]}
    assert kinds == {n: (k.value if k else None) for n, (_, k) in KINDS.items()}
    bom = json.loads(report.render("cyclonedx", _result()))
    props = {(c["name"], p["name"]): p["value"] for c in bom["components"] for p in c["properties"]}
    assert props[("classic", "pyvouch:file:classic-1.0-py3-none-any.whl:signature-kind")] == (
        "cosign-sig"
    )
    assert ("nothing", "pyvouch:attestation:signature-kind") not in props
