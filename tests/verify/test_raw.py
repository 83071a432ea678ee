"""Attestation files read as bytes (`pyvouch.verify.raw`) load exactly as `load` reads them:
the same attestations, sources, subjects and hints, and the same error for malformed input."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.verify.load import LoadedAttestation, load_attestation_file
from pyvouch.verify.raw import LastParsed, RawAttestation, read_raw
from tests.support.verify_helpers import ASSETS, asset, load_json, write_json


def _loaded(raws: tuple[RawAttestation, ...], last: LastParsed | None) -> list[object]:
    return [raw.load(last) for raw in raws]


def _loaded_as_load_reads_it(path: Path) -> tuple[LoadedAttestation, ...] | None:
    """What `load_attestation_file` reads from ``path``; None when it raises, after checking
    that the raw reading raises the same error."""
    try:
        return load_attestation_file(path).attestations
    except InputError as err:
        with pytest.raises(InputError) as info:
            _loaded(read_raw(path), LastParsed())
        assert str(info.value) == str(err)
        return None


@pytest.mark.parametrize("name", sorted(p.name for p in ASSETS.iterdir() if p.is_file()))
def test_every_fixture_loads_as_load_reads_it(name: str) -> None:
    path = asset(name)
    today = _loaded_as_load_reads_it(path)
    if today is None:
        return
    raws = read_raw(path)
    for last in (LastParsed(), None):
        assert _loaded(raws, last) == list(today)
    assert [r.source for r in raws] == [t.source for t in today]
    assert [r.subject_name for r in raws] == [t.subject_name for t in today]


def test_a_provenance_object_of_several_bundles(tmp_path: Path) -> None:
    one = load_json(asset("pypi_attestations-0.0.19.tar.gz.publish.attestation"))
    two = load_json(asset("pypi_attestations-0.0.19.tar.gz.slsa.attestation"))
    provenance = {
        "version": 1,
        "attestation_bundles": [
            {"publisher": {"kind": "GitHub", "repository": "a/b"}, "attestations": [one, two]},
            {"publisher": None, "attestations": [one]},
        ],
    }
    path = write_json(tmp_path / "p.json", provenance)
    raws = read_raw(path)
    assert _loaded(raws, LastParsed()) == list(load_attestation_file(path).attestations)
    assert raws[1].source.endswith("attestation_bundles[0].attestations[1]")


def _malformed() -> list[bytes]:
    """Broken input, and some that only looks broken."""
    good = load_json(asset("pypi_attestations-0.0.19.tar.gz.publish.attestation"))
    cases = [
        b"",
        b"\xff\xfe",
        b"{not json",
        b'"\\ud800"',
        b"[]",
        b'{"attestation_bundles": []}',
        b'{"attestation_bundles": [{"attestations": [{}]}]}',
        b'{"version": 2, "attestation_bundles": []}',
        b'{"version": 1, "verification_material": {}, "envelope": {}}',
        b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}',
    ]
    for field, value in [("signature", 5), ("statement", "%%%"), ("statement", "e30=")]:
        broken = json.loads(json.dumps(good))
        broken["envelope"][field] = value
        cases.append(json.dumps(broken).encode())
    broken = json.loads(json.dumps(good))
    broken["version"] = "1"  # the subject stays readable: a worker finds this one
    cases.append(json.dumps(broken).encode())
    return cases


@pytest.mark.parametrize("content", _malformed())
def test_malformed_input_is_the_same_error(content: bytes, tmp_path: Path) -> None:
    """Or, where it is no error (an unreadable statement still parses), the same attestation
    and the same (absent) subject."""
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    today = _loaded_as_load_reads_it(path)
    if today is None:
        return
    raws = read_raw(path)
    assert _loaded(raws, LastParsed()) == list(today)
    assert [r.subject_name for r in raws] == [t.subject_name for t in today]


@pytest.mark.parametrize("how", ["file", "pipe"])
def test_the_size_limit_holds_for_files_and_pipes(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`read_input` asks for the file's size first; a pipe (size 0) or a file larger than the
    limit is still read no further than the limit, and refused past it."""
    from pyvouch.verify import load

    monkeypatch.setattr(load, "MAX_ATTESTATION_BYTES", 1000)
    for size, refused in [(1000, False), (1001, True), (50_000, True)]:
        path = tmp_path / f"{how}-{size}"
        if how == "file":
            path.write_bytes(b" " * size)
        else:
            os.mkfifo(path)
            writer = threading.Thread(target=_write_then_close, args=(path, size), daemon=True)
            writer.start()
        if refused:
            with pytest.raises(InputError, match="larger than 1000 bytes"):
                load.read_input(path)
        else:
            assert load.read_input(path) == b" " * size
        if how == "pipe":
            writer.join(timeout=10)


def _write_then_close(path: Path, size: int) -> None:
    with contextlib.suppress(BrokenPipeError), path.open("wb") as pipe:
        pipe.write(b" " * size)
