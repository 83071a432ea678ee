"""JSON output: validates against the shipped schema; says exactly what was proven."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pyvouch.model import Status
from pyvouch.report import json_report
from tests.support.report_samples import (
    HOSTILE_NAME,
    REQUESTS_PUB,
    UNICODE_NAME,
    UNKNOWN_REASON,
    empty,
    every_status,
)

ROOT = Path(__file__).resolve().parents[2]


def _validator() -> jsonschema.protocols.Validator:
    schema = json_report.schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def _doc(result: Any = None) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json_report.render(result or every_status()))
    return loaded


def _pkg(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in doc["packages"] if p["name"] == name)


def test_schema_is_draft_2020_12_and_shipped_as_package_data() -> None:
    schema = json_report.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema"]["const"] == "pyvouch-scan/1"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["pyvouch"]
    assert any(fnmatch.fnmatch("report/schema/scan-v1.json", p) for p in patterns), patterns


@pytest.mark.parametrize("make", [every_status, empty])
def test_output_validates_against_schema(make: Any) -> None:
    doc = _doc(make())
    errors = list(_validator().iter_errors(doc))
    assert errors == []


def test_schema_rejects_a_made_up_status() -> None:
    """The validation above can fail: a status outside the vocabulary is refused."""
    doc = _doc()
    doc["packages"][0]["files"][0]["status"] = "signed"
    doc["packages"][1]["decision"] = {"action": "maybe", "rule": "x", "reasons": []}
    errors = list(_validator().iter_errors(doc))
    assert len(errors) == 2


def _declared_keys_cover(instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    """Keys the output has that the schema does not declare (it allows extra keys for consumers)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return _declared_keys_cover(instance, root["$defs"][name], root)
    missing: list[str] = []
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        for key, value in instance.items():
            if key not in props:
                missing.append(key)
            else:
                missing += _declared_keys_cover(value, props[key], root)
    elif isinstance(instance, list) and "items" in schema:
        for item in instance:
            missing += _declared_keys_cover(item, schema["items"], root)
    return missing


def test_every_emitted_key_is_documented_in_the_schema() -> None:
    schema = json_report.schema()
    assert _declared_keys_cover(_doc(), schema, schema) == []


def test_summary_counts_every_status() -> None:
    result = every_status()
    doc = _doc(result)
    assert set(doc["summary"]) == {s.value for s in Status}
    for status in Status:
        assert doc["summary"][status.value] == result.count(status)
    assert doc["summary"]["unknown"] == 3
    assert sum(doc["summary"].values()) == len(doc["packages"]) == len(result.packages)


def test_top_level_fields() -> None:
    doc = _doc()
    assert doc["schema"] == "pyvouch-scan/1"
    assert (doc["source"], doc["source_format"], doc["mode"]) == ("pylock.toml", "pylock", "warn")
    assert doc["index_url"] == "https://pypi.org/simple/"
    assert doc["warnings"] == ["2 packages skipped by markers", "odd | warning <b>bold</b>"]


def test_package_and_file_fields() -> None:
    doc = _doc()
    requests = _pkg(doc, "requests")
    assert (requests["status"], requests["coverage"]) == ("verified", "all")
    assert requests["decision"] == {"action": "allow", "rule": "critical-pinned", "reasons": []}
    wheel = requests["files"][0]
    assert wheel["filename"] == "requests-2.32.3-py3-none-any.whl"
    assert wheel["sha256"] == "a" * 64
    assert wheel["publisher"] == REQUESTS_PUB.to_dict()
    assert wheel["identity_checked"] is True
    assert wheel["attestations"][0]["log_index"] == 1234
    assert wheel["attestations"][0]["verified"] is True
    assert requests["files"][1]["attestations"][0]["log_index"] == 99

    urllib3 = _pkg(doc, "urllib3")
    assert (urllib3["status"], urllib3["coverage"], urllib3["decision"]) == (
        "unattested",
        "some",
        None,
    )
    assert [f["status"] for f in urllib3["files"]] == ["verified", "unattested"]
    assert urllib3["files"][0]["identity_checked"] is False

    swapped = _pkg(doc, "swapped")
    assert swapped["decision"]["reasons"] == ["publisher changed", "was github:good/swapped"]

    local = _pkg(doc, "local-thing")
    assert (local["status"], local["coverage"], local["origin"], local["version"]) == (
        "not-indexed",
        "n/a",
        "path",
        None,
    )
    assert _pkg(doc, "nofiles")["note"] == "the release has no files"


def test_unknown_keeps_its_reason_and_is_never_unattested() -> None:
    doc = _doc()
    hostile = _pkg(doc, HOSTILE_NAME)
    assert hostile["status"] == "unknown"
    assert hostile["coverage"] == "unknown"
    assert hostile["files"][0] == {
        "filename": "evil_pkg-1.0.tar.gz",
        "sha256": None,
        "url": None,
        "status": "unknown",
        "reason": UNKNOWN_REASON,
        "publisher": None,
        "identity_checked": False,
        "signature_kind": None,
        "attestations": [],
    }


def test_unicode_is_written_as_is() -> None:
    text = json_report.render(every_status())
    assert UNICODE_NAME in text
    assert "\\u00fc" not in text
    assert _pkg(json.loads(text), UNICODE_NAME)["files"][0]["reason"] == "verified — ✓ signed"


def test_empty_result() -> None:
    doc = _doc(empty())
    assert doc["packages"] == []
    assert set(doc["summary"].values()) == {0}
