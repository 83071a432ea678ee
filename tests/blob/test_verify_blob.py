"""`pyvouch verify-blob` on the conformance cases copied into tests/assets/conformance, and
on bundles changed in the ways an attacker or an accident would change them."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.cli.main import cli
from pyvouch.testing import TestAuthority
from tests.support.blob_signing import (
    DEFAULT_IDENTITY,
    DEFAULT_ISSUER,
    logged_key_bundle,
    public_pem,
    write_keypair,
)

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "conformance"
ARTIFACT = ASSETS / "a.txt"
IDENTITY = ["--certificate-identity", DEFAULT_IDENTITY, "--certificate-oidc-issuer", DEFAULT_ISSUER]
BEACON = "github:sigstore-conformance/extremely-dangerous-public-oidc-beacon"


def verify(*args: str) -> tuple[Result, dict[str, Any] | None]:
    result = CliRunner().invoke(cli, ["verify-blob", *args, "--format", "json"])
    if result.exit_code in (0, 1):
        return result, json.loads(result.stdout)["results"][0]
    return result, None


def bundle_of(case: str) -> str:
    return str(ASSETS / case / "bundle.sigstore.json")


@pytest.mark.parametrize("case", ["happy-path-v0.3", "happy-path-intoto-in-dsse-v3"])
def test_keyless_bundle_verifies_with_identity_and_publisher(case: str) -> None:
    result, found = verify(str(ARTIFACT), "--bundle", bundle_of(case), *IDENTITY)
    assert result.exit_code == 0 and found is not None, result.output
    assert found["status"] == "verified" and found["signer_kind"] == "certificate"
    assert found["subject"] == DEFAULT_IDENTITY and found["transparency_log"] is True
    result, found = verify(str(ARTIFACT), "--bundle", bundle_of(case), "--publisher", BEACON)
    assert result.exit_code == 0 and found is not None and found["identity_checked"]
    assert found["publisher"]["repository"] == BEACON.removeprefix("github:")


def test_rekor_v2_bundle_with_timestamp_verifies_against_its_root() -> None:
    case = ASSETS / "rekor2-happy-path"
    result, found = verify(
        str(ARTIFACT), "--bundle", bundle_of(case.name), *IDENTITY,
        "--trust-root", str(case / "trusted_root.json"),
    )  # fmt: skip
    assert result.exit_code == 0 and found is not None, result.output
    assert any(t.startswith("timestamp authority") for t in found["verified_times"])
    # The same bundle against the production root: its log and TSA are not trusted there.
    result, found = verify(str(ARTIFACT), "--bundle", bundle_of(case.name), *IDENTITY)
    assert result.exit_code == 1 and found is not None and found["status"] == "invalid"


def test_other_identity_is_mismatch_not_invalid() -> None:
    other = DEFAULT_IDENTITY.replace("refs/heads/main", "refs/heads/evil")
    result, found = verify(
        str(ARTIFACT), "--bundle", bundle_of("happy-path-v0.3"),
        "--certificate-identity", other, "--certificate-oidc-issuer", DEFAULT_ISSUER,
    )  # fmt: skip
    assert result.exit_code == 1 and found is not None
    assert found["status"] == "mismatch" and found["identity_checked"] is False
    result, found = verify(
        str(ARTIFACT), "--bundle", bundle_of("happy-path-v0.3"), "--publisher", "github:pypa/pip"
    )
    assert found is not None and found["status"] == "mismatch"
    assert "repository differs" in found["reason"]


@pytest.mark.parametrize("case", ["happy-path-v0.3", "happy-path-intoto-in-dsse-v3"])
def test_changed_artifact_byte_is_invalid(case: str, tmp_path: Path) -> None:
    changed = tmp_path / "a.txt"
    data = bytearray(ARTIFACT.read_bytes())
    data[0] ^= 1
    changed.write_bytes(bytes(data))
    result, found = verify(str(changed), "--bundle", bundle_of(case), *IDENTITY)
    assert result.exit_code == 1 and found is not None and found["status"] == "invalid"


def test_managed_key_bundle_verifies_with_its_key() -> None:
    case = ASSETS / "managed-key-happy-path"
    result, found = verify(
        str(ARTIFACT), "--bundle", bundle_of(case.name), "--key", str(case / "key.pub")
    )
    assert result.exit_code == 0 and found is not None, result.output
    assert found["signer_kind"] == "public-key" and found["log_index"] == 771488337
    assert found["key_id"] == "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk="
    assert len(found["verified_times"]) == 2  # transparency log SET and the TSA timestamp


def test_managed_key_bundle_refuses_other_key_and_identity_flags(tmp_path: Path) -> None:
    _, other = write_keypair(tmp_path)
    _, found = verify(str(ARTIFACT), "--bundle", bundle_of("managed-key-happy-path"),
                           "--key", str(other))  # fmt: skip
    assert found is not None and found["status"] == "invalid" and "key hint" in found["reason"]
    _, found = verify(str(ARTIFACT), "--bundle", bundle_of("managed-key-happy-path"),
                           *IDENTITY)  # fmt: skip
    assert found is not None and found["status"] == "invalid" and "--key" in found["reason"]
    key = ASSETS / "managed-key-happy-path" / "key.pub"
    _, found = verify(str(ARTIFACT), "--bundle", bundle_of("happy-path-v0.3"),
                      "--key", str(key))  # fmt: skip
    assert found is not None and found["status"] == "invalid"
    assert "certificate" in found["reason"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("signature", "signature does not verify"),
        ("set", "invalid log entry"),
        ("proof", "invalid log entry"),
    ],
)
def test_managed_key_bundle_tampering_is_invalid(where: str, expected: str, tmp_path: Path) -> None:
    case = ASSETS / "managed-key-happy-path"
    obj = json.loads((case / "bundle.sigstore.json").read_text())
    entry = obj["verificationMaterial"]["tlogEntries"][0]

    def flip(b64: str) -> str:
        raw = bytearray(base64.b64decode(b64))
        raw[len(raw) // 2] ^= 1
        return base64.b64encode(bytes(raw)).decode()

    if where == "signature":
        obj["messageSignature"]["signature"] = flip(obj["messageSignature"]["signature"])
    elif where == "set":
        promise = entry["inclusionPromise"]
        promise["signedEntryTimestamp"] = flip(promise["signedEntryTimestamp"])
    else:
        entry["inclusionProof"]["hashes"][0] = flip(entry["inclusionProof"]["hashes"][0])
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(obj))
    result, found = verify(str(ARTIFACT), "--bundle", str(bundle), "--key", str(case / "key.pub"))
    assert result.exit_code == 1 and found is not None and found["status"] == "invalid"
    assert expected in found["reason"], found["reason"]


# -- managed-key bundles logged by the local test authority -----------------------------------


def _logged(tmp_path: Path, authority: TestAuthority, **kwargs: Any) -> tuple[Path, Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    artifact = tmp_path / "pkg-1.0.tar.gz"
    artifact.write_bytes(b"a private registry's sdist\n")
    bundle = tmp_path / "pkg-1.0.tar.gz.sigstore.json"
    bundle.write_text(
        json.dumps(logged_key_bundle(authority, artifact.read_bytes(), key, **kwargs))
    )
    pub = tmp_path / "cosign.pub"
    pub.write_bytes(public_pem(key))
    root = authority.write_trust_files(tmp_path / "trust")["trusted_root"]
    return artifact, pub, root


def test_logged_key_bundle_verifies_against_the_private_log(
    authority: TestAuthority, tmp_path: Path
) -> None:
    artifact, pub, root = _logged(tmp_path, authority)
    result, found = verify(str(artifact), "--key", str(pub), "--trust-root", str(root))
    assert result.exit_code == 0 and found is not None, result.output
    assert found["transparency_log"] is True and found["log_index"] == 0
    # The production root does not know this log.
    result, found = verify(str(artifact), "--key", str(pub))
    assert found is not None and found["status"] == "invalid"
    assert "invalid log entry" in found["reason"]


def test_log_entry_for_another_body_is_invalid(authority: TestAuthority, tmp_path: Path) -> None:
    authority.faults.entry_for_other_body = True  # valid proof and SET, other digest logged
    artifact, pub, root = _logged(tmp_path, authority)
    _, found = verify(str(artifact), "--key", str(pub), "--trust-root", str(root))
    assert found is not None and found["status"] == "invalid"
    assert "inconsistent" in found["reason"]


def test_log_entry_naming_another_key_is_invalid(authority: TestAuthority, tmp_path: Path) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    artifact, pub, root = _logged(tmp_path, authority, logged_key=other)
    _, found = verify(str(artifact), "--key", str(pub), "--trust-root", str(root))
    assert found is not None and found["status"] == "invalid"
    assert "inconsistent" in found["reason"]


# -- usage and input errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        [],  # no signer named
        [*IDENTITY, "--key", str(ASSETS / "managed-key-happy-path" / "key.pub")],
        ["--certificate-identity", DEFAULT_IDENTITY],
        [*IDENTITY, "--allow-no-tlog"],
        [
            *IDENTITY,
            "--staging",
            "--trust-root",
            str(ASSETS / "rekor2-happy-path/trusted_root.json"),
        ],
    ],
)
def test_bad_usage_exits_2_with_one_line(args: list[str]) -> None:
    result = CliRunner().invoke(
        cli, ["verify-blob", str(ARTIFACT), "--bundle", bundle_of("happy-path-v0.3"), *args]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_malformed_key_file_and_missing_bundle_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")
    result = CliRunner().invoke(cli, ["verify-blob", str(ARTIFACT), "--key", str(bad)])
    assert result.exit_code == 2 and "bad.pub: not a PEM public key" in result.output
    lonely = tmp_path / "x.whl"
    shutil.copy(ARTIFACT, lonely)
    result = CliRunner().invoke(cli, ["verify-blob", str(lonely), *IDENTITY])
    assert result.exit_code == 2 and "x.whl.sigstore.json: cannot read" in result.output


def test_bundle_that_is_not_json_is_invalid(tmp_path: Path) -> None:
    bundle = tmp_path / "b.json"
    bundle.write_text("{not json")
    result, found = verify(str(ARTIFACT), "--bundle", str(bundle), *IDENTITY)
    assert result.exit_code == 1 and found is not None and found["status"] == "invalid"
