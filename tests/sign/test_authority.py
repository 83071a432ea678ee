"""The test authority against the REAL sigstore client and verifier (nothing mocked)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path

import httpx
import id as id_package
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pypi_attestations import Attestation, Distribution, GitHubPublisher, GitLabPublisher
from sigstore._internal.merkle import _chain_border_right, _chain_inner, _decomp_inclusion_proof
from sigstore.errors import VerificationError
from sigstore.models import ClientTrustConfig
from sigstore.oidc import IdentityError, IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity, UnsafeNoOp

from pyvouch.testing import TestAuthority, github_claims, gitlab_claims
from pyvouch.testing.local import local_signing_context
from pyvouch.testing.tlog import MerkleTree, leaf_hash, node_hash
from pyvouch.verify.identity import certificate_claims, publisher_from_certificate
from tests.support.sigstore_checks import trusted_root_of, verify_attestation

GITHUB = GitHubPublisher(repository="octo-org/octo-repo", workflow="release.yml")


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(b"not really a tarball, but the digest is what is signed")
    return path


def http_context(authority: TestAuthority) -> SigningContext:
    trust = ClientTrustConfig.from_json(json.dumps(authority.client_trust_config()))
    return SigningContext.from_trust_config(trust)


def sign(context: SigningContext, token: str, dist: Path) -> Attestation:
    with context.signer(IdentityToken(token)) as signer:
        return Attestation.sign(signer, Distribution.from_file(dist))


def leaf(attestation: Attestation) -> x509.Certificate:
    return x509.load_der_x509_certificate(attestation.verification_material.certificate)


def test_real_client_signs_over_http_and_real_verifier_accepts(
    served_authority: TestAuthority, dist: Path
) -> None:
    token = served_authority.github.mint(github_claims())
    attestation = sign(http_context(served_authority), token, dist)

    # The client really went through HTTP: one certificate, one log entry.
    assert served_authority.server_requests == [
        ("POST", "/api/v2/signingCert"),
        ("POST", "/api/v1/log/entries"),
    ]
    statement = verify_attestation(
        attestation, dist, trusted_root_of(served_authority), GITHUB._as_policy()
    )
    assert statement["predicateType"] == "https://docs.pypi.org/attestations/publish/v1"

    cert = leaf(attestation)
    publisher = publisher_from_certificate(cert)
    assert (publisher.kind, publisher.repository, publisher.workflow) == (
        "GitHub",
        "octo-org/octo-repo",
        "release.yml",
    )
    claims = certificate_claims(cert)
    assert claims["build_config_uri"] == (
        "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.0.0"
    )
    assert claims["run_invocation_uri"] == (
        "https://github.com/octo-org/octo-repo/actions/runs/1234567890/attempts/1"
    )
    assert claims["source_repository_visibility"] == "public"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == __import__("datetime").timedelta(
        minutes=10
    )


def test_hashedrekord_artifact_signature_verifies(
    served_authority: TestAuthority, dist: Path
) -> None:
    token = served_authority.github.mint(github_claims())
    with http_context(served_authority).signer(IdentityToken(token)) as signer:
        bundle = signer.sign_artifact(dist.read_bytes())
    verifier = Verifier(trusted_root=trusted_root_of(served_authority))
    verifier.verify_artifact(dist.read_bytes(), bundle, GITHUB._as_policy())
    with pytest.raises(VerificationError):
        verifier.verify_artifact(b"other bytes", bundle, GITHUB._as_policy())


def test_gitlab_token_gives_gitlab_identity(served_authority: TestAuthority, dist: Path) -> None:
    token = served_authority.gitlab.mint(gitlab_claims())
    attestation = sign(http_context(served_authority), token, dist)
    policy = GitLabPublisher(
        repository="octo-group/octo-project", workflow_filepath=".gitlab-ci.yml"
    )
    verify_attestation(attestation, dist, trusted_root_of(served_authority), policy._as_policy())
    publisher = publisher_from_certificate(leaf(attestation))
    assert (publisher.kind, publisher.repository, publisher.workflow) == (
        "GitLab",
        "octo-group/octo-project",
        ".gitlab-ci.yml",
    )


def test_email_identity(served_authority: TestAuthority, dist: Path) -> None:
    token = served_authority.email.mint({"email": "dev@example.test", "email_verified": True})
    attestation = sign(http_context(served_authority), token, dist)
    policy = Identity(identity="dev@example.test", issuer=served_authority.email.url)
    verify_attestation(attestation, dist, trusted_root_of(served_authority), policy)


def test_in_process_path_verifies_the_same_way(authority: TestAuthority, dist: Path) -> None:
    context = local_signing_context(authority)
    token = authority.github.mint(github_claims())
    attestation = sign(context, token, dist)
    verify_attestation(attestation, dist, trusted_root_of(authority), GITHUB._as_policy())
    assert len(authority.log.entries) == 1


# -- Fulcio refuses bad tokens, each with its own reason ---------------------------------


def _csr() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()


def _post_csr(authority: TestAuthority, token: str) -> httpx.Response:
    return httpx.post(
        f"{authority.base_url}/api/v2/signingCert",
        json={"certificateSigningRequest": _csr()},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_fulcio_issues_for_a_good_token(served_authority: TestAuthority) -> None:
    response = _post_csr(served_authority, served_authority.github.mint(github_claims()))
    assert response.status_code == 201
    chain = response.json()["signedCertificateEmbeddedSct"]["chain"]["certificates"]
    assert len(chain) == 3


@pytest.mark.parametrize(
    ("make_token", "status", "reason"),
    [
        (lambda a: a.github.mint(github_claims(), lifetime=-120), 401, "expired"),
        (lambda a: a.github.mint(github_claims(), audience="not-sigstore"), 401, "audience"),
        (
            lambda a: a.github.mint(github_claims(), key=ec.generate_private_key(ec.SECP256R1())),
            401,
            "signature does not verify",
        ),
        (lambda a: TestAuthority().github.mint(github_claims()), 401, "not trusted"),
        (lambda a: a.github.mint({"sub": "x", "repository": "o/r"}), 400, "missing"),
    ],
    ids=["expired", "audience", "forged", "unknown-issuer", "missing-claims"],
)
def test_fulcio_refuses(
    served_authority: TestAuthority, make_token, status: int, reason: str
) -> None:  # type: ignore[no-untyped-def]
    response = _post_csr(served_authority, make_token(served_authority))
    # 401 for a token Fulcio does not accept; 400 for a good token it cannot make a cert of.
    assert response.status_code == status
    assert reason in response.json()["message"]


def test_client_refuses_expired_token_before_asking(served_authority: TestAuthority) -> None:
    with pytest.raises(IdentityError, match=r"validity period|malformed"):
        IdentityToken(served_authority.github.mint(github_claims(), lifetime=-120))
    assert served_authority.server_requests == []


def test_bad_proof_of_possession_refused(served_authority: TestAuthority) -> None:
    pem = base64.b64decode(_csr())
    der = x509.load_pem_x509_csr(pem).public_bytes(serialization.Encoding.DER)
    broken = bytearray(der)
    broken[-3] ^= 0x01  # flip a bit of the signature
    broken_pem = (
        b"-----BEGIN CERTIFICATE REQUEST-----\n"
        + base64.encodebytes(bytes(broken))
        + b"-----END CERTIFICATE REQUEST-----\n"
    )
    response = httpx.post(
        f"{served_authority.base_url}/api/v2/signingCert",
        json={"certificateSigningRequest": base64.b64encode(broken_pem).decode()},
        headers={"Authorization": f"Bearer {served_authority.github.mint(github_claims())}"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "proof of possession" in response.json()["message"]


# -- the log ------------------------------------------------------------------------------


def _reference_root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 100])
def test_inclusion_proofs_verify_with_sigstores_merkle_code(size: int) -> None:
    tree = MerkleTree()
    bodies = [f"entry {i}".encode() for i in range(size)]
    for body in bodies:
        tree.append(body)
    assert tree.root() == _reference_root([leaf_hash(b) for b in bodies])
    for index in range(size):
        for tree_size in {index + 1, size}:
            path = tree.inclusion_path(index, tree_size)
            inner, border = _decomp_inclusion_proof(index, tree_size)
            assert len(path) == inner + border
            seed = _chain_inner(leaf_hash(bodies[index]), path[:inner], index)
            assert _chain_border_right(seed, path[inner:]) == tree.root(tree_size)


def test_log_refuses_an_entry_whose_signature_does_not_verify(
    served_authority: TestAuthority,
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    pub_pem = other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(b"x").digest()
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    sig = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    proposed = {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
            "signature": {
                "content": base64.b64encode(sig).decode(),
                "publicKey": {"content": base64.b64encode(pub_pem).decode()},
            },
        },
    }
    response = httpx.post(
        f"{served_authority.base_url}/api/v1/log/entries", json=proposed, timeout=10
    )
    assert response.status_code == 400
    assert "does not verify" in response.json()["message"]
    assert served_authority.log.entries == []


def test_log_endpoints_serve_entries_and_tree_head(
    served_authority: TestAuthority, dist: Path
) -> None:
    context = http_context(served_authority)
    for _ in range(3):
        sign(context, served_authority.github.mint(github_claims()), dist)
    info = httpx.get(f"{served_authority.base_url}/api/v1/log", timeout=10).json()
    assert info["treeSize"] == 3
    entry = httpx.get(
        f"{served_authority.base_url}/api/v1/log/entries", params={"logIndex": 1}, timeout=10
    ).json()
    (value,) = entry.values()
    assert value["logIndex"] == 1
    assert value["verification"]["inclusionProof"]["treeSize"] == 3


# -- ambient credentials ------------------------------------------------------------------


def test_github_actions_ambient_token_endpoint(
    served_authority: TestAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    served_authority.register_ambient_token(
        "request-secret", served_authority.github, github_claims("acme/widgets")
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", f"{served_authority.base_url}/gha/token")
    token = id_package.detect_credential(audience="sigstore")
    assert token is not None
    claims = served_authority.github.verify(token)
    assert claims["repository"] == "acme/widgets"

    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong")
    with pytest.raises(id_package.AmbientCredentialError):
        id_package.detect_credential(audience="sigstore")


def test_jwks_publishes_the_issuer_key(served_authority: TestAuthority) -> None:
    import jwt

    url = served_authority.github.url
    config = httpx.get(f"{url}/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == url
    keys = httpx.get(config["jwks_uri"], timeout=10).json()
    token = served_authority.github.mint(github_claims())
    key = jwt.PyJWK(keys["keys"][0]).key
    claims = jwt.decode(token, key, algorithms=["ES256"], audience="sigstore")
    assert claims["iss"] == url
    assert claims["exp"] > time.time()


def test_unsafe_noop_still_checks_the_chain(authority: TestAuthority, dist: Path) -> None:
    """A second authority's attestation never verifies under the first one's root."""
    other = TestAuthority()
    attestation = sign(local_signing_context(other), other.github.mint(github_claims()), dist)
    with pytest.raises(VerificationError, match="certificate chain"):
        verify_attestation(attestation, dist, trusted_root_of(authority), UnsafeNoOp())
