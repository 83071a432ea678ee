"""`pyvouch sign-blob` round trips: a key (PEM, encrypted PEM, cosign's format) and keyless
against the local test authority, each verified by `pyvouch verify-blob`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.cli.main import cli
from pyvouch.testing import TestAuthority, github_claims
from tests.support.blob_signing import cosign_encrypted_pem, public_pem, write_keypair


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def verified(file: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run("verify-blob", str(file), *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["results"][0]


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    out = []
    for name, data in [("pkg-1.0.tar.gz", b"sdist bytes"), ("pkg-1.0-py3-none-any.whl", b"wheel")]:
        path = tmp_path / name
        path.write_bytes(data)
        out.append(path)
    return out


def test_key_round_trip_changed_byte_and_other_key(files: list[Path], tmp_path: Path) -> None:
    key, pub = write_keypair(tmp_path)
    result = run("sign-blob", *map(str, files), "--key", str(key))
    assert result.exit_code == 0, result.output
    assert "no transparency log" in result.output and "possession of the key" in result.output
    for file in files:
        assert file.with_name(file.name + ".sigstore.json").is_file()
        code, found = verified(file, "--key", str(pub), "--allow-no-tlog")
        assert code == 0 and found["status"] == "verified" and not found["transparency_log"]
        assert "possession of the key only" in found["notes"][0]
        # Without --allow-no-tlog a log-less bundle is refused.
        code, found = verified(file, "--key", str(pub))
        assert code == 1 and "--allow-no-tlog" in found["reason"]
    # One changed byte.
    data = bytearray(files[0].read_bytes())
    data[-1] ^= 1
    files[0].write_bytes(bytes(data))
    code, found = verified(files[0], "--key", str(pub), "--allow-no-tlog")
    assert code == 1 and found["status"] == "invalid"
    # Another key.
    _, other = write_keypair(tmp_path, "other")
    code, found = verified(files[1], "--key", str(other), "--allow-no-tlog")
    assert code == 1 and found["status"] == "invalid"


def test_bundle_has_cosign_shape(files: list[Path], tmp_path: Path) -> None:
    key, _ = write_keypair(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    assert (
        run("sign-blob", str(files[0]), "--key", str(key), "--output-dir", str(out)).exit_code == 0
    )
    bundle = json.loads((out / (files[0].name + ".sigstore.json")).read_text())
    assert bundle["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
    assert set(bundle["verificationMaterial"]["publicKey"]) == {"hint"}
    assert bundle["messageSignature"]["messageDigest"]["algorithm"] == "SHA2_256"
    assert not files[0].with_name(files[0].name + ".sigstore.json").exists()


def test_encrypted_keys_need_the_password(files: list[Path], tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pub = tmp_path / "k.pub"
    pub.write_bytes(public_pem(key))
    pkcs8 = tmp_path / "enc.pem"
    pkcs8.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )
    cosign = tmp_path / "cosign.key"
    cosign.write_bytes(cosign_encrypted_pem(key, b"s3cret"))
    for path in (pkcs8, cosign):
        result = run("sign-blob", str(files[0]), "--key", str(path), env={"COSIGN_PASSWORD": "no"})
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert not list(tmp_path.glob("*.sigstore.json"))
        result = run(
            "sign-blob", str(files[0]), "--key", str(path), env={"COSIGN_PASSWORD": "s3cret"}
        )
        assert result.exit_code == 0, result.output
        code, found = verified(files[0], "--key", str(pub), "--allow-no-tlog")
        assert code == 0, found
        files[0].with_name(files[0].name + ".sigstore.json").unlink()
    result = run("sign-blob", str(files[0]), "--key", str(pkcs8), env={"COSIGN_PASSWORD": None})  # type: ignore[dict-item]
    assert result.exit_code == 2 and "COSIGN_PASSWORD" in result.output


def test_all_or_nothing(files: list[Path], tmp_path: Path) -> None:
    key, _ = write_keypair(tmp_path)
    missing = tmp_path / "missing.whl"
    result = run("sign-blob", *map(str, files), str(missing), "--key", str(key))
    assert result.exit_code == 2 and "missing.whl" in result.output
    assert not list(tmp_path.glob("*.sigstore.json"))
    # The second bundle's place is taken by a directory: the rename fails after the first
    # bundle was written, and that one is rolled back.
    out = tmp_path / "out"
    (out / (files[1].name + ".sigstore.json")).mkdir(parents=True)
    result = run("sign-blob", *map(str, files), "--key", str(key), "--output-dir", str(out))
    assert result.exit_code == 1 and "none kept" in result.output
    assert [p.name for p in out.iterdir()] == [files[1].name + ".sigstore.json"]


def test_signing_a_folder_again_skips_the_bundles_it_wrote(
    files: list[Path], tmp_path: Path
) -> None:
    """`sign-blob dist/*` twice: the second run sees FILE.sigstore.json among its inputs,
    skips each with a note, and replaces the bundles with fresh ones that verify."""
    key, pub = write_keypair(tmp_path)
    assert run("sign-blob", *map(str, files), "--key", str(key)).exit_code == 0
    first = {f: f.with_name(f.name + ".sigstore.json").read_bytes() for f in files}
    everything = sorted(tmp_path.glob("pkg-1.0*"))
    assert len(everything) == 4  # two files, two bundles
    again = run("sign-blob", *map(str, everything), "--key", str(key))
    assert again.exit_code == 0, again.output
    for file in files:
        bundle = file.with_name(file.name + ".sigstore.json")
        assert f"skipped {bundle}: a Sigstore bundle, not signed" in again.stderr
        assert not bundle.with_name(bundle.name + ".sigstore.json").exists()
        assert bundle.read_bytes() != first[file]  # re-signed (ECDSA signatures differ)
        code, found = verified(file, "--key", str(pub), "--allow-no-tlog")
        assert code == 0 and found["status"] == "verified"
    assert "signed 2 file(s)" in again.stdout


def test_only_bundles_is_nothing_to_sign(files: list[Path], tmp_path: Path) -> None:
    key, _ = write_keypair(tmp_path)
    assert run("sign-blob", *map(str, files), "--key", str(key)).exit_code == 0
    bundles = sorted(tmp_path.glob("*.sigstore.json"))
    result = run("sign-blob", *map(str, bundles), "--key", str(key))
    assert result.exit_code == 2
    assert "nothing to sign: every FILE is a Sigstore bundle" in result.output
    assert not list(tmp_path.glob("*.sigstore.json.sigstore.json"))


def test_rejects_unsupported_keys(files: list[Path], tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = tmp_path / "ed.pem"
    key.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    result = run("sign-blob", str(files[0]), "--key", str(key))
    assert result.exit_code == 2 and "P-256" in result.output


def test_keyless_round_trip_with_the_test_authority(
    served_authority: TestAuthority, trust_files: dict[str, Path], files: list[Path]
) -> None:
    token = served_authority.github.mint(github_claims("octo-org/octo-repo", "release.yml"))
    result = run(
        "sign-blob", *map(str, files),
        "--identity-token", token, "--trust-config", str(trust_files["trust_config"]),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    root = str(trust_files["trusted_root"])
    for file in files:
        code, found = verified(
            file, "--trust-root", root, "--publisher", "github:octo-org/octo-repo:release.yml"
        )
        assert code == 0 and found["status"] == "verified" and found["transparency_log"]
        code, found = verified(file, "--trust-root", root, "--publisher", "github:octo-org/other")
        assert code == 1 and found["status"] == "mismatch"
        # Not under the production root.
        code, found = verified(file, "--publisher", "github:octo-org/octo-repo")
        assert code == 1 and found["status"] == "invalid"
    data = bytearray(files[0].read_bytes())
    data[0] ^= 1
    files[0].write_bytes(bytes(data))
    code, found = verified(
        files[0], "--trust-root", root, "--publisher", "github:octo-org/octo-repo"
    )
    assert code == 1 and found["status"] == "invalid"


def test_a_missing_output_dir_is_refused_as_scan_refuses_a_missing_folder(
    files: list[Path], tmp_path: Path
) -> None:
    """One rule for every file pyvouch writes: a directory the user names must exist. It is
    one line, exit 2, and nothing is created (no folder, no bundle beside the files)."""
    key, _ = write_keypair(tmp_path)
    missing = tmp_path / "sigs" / "v1"
    result = run("sign-blob", *map(str, files), "--key", str(key), "--output-dir", str(missing))
    assert result.exit_code == 2, result.output
    assert f"{missing}: cannot write: no such directory" in result.output
    assert not (tmp_path / "sigs").exists()
    assert not list(files[0].parent.glob("*.sigstore.json"))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pkg==1.0\n")
    report = missing / "report.txt"
    scan = run("scan", "--dry-run", "--output", str(report), str(requirements))
    assert scan.exit_code == 2 and f"{report}: cannot write: no directory" in scan.output
    assert not (tmp_path / "sigs").exists()
