"""Loading attestations: the type is judged by content; bad input is one clear InputError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.verify.load import InputKind, load_attestation_file, parse_attestations
from tests.support.verify_helpers import asset, load_json, write_json


@pytest.mark.parametrize(
    ("name", "kind", "count"),
    [
        ("pypi_attestations-0.0.19.tar.gz.publish.attestation", InputKind.ATTESTATION, 1),
        ("pypi_attestations-0.0.19.tar.gz.provenance", InputKind.PROVENANCE, 1),
        ("pypi_attestation_models-0.0.4a2.tar.gz.sigstore", InputKind.BUNDLE, 1),
        ("rfc8785-0.1.2-py3-none-any.whl.sigstore", InputKind.BUNDLE, 1),
        ("pep740-sampleproject-1.0.0.tar.gz.provenance", InputKind.PROVENANCE, 1),
    ],
)
def test_kind_by_content_not_name(name: str, kind: InputKind, count: int, tmp_path: Path) -> None:
    renamed = tmp_path / "whatever.txt"
    renamed.write_bytes(asset(name).read_bytes())
    loaded = load_attestation_file(renamed)
    assert loaded.kind is kind
    assert len(loaded.attestations) == count


def test_provenance_keeps_the_label_as_a_hint() -> None:
    loaded = load_attestation_file(asset("sampleproject-4.0.0.tar.gz.provenance"))
    (item,) = loaded.attestations
    assert item.publisher_hint == {
        "kind": "GitHub",
        "repository": "pypa/sampleproject",
        "workflow": "release.yml",
        "environment": "",
    }
    assert item.subject_name == "sampleproject-4.0.0.tar.gz"


def test_unknown_publisher_kind_is_kept_not_fatal(tmp_path: Path) -> None:
    provenance = load_json(asset("sampleproject-4.0.0.tar.gz.provenance"))
    provenance["attestation_bundles"][0]["publisher"] = {"kind": "Pulp User", "id": 3}
    loaded = load_attestation_file(write_json(tmp_path / "p.json", provenance))
    assert loaded.attestations[0].publisher_hint == {"kind": "Pulp User", "id": 3}


def test_several_bundles_and_attestations(tmp_path: Path) -> None:
    one = load_json(asset("pypi_attestations-0.0.19.tar.gz.publish.attestation"))
    two = load_json(asset("pypi_attestations-0.0.19.tar.gz.slsa.attestation"))
    provenance = {
        "version": 1,
        "attestation_bundles": [
            {"publisher": {"kind": "GitHub", "repository": "a/b"}, "attestations": [one, two]},
            {"publisher": None, "attestations": [one]},
        ],
    }
    loaded = load_attestation_file(write_json(tmp_path / "p.json", provenance))
    assert len(loaded.attestations) == 3
    assert loaded.attestations[2].publisher_hint is None
    assert loaded.attestations[1].source.endswith("attestation_bundles[0].attestations[1]")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"{not json", "not JSON"),
        (b"[]", "unknown content"),
        (b'{"hello": 1}', "unknown content"),
        (b'{"attestation_bundles": []}', "non-empty list"),
        (b'{"attestation_bundles": [{"attestations": [{}]}]}', "attestations[0]"),
        (b'{"attestation_bundles": [5]}', "must be an object"),
        (b'{"version": 2, "attestation_bundles": []}', "unsupported provenance version"),
        (b'{"version": 1, "verification_material": {}, "envelope": {}}', "not a valid PEP 740"),
        (b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}', "Sigstore bundle"),
    ],
)
def test_malformed_is_an_input_error(content: bytes, words: str) -> None:
    with pytest.raises(InputError) as info:
        parse_attestations(content, "x.json")
    assert words in str(info.value)
    assert str(info.value).startswith("x.json")
    assert "\n" not in str(info.value)


def test_bad_base64_in_an_attestation(tmp_path: Path) -> None:
    obj = load_json(asset("pypi_attestations-0.0.19.tar.gz.publish.attestation"))
    obj["envelope"]["signature"] = 5
    with pytest.raises(InputError, match=r"envelope\.signature"):
        parse_attestations(json.dumps(obj).encode(), "a.json")


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_attestation_file(tmp_path / "missing.attestation")
    with pytest.raises(InputError, match="is a directory"):
        load_attestation_file(tmp_path)
