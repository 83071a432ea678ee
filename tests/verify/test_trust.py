"""Trust roots: shipped production/staging, user files, TUF update; never an unverified cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pyvouch.errors import InputError, TrustRootError, TrustUpdateError
from pyvouch.model import Status
from pyvouch.verify.attestations import AttestationVerifier, digest_file
from pyvouch.verify.load import load_attestation_file
from pyvouch.verify.trust import (
    STAGING_TUF_URL,
    Instance,
    _instance_dir,
    _shipped,
    instance,
    load_trust_root,
    update_trust_root,
)
from tests.support.verify_helpers import asset, run_cli, run_cli_process
from tests.support.verify_tuf import build_repository, serve_tuf

STAGED_WHEEL = "rfc8785-0.1.2-py3-none-any.whl"


def verify_staged(root_kwargs: dict[str, object]) -> Status:
    root = load_trust_root(**root_kwargs)  # type: ignore[arg-type]
    loaded = load_attestation_file(asset(f"{STAGED_WHEEL}.publish.attestation")).attestations
    finding = AttestationVerifier(root).verify_file(digest_file(asset(STAGED_WHEEL)), loaded, None)
    return finding.status


def test_default_is_the_shipped_production_root(tmp_path: Path) -> None:
    root = load_trust_root(base=tmp_path)
    assert root.name == "production"
    assert root.source.startswith("shipped with sigstore")
    assert verify_staged({"base": tmp_path}) is Status.INVALID


def test_staging_root(tmp_path: Path) -> None:
    assert load_trust_root(staging=True, base=tmp_path).name == "staging"
    assert verify_staged({"staging": True, "base": tmp_path}) is Status.VERIFIED


def test_trust_root_file_and_client_trust_config(tmp_path: Path) -> None:
    staging_root = _shipped(STAGING_TUF_URL, "trusted_root.json")
    plain = tmp_path / "root.json"
    plain.write_bytes(staging_root)
    assert verify_staged({"trust_root_file": plain}) is Status.VERIFIED

    config = {
        "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": json.loads(staging_root),
        "signingConfig": json.loads(_shipped(STAGING_TUF_URL, "signing_config.v0.2.json")),
    }
    wrapped = tmp_path / "config.json"
    wrapped.write_text(json.dumps(config))
    root = load_trust_root(trust_root_file=wrapped)
    assert root.name == "custom"
    assert verify_staged({"trust_root_file": wrapped}) is Status.VERIFIED


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"nope", "not JSON"),
        (b"{}", "not a Sigstore trusted root"),
        (
            b'{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", '
            b'"tlogs": 5}',
            "not a valid Sigstore trusted root",
        ),
    ],
)
def test_bad_trust_root_file(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "root.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=words):
        load_trust_root(trust_root_file=path)


def test_unverified_cache_is_never_used(tmp_path: Path) -> None:
    """A staging root dropped into the production cache slot, with no valid TUF metadata."""
    directory = _instance_dir(tmp_path, instance().tuf_url)
    (directory / "targets").mkdir(parents=True)
    (directory / "targets" / "trusted_root.json").write_bytes(
        _shipped(STAGING_TUF_URL, "trusted_root.json")
    )
    (directory / "targets.json").write_text("{}")
    root = load_trust_root(base=tmp_path)
    assert root.source.startswith("shipped with sigstore")
    assert verify_staged({"base": tmp_path}) is Status.INVALID


def test_update_over_a_local_tuf_repository(tmp_path: Path) -> None:
    """The TUF flow end to end: update, load the verified copy, reject a tampered one."""
    staging_root = _shipped(STAGING_TUF_URL, "trusted_root.json")
    repo = tmp_path / "repo"
    bootstrap = build_repository(repo, staging_root)
    data = tmp_path / "data"
    with serve_tuf(repo) as url:
        inst = Instance("test", url, bootstrap, shipped_trusted_root=None)
        with pytest.raises(TrustRootError, match="no verified test trust root"):
            load_trust_root(base=data, inst=inst)
        result = update_trust_root(base=data, inst=inst, timeout=20)
        assert result.changed
        again = update_trust_root(base=data, inst=inst, timeout=20)
        assert not again.changed
    root = load_trust_root(base=data, inst=inst)
    assert root.source.startswith("TUF-verified copy")
    verifier = AttestationVerifier(root)
    loaded = load_attestation_file(asset(f"{STAGED_WHEEL}.publish.attestation")).attestations
    finding = verifier.verify_file(digest_file(asset(STAGED_WHEEL)), loaded, None)
    assert finding.status is Status.VERIFIED

    # Tamper with the stored copy: it no longer matches the signed targets metadata.
    stored = result.directory / "targets" / "trusted_root.json"
    stored.write_bytes(stored.read_bytes().replace(b"{", b"{ ", 1))
    with pytest.raises(TrustRootError, match="no verified test trust root"):
        load_trust_root(base=data, inst=inst)


def test_update_failure_leaves_the_stored_root(tmp_path: Path) -> None:
    staging_root = _shipped(STAGING_TUF_URL, "trusted_root.json")
    repo = tmp_path / "repo"
    bootstrap = build_repository(repo, staging_root)
    data = tmp_path / "data"
    with serve_tuf(repo) as url:
        inst = Instance("test", url, bootstrap, shipped_trusted_root=None)
        update_trust_root(base=data, inst=inst, timeout=20)
    # The server is gone now: the update fails, the verified copy stays in use.
    with pytest.raises(TrustUpdateError, match="unchanged"):
        update_trust_root(base=data, inst=inst, timeout=5)
    assert load_trust_root(base=data, inst=inst).source.startswith("TUF-verified copy")
    leftovers = [p.name for p in (data / "trust").iterdir()]
    assert len(leftovers) == 1, leftovers


def test_trust_update_cli_fails_fast_with_exit_3_when_tuf_is_unreachable(tmp_path: Path) -> None:
    run = run_cli_process(["trust", "update", "--timeout", "10"], tmp_path, timeout=60)
    assert run.code == 3
    assert run.stderr.startswith("pyvouch: error: trust update:")
    assert "unchanged" in run.stderr
    assert "Traceback" not in run.stderr
    show = run_cli(["trust", "show"], tmp_path)
    assert show.code == 0
    assert "shipped with sigstore" in show.stdout
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
