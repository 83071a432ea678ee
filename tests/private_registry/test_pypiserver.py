"""A real pypiserver serving a folder with the dists and their signatures: what pyvouch
verifies there, and what pypiserver alone cannot serve."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.testing import TestAuthority
from tests.support.beside_signatures import (
    classic_keyless,
    logged_key,
    pem_public,
    verify_package,
)
from tests.support.policy_sites import write_wheel
from tests.support.pypiserver_site import front, pypiserver

HONEST = "acme/classic"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    authority = TestAuthority()
    base = tmp_path_factory.mktemp("pypiserver")
    root = authority.write_trust_files(base / "trust")["trusted_root"]
    folder = base / "packages"
    ours, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    keyed = write_wheel(folder, "keyed", "1.0")
    (folder / f"{keyed.name}.sigstore.json").write_text(
        logged_key(authority, ours, keyed.read_bytes())
    )
    tampered = write_wheel(folder, "tampered", "1.0")
    bundle = json.loads(logged_key(authority, ours, tampered.read_bytes()))
    sig = bytearray(base64.b64decode(bundle["messageSignature"]["signature"]))
    sig[8] ^= 0x40
    bundle["messageSignature"]["signature"] = base64.b64encode(bytes(sig)).decode()
    (folder / f"{tampered.name}.sigstore.json").write_text(json.dumps(bundle))
    classic = write_wheel(folder, "classic", "1.0")
    sig_text, crt = classic_keyless(authority, HONEST, classic.read_bytes())
    (folder / f"{classic.name}.sig").write_text(sig_text)
    (folder / f"{classic.name}.crt").write_text(crt)
    with pypiserver(folder) as upstream, front(folder, upstream) as fronted:
        yield {
            "root": root,
            "plain": upstream + "/simple/",
            "fronted": fronted + "/simple/",
            "ours": pem_public(ours, base / "ours.pub"),
            "other": pem_public(other, base / "other.pub"),
        }


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))


def _only(findings: dict[str, dict[str, object]]) -> dict[str, object]:
    (finding,) = findings.values()
    return finding


def test_a_key_signed_package_passes(setup: dict) -> None:
    result, findings = verify_package(
        setup["fronted"], setup["root"], "--key", str(setup["ours"]), release="keyed==1.0"
    )
    finding = _only(findings)
    assert (finding["status"], finding["signature_kind"]) == ("verified", "sigstore-bundle")
    assert result.exit_code == 0


def test_another_key_fails(setup: dict) -> None:
    result, findings = verify_package(
        setup["fronted"], setup["root"], "--key", str(setup["other"]), release="keyed==1.0"
    )
    assert _only(findings)["status"] == "invalid"
    assert result.exit_code == 1


def test_a_tampered_signature_fails(setup: dict) -> None:
    _, findings = verify_package(
        setup["fronted"], setup["root"], "--key", str(setup["ours"]), release="tampered==1.0"
    )
    finding = _only(findings)
    assert finding["status"] == "invalid" and "does not verify" in finding["reason"]


def test_a_sig_crt_pair_is_refused_unless_the_policy_allows_it(setup: dict) -> None:
    args = ("--publisher", f"github:{HONEST}")
    _, refused = verify_package(setup["fronted"], setup["root"], *args, release="classic==1.0")
    assert _only(refused)["status"] == "invalid"
    assert "no transparency log entry" in _only(refused)["reason"]
    _, allowed = verify_package(
        setup["fronted"], setup["root"], *args, "--allow-no-tlog", release="classic==1.0"
    )
    assert (_only(allowed)["status"], _only(allowed)["signature_kind"]) == (
        "verified",
        "cosign-sig",
    )


def test_pypiserver_alone_serves_no_signature(setup: dict) -> None:
    """pypiserver answers 404 for X.whl.sigstore.json: nobody can tell (unknown), never
    verified, never unattested."""
    result, findings = verify_package(
        setup["plain"], setup["root"], "--key", str(setup["ours"]), release="keyed==1.0"
    )
    finding = _only(findings)
    assert finding["status"] == "unknown" and finding["signature_kind"] is None
    assert result.exit_code == 3
