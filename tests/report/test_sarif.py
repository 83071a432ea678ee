"""SARIF 2.1.0: validates against the official OASIS schema; rules, results, levels, locations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyvouch import __version__
from pyvouch.model import ScanResult
from pyvouch.report import RenderOptions, sarif
from tests.support.report_samples import HOSTILE_NAME, empty, every_status
from tests.support.sarif_schema import sarif_errors, sarif_validator


def _doc(result: ScanResult | None = None, options: RenderOptions | None = None) -> dict[str, Any]:
    text = sarif.render(result or every_status(), options or RenderOptions())
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _results(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["package"]: r for r in doc["runs"][0]["results"]}


@pytest.mark.parametrize("make", [every_status, empty])
def test_validates_against_the_official_schema(make: Any) -> None:
    assert sarif_errors(_doc(make())) == []


def test_schema_validation_can_fail() -> None:
    doc = _doc()
    doc["runs"][0]["results"][0]["level"] = "fatal"
    del doc["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_validator().iter_errors(doc))) == 2


def test_driver_and_rules() -> None:
    run = _doc()["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("pyvouch", __version__)
    rules = {r["id"]: r["name"] for r in driver["rules"]}
    assert rules == {
        "PYV001": "Unattested",
        "PYV002": "InvalidAttestation",
        "PYV003": "PublisherMismatch",
        "PYV004": "AttestationUnknown",
        "PYV005": "LegacySignatureOnly",
        "PYV006": "NotIndexed",
        "PYV007": "PolicyDecision",
    }


def test_one_result_per_package_needing_attention() -> None:
    run = _doc()["runs"][0]
    results = _results(_doc())
    assert len(run["results"]) == 9
    assert "requests" not in results  # verified and allowed
    assert "ünïcødé-pkg" not in results  # verified, no decision
    expected = {
        "urllib3": "PYV001",
        "bad-sig": "PYV002",
        "swapped": "PYV003",
        HOSTILE_NAME: "PYV004",
        "nofiles": "PYV004",
        "slow_Pkg": "PYV004",
        "oldpgp": "PYV005",
        "local-thing": "PYV006",
        "verified-but-warned": "PYV007",
    }
    assert {name: r["ruleId"] for name, r in results.items()} == expected
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_come_from_the_decision() -> None:
    results = _results(_doc())
    assert results["bad-sig"]["level"] == "error"  # block
    assert results["swapped"]["level"] == "error"  # block
    assert results["oldpgp"]["level"] == "warning"  # warn
    assert results["verified-but-warned"]["level"] == "warning"
    assert results["urllib3"]["level"] == "note"  # no decision: collect
    assert results[HOSTILE_NAME]["level"] == "note"


def test_messages_say_what_was_proven() -> None:
    results = _results(_doc())
    unknown = results["slow_Pkg"]["message"]["text"]
    assert unknown == "slow_Pkg 5.0: unknown: lookup failed: timed out after 3 attempts."
    assert "unattested" not in results[HOSTILE_NAME]["message"]["text"]
    swapped = results["swapped"]["message"]["text"]
    assert (
        "Policy: block by rule pinned-identity (publisher changed; was github:good/swapped)"
        in swapped
    )
    assert results["swapped"]["properties"]["decision"]["action"] == "block"


def test_locations_point_at_the_lock_file_relative(tmp_path: Path) -> None:
    lock = tmp_path / "sub dir" / "pylock.toml"
    full = every_status()
    result = ScanResult(str(lock), full.source_format, full.index_url, full.packages)
    doc = _doc(result, RenderOptions(base_dir=str(tmp_path)))
    for r in doc["runs"][0]["results"]:
        location = r["locations"][0]["physicalLocation"]
        assert location == {"artifactLocation": {"uri": "sub%20dir/pylock.toml"}}
        assert "region" not in location
    assert doc["runs"][0]["artifacts"][0]["location"]["uri"] == "sub%20dir/pylock.toml"


def test_artifact_uri_forms() -> None:
    assert sarif.artifact_uri("uv.lock") == "uv.lock"
    assert sarif.artifact_uri("./a/../b/poetry.lock") == "b/poetry.lock"
    assert sarif.artifact_uri("/elsewhere/x.lock", "/work") == "file:///elsewhere/x.lock"
    assert sarif.artifact_uri("<environment>") is None
    assert sarif.artifact_uri("") is None


def test_no_location_when_the_source_is_not_a_file() -> None:
    full = every_status()
    result = ScanResult("<environment>", "environment", full.index_url, full.packages)
    doc = _doc(result)
    assert all("locations" not in r for r in doc["runs"][0]["results"])
    assert "artifacts" not in doc["runs"][0]
    assert sarif_errors(doc) == []


def test_empty_result_has_rules_and_no_results() -> None:
    run = _doc(empty())["runs"][0]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == 7
