"""CycloneDX 1.6: validates with cyclonedx-python-lib's validator; purls, hashes, properties."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pyvouch.model import ScanResult
from pyvouch.report import cyclonedx_report
from tests.support.report_samples import HOSTILE_NAME, UNICODE_NAME, empty, every_status

VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


def _doc(result: ScanResult | None = None) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(cyclonedx_report.render(result or every_status()))
    return loaded


def _component(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in doc["components"] if c["name"] == name)


def _props(component: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop in component.get("properties", []):
        out.setdefault(prop["name"], []).append(prop["value"])
    return out


@pytest.mark.parametrize("make", [every_status, empty])
def test_validates_with_the_library_validator(make: Any) -> None:
    text = cyclonedx_report.render(make())
    assert VALIDATOR.validate_str(text) is None
    doc = json.loads(text)
    assert (doc["bomFormat"], doc["specVersion"]) == ("CycloneDX", "1.6")


def test_validation_can_fail() -> None:
    doc = _doc()
    doc["components"][0]["type"] = "wheel"
    assert VALIDATOR.validate_str(json.dumps(doc)) is not None


def test_one_component_per_package_with_purl() -> None:
    doc = _doc()
    assert len(doc["components"]) == len(every_status().packages)
    requests = _component(doc, "requests")
    assert requests["purl"] == "pkg:pypi/requests@2.32.3"
    assert requests["type"] == "library"
    assert _component(doc, "slow_Pkg")["purl"] == "pkg:pypi/slow-pkg@5.0"
    assert _component(doc, "local-thing")["purl"] == "pkg:pypi/local-thing"
    tools = doc["metadata"]["tools"]["components"]
    assert [t["name"] for t in tools] == ["pyvouch"]


def test_hashes_of_the_files_where_known() -> None:
    doc = _doc()
    requests = _component(doc, "requests")
    assert sorted(h["content"] for h in requests["hashes"]) == ["a" * 64, "b" * 64]
    assert {h["alg"] for h in requests["hashes"]} == {"SHA-256"}
    dists = {r["comment"]: r for r in requests["externalReferences"]}
    wheel = dists["file: requests-2.32.3-py3-none-any.whl"]
    assert wheel["type"] == "distribution"
    assert wheel["hashes"] == [{"alg": "SHA-256", "content": "a" * 64}]
    hostile = _component(doc, HOSTILE_NAME)  # no digest, no URL recorded
    assert "hashes" not in hostile
    assert "externalReferences" not in hostile


def test_attestation_properties() -> None:
    doc = _doc()
    requests = _props(_component(doc, "requests"))
    assert requests["pyvouch:attestation:status"] == ["verified"]
    assert requests["pyvouch:attestation:coverage"] == ["all"]
    assert requests["pyvouch:attestation:publisher"] == ["github:psf/requests:publish.yml@pypi"]
    assert requests["pyvouch:attestation:identity-checked"] == ["true"]
    assert requests["pyvouch:file:requests-2.32.3-py3-none-any.whl:status"] == ["verified"]
    assert requests["pyvouch:file:requests-2.32.3.tar.gz:log-index"] == ["99"]
    assert requests["pyvouch:decision:action"] == ["allow"]
    assert requests["pyvouch:decision:rule"] == ["critical-pinned"]

    uni = _props(_component(doc, UNICODE_NAME))
    assert uni["pyvouch:attestation:identity-checked"] == ["false"]

    urllib3 = _props(_component(doc, "urllib3"))
    assert urllib3["pyvouch:attestation:status"] == ["unattested"]
    assert urllib3["pyvouch:attestation:coverage"] == ["some"]
    assert urllib3["pyvouch:file:urllib3-2.2.3.tar.gz:status"] == ["unattested"]
    assert "pyvouch:decision:action" not in urllib3

    swapped = _props(_component(doc, "swapped"))
    assert swapped["pyvouch:decision:action"] == ["block"]
    assert sorted(swapped["pyvouch:decision:reason"]) == [
        "publisher changed",
        "was github:good/swapped",
    ]


def test_unknown_stays_unknown_with_its_reason() -> None:
    props = _props(_component(_doc(), HOSTILE_NAME))
    assert props["pyvouch:attestation:status"] == ["unknown"]
    assert props["pyvouch:attestation:coverage"] == ["unknown"]
    assert props["pyvouch:attestation:reason"] == [
        "the index does not serve PEP 740 provenance | mirror strips it"
    ]
    assert "unattested" not in json.dumps(props)


def test_not_indexed_package() -> None:
    props = _props(_component(_doc(), "local-thing"))
    assert props["pyvouch:attestation:status"] == ["not-indexed"]
    assert props["pyvouch:attestation:coverage"] == ["n/a"]
    assert props["pyvouch:origin"] == ["path"]


def test_scan_metadata_properties() -> None:
    meta = {p["name"]: p["value"] for p in _doc()["metadata"]["properties"]}
    assert meta["pyvouch:source"] == "pylock.toml"
    assert meta["pyvouch:mode"] == "warn"
    assert meta["pyvouch:index-url"] == "https://pypi.org/simple/"


def test_the_same_package_twice_keeps_both_components() -> None:
    full = every_status()
    twice = ScanResult(full.source, full.source_format, full.index_url, full.packages[:1] * 2)
    text = cyclonedx_report.render(twice)
    assert VALIDATOR.validate_str(text) is None
    refs = sorted(c["bom-ref"] for c in json.loads(text)["components"])
    assert refs == ["pkg:pypi/requests@2.32.3", "pkg:pypi/requests@2.32.3#2"]
