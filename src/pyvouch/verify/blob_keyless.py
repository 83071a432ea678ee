"""Keyless blob bundles (a Fulcio certificate): verified entirely by
``sigstore.verify.Verifier`` (``verify_artifact`` for a message signature, ``verify_dsse`` for
an in-toto DSSE envelope, whose statement must then name the file's sha256 as a subject).
The certificate identity is checked afterwards, so a good signature by someone else is
``mismatch`` and anything broken is ``invalid``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.x509 import Certificate
from sigstore.errors import Error as SigstoreError
from sigstore.errors import VerificationError
from sigstore.hashes import Hashed
from sigstore.models import Bundle
from sigstore.verify.policy import Identity
from sigstore_models.common.v1 import HashAlgorithm

from pyvouch.compat.sigstore_private import (
    bundle_dsse_envelope,
    log_entry_inner,
)
from pyvouch.model import Status
from pyvouch.verify.blob_bundle import accepted_content, accepted_message, first_line, iso_time
from pyvouch.verify.blob_result import BlobInvalid, BlobResult, ExpectedSigner
from pyvouch.verify.identity import certificate_claims, publisher_from_certificate
from pyvouch.verify.matching import match_identity
from pyvouch.verify.signed_content import (
    ContentPolicy,
    SignedContent,
)
from pyvouch.verify.trust import TrustRoot


class _AnyCertificate:
    """A policy that accepts every certificate: the identity is checked after the crypto.

    (sigstore's ``UnsafeNoOp`` does the same but logs a warning meant for people who skip
    the identity check; we do not skip it, we only order it last so that a good signature by
    someone else reads ``mismatch`` instead of ``invalid``.)
    """

    def verify(self, cert: Certificate) -> None:
        return None


def verify_keyless(
    digest: str,
    raw: bytes,
    expected: ExpectedSigner,
    root: TrustRoot,
    accept: ContentPolicy,
    base: dict[str, Any],
) -> BlobResult:
    try:
        bundle = Bundle.from_json(raw)
    except (SigstoreError, ValueError) as err:
        raise BlobInvalid(f"malformed bundle: {first_line(err)}") from None
    verifier = root.verifier()
    try:
        if bundle_dsse_envelope(bundle) is not None:
            payload_type, payload = verifier.verify_dsse(bundle, _AnyCertificate())
        else:
            hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(digest))
            verifier.verify_artifact(hashed, bundle, _AnyCertificate())
    except (SigstoreError, ValueError) as err:
        raise BlobInvalid(first_line(err)) from None
    refused: BlobInvalid | None = None
    try:
        content: SignedContent | None = (
            accepted_content(payload_type, payload, digest, accept)
            if bundle_dsse_envelope(bundle) is not None
            else accepted_message(accept)
        )
    except BlobInvalid as err:
        refused, content = err, err.content
    cert = bundle.signing_certificate
    found = publisher_from_certificate(cert)
    entry = log_entry_inner(bundle.log_entry)
    times = []
    if entry.integrated_time and entry.inclusion_promise:
        when = datetime.fromtimestamp(entry.integrated_time, tz=UTC)
        times.append(f"transparency log {iso_time(when)}")
    tsa = bundle.verification_material.timestamp_verification_data
    if tsa is not None:
        times.extend(
            f"timestamp authority {iso_time(ts.tst_info.gen_time)}" for ts in tsa.rfc3161_timestamps
        )
    described: dict[str, Any] = {
        **base,
        "signer_kind": "certificate",
        "subject": found.subject,
        "issuer": certificate_claims(cert).get("issuer"),
        "publisher": found,
        "log_index": entry.log_index,
        "integrated_time": entry.integrated_time or None,
        "transparency_log": True,
        "verified_times": tuple(times),
        "content": content,
    }
    if refused is not None:  # the signer is named, but what it signed does not count
        return BlobResult(**described, status=Status.INVALID, reason=str(refused))
    if expected.publisher is not None:
        result = match_identity(expected.publisher, found)
        if not result.matched:
            return BlobResult(**described, status=Status.MISMATCH, reason=result.reason)
        notes = (result.reason,) if result.reason else ()
        return BlobResult(
            **described,
            status=Status.VERIFIED,
            reason=f"signed by {found.to_spec()}",
            identity_checked=True,
            notes=notes,
        )
    if expected.identity is None:  # a scan without pins: the identity is recorded only
        return BlobResult(
            **described, status=Status.VERIFIED, reason=f"signed by {found.to_spec()}"
        )
    try:
        Identity(identity=expected.identity, issuer=expected.issuer).verify(cert)
    except VerificationError as err:
        return BlobResult(**described, status=Status.MISMATCH, reason=first_line(err))
    return BlobResult(
        **described,
        status=Status.VERIFIED,
        reason=f"signed by {found.subject} (issuer {described['issuer']})",
        identity_checked=True,
    )
