"""`verify-blob` says what was signed, and accepts only content that vouches for the file.

Bundles are minted by the local test authority (real certificates, real log entries), as
the identity the verifier expects: the attacks here are not about who signed, but about
*what* a genuine signer's bundle signs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.cli.main import cli
from pyvouch.testing import TestAuthority
from pyvouch.verify.signed_content import DEFAULT_PREDICATE_TYPES
from tests.support.blob_signing import (
    in_toto_statement,
    key_dsse_bundle,
    keyless_bundle,
    public_pem,
)

REPO = "octo-org/octo-repo"
PUBLISHER = f"github:{REPO}:release.yml"
SLSA = "https://slsa.dev/provenance/v1"
PYPI_PUBLISH = "https://docs.pypi.org/attestations/publish/v1"
DATA = b"a private registry's sdist\n"
SHA256 = hashlib.sha256(DATA).hexdigest()


class Site:
    """A file, its bundle beside it, and the authority's trusted root."""

    def __init__(self, authority: TestAuthority, tmp_path: Path) -> None:
        self.authority = authority
        self.file = tmp_path / "pkg-1.0.tar.gz"
        self.file.write_bytes(DATA)
        self.bundle = tmp_path / "pkg-1.0.tar.gz.sigstore.json"
        self.root = authority.write_trust_files(tmp_path / "trust")["trusted_root"]

    def sign_statement(self, statement: bytes, repository: str = REPO) -> None:
        self.bundle.write_text(keyless_bundle(self.authority, repository, statement=statement))

    def sign_message(self, repository: str = REPO) -> None:
        self.bundle.write_text(keyless_bundle(self.authority, repository, data=DATA))

    def run(self, *args: str, output: str = "json") -> Result:
        return CliRunner().invoke(
            cli,
            [
                "verify-blob", str(self.file), "--publisher", PUBLISHER,
                "--trust-root", str(self.root), "--format", output, *args,
            ],
        )  # fmt: skip

    def verify(self, *args: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
        result = self.run(*args)
        assert result.exit_code in (0, 1), result.output
        out = json.loads(result.stdout)
        return result.exit_code, out["results"][0], out


@pytest.fixture
def site(authority: TestAuthority, tmp_path: Path) -> Site:
    return Site(authority, tmp_path)


# -- the attack: a genuine signer's statement that claims something else ----------------------


@pytest.mark.parametrize(
    "predicate_type",
    [
        "https://evil.example/this-file-is-fine/v1",  # the attacker's own type
        "https://cosign.sigstore.dev/attestation/vuln/v1",  # a vulnerability scan result
        "https://cosign.sigstore.dev/attestation/v1",  # cosign's "custom": anything at all
        "https://slsa.dev/verification_summary/v1",  # a VSA: about a check, not the build
        SLSA + "/",  # near misses of an accepted type are other types
        SLSA.upper(),
        SLSA + "\nhttps://slsa.dev/provenance/v1",
        " " + SLSA,
    ],
)
def test_statement_with_unlisted_predicate_type_is_invalid_and_named(
    site: Site, predicate_type: str
) -> None:
    site.sign_statement(in_toto_statement(SHA256, predicate_type))
    code, found, out = site.verify()
    assert code == 1 and found["status"] == "invalid"
    assert found["signed_content"] == {
        "kind": "in-toto-statement",
        "predicate_type": predicate_type,
    }
    assert "does not vouch for the file by default" in found["reason"]
    assert "\n" not in found["reason"]
    # The signer is still reported: the signature was good, the content is what is refused.
    assert found["publisher"]["repository"] == REPO
    assert out["accepted_content"]["predicate_types"] == list(DEFAULT_PREDICATE_TYPES)
    text = site.run(output="text")
    assert text.exit_code == 1
    assert "invalid" in text.output and "signed: in-toto statement, predicate type" in text.output


def test_caller_can_require_exactly_the_predicate_type_they_mean(site: Site) -> None:
    custom = "https://example.com/release-approval/v1"
    site.sign_statement(in_toto_statement(SHA256, custom))
    code, found, out = site.verify("--predicate-type", custom)
    assert code == 0 and found["status"] == "verified"
    assert found["signed_content"]["predicate_type"] == custom
    assert out["accepted_content"] == {
        "message_signature": False,
        "predicate_types": [custom],
        "required_by_caller": True,
    }
    # Repeatable: any one of the given types.
    code, found, _ = site.verify("--predicate-type", SLSA, "--predicate-type", custom)
    assert code == 0 and found["status"] == "verified"
    # Requiring one type drops the default list: an accepted-by-default SLSA statement fails.
    site.sign_statement(in_toto_statement(SHA256, SLSA))
    code, found, _ = site.verify("--predicate-type", custom)
    assert code == 1 and found["status"] == "invalid"
    assert f"predicate type {SLSA}, not {custom} (--predicate-type)" in found["reason"]


@pytest.mark.parametrize("predicate_type", DEFAULT_PREDICATE_TYPES)
def test_documented_predicate_types_are_accepted_by_default(
    site: Site, predicate_type: str
) -> None:
    site.sign_statement(in_toto_statement(SHA256, predicate_type))
    code, found, _ = site.verify()
    assert code == 0 and found["status"] == "verified", found["reason"]
    assert found["signed_content"] == {
        "kind": "in-toto-statement",
        "predicate_type": predicate_type,
    }
    text = site.run(output="text")
    assert f"signed: in-toto statement, predicate type {predicate_type}" in text.output


def test_documented_list_is_the_code_list() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "blob-signatures.md").read_text()
    for predicate_type in DEFAULT_PREDICATE_TYPES:
        assert f"`{predicate_type}`" in docs


# -- the statement must be about this file ----------------------------------------------------


@pytest.mark.parametrize(
    "subjects",
    [
        [{"name": "pkg-1.0.tar.gz", "digest": {"sha256": hashlib.sha256(b"other").hexdigest()}}],
        [{"name": "pkg-1.0.tar.gz", "digest": {"sha512": hashlib.sha512(DATA).hexdigest()}}],
        [{"name": "pkg-1.0.tar.gz", "digest": {"sha256": SHA256.upper()}}],
        [{"name": "pkg-1.0.tar.gz", "digest": {"sha384": hashlib.sha384(DATA).hexdigest()}}],
    ],
    ids=["other-digest", "sha512-only", "upper-case-hex", "sha384-only"],
)
def test_statement_about_another_digest_is_invalid(
    site: Site, subjects: list[dict[str, Any]]
) -> None:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": SLSA,
        "predicate": {},
    }
    site.sign_statement(json.dumps(statement).encode())
    code, found, _ = site.verify()
    assert code == 1 and found["status"] == "invalid"
    assert f"names no subject with this file's sha256 {SHA256}" in found["reason"]
    assert found["signed_content"]["predicate_type"] == SLSA
    # Asking for the predicate type does not change that.
    code, found, _ = site.verify("--predicate-type", SLSA)
    assert code == 1 and found["status"] == "invalid"


def test_statement_about_several_files_including_this_one_verifies(site: Site) -> None:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "other.whl", "digest": {"sha256": hashlib.sha256(b"x").hexdigest()}},
            {"name": "pkg-1.0.tar.gz", "digest": {"sha256": SHA256}},
        ],
        "predicateType": SLSA,
        "predicate": {},
    }
    site.sign_statement(json.dumps(statement).encode())
    code, found, _ = site.verify()
    assert code == 0 and found["status"] == "verified"


# -- message signatures -----------------------------------------------------------------------


def test_message_signature_is_accepted_by_default_and_named(site: Site) -> None:
    site.sign_message()
    code, found, out = site.verify()
    assert code == 0 and found["status"] == "verified"
    assert found["signed_content"] == {"kind": "message-signature", "predicate_type": None}
    assert out["accepted_content"]["message_signature"] is True
    text = site.run(output="text")
    assert "signed: message signature over the file's sha256" in text.output


def test_required_predicate_type_refuses_a_message_signature(site: Site) -> None:
    site.sign_message()
    code, found, _ = site.verify("--predicate-type", SLSA)
    assert code == 1 and found["status"] == "invalid"
    assert found["signed_content"]["kind"] == "message-signature"
    assert "is a message signature, not an in-toto statement" in found["reason"]


def test_content_is_not_claimed_when_the_signature_fails(site: Site, tmp_path: Path) -> None:
    site.sign_statement(in_toto_statement(SHA256, "https://evil.example/x/v1"))
    other = TestAuthority()  # a root that trusts none of it
    root = other.write_trust_files(tmp_path / "other")["trusted_root"]
    result = CliRunner().invoke(
        cli,
        [
            "verify-blob", str(site.file), "--publisher", PUBLISHER,
            "--trust-root", str(root), "--format", "json",
        ],
    )  # fmt: skip
    found = json.loads(result.stdout)["results"][0]
    assert result.exit_code == 1 and found["status"] == "invalid"
    assert found["signed_content"] is None
    text = site.run(output="text")  # with the right root: the content is shown
    assert "signed: in-toto statement" in text.output
    result = CliRunner().invoke(
        cli,
        ["verify-blob", str(site.file), "--publisher", PUBLISHER, "--trust-root", str(root)],
    )
    assert "signed: not established (no signature verified)" in result.output


# -- managed-key DSSE bundles: the same rules, and statements no library would build ----------


def _key_site(tmp_path: Path, payload: bytes) -> list[str]:
    key = ec.generate_private_key(ec.SECP256R1())
    artifact = tmp_path / "pkg-1.0.tar.gz"
    artifact.write_bytes(DATA)
    bundle = tmp_path / "b.sigstore.json"
    bundle.write_text(key_dsse_bundle(key, payload))
    pub = tmp_path / "cosign.pub"
    pub.write_bytes(public_pem(key))
    return [
        "verify-blob", str(artifact), "--bundle", str(bundle), "--key", str(pub),
        "--allow-no-tlog", "--format", "json",
    ]  # fmt: skip


def _key_verify(tmp_path: Path, payload: bytes, *extra: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, [*_key_site(tmp_path, payload), *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["results"][0]


def test_key_bundle_statement_verifies_and_names_its_predicate(tmp_path: Path) -> None:
    code, found = _key_verify(tmp_path, in_toto_statement(SHA256, SLSA))
    assert code == 0 and found["signed_content"]["predicate_type"] == SLSA
    code, found = _key_verify(tmp_path, in_toto_statement(SHA256, SLSA), "--predicate-type",
                              PYPI_PUBLISH)  # fmt: skip
    assert code == 1 and found["status"] == "invalid"


def test_key_bundle_with_attacker_predicate_is_invalid(tmp_path: Path) -> None:
    code, found = _key_verify(tmp_path, in_toto_statement(SHA256, "https://evil.example/v1"))
    assert code == 1 and found["status"] == "invalid"
    assert found["signed_content"]["predicate_type"] == "https://evil.example/v1"


def _raw(text: str) -> bytes:
    return text.replace("SHA", SHA256).encode()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        # Two predicateType keys: readers disagree on which wins, so neither does.
        (
            _raw(
                '{"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "a", '
                '"digest": {"sha256": "SHA"}}], "predicateType": "https://slsa.dev/provenance/'
                'v1", "predicateType": "https://evil.example/v1", "predicate": {}}'
            ),
            "repeats the key 'predicateType'",
        ),
        (
            _raw(
                '{"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "a", '
                '"digest": {"sha256": "0000", "sha256": "SHA"}}], '
                '"predicateType": "https://slsa.dev/provenance/v1"}'
            ),
            "repeats the key 'sha256'",
        ),
        (
            _raw(
                '{"_type": "https://example.com/NotAStatement", "subject": [{"name": "a", '
                '"digest": {"sha256": "SHA"}}], "predicateType": "https://slsa.dev/provenance/v1"}'
            ),
            "not an in-toto statement",
        ),
        (
            _raw(
                '{"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "a", '
                '"digest": {"sha256": "SHA"}}], "predicateType": ["https://slsa.dev/provenance/v1"]}'
            ),
            "no predicateType string",
        ),
        (
            _raw(
                '{"_type": "https://in-toto.io/Statement/v1", "subject": {"name": "a", '
                '"digest": {"sha256": "SHA"}}, "predicateType": "https://slsa.dev/provenance/v1"}'
            ),
            "no subjects",
        ),
        (
            _raw(
                '{"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "a", '
                '"digest": "SHA"}], "predicateType": "https://slsa.dev/provenance/v1"}'
            ),
            "no digest object",
        ),
        (b"[" * 100_000, "not JSON"),
        (b"SHA", "not JSON"),
        (b'"just a string"', "not a JSON object"),
    ],
)
def test_key_bundle_with_malformed_statement_is_invalid(
    tmp_path: Path, payload: bytes, reason: str
) -> None:
    code, found = _key_verify(tmp_path, payload)
    assert code == 1 and found["status"] == "invalid"
    assert reason in found["reason"], found["reason"]


@pytest.mark.parametrize("value", ["", "  ", " https://slsa.dev/provenance/v1"])
def test_blank_predicate_type_is_usage_error(site: Site, value: str) -> None:
    site.sign_message()
    result = site.run("--predicate-type", value)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


# -- real bundles: a production SLSA statement, and sign-blob's own key bundles ---------------

CONFORMANCE = Path(__file__).resolve().parents[1] / "assets" / "conformance"


def test_production_slsa_bundle_names_its_predicate() -> None:
    args = [
        "verify-blob", str(CONFORMANCE / "a.txt"),
        "--bundle", str(CONFORMANCE / "happy-path-intoto-in-dsse-v3" / "bundle.sigstore.json"),
        "--publisher", "github:sigstore-conformance/extremely-dangerous-public-oidc-beacon",
        "--format", "json",
    ]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    found = json.loads(result.stdout)["results"][0]
    assert result.exit_code == 0 and found["signed_content"]["predicate_type"] == SLSA
    result = CliRunner().invoke(cli, [*args, "--predicate-type", PYPI_PUBLISH])
    found = json.loads(result.stdout)["results"][0]
    assert result.exit_code == 1 and found["status"] == "invalid"
    assert found["signed_content"]["predicate_type"] == SLSA


def test_sign_blob_key_bundle_is_a_message_signature(tmp_path: Path) -> None:
    from pyvouch.sign.blob import key_bundle

    key = ec.generate_private_key(ec.SECP256R1())
    artifact = tmp_path / "pkg-1.0.tar.gz"
    artifact.write_bytes(DATA)
    bundle = tmp_path / "pkg-1.0.tar.gz.sigstore.json"
    bundle.write_text(key_bundle(DATA, key))
    pub = tmp_path / "cosign.pub"
    pub.write_bytes(public_pem(key))
    args = ["verify-blob", str(artifact), "--key", str(pub), "--allow-no-tlog", "--format",
            "json"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    found = json.loads(result.stdout)["results"][0]
    assert result.exit_code == 0 and found["signed_content"]["kind"] == "message-signature"
    result = CliRunner().invoke(cli, [*args, "--predicate-type", SLSA])
    found = json.loads(result.stdout)["results"][0]
    assert result.exit_code == 1 and found["status"] == "invalid"
    assert "is a message signature" in found["reason"]
