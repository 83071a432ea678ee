"""A managed-key bundle's transparency log entry must record this digest, this signature and
this key, and no other: the body of a hashedrekord 0.0.1 / 0.0.2 or dsse 0.0.1 entry is read
and compared (sigstore checks the entry's proofs, not what it records for a key)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sigstore import dsse
from sigstore_models.rekor.v2.entry import Entry as _V2Entry

from pyvouch.compat.sigstore_private import (
    envelope_inner,
)
from pyvouch.verify.blob_public_key import spki
from pyvouch.verify.blob_result import BlobInvalid


def _pem_key_der(b64_pem: object) -> bytes | None:
    """The DER SubjectPublicKeyInfo of a base64 PEM public key (as Rekor v1 bodies hold it)."""
    try:
        key = serialization.load_pem_public_key(base64.b64decode(str(b64_pem), validate=True))
    except (ValueError, TypeError):
        return None
    return spki(key)


def check_entry_body(
    entry: Any,
    key: ec.EllipticCurvePublicKey,
    signature: bytes,
    digest: str,
    envelope: dsse.Envelope | None,
) -> None:
    """The log entry must record this digest, this signature and this key (no other)."""
    kind, version = entry.kind_version.kind, entry.kind_version.version
    body_bytes = entry.canonicalized_body
    key_der = spki(key)
    if version == "0.0.2":
        try:
            body = _V2Entry.from_json(body_bytes)
            rekord = body.spec.hashed_rekord_v002
            assert rekord is not None
            recorded_key = rekord.signature.verifier.public_key
            recorded_digest = rekord.data.digest
            recorded_sig = rekord.signature.content
        except (ValueError, AssertionError, AttributeError):
            raise BlobInvalid("log entry body is not a hashedrekord 0.0.2 entry") from None
        wanted = (
            hashlib.sha256(envelope.pae()).digest()
            if envelope is not None
            else bytes.fromhex(digest)
        )
        if (
            recorded_key is None
            or recorded_key.raw_bytes != key_der
            or recorded_digest != wanted
            or recorded_sig != signature
        ):
            raise BlobInvalid("transparency log entry is inconsistent with other materials")
        return
    try:
        body = json.loads(body_bytes)
        spec = body["spec"]
    except (ValueError, KeyError, TypeError):
        raise BlobInvalid("log entry body is not JSON with a spec") from None
    if body.get("kind") != kind or body.get("apiVersion") != version:
        raise BlobInvalid("log entry body kind differs from the entry's kindVersion")
    try:
        if kind == "hashedrekord" and envelope is None:
            consistent = (
                spec["data"]["hash"]["algorithm"] == "sha256"
                and spec["data"]["hash"]["value"] == digest
                and base64.b64decode(spec["signature"]["content"]) == signature
                and _pem_key_der(spec["signature"]["publicKey"]["content"]) == key_der
            )
        elif kind == "dsse" and envelope is not None:
            payload_hash = hashlib.sha256(envelope_inner(envelope).payload).hexdigest()
            recorded = spec["signatures"]
            consistent = (
                spec["payloadHash"]["algorithm"] == "sha256"
                and spec["payloadHash"]["value"] == payload_hash
                and len(recorded) == 1
                and base64.b64decode(recorded[0]["signature"]) == signature
                and _pem_key_der(recorded[0]["verifier"]) == key_der
            )
        else:
            raise BlobInvalid(f"log entry kind {kind} does not fit the bundle's content")
    except (KeyError, TypeError, ValueError):
        raise BlobInvalid(f"log entry body is not a well-formed {kind} {version} entry") from None
    if not consistent:
        raise BlobInvalid("transparency log entry is inconsistent with other materials")
