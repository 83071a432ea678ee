"""The private parts of sigstore and pypi-attestations that pyvouch relies on
(`pyvouch.compat.sigstore_private`): each still exists, has the signature pyvouch calls, and
behaves as pyvouch relies on it to, on real bundles. An upgrade that changes one fails here
first, by name; then adapt pyvouch/compat/ and move the pins in pyproject.toml."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import importlib
import inspect
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pypi_attestations import Attestation, AttestationType, Distribution
from sigstore.errors import Error as SigstoreError
from sigstore.errors import VerificationError
from sigstore.models import Bundle, ClientTrustConfig
from sigstore.oidc import IdentityToken
from sigstore.verify import Verifier
from sigstore.verify.policy import UnsafeNoOp
from sigstore_models.bundle.v1 import Bundle as InnerBundle

from pyvouch.compat import sigstore_private as sp
from pyvouch.compat.sigstore_store import shipped_trust_file
from pyvouch.testing import TestAuthority
from pyvouch.testing.local import local_signing_context
from pyvouch.testing.oidc import github_claims
from pyvouch.verify.trust import PRODUCTION_TUF_URL, STAGING_TUF_URL, load_trust_root

ASSETS = Path(__file__).resolve().parents[1] / "assets"
WHEEL = ASSETS / "attestations" / "rfc8785-0.1.2-py3-none-any.whl"
DIST = ASSETS / "attestations" / "pypi_attestations-0.0.19.tar.gz"  # production instance
MANAGED_KEY = ASSETS / "conformance" / "managed-key-happy-path"

# -- each touchpoint exists --------------------------------------------------------------------

TOUCHPOINTS = [
    ("pypi_attestations._impl", "_check_dist_filename"),
    ("sigstore._internal.fulcio.client", "FulcioClientError"),
    ("sigstore._internal.fulcio.client", "FulcioClient"),
    ("sigstore._internal.fulcio.client", "FulcioCertificateSigningResponse"),
    ("sigstore._internal.rekor", "RekorClientError"),
    ("sigstore._internal.rekor", "RekorLogSubmitter"),
    ("sigstore._internal.rekor", "EntryRequestBody"),
    ("sigstore._internal.rekor.client", "RekorClient"),
    ("sigstore._internal.trust", "KeyringPurpose"),
    ("sigstore._internal.trust", "RekorKeyring"),
    ("sigstore._internal.timestamp", "TimestampVerificationResult"),
    ("sigstore.dsse", "_Statement"),
    ("sigstore.dsse", "_verify"),
    ("sigstore.dsse", "Envelope._TYPE"),
    ("sigstore.dsse", "Envelope._inner"),
    ("sigstore.models", "Bundle._inner"),
    ("sigstore.models", "Bundle._dsse_envelope"),
    ("sigstore.models", "TransparencyLogEntry._inner"),
    ("sigstore.models", "TransparencyLogEntry._verify"),
    ("sigstore.models", "TransparencyLogEntry._from_v1_response"),
    ("sigstore.verify.verifier", "Verifier._verify_signed_timestamp"),
    ("sigstore._internal.rekor", "RekorLogSubmitter._build_hashed_rekord_request"),
    ("sigstore._internal.rekor", "RekorLogSubmitter._build_dsse_request"),
    ("sigstore._internal.rekor.client", "RekorClient._build_hashed_rekord_request"),
    ("sigstore._internal.rekor.client", "RekorClient._build_dsse_request"),
]


def _lookup(module: str, dotted: str) -> Any:
    obj: Any = importlib.import_module(module)
    for part in dotted.split("."):
        if part == "_inner" and isinstance(obj, type):
            # an instance attribute: set in __init__, so look for it there
            assert "self._inner" in inspect.getsource(obj.__init__), f"{obj}._inner"
            return obj
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize(("module", "name"), TOUCHPOINTS, ids=[f"{m}:{n}" for m, n in TOUCHPOINTS])
def test_touchpoint_exists(module: str, name: str) -> None:
    assert _lookup(module, name) is not None


def test_every_compat_export_is_real() -> None:
    for name in sp.__all__:
        assert getattr(sp, name) is not None, name


# -- each has the signature pyvouch calls ------------------------------------------------------


SIGNATURES = [
    ("pypi_attestations._impl", "_check_dist_filename", ["dist"]),
    ("sigstore.dsse", "_verify", ["key", "evp"]),
    ("sigstore.dsse", "Envelope.__init__", ["self", "inner"]),
    ("sigstore.models", "TransparencyLogEntry.__init__", ["self", "inner"]),
    ("sigstore.models", "TransparencyLogEntry._verify", ["self", "keyring"]),
    ("sigstore.models", "TransparencyLogEntry._from_v1_response", ["dict_"]),
    ("sigstore.models", "TimestampVerificationData.__init__", ["self", "inner"]),
    ("sigstore.models", "TrustedRoot.rekor_keyring", ["self", "purpose"]),
    (
        "sigstore.verify.verifier",
        "Verifier._verify_signed_timestamp",
        ["self", "timestamp_response", "message"],
    ),
    ("sigstore._internal.fulcio.client", "FulcioClient.__init__", ["self", "url"]),
    (
        "sigstore._internal.rekor",
        "RekorLogSubmitter._build_hashed_rekord_request",  # an abstract classmethod
        ["hashed_input", "signature", "certificate"],
    ),
    (
        "sigstore._internal.rekor",
        "RekorLogSubmitter._build_dsse_request",
        ["envelope", "certificate"],
    ),
    ("sigstore._internal.rekor", "RekorLogSubmitter.create_entry", ["self", "request"]),
    ("sigstore._internal.rekor.client", "RekorClient.__init__", ["self", "url"]),
    (
        "sigstore._internal.rekor.client",
        "RekorClient._build_hashed_rekord_request",
        ["self", "hashed_input", "signature", "certificate"],
    ),
    (
        "sigstore._internal.rekor.client",
        "RekorClient._build_dsse_request",
        ["self", "envelope", "certificate"],
    ),
    (
        "sigstore.sign",
        "SigningContext.__init__",
        ["self", "fulcio", "rekor", "trusted_root", "tsa_clients"],
    ),
]


@pytest.mark.parametrize(
    ("module", "name", "params"), SIGNATURES, ids=[f"{m}:{n}" for m, n, _ in SIGNATURES]
)
def test_touchpoint_signature(module: str, name: str, params: list[str]) -> None:
    assert list(inspect.signature(_lookup(module, name)).parameters) == params


def test_the_abstract_submitter_hooks_are_the_ones_signer_calls() -> None:
    """pyvouch.testing.local overrides exactly these; a new abstract method would break it."""
    assert sp.RekorLogSubmitter.__abstractmethods__ == {
        "create_entry",
        "_build_hashed_rekord_request",
        "_build_dsse_request",
    }


def test_signing_response_and_keyring_purpose_shapes() -> None:
    fields = [f.name for f in dataclasses.fields(sp.FulcioCertificateSigningResponse)]
    assert fields == ["cert", "chain"]
    purposes = importlib.import_module("sigstore._internal.trust").KeyringPurpose
    assert [p.value for p in purposes] == ["sign", "verify"]
    assert issubclass(sp.FulcioClientError, Exception)
    assert issubclass(sp.RekorClientError, Exception)


# -- pypi-attestations' filename rule ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "rfc8785-0.1.2-py3-none-any.whl",
        "rfc8785-0.1.2.tar.gz",
        "rfc8785-0.1.2.zip",
        "Foo_Bar-1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl",
    ],
)
def test_check_dist_filename_accepts_wheels_and_sdists(name: str) -> None:
    assert sp.check_dist_filename(name)


@pytest.mark.parametrize(
    "name",
    [
        "rfc8785-0.1.2.tar.bz2",
        "rfc8785-0.1.2.egg",
        "rfc8785-0.1.2-py3-none-any.WHL",
        "rfc8785-0.1.2-py3.whl",
        "rfc8785.tar.gz",
        "rfc8785-not..a..version.tar.gz",
        "",
        "../rfc8785-0.1.2.tar.gz/x",
    ],
)
def test_check_dist_filename_rejects_with_value_error(name: str) -> None:
    with pytest.raises(ValueError):
        sp.check_dist_filename(name)


def test_check_dist_filename_compares_parsed_names() -> None:
    """route() and the subject check compare these: same dist equal, another dist not."""
    same = sp.check_dist_filename("Foo.Bar-1.0-py3-none-any.whl")
    assert same == sp.check_dist_filename("foo_bar-1.0.0-py3-none-any.whl")
    assert same != sp.check_dist_filename("foo_bar-1.0.1-py3-none-any.whl")
    assert same != sp.check_dist_filename("foo_bar-1.0-py2-none-any.whl")
    assert same != sp.check_dist_filename("foo_baz-1.0-py3-none-any.whl")
    assert sp.check_dist_filename("foo-1.0.tar.gz") != sp.check_dist_filename(
        "foo-1.0-py3-none-any.whl"
    )


# -- a real PyPI attestation: statement, envelope, DSSE signature, log entry -------------------


@pytest.fixture(scope="module")
def real_bundle() -> Bundle:
    raw = (DIST.parent / (DIST.name + ".publish.attestation")).read_bytes()
    return Attestation.model_validate_json(raw).to_bundle()


@pytest.fixture(scope="module")
def production_root(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_trust_root(base=tmp_path_factory.mktemp("data")).trusted_root


def test_statement_model_reads_a_real_statement(real_bundle: Bundle) -> None:
    assert sp.DSSE_PAYLOAD_TYPE == "application/vnd.in-toto+json"
    envelope = sp.bundle_dsse_envelope(real_bundle)
    assert envelope is not None
    inner = sp.envelope_inner(envelope)
    assert inner.payload_type == sp.DSSE_PAYLOAD_TYPE
    statement = sp.Statement.model_validate_json(inner.payload)
    assert statement.predicate_type == AttestationType.PYPI_PUBLISH_V1.value
    assert [s.name for s in statement.subjects] == [DIST.name]
    digest = hashlib.sha256(DIST.read_bytes()).hexdigest()
    assert statement.subjects[0].digest.root == {"sha256": digest}
    with pytest.raises(ValueError):
        sp.Statement.model_validate_json(b'{"_type": "x", "subject": "not a list"}')


def test_bundle_inner_is_the_bundle_as_parsed(real_bundle: Bundle) -> None:
    inner = sp.bundle_inner(real_bundle)
    assert isinstance(inner, InnerBundle)
    envelope = sp.bundle_dsse_envelope(real_bundle)
    assert envelope is not None and inner.dsse_envelope is not None
    assert inner.dsse_envelope.payload == sp.envelope_inner(envelope).payload


def test_dsse_verify_with_key_accepts_the_signer_and_refuses_others(real_bundle: Bundle) -> None:
    envelope = sp.bundle_dsse_envelope(real_bundle)
    assert envelope is not None
    key = real_bundle.signing_certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert sp.dsse_verify_with_key(key, envelope) == sp.envelope_inner(envelope).payload
    with pytest.raises(VerificationError):
        sp.dsse_verify_with_key(ec.generate_private_key(ec.SECP256R1()).public_key(), envelope)
    inner = sp.envelope_inner(envelope)
    altered = inner.model_copy(update={"payload": inner.payload.replace(b"0.0.19", b"0.0.20")})
    assert altered.payload != inner.payload
    with pytest.raises(VerificationError):
        sp.dsse_verify_with_key(key, sp.envelope_from_inner(altered))


def test_envelope_from_inner_refuses_two_signatures(real_bundle: Bundle) -> None:
    envelope = sp.bundle_dsse_envelope(real_bundle)
    assert envelope is not None
    inner = sp.envelope_inner(envelope)
    doubled = inner.model_copy(update={"signatures": [*inner.signatures, *inner.signatures]})
    with pytest.raises((SigstoreError, ValueError)):
        sp.envelope_from_inner(doubled)


def test_log_entry_inner_body_records_the_envelope(real_bundle: Bundle) -> None:
    """_diagnose_dsse reads the payload hash and signatures from the entry's body."""
    raw = sp.log_entry_inner(real_bundle.log_entry).canonicalized_body
    assert isinstance(raw, bytes) and raw.startswith(b"{")  # decoded, not base64
    body = json.loads(raw)
    assert body["kind"] == "dsse"
    envelope = sp.bundle_dsse_envelope(real_bundle)
    assert envelope is not None
    payload = sp.envelope_inner(envelope).payload
    assert body["spec"]["payloadHash"]["value"] == hashlib.sha256(payload).hexdigest()
    sig = base64.b64encode(envelope.signature).decode()
    assert [s["signature"] for s in body["spec"]["signatures"]] == [sig]


def test_verify_log_entry_checks_proof_and_set(real_bundle: Bundle, production_root: Any) -> None:
    keyring = sp.rekor_verify_keyring(production_root)
    sp.verify_log_entry(real_bundle.log_entry, keyring)  # the honest entry verifies
    inner = sp.log_entry_inner(real_bundle.log_entry)
    body = inner.canonicalized_body
    altered = inner.model_copy(update={"canonicalized_body": body.replace(b"dsse", b"dssf", 1)})
    assert altered.canonicalized_body != body
    with pytest.raises(VerificationError):
        sp.verify_log_entry(sp.log_entry_from_inner(altered), keyring)
    later = inner.model_copy(update={"integrated_time": inner.integrated_time + 1})
    with pytest.raises(VerificationError):
        sp.verify_log_entry(sp.log_entry_from_inner(later), keyring)
    # another instance's log keys do not vouch for a production entry
    elsewhere = ClientTrustConfig.from_json(json.dumps(TestAuthority().client_trust_config()))
    with pytest.raises(VerificationError):
        sp.verify_log_entry(real_bundle.log_entry, sp.rekor_verify_keyring(elsewhere.trusted_root))


# -- signed timestamps, on the conformance suite's managed-key bundle -------------------------


def test_signed_timestamps_verify_against_the_roots_tsa(production_root: Any) -> None:
    inner = InnerBundle.from_json((MANAGED_KEY / "bundle.sigstore.json").read_bytes())
    data = inner.verification_material.timestamp_verification_data
    assert data is not None and inner.message_signature is not None
    responses = sp.signed_timestamps(data)
    assert len(responses) == 1
    verifier = Verifier(trusted_root=production_root)
    signature = inner.message_signature.signature
    result = sp.verify_signed_timestamp(verifier, responses[0], signature)
    assert result is not None and isinstance(result.time, datetime)
    assert sp.verify_signed_timestamp(verifier, responses[0], signature + b"x") is None
    elsewhere = ClientTrustConfig.from_json(json.dumps(TestAuthority().client_trust_config()))
    other = Verifier(trusted_root=elsewhere.trusted_root)
    assert sp.verify_signed_timestamp(other, responses[0], signature) is None


# -- the local authority's clients: request building and v1 responses ------------------------


def test_local_signing_builds_sigstores_requests_and_reads_v1_answers() -> None:
    """sign_artifact goes through build_hashed_rekord_request, sign_dsse through
    build_dsse_request, both through log_entry_from_v1_response; sigstore's own verifier
    accepts what comes out, and nothing else."""
    authority = TestAuthority()
    context = local_signing_context(authority)
    root = ClientTrustConfig.from_json(json.dumps(authority.client_trust_config())).trusted_root
    verifier = Verifier(trusted_root=root)
    token = IdentityToken(authority.github.mint(github_claims()))
    data = WHEEL.read_bytes()
    with context.signer(token) as signer:
        blob = signer.sign_artifact(data)
        attestation = Attestation.sign(signer, Distribution.from_file(WHEEL))
    assert len(authority.log.entries) == 2

    verifier.verify_artifact(data, blob, UnsafeNoOp())
    with pytest.raises(VerificationError):
        verifier.verify_artifact(data + b"x", blob, UnsafeNoOp())
    body = json.loads(sp.log_entry_inner(blob.log_entry).canonicalized_body)
    assert body["kind"] == "hashedrekord"
    assert body["spec"]["data"]["hash"]["value"] == hashlib.sha256(data).hexdigest()
    cert_pem = blob.signing_certificate.public_bytes(serialization.Encoding.PEM)
    assert base64.b64decode(body["spec"]["signature"]["publicKey"]["content"]) == cert_pem

    bundle = attestation.to_bundle()
    payload_type, payload = verifier.verify_dsse(bundle, UnsafeNoOp())
    assert payload_type == sp.DSSE_PAYLOAD_TYPE
    assert sp.Statement.model_validate_json(payload).subjects[0].name == WHEEL.name
    body = json.loads(sp.log_entry_inner(bundle.log_entry).canonicalized_body)
    assert body["kind"] == "dsse"
    assert body["spec"]["payloadHash"]["value"] == hashlib.sha256(payload).hexdigest()


def test_shipped_trust_files_are_where_sigstore_keeps_them() -> None:
    for url in (PRODUCTION_TUF_URL, STAGING_TUF_URL):
        for name in ("root.json", "trusted_root.json"):
            data = json.loads(shipped_trust_file(url, name).read_bytes())
            assert isinstance(data, dict)
    root = json.loads(shipped_trust_file(PRODUCTION_TUF_URL, "root.json").read_bytes())
    assert root["signed"]["_type"] == "root"
    trusted = json.loads(shipped_trust_file(PRODUCTION_TUF_URL, "trusted_root.json").read_bytes())
    assert trusted["mediaType"].startswith("application/vnd.dev.sigstore.trustedroot")
