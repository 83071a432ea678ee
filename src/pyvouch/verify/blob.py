"""Verify a cosign-compatible Sigstore bundle that sits beside a file (``FILE.sigstore.json``).

Two kinds of bundle:

- **keyless** (a Fulcio certificate in ``verificationMaterial``): verified entirely by
  ``sigstore.verify.Verifier`` (``verify_artifact`` for a message signature, ``verify_dsse``
  for an in-toto DSSE envelope, whose statement must then name the file's sha256 as a subject).
  The certificate identity is checked afterwards, so a good signature by someone else is
  ``mismatch`` and anything broken is ``invalid``.
- **managed key** (``verificationMaterial.publicKey``, what ``cosign sign-blob --key`` writes):
  sigstore-python 4.5 refuses these bundles outright, so this module checks them with
  sigstore's own pieces, reached through `pyvouch.compat.sigstore_private`
  (``TransparencyLogEntry._verify`` for the inclusion proof, checkpoint
  and SET; the trusted root's Rekor keyring; ``dsse._verify``; the TSA verifier) plus the few
  checks no library does for a key: the signature with the user's key, the key hint, and that
  the log entry body names this digest, signature and key. docs/blob-signatures.md lists
  exactly what is and is not checked.

Either way the result says what was signed (`signed_content.SignedContent`: a message
signature, or an in-toto statement and its predicate type), and content the caller's
`ContentPolicy` does not accept is ``invalid``, however good the signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import Certificate
from sigstore import dsse
from sigstore.errors import Error as SigstoreError
from sigstore.errors import VerificationError
from sigstore.models import Bundle
from sigstore.verify.policy import Identity
from sigstore.verify.verifier import MAX_ALLOWED_TIMESTAMP
from sigstore_models.bundle.v1 import Bundle as _InnerBundle
from sigstore_models.rekor.v2.entry import Entry as _V2Entry

from pyvouch.compat.sigstore_private import (
    bundle_dsse_envelope,
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
from pyvouch.errors import InputError
from pyvouch.limits import MAX_ATTESTATION_BYTES
from pyvouch.model import Publisher, Status
from pyvouch.verify.identity import certificate_claims, publisher_from_certificate
from pyvouch.verify.matching import match_identity
from pyvouch.verify.signed_content import (
    MESSAGE,
    ContentPolicy,
    SignedContent,
    StatementError,
    read_statement,
)
from pyvouch.verify.trust import TrustRoot

# The log entry kinds sigstore-python 4.5 verifies (and so do we, for key bundles).
_SUPPORTED_KINDS = {("hashedrekord", "0.0.1"), ("hashedrekord", "0.0.2"), ("dsse", "0.0.1")}

BUNDLE_SUFFIX = ".sigstore.json"
"""The name a bundle gets beside the file it signs (cosign's and sigstore's convention)."""


@dataclass(frozen=True, slots=True)
class ExpectedSigner:
    """Who must have signed: exactly one of certificate identity, publisher, or public key."""

    identity: str | None = None
    issuer: str | None = None
    publisher: Publisher | None = None
    key: ec.EllipticCurvePublicKey | None = None
    key_source: str | None = None
    allow_no_tlog: bool = False


@dataclass(frozen=True, slots=True)
class BlobResult:
    """The verdict for one file and its bundle."""

    file: Path
    bundle: Path
    sha256: str
    status: Status
    reason: str
    signer_kind: str | None = None
    """``certificate`` or ``public-key``; None when the bundle could not be read."""
    subject: str | None = None
    issuer: str | None = None
    publisher: Publisher | None = None
    key_id: str | None = None
    """base64 sha256 of the DER public key (cosign's key hint) for key bundles."""
    log_index: int | None = None
    integrated_time: int | None = None
    transparency_log: bool = False
    verified_times: tuple[str, ...] = field(default=())
    """Where each verified time came from and when: ``transparency log 2025-...Z``."""
    identity_checked: bool = False
    notes: tuple[str, ...] = field(default=())
    content: SignedContent | None = None
    """What the signature covers; None unless the signature itself verified."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "bundle": str(self.bundle),
            "sha256": self.sha256,
            "status": self.status.value,
            "reason": self.reason,
            "signer_kind": self.signer_kind,
            "subject": self.subject,
            "issuer": self.issuer,
            "publisher": self.publisher.to_dict() if self.publisher else None,
            "key_id": self.key_id,
            "transparency_log": self.transparency_log,
            "log_index": self.log_index,
            "integrated_time": self.integrated_time,
            "verified_times": list(self.verified_times),
            "identity_checked": self.identity_checked,
            "signed_content": self.content.to_dict() if self.content else None,
            "notes": list(self.notes),
        }

    def describe_content(self) -> str:
        if self.content is None:
            return "not established (no signature verified)"
        return self.content.describe()


class _Invalid(Exception):
    """A check failed: the bundle is ``invalid`` for this reason.

    ``content`` is what the bundle signs, once its signature has verified."""

    def __init__(self, reason: str, content: SignedContent | None = None) -> None:
        super().__init__(reason)
        self.content = content


class _AnyCertificate:
    """A policy that accepts every certificate: the identity is checked after the crypto.

    (sigstore's ``UnsafeNoOp`` does the same but logs a warning meant for people who skip
    the identity check; we do not skip it, we only order it last so that a good signature by
    someone else reads ``mismatch`` instead of ``invalid``.)
    """

    def verify(self, cert: Certificate) -> None:
        return None


def key_id(key: ec.EllipticCurvePublicKey) -> str:
    """cosign's public key hint: base64 of the sha256 of the DER SubjectPublicKeyInfo."""
    return base64.b64encode(hashlib.sha256(_spki(key)).digest()).decode()


def _spki(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def load_public_key(path: Path) -> ec.EllipticCurvePublicKey:
    """An ECDSA public key from a PEM file (cosign.pub); bad input is an `InputError`."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as err:
        problem = str(err).splitlines()[0] if str(err) else "unreadable"
        raise InputError(path, f"not a PEM public key ({problem})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InputError(path, "only ECDSA P-256 public keys are supported (cosign's default)")
    return key


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _read_bundle(path: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        size = path.stat().st_size
        if size > MAX_ATTESTATION_BYTES:
            raise InputError(path, f"bundle is {size} bytes; refusing more than 16 MiB")
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    try:
        obj = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise _Invalid(f"bundle is not JSON ({_first_line(err)})") from None
    if not isinstance(obj, dict):
        raise _Invalid("bundle is not a JSON object")
    return raw, obj


def _entry_kinds(obj: dict[str, Any]) -> list[tuple[str, str]]:
    material = obj.get("verificationMaterial")
    entries = material.get("tlogEntries") if isinstance(material, dict) else None
    kinds: list[tuple[str, str]] = []
    for entry in entries if isinstance(entries, list) else []:
        kv = entry.get("kindVersion") if isinstance(entry, dict) else None
        if isinstance(kv, dict):
            kinds.append((str(kv.get("kind")), str(kv.get("version"))))
    return kinds


def _check_supported_kinds(obj: dict[str, Any]) -> None:
    for kind, version in _entry_kinds(obj):
        if (kind, version) not in _SUPPORTED_KINDS:
            raise _Invalid(
                f"unsupported: transparency log entry kind {kind}/{version} is not verified by "
                "sigstore-python 4.5 (only hashedrekord 0.0.1/0.0.2 and dsse 0.0.1)"
            )


def _accepted_content(
    payload_type: str, payload: bytes, digest: str, accept: ContentPolicy
) -> SignedContent:
    """The verified DSSE payload's content: a statement about this file that ``accept``
    takes, or `_Invalid`."""
    try:
        content = read_statement(payload_type, payload, digest)
    except StatementError as err:
        raise _Invalid(str(err), err.content) from None
    refusal = accept.refusal(content)
    if refusal is not None:
        raise _Invalid(refusal, content)
    return content


def verify_blob(
    file: Path,
    bundle_path: Path,
    expected: ExpectedSigner,
    root: TrustRoot,
    accept: ContentPolicy | None = None,
) -> BlobResult:
    """Verify ``file`` against ``bundle_path``. Unreadable inputs raise `InputError`.

    ``accept`` says which signed content stands for the file (default: a message signature
    or a statement with one of the documented predicate types)."""
    accept = accept if accept is not None else ContentPolicy()
    try:
        data = file.read_bytes()
    except OSError as err:
        raise InputError(file, f"cannot read ({err.strerror or err})") from None
    digest = hashlib.sha256(data).hexdigest()
    base: dict[str, Any] = {"file": file, "bundle": bundle_path, "sha256": digest}
    try:
        raw, obj = _read_bundle(bundle_path)
        _check_supported_kinds(obj)
        material = obj.get("verificationMaterial")
        has_key = isinstance(material, dict) and "publicKey" in material
        if expected.key is not None:
            if not has_key:
                raise _Invalid(
                    "the bundle carries a certificate (keyless signature), not a public key "
                    "hint; verify it with --certificate-identity/--publisher"
                )
            return _verify_with_key(data, digest, raw, expected, root, accept, base)
        if has_key:
            raise _Invalid(
                "the bundle was signed with a managed key (verificationMaterial.publicKey), "
                "not a certificate; verify it with --key"
            )
        return _verify_keyless(data, digest, raw, expected, root, accept, base)
    except _Invalid as err:
        return BlobResult(**base, status=Status.INVALID, reason=str(err), content=err.content)


def _accepted_message(accept: ContentPolicy) -> SignedContent:
    refusal = accept.refusal(MESSAGE)
    if refusal is not None:
        raise _Invalid(refusal, MESSAGE)
    return MESSAGE


# -- keyless ---------------------------------------------------------------------------------


def _verify_keyless(
    data: bytes,
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
        raise _Invalid(f"malformed bundle: {_first_line(err)}") from None
    verifier = root.verifier()
    try:
        if bundle_dsse_envelope(bundle) is not None:
            payload_type, payload = verifier.verify_dsse(bundle, _AnyCertificate())
        else:
            verifier.verify_artifact(data, bundle, _AnyCertificate())
    except (SigstoreError, ValueError) as err:
        raise _Invalid(_first_line(err)) from None
    refused: _Invalid | None = None
    try:
        content: SignedContent | None = (
            _accepted_content(payload_type, payload, digest, accept)
            if bundle_dsse_envelope(bundle) is not None
            else _accepted_message(accept)
        )
    except _Invalid as err:
        refused, content = err, err.content
    cert = bundle.signing_certificate
    found = publisher_from_certificate(cert)
    entry = log_entry_inner(bundle.log_entry)
    times = []
    if entry.integrated_time and entry.inclusion_promise:
        when = datetime.fromtimestamp(entry.integrated_time, tz=UTC)
        times.append(f"transparency log {_iso(when)}")
    tsa = bundle.verification_material.timestamp_verification_data
    if tsa is not None:
        times.extend(
            f"timestamp authority {_iso(ts.tst_info.gen_time)}" for ts in tsa.rfc3161_timestamps
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
    assert expected.identity is not None
    try:
        Identity(identity=expected.identity, issuer=expected.issuer).verify(cert)
    except VerificationError as err:
        return BlobResult(**described, status=Status.MISMATCH, reason=_first_line(err))
    return BlobResult(
        **described,
        status=Status.VERIFIED,
        reason=f"signed by {found.subject} (issuer {described['issuer']})",
        identity_checked=True,
    )


# -- managed key -----------------------------------------------------------------------------


def _verify_with_key(
    data: bytes,
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
        raise _Invalid(f"malformed bundle: {_first_line(err)}") from None
    if inner.media_type not in {t.value for t in Bundle.BundleType}:
        raise _Invalid(f"unsupported bundle format: {inner.media_type}")
    material = inner.verification_material
    expected_id = key_id(key)
    hint = material.public_key.hint if material.public_key is not None else None
    if hint and hint != expected_id:
        raise _Invalid(
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
            raise _Invalid(f"signature does not verify with the given key: {err}") from None
        content = _accepted_content(envelope_inner(envelope).payload_type, payload, digest, accept)
        signature = envelope.signature
    elif inner.message_signature is not None:
        message = inner.message_signature
        signature = message.signature
        if message.message_digest is not None and (message.message_digest.digest.hex() != digest):
            raise _Invalid("the bundle's message digest is not this file's sha256")
        try:
            key.verify(signature, bytes.fromhex(digest), ec.ECDSA(Prehashed(hashes.SHA256())))
        except InvalidSignature:
            raise _Invalid("signature does not verify for this file with the given key") from None
        content = _accepted_message(accept)
    else:
        raise _Invalid("the bundle has neither a message signature nor a DSSE envelope")
    described: dict[str, Any] = {
        **base,
        "signer_kind": "public-key",
        "key_id": expected_id,
        "subject": expected.key_source,
        "content": content,
    }
    try:
        return _key_time_and_log(material, signature, envelope, expected, root, described)
    except _Invalid as err:
        raise _Invalid(str(err), content) from None


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
            raise _Invalid(
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
        raise _Invalid(f"expected one transparency log entry, found {len(entries)}")
    try:
        entry = log_entry_from_inner(entries[0])
        keyring = rekor_verify_keyring(root.trusted_root)
        verify_log_entry(entry, keyring)
    except (SigstoreError, ValueError) as err:
        raise _Invalid(f"invalid log entry: {_first_line(err)}") from None
    entry_inner = log_entry_inner(entry)
    _check_entry_body(entry_inner, key, signature, described["sha256"], envelope)
    if entry_inner.integrated_time and entry_inner.inclusion_promise:
        when = datetime.fromtimestamp(entry_inner.integrated_time, tz=UTC)
        times.append(f"transparency log {_iso(when)}")
    if not times:
        raise _Invalid("not enough sources of verified time")
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
        raise _Invalid(_first_line(err)) from None
    if len(responses) > MAX_ALLOWED_TIMESTAMP:
        raise _Invalid(f"too many signed timestamps: {len(responses)}")
    if not root.trusted_root.get_timestamp_authorities():
        raise _Invalid(
            "the bundle carries a signed timestamp but the trusted root names no timestamp "
            "authority"
        )
    verifier = root.verifier()
    found = []
    for response in responses:
        result = verify_signed_timestamp(verifier, response, signature)
        if result is not None:
            found.append(f"timestamp authority {_iso(result.time)}")
    return found


def _pem_key_der(b64_pem: object) -> bytes | None:
    """The DER SubjectPublicKeyInfo of a base64 PEM public key (as Rekor v1 bodies hold it)."""
    try:
        key = serialization.load_pem_public_key(base64.b64decode(str(b64_pem), validate=True))
    except (ValueError, TypeError):
        return None
    return _spki(key)


def _check_entry_body(
    entry: Any,
    key: ec.EllipticCurvePublicKey,
    signature: bytes,
    digest: str,
    envelope: dsse.Envelope | None,
) -> None:
    """The log entry must record this digest, this signature and this key (no other)."""
    kind, version = entry.kind_version.kind, entry.kind_version.version
    body_bytes = entry.canonicalized_body
    key_der = _spki(key)
    if version == "0.0.2":
        try:
            body = _V2Entry.from_json(body_bytes)
            rekord = body.spec.hashed_rekord_v002
            assert rekord is not None
            recorded_key = rekord.signature.verifier.public_key
            recorded_digest = rekord.data.digest
            recorded_sig = rekord.signature.content
        except (ValueError, AssertionError, AttributeError):
            raise _Invalid("log entry body is not a hashedrekord 0.0.2 entry") from None
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
            raise _Invalid("transparency log entry is inconsistent with other materials")
        return
    try:
        body = json.loads(body_bytes)
        spec = body["spec"]
    except (ValueError, KeyError, TypeError):
        raise _Invalid("log entry body is not JSON with a spec") from None
    if body.get("kind") != kind or body.get("apiVersion") != version:
        raise _Invalid("log entry body kind differs from the entry's kindVersion")
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
            raise _Invalid(f"log entry kind {kind} does not fit the bundle's content")
    except (KeyError, TypeError, ValueError):
        raise _Invalid(f"log entry body is not a well-formed {kind} {version} entry") from None
    if not consistent:
        raise _Invalid("transparency log entry is inconsistent with other materials")
