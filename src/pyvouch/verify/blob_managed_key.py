"""Managed-key blob bundles (``verificationMaterial.publicKey``, what ``cosign sign-blob
--key`` writes). sigstore-python refuses these bundles outright, so they are checked with
sigstore's own pieces (the inclusion proof, checkpoint and SET of the log entry; the trusted
root's Rekor keyring; DSSE with a key; the TSA verifier) plus the checks no library does for a
key: the signature with the user's key, the key hint, and (in `blob_log_entry`) that the log
entry body names this digest, signature and key. docs/blob-signatures.md lists exactly what
is and is not checked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from sigstore import dsse
from sigstore.errors import Error as SigstoreError
from sigstore.models import Bundle
from sigstore.verify.verifier import MAX_ALLOWED_TIMESTAMP
from sigstore_models.bundle.v1 import Bundle as _InnerBundle

from pyvouch.compat.sigstore_private import (
    dsse_verify_with_key,
    envelope_from_inner,
    envelope_inner,
    log_entry_from_inner,
    log_entry_inner,
    rekor_verify_keyring,
    signed_timestamps,
    verify_log_entry,
    verify_signed_timestamp,
)
from pyvouch.model import Status
from pyvouch.verify.blob_bundle import accepted_content, accepted_message, first_line, iso_time
from pyvouch.verify.blob_log_entry import check_entry_body
from pyvouch.verify.blob_public_key import key_id
from pyvouch.verify.blob_result import BlobInvalid, BlobResult, ExpectedSigner
from pyvouch.verify.signed_content import (
    ContentPolicy,
)
from pyvouch.verify.trust import TrustRoot


def verify_with_key(
    digest: str,
    raw: bytes,
    expected: ExpectedSigner,
    root: TrustRoot,
    accept: ContentPolicy,
    base: dict[str, Any],
) -> BlobResult:
    key = expected.key
    assert key is not None
    try:
        inner = _InnerBundle.from_json(raw)
    except ValueError as err:
        raise BlobInvalid(f"malformed bundle: {first_line(err)}") from None
    if inner.media_type not in {t.value for t in Bundle.BundleType}:
        raise BlobInvalid(f"unsupported bundle format: {inner.media_type}")
    material = inner.verification_material
    expected_id = key_id(key)
    hint = material.public_key.hint if material.public_key is not None else None
    if hint and hint != expected_id:
        raise BlobInvalid(
            f"the bundle's key hint {hint} is not the given key's {expected_id} "
            f"({expected.key_source})"
        )

    # The signature, with the user's key.
    envelope: dsse.Envelope | None = None
    if inner.dsse_envelope is not None:
        try:
            envelope = envelope_from_inner(inner.dsse_envelope)
            payload = dsse_verify_with_key(key, envelope)
        except (SigstoreError, ValueError) as err:
            raise BlobInvalid(f"signature does not verify with the given key: {err}") from None
        content = accepted_content(envelope_inner(envelope).payload_type, payload, digest, accept)
        signature = envelope.signature
    elif inner.message_signature is not None:
        message = inner.message_signature
        signature = message.signature
        if message.message_digest is not None and (message.message_digest.digest.hex() != digest):
            raise BlobInvalid("the bundle's message digest is not this file's sha256")
        try:
            key.verify(signature, bytes.fromhex(digest), ec.ECDSA(Prehashed(hashes.SHA256())))
        except InvalidSignature:
            raise BlobInvalid(
                "signature does not verify for this file with the given key"
            ) from None
        content = accepted_message(accept)
    else:
        raise BlobInvalid("the bundle has neither a message signature nor a DSSE envelope")
    described: dict[str, Any] = {
        **base,
        "signer_kind": "public-key",
        "key_id": expected_id,
        "subject": expected.key_source,
        "content": content,
    }
    try:
        return _key_time_and_log(material, signature, envelope, expected, root, described)
    except BlobInvalid as err:
        raise BlobInvalid(str(err), content) from None


def _key_time_and_log(
    material: Any,
    signature: bytes,
    envelope: dsse.Envelope | None,
    expected: ExpectedSigner,
    root: TrustRoot,
    described: dict[str, Any],
) -> BlobResult:
    """A key bundle's verified times and its log entry, once its signature has verified."""
    key = expected.key
    assert key is not None
    expected_id = described["key_id"]
    # Signed timestamps (RFC 3161), as sigstore's Verifier counts them.
    times: list[str] = []
    if material.timestamp_verification_data and (
        material.timestamp_verification_data.rfc3161_timestamps
    ):
        times.extend(_verified_timestamps(material.timestamp_verification_data, signature, root))

    entries = material.tlog_entries or []
    if not entries:
        if not expected.allow_no_tlog:
            raise BlobInvalid(
                "the bundle has no transparency log entry: it proves only possession of the "
                "key, not when or that it was published; pass --allow-no-tlog to accept that"
            )
        note = "no transparency log entry: proves possession of the key only, not time or " + (
            "transparency" if not times else "transparency (time from a timestamp authority)"
        )
        return BlobResult(
            **described,
            status=Status.VERIFIED,
            reason=f"signed with key {expected_id}",
            verified_times=tuple(times),
            identity_checked=True,
            notes=(note,),
        )
    if len(entries) != 1:
        raise BlobInvalid(f"expected one transparency log entry, found {len(entries)}")
    try:
        entry = log_entry_from_inner(entries[0])
        keyring = rekor_verify_keyring(root.trusted_root)
        verify_log_entry(entry, keyring)
    except (SigstoreError, ValueError) as err:
        raise BlobInvalid(f"invalid log entry: {first_line(err)}") from None
    entry_inner = log_entry_inner(entry)
    check_entry_body(entry_inner, key, signature, described["sha256"], envelope)
    if entry_inner.integrated_time and entry_inner.inclusion_promise:
        when = datetime.fromtimestamp(entry_inner.integrated_time, tz=UTC)
        times.append(f"transparency log {iso_time(when)}")
    if not times:
        raise BlobInvalid("not enough sources of verified time")
    return BlobResult(
        **described,
        status=Status.VERIFIED,
        reason=f"signed with key {expected_id}",
        log_index=entry_inner.log_index,
        integrated_time=entry_inner.integrated_time or None,
        transparency_log=True,
        verified_times=tuple(times),
        identity_checked=True,
    )


def _verified_timestamps(tsa_data: Any, signature: bytes, root: TrustRoot) -> list[str]:
    """sigstore's own TSA checks (``Verifier._verify_signed_timestamp``) for a key bundle."""
    try:
        responses = signed_timestamps(tsa_data)
    except SigstoreError as err:
        raise BlobInvalid(first_line(err)) from None
    if len(responses) > MAX_ALLOWED_TIMESTAMP:
        raise BlobInvalid(f"too many signed timestamps: {len(responses)}")
    if not root.trusted_root.get_timestamp_authorities():
        raise BlobInvalid(
            "the bundle carries a signed timestamp but the trusted root names no timestamp "
            "authority"
        )
    verifier = root.verifier()
    found = []
    for response in responses:
        result = verify_signed_timestamp(verifier, response, signature)
        if result is not None:
            found.append(f"timestamp authority {iso_time(result.time)}")
    return found
