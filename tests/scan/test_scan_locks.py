"""`pyvouch scan` over each lock format against a loopback site built by `pyvouch index build`
from real attested dists: statuses, publishers, coverage, roll-ups, and every report format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pyvouch.model import Publisher
from pyvouch.report import json_report
from tests.scan.conftest import Scan, files_of, packages_of
from tests.support.scan_sites import (
    GITLAB,
    LOCKS,
    PA_SDIST,
    PA_WHEEL,
    PUBLISHERS,
    SAMPLE,
    requirements_hashed,
    requirements_pinned,
)
from tests.support.static_server import StaticServer

SARIF_SCHEMA = (
    Path(__file__).resolve().parents[1] / "assets" / "schemas" / "sarif-schema-2.1.0.json"
)


def spec(publisher: dict[str, Any] | None) -> str | None:
    return None if publisher is None else Publisher(**publisher).to_spec()


def validate_scan_json(doc: dict[str, Any]) -> None:
    schema = json_report.schema()
    cls = jsonschema.validators.validator_for(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(doc)


@pytest.mark.parametrize("lock_name", sorted(LOCKS))
def test_every_lock_format_gives_the_real_statuses(
    scan: Scan, served: StaticServer, lock_name: str
) -> None:
    lock = scan.write(lock_name, LOCKS[lock_name]())
    code, doc = scan.json(str(lock), "--index-url", served.index_url)
    validate_scan_json(doc)
    assert code == 0  # no policy and everything could be told
    files = files_of(doc)
    assert set(files) == {SAMPLE.filename, PA_SDIST.filename, PA_WHEEL.filename, GITLAB.filename}
    for dist in (SAMPLE, PA_SDIST, GITLAB):
        entry = files[dist.filename]
        assert entry["status"] == "verified", entry["reason"]
        assert entry["sha256"] == dist.sha256
        assert spec(entry["publisher"]) == PUBLISHERS[dist.filename]
    wheel = files[PA_WHEEL.filename]
    assert wheel["status"] == "unattested"
    assert wheel["publisher"] is None
    assert "publishes none" in wheel["reason"], wheel["reason"]
    packages = packages_of(doc)
    assert (packages["sampleproject"]["status"], packages["sampleproject"]["coverage"]) == (
        "verified",
        "all",
    )
    assert (packages["pypi-attestations"]["status"], packages["pypi-attestations"]["coverage"]) == (
        "unattested",
        "some",
    )
    assert packages["gitlab-oidc-project"]["coverage"] == "all"
    assert doc["summary"]["verified"] == 2 and doc["summary"]["unattested"] == 1


def test_table_is_the_default_and_summarises(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("requirements.txt", requirements_hashed())
    result = scan(str(lock), "--index-url", served.index_url)
    assert result.exit_code == 0, result.output
    assert "3 packages: 2 verified, 1 unattested" in result.stdout


def test_off_a_terminal_one_line_per_package_and_no_decision_without_a_policy(
    scan: Scan, served: StaticServer
) -> None:
    lock = scan.write("requirements.txt", requirements_hashed())
    result = scan(str(lock), "--index-url", served.index_url)  # CliRunner: not a terminal
    expected = {
        "sampleproject": "verified",
        "pypi-attestations": "unattested",
        "gitlab-oidc-project": "verified",
    }

    def row(text: str, name: str) -> str:
        return next(ln for ln in text.splitlines() if ln.startswith(name + " "))

    # name, version, the status as proven (no identity was expected), then the decision tag
    unchecked = r"( \(identity not checked\))?"
    for name, status in expected.items():
        assert re.match(rf"{name}\s+\S+\s+{status}{unchecked}\s", row(result.stdout, name))
    assert not any(tag in result.stdout for tag in ("[allow]", "[warn]", "[block]"))
    # with a mode, every package carries the mode's decision right after its status
    decided = scan(str(lock), "--index-url", served.index_url, "--mode", "warn")
    for name, status in expected.items():
        line = row(decided.stdout, name)
        assert re.match(rf"{name}\s+\S+\s+{status}{unchecked} \[(allow|warn)\]\s", line)


@pytest.mark.parametrize("fmt", ["cyclonedx", "sarif", "markdown", "table"])
def test_other_formats_render_and_validate(scan: Scan, served: StaticServer, fmt: str) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    result = scan(str(lock), "--index-url", served.index_url, "--format", fmt)
    assert result.exit_code == 0, result.output
    text = result.stdout
    if fmt == "cyclonedx":
        assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
        doc = json.loads(text)
        names = {c["name"] for c in doc["components"]}
        assert names == {"sampleproject", "pypi-attestations", "gitlab-oidc-project"}
        props = {
            c["name"]: {p["name"]: p["value"] for p in c.get("properties", [])}
            for c in doc["components"]
        }
        gitlab = props["gitlab-oidc-project"]
        assert gitlab["pyvouch:attestation:status"] == "verified"
        assert gitlab["pyvouch:attestation:publisher"] == PUBLISHERS[GITLAB.filename]
        assert props["pypi-attestations"]["pyvouch:attestation:coverage"] == "some"
    elif fmt == "sarif":
        schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        doc = json.loads(text)
        cls(schema).validate(doc)
        messages = json.dumps(doc["runs"][0]["results"])
        assert PA_WHEEL.filename in messages
    elif fmt == "markdown":
        assert "pypi-attestations" in text and "|" in text
    else:
        assert "gitlab-oidc-project" in text


def test_output_file_is_written_whole_and_stdout_stays_empty(
    scan: Scan, served: StaticServer
) -> None:
    lock = scan.write("pylock.toml", LOCKS["pylock.toml"]())
    out = scan.workdir / "reports" / "scan.json"
    out.parent.mkdir()
    out.write_text("old report")
    result = scan(
        str(lock), "--index-url", served.index_url, "--format", "json", "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    doc = json.loads(out.read_text("utf-8"))
    validate_scan_json(doc)
    assert [p.name for p in out.parent.iterdir()] == ["scan.json"]  # no temporary left over


def test_output_into_a_missing_folder_is_a_clear_error(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("pylock.toml", LOCKS["pylock.toml"]())
    out = scan.workdir / "missing" / "scan.json"
    result = scan(str(lock), "--index-url", served.index_url, "--output", str(out))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and str(out) in result.stderr
    assert not out.parent.exists()


def test_pins_without_hashes_take_the_best_file(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("requirements.txt", requirements_pinned())
    code, doc = scan.json(str(lock), "--index-url", served.index_url, "--no-resolve")
    assert code == 0
    files = files_of(doc)
    # pypi-attestations: this machine installs the py3-none-any wheel, which has no attestation
    assert set(files) == {SAMPLE.filename, PA_WHEEL.filename, GITLAB.filename}
    assert files[PA_WHEEL.filename]["status"] == "unattested"
    assert files[PA_WHEEL.filename]["sha256"] == PA_WHEEL.sha256  # the digest from the index
    assert files[SAMPLE.filename]["status"] == "verified"
    assert packages_of(doc)["pypi-attestations"]["coverage"] == "none"


def test_pins_without_hashes_all_files(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("requirements.txt", requirements_pinned())
    code, doc = scan.json(
        str(lock), "--index-url", served.index_url, "--no-resolve", "--files", "all"
    )
    assert code == 0
    files = files_of(doc)
    assert set(files) == {SAMPLE.filename, PA_SDIST.filename, PA_WHEEL.filename, GITLAB.filename}
    assert files[PA_SDIST.filename]["status"] == "verified"
    assert packages_of(doc)["pypi-attestations"]["coverage"] == "some"


def test_a_pin_the_index_does_not_have_is_unknown(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("requirements.txt", "sampleproject==9.9.9\n")
    code, doc = scan.json(str(lock), "--index-url", served.index_url, "--no-resolve")
    assert code == 3
    (package,) = doc["packages"]
    assert package["status"] == "unknown"
    assert "9.9.9" in package["files"][0]["reason"]


def test_a_hash_the_index_does_not_list_is_unknown_not_unattested(
    scan: Scan, served: StaticServer
) -> None:
    other = "0" * 64
    lock = scan.write(
        "requirements.txt",
        f"sampleproject==3.0.0 --hash=sha256:{SAMPLE.sha256} --hash=sha256:{other}\n",
    )
    code, doc = scan.json(str(lock), "--index-url", served.index_url)
    assert code == 3
    statuses = {f["sha256"]: (f["status"], f["reason"]) for f in doc["packages"][0]["files"]}
    assert statuses[SAMPLE.sha256][0] == "verified"
    assert statuses[other][0] == "unknown" and other in statuses[other][1]
