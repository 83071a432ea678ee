"""Helpers for the blob-signature tests: keys in the formats cosign users hold, and managed-key
bundles whose transparency log entry comes from the local test authority's Rekor-v1-like log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sigstore.models import TransparencyLogEntry

from pyvouch.testing import TestAuthority

DEFAULT_IDENTITY = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
DEFAULT_ISSUER = "https://token.actions.githubusercontent.com"


def public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_keypair(directory: Path, name: str = "cosign") -> tuple[Path, Path]:
    """An unencrypted PKCS#8 PEM private key and its public key: (NAME.key, NAME.pub)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = directory / f"{name}.key"
    public = directory / f"{name}.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(public_pem(key))
    return private, public


def cosign_encrypted_pem(key: ec.EllipticCurvePrivateKey, password: bytes) -> bytes:
    """cosign's key file, as sigstore/sigstore's ``encrypted`` package writes it.

    ``ENCRYPTED SIGSTORE PRIVATE KEY`` PEM around JSON: scrypt (N=32768, r=8, p=1, 32-byte
    salt) derives a 32-byte key; NaCl secretbox (24-byte nonce) seals the PKCS#8 DER.
    """
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt, nonce = os.urandom(32), os.urandom(24)
    secret = Scrypt(salt=salt, length=32, n=32768, r=8, p=1).derive(password)
    sealed = nacl.secret.SecretBox(secret).encrypt(der, nonce).ciphertext
    document = {
        "kdf": {
            "name": "scrypt",
            "params": {"N": 32768, "r": 8, "p": 1},
            "salt": base64.b64encode(salt).decode(),
        },
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    body = base64.b64encode(json.dumps(document).encode()).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
        + "\n".join(lines)
        + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
    ).encode()


def logged_key_bundle(
    authority: TestAuthority,
    data: bytes,
    key: ec.EllipticCurvePrivateKey,
    *,
    logged_key: ec.EllipticCurvePrivateKey | None = None,
) -> dict[str, Any]:
    """A managed-key bundle (as cosign writes with a log) whose hashedrekord entry the
    authority's log integrated. ``logged_key`` puts another key (and its signature) in the
    log entry, for an entry that does not match the bundle."""
    digest = hashlib.sha256(data).digest()
    signature = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    entry_key = logged_key or key
    entry_sig = (
        signature
        if logged_key is None
        else logged_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    )
    proposed = {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "signature": {
                "content": base64.b64encode(entry_sig).decode(),
                "publicKey": {"content": base64.b64encode(public_pem(entry_key)).decode()},
            },
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
        },
    }
    entry = TransparencyLogEntry._from_v1_response(authority.submit_entry(proposed))
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "publicKey": {"hint": base64.b64encode(hashlib.sha256(der).digest()).decode()},
            "tlogEntries": [json.loads(entry._inner.to_json())],
        },
        "messageSignature": {
            "messageDigest": {
                "algorithm": "SHA2_256",
                "digest": base64.b64encode(digest).decode(),
            },
            "signature": base64.b64encode(signature).decode(),
        },
    }


# -- keyless bundles minted by the local test authority (rule: verify-blob says what was signed)


def in_toto_statement(
    sha256: str, predicate_type: str, *, name: str = "artifact", predicate: Any = None
) -> bytes:
    """An in-toto v1 statement about one subject (by sha256), as JSON bytes."""
    return json.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": name, "digest": {"sha256": sha256}}],
            "predicateType": predicate_type,
            "predicate": predicate if predicate is not None else {},
        }
    ).encode()


def keyless_bundle(
    authority: TestAuthority,
    repository: str,
    *,
    data: bytes | None = None,
    statement: bytes | None = None,
    workflow: str = "release.yml",
) -> str:
    """A keyless bundle signed as ``github:repository:workflow`` by the authority's CA and
    logged in its transparency log: a message signature over ``data``, or a DSSE envelope
    around ``statement`` (raw bytes; sigstore checks they form an in-toto v1 statement)."""
    from sigstore.dsse import Statement
    from sigstore.oidc import IdentityToken

    from pyvouch.testing import github_claims
    from pyvouch.testing.local import local_signing_context

    token = IdentityToken(authority.github.mint(github_claims(repository, workflow)))
    with local_signing_context(authority).signer(token, cache=True) as signer:
        if statement is not None:
            return signer.sign_dsse(Statement(statement)).to_json()
        assert data is not None
        return signer.sign_artifact(data).to_json()


def key_dsse_bundle(key: ec.EllipticCurvePrivateKey, payload: bytes) -> str:
    """A managed-key bundle with no log entry whose DSSE envelope (in-toto payload type)
    carries ``payload`` as given: any bytes, so malformed statements can be signed too."""
    from sigstore.dsse import Envelope, _pae

    pae = _pae(Envelope._TYPE, payload)
    signature = key.sign(pae, ec.ECDSA(hashes.SHA256()))
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return json.dumps(
        {
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "publicKey": {"hint": base64.b64encode(hashlib.sha256(der).digest()).decode()},
                "tlogEntries": [],
            },
            "dsseEnvelope": {
                "payload": base64.b64encode(payload).decode(),
                "payloadType": Envelope._TYPE,
                "signatures": [{"sig": base64.b64encode(signature).decode(), "keyid": ""}],
            },
        }
    )
