"""The one SARIF builder: what every command's SARIF is made of, valid under the OASIS schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pyvouch import __version__
from pyvouch.model import Rule, Severity
from pyvouch.report import sarif_builder
from pyvouch.report._common import json_text
from pyvouch.report.sarif_builder import LEVELS, Location, Result, document
from tests.support.report_samples import HOSTILE_NAME, UNICODE_NAME
from tests.support.sarif_schema import sarif_errors

RULES = (
    Rule("X-1", "first", Severity.ERROR, "The first rule."),
    Rule("X-2", "second", Severity.WARNING, "The second rule."),
    Rule("X-3", "third", Severity.INFO, "The third rule."),
)


def _doc(results: list[Result], **kwargs: Any) -> dict[str, Any]:
    # Through text and back, as a consumer reads it.
    loaded: dict[str, Any] = json.loads(json_text(document(RULES, results, **kwargs)))
    return loaded


def test_every_severity_has_a_sarif_level() -> None:
    assert dict(LEVELS) == {
        Severity.ERROR: "error",
        Severity.WARNING: "warning",
        Severity.INFO: "note",
    }


def test_rules_keep_their_order_and_default_levels() -> None:
    driver = _doc([])["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "pyvouch",
        __version__,
        __version__,
    )
    assert [r["id"] for r in driver["rules"]] == ["X-1", "X-2", "X-3"]
    assert [r["defaultConfiguration"]["level"] for r in driver["rules"]] == [
        "error",
        "warning",
        "note",
    ]
    assert driver["rules"][1]["shortDescription"] == {"text": "The second rule."}


def test_a_full_document_validates_and_points_at_its_rules() -> None:
    results = [
        Result(
            "X-3",
            Severity.INFO,
            "line and logical name",
            locations=(Location("a/b c.yml", line=7, logical=(("pkg", "package"),)),),
            fingerprints={"k/v1": "a:b"},
            properties={"job": None, "n": [1, 2]},
        ),
        Result("X-1", Severity.WARNING, "no location, level differs from the default"),
        Result("X-2", Severity.ERROR, "no line", locations=(Location("x.lock"),)),
    ]
    doc = _doc(
        results,
        artifacts=["a/b c.yml", "x.lock", "x.lock"],
        properties={"source": "x.lock"},
    )
    assert sarif_errors(doc) == []
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0" and doc["$schema"] == sarif_builder.SARIF_SCHEMA
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first, second, third = run["results"]
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "a/b c.yml"},
                "region": {"startLine": 7},
            },
            "logicalLocations": [{"name": "pkg", "kind": "package"}],
        }
    ]
    assert first["level"] == "note" and first["partialFingerprints"] == {"k/v1": "a:b"}
    assert first["properties"] == {"job": None, "n": [1, 2]}
    assert second["level"] == "warning"
    assert "locations" not in second and "properties" not in second
    assert third["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "x.lock"}}
    # Artifacts are unique (the schema requires it), in the order given.
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["a/b c.yml", "x.lock"]
    assert run["properties"] == {"source": "x.lock"}


def test_no_artifacts_and_no_properties_leave_the_keys_out() -> None:
    run = _doc([])["runs"][0]
    assert run["results"] == []
    assert "artifacts" not in run and "properties" not in run
    assert sarif_errors(_doc([])) == []


def test_hostile_text_stays_data() -> None:
    text = f'{HOSTILE_NAME}\nsecond line \u202e {UNICODE_NAME} "quoted" \\ {{x}}'
    doc = _doc(
        [Result("X-1", Severity.ERROR, text, locations=(Location(f"{UNICODE_NAME}.lock", 1),))]
    )
    assert sarif_errors(doc) == []
    assert doc["runs"][0]["results"][0]["message"]["text"] == text


def test_a_result_of_an_undeclared_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="undeclared rule 'X-9'"):
        document(RULES, [Result("X-9", Severity.ERROR, "no such rule")])


def test_duplicate_rule_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        document((*RULES, Rule("X-1", "again", Severity.INFO, "Twice.")), [])


def test_line_zero_means_no_region() -> None:
    doc = _doc([Result("X-1", Severity.ERROR, "m", locations=(Location("f.yml", line=0),))])
    location = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "region" not in location  # SARIF lines start at 1
    assert sarif_errors(doc) == []
