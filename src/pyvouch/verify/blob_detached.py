"""cosign's classic detached signature: ``FILE.sig`` (base64 of an ECDSA signature over the
file's sha256) with either the user's public key or ``FILE.crt`` (the signing certificate).

Such a pair carries **no transparency log entry** and no signed time: it proves that the
holder of the key (or of the certificate's short-lived key) signed these bytes, not when, and
nobody could have seen it published. So it is accepted only when the caller explicitly allows
signatures without a log entry (`ExpectedSigner.allow_no_tlog`); otherwise the signature is
checked, and then refused with that reason.

With a certificate, the chain must lead to a Fulcio CA of the trust root (cryptography's X.509
verifier, with the code-signing usage Fulcio certificates carry) at the certificate's own
start of validity, since no other time is proven; its identity is then matched as a keyless
bundle's is (`pyvouch.verify.matching`). The signed certificate timestamp is not checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from pyvouch.model import Status
from pyvouch.verify.blob_bundle import accepted_message, first_line
from pyvouch.verify.blob_public_key import key_id
from pyvouch.verify.blob_result import BlobInvalid, BlobResult, ExpectedSigner
from pyvouch.verify.identity import certificate_claims, publisher_from_certificate
from pyvouch.verify.matching import match_identity
from pyvouch.verify.signed_content import ContentPolicy
from pyvouch.verify.trust import TrustRoot

NO_LOG = (
    "a detached .sig carries no transparency log entry: it proves possession of the key only, "
    "not when or that it was published"
)


def _check_signature(key: Any, signature: bytes, digest: str, what: str) -> None:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise BlobInvalid(f"{what} is not an ECDSA key (cosign signs with ECDSA)")
    try:
        key.verify(signature, bytes.fromhex(digest), ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        raise BlobInvalid(f"signature does not verify for this file with {what}") from None


def _chain(cert: x509.Certificate, root: TrustRoot) -> None:
    """The certificate leads to one of the trust root's Fulcio CAs at its own start."""
    fulcio = root.trusted_root.get_fulcio_certs()
    if not fulcio:
        raise BlobInvalid("the trust root names no certificate authority")
    ca_policy = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None
    )
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None
    )
    verifier = (
        PolicyBuilder()
        .store(Store(fulcio))
        .time(cert.not_valid_before_utc)
        .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
        .build_client_verifier()
    )
    try:
        verifier.verify(cert, [])
    except (VerificationError, x509.UnsupportedGeneralNameType, ValueError) as err:
        raise BlobInvalid(f"the certificate does not chain to the trust root: {err}") from None
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise BlobInvalid("the certificate is not for code signing") from None
    if ExtendedKeyUsageOID.CODE_SIGNING not in usage:
        raise BlobInvalid("the certificate is not for code signing")


def verify_detached(
    digest: str,
    signature: bytes,
    certificate_pem: bytes | None,
    expected: ExpectedSigner,
    root: TrustRoot,
    *,
    file: Path,
    bundle: Path,
) -> BlobResult:
    """Verify cosign's detached ``signature`` (raw bytes) for the file with sha256 ``digest``,
    with ``expected.key`` or else the certificate ``certificate_pem``."""
    base: dict[str, Any] = {"file": file, "bundle": bundle, "sha256": digest}
    try:
        return _verify(digest, signature, certificate_pem, expected, root, base)
    except BlobInvalid as err:
        return BlobResult(**base, status=Status.INVALID, reason=str(err), content=err.content)


def _verify(
    digest: str,
    signature: bytes,
    certificate_pem: bytes | None,
    expected: ExpectedSigner,
    root: TrustRoot,
    base: dict[str, Any],
) -> BlobResult:
    content = accepted_message(ContentPolicy())
    described: dict[str, Any]
    if expected.key is not None:
        _check_signature(expected.key, signature, digest, f"the key {expected.key_source}")
        described = {
            **base,
            "signer_kind": "public-key",
            "key_id": key_id(expected.key),
            "subject": expected.key_source,
            "content": content,
        }
        reason = f"signed with key {described['key_id']}"
        checked = True
        status = Status.VERIFIED
    else:
        if certificate_pem is None:
            raise BlobInvalid(
                "a detached .sig without a .crt beside it, and no key expected for this package"
            )
        try:
            cert = x509.load_pem_x509_certificate(certificate_pem)
        except ValueError as err:
            raise BlobInvalid(f"the .crt is not a certificate ({first_line(err)})") from None
        _check_signature(cert.public_key(), signature, digest, "the certificate's key")
        _chain(cert, root)
        found = publisher_from_certificate(cert)
        described = {
            **base,
            "signer_kind": "certificate",
            "subject": found.subject,
            "issuer": certificate_claims(cert).get("issuer"),
            "publisher": found,
            "content": content,
        }
        reason, checked, status = f"signed by {found.to_spec()}", False, Status.VERIFIED
        if expected.publisher is not None:
            matched = match_identity(expected.publisher, found)
            checked = matched.matched
            if not matched.matched:
                reason, status = matched.reason, Status.MISMATCH
    if status is Status.VERIFIED and not expected.allow_no_tlog:
        raise BlobInvalid(
            f"{NO_LOG}; the policy does not allow signatures without a log entry (allow-no-tlog)",
            content,
        )
    return BlobResult(
        **described,
        status=status,
        reason=reason,
        identity_checked=checked,
        notes=(f"{NO_LOG}; accepted because the policy allows it",)
        if status is Status.VERIFIED
        else (),
    )
