"""Verify PEP 740 attestations for one distribution file.

For every attestation: ``Attestation.to_bundle()`` then ``Verifier.verify_dsse`` (chain to the
trust root at the log's time, SCT, transparency log proof, DSSE signature, log entry
consistency), then the statement checks pypi-attestations' ``Attestation.verify`` makes,
repeated here exactly because that method cannot take a custom verifier: payload type,
exactly one subject, subject name a well-formed dist filename parsing equal to the file's
name, sha256 digest equal, predicate type known. Then the certificate identity is compared
with the expected publisher (`matching.match_identity`), case rules per forge.

One `Verifier` is built per trust root and reused for every file.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from cryptography import x509
from pypi_attestations import Attestation, AttestationError, AttestationType
from sigstore.errors import CertValidationError
from sigstore.errors import Error as SigstoreError
from sigstore.models import Bundle

from pyvouch.compat.sigstore_private import (
    DSSE_PAYLOAD_TYPE,
    Statement,
    bundle_inner,
    check_dist_filename,
    log_entry_inner,
)
from pyvouch.model import AttestationInfo, Finding, Publisher, SignatureKind, Status
from pyvouch.verify.dist import DistFile as DistFile  # re-exported: callers import it here
from pyvouch.verify.dist import digest_file as digest_file
from pyvouch.verify.identity import publisher_from_certificate
from pyvouch.verify.load import LoadedAttestation
from pyvouch.verify.matching import match_identity
from pyvouch.verify.trust import TrustRoot

_PREDICATE_SHORT = {
    AttestationType.PYPI_PUBLISH_V1.value: "publish/v1",
    AttestationType.SLSA_PROVENANCE_V1.value: "slsa-provenance/v1",
}


def short_predicate(predicate_type: str | None) -> str:
    if predicate_type is None:
        return "?"
    return _PREDICATE_SHORT.get(predicate_type, predicate_type)


class _IdentityCheckedAfterwards:
    """The policy handed to ``verify_dsse``: identity is compared after the cryptography.

    Checking identity inside ``verify_dsse`` would abort before the log proof and signature
    are checked, and a wrong identity could then not be told apart from a broken signature
    (``mismatch`` versus ``invalid``). `AttestationVerifier` always checks identity next.
    """

    def verify(self, cert: x509.Certificate) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Checked:
    """One attestation's result before the identity comparison (small: it crosses processes)."""

    info: AttestationInfo
    hint: dict[str, Any] | None


def _log_details(attestation: Attestation) -> tuple[int | None, int | None]:
    entries = attestation.verification_material.transparency_entries
    if not entries:
        return None, None
    entry = entries[0]

    def as_int(key: str) -> int | None:
        try:
            return int(entry.get(key))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    return as_int("logIndex"), as_int("integratedTime")


def _diagnose_dsse(bundle: Bundle, fallback: str) -> str:
    """Say which part of a DSSE attestation was altered, from the log entry's record of it.

    Only explains a failure sigstore already found; never decides anything itself.
    """
    try:
        # sigstore-models holds the body decoded; older forms kept it base64
        raw = log_entry_inner(bundle.log_entry).canonicalized_body
        body = json.loads(raw if raw.lstrip()[:1] == b"{" else base64.b64decode(raw))
        spec = body["spec"]
        envelope = bundle_inner(bundle).dsse_envelope
        if envelope is None:
            return fallback
        logged_hash = spec["payloadHash"]["value"]
        logged_sigs = [item["signature"] for item in spec["signatures"]]
        payload_hash = hashlib.sha256(envelope.payload).hexdigest()
        sigs = [base64.b64encode(sig.sig).decode() for sig in envelope.signatures]
    except (KeyError, TypeError, ValueError, AttributeError):
        return fallback
    if payload_hash != logged_hash:
        return (
            "the statement was changed after signing: its hash differs from the one in the "
            "transparency log and the signature does not cover it"
        )
    if sigs != logged_sigs:
        return (
            "the signature is not this attestation's: it differs from the one recorded in the "
            "transparency log (taken from another attestation?)"
        )
    return fallback


def _explain_sigstore(err: SigstoreError, bundle: Bundle, root: TrustRoot) -> str:
    message = str(err)
    if isinstance(err, CertValidationError) or "certificate chain" in message:
        return (
            f"the signing certificate does not chain to the {root.name} trust root "
            f"({root.source}): signed on another Sigstore instance, or forged"
            + (" (try --staging)" if root.name == "production" else "")
        )
    if "SCT" in message:
        return f"the certificate's timestamp (SCT) does not verify against the {root.name} root"
    if message.startswith("invalid log entry"):
        return f"the transparency log entry does not verify: {message}"
    if "DSSE: invalid signature" in message:
        return _diagnose_dsse(bundle, "the signature does not verify over the statement")
    # sigstore checks the log entry's body only after the DSSE signature verified: here the
    # signature is good, and it is the log entry that records something else.
    if "payload hash does not match" in message:
        return (
            "the transparency log entry is for another statement: the signature over this "
            "statement verifies, but the log does not record it"
        )
    if "signatures do not match" in message:
        return (
            "the transparency log entry records another signature: the signature verifies, "
            "but the log does not record it"
        )
    return f"signature verification failed: {message}"


def _check_statement(payload_type: str, payload: bytes, dist: DistFile) -> tuple[str, str | None]:
    """pypi-attestations' statement checks; (predicate type, error or None)."""
    if payload_type != DSSE_PAYLOAD_TYPE:
        return "?", f"expected an in-toto JSON envelope, got payload type {payload_type}"
    try:
        statement = Statement.model_validate_json(payload)
    except ValueError as err:
        return "?", f"invalid statement: {str(err).splitlines()[0]}"
    predicate_type = statement.predicate_type
    if len(statement.subjects) != 1:
        return predicate_type, "the statement must have exactly one subject"
    subject = statement.subjects[0]
    if not subject.name:
        return predicate_type, "invalid subject: missing name"
    try:
        subject_parsed = check_dist_filename(subject.name)
    except ValueError as err:
        return predicate_type, f"invalid subject name: {err}"
    if dist.filename == subject.name:  # the usual case: the same name parses the same
        dist_parsed = subject_parsed
    else:
        try:
            dist_parsed = check_dist_filename(dist.filename)
        except ValueError as err:
            return predicate_type, f"{dist.filename} is not a distribution filename: {err}"
    if subject_parsed != dist_parsed:
        return predicate_type, (
            f"the attestation is for another file: its subject is {subject.name}, "
            f"not {dist.filename}"
        )
    digest = subject.digest.root.get("sha256")
    if digest is None or digest != dist.sha256:
        return predicate_type, (
            f"the file's digest does not match the attestation: file sha256 {dist.sha256}, "
            f"attested sha256 {digest or '(none)'} (the file was changed or is another build)"
        )
    try:
        AttestationType(predicate_type)
    except ValueError:
        return predicate_type, f"unknown attestation type: {predicate_type}"
    return predicate_type, None


def _unverified_predicate(attestation: Attestation) -> str | None:
    try:
        value = attestation.statement.get("predicateType")
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, str) else None


class AttestationVerifier:
    """Verifies attestations against one trust root; build once, use for many files."""

    def __init__(self, root: TrustRoot) -> None:
        self.root = root
        self._verifier = root.verifier()

    def check(self, dist: DistFile, loaded: LoadedAttestation) -> Checked:
        """One attestation against ``dist``: every step but the identity comparison (which
        `judge` makes over all of a file's attestations)."""
        attestation = loaded.attestation
        log_index, integrated_time = _log_details(attestation)
        publisher: Publisher | None = None

        def result(error: str | None, verified_predicate: str | None = None) -> Checked:
            info = AttestationInfo(
                # the statement is read unverified only when the verified one is not there
                predicate_type=verified_predicate or _unverified_predicate(attestation),
                publisher=publisher,
                log_index=log_index,
                integrated_time=integrated_time,
                verified=error is None,
                error=error,
            )
            return Checked(info, loaded.publisher_hint)

        try:
            bundle = attestation.to_bundle()
        except (AttestationError, SigstoreError, ValueError) as err:
            try:  # the certificate's own error first, as below; else the publisher it names
                publisher = publisher_from_certificate(
                    x509.load_der_x509_certificate(attestation.verification_material.certificate)
                )
            except ValueError as cert_err:
                return result(f"the signing certificate cannot be read: {cert_err}")
            return result(f"the attestation is malformed: {err}")
        try:
            # The bundle's own parse of the certificate, the one verify_dsse checks: read
            # once, and its extensions (parsed here) are the ones sigstore then reads.
            publisher = publisher_from_certificate(bundle.signing_certificate)
        except ValueError as err:
            return result(f"the signing certificate cannot be read: {err}")
        try:
            payload_type, payload = self._verifier.verify_dsse(bundle, _IdentityCheckedAfterwards())
        except SigstoreError as err:
            return result(_explain_sigstore(err, bundle, self.root))
        except (ValueError, x509.ExtensionNotFound) as err:
            return result(f"signature verification failed: {err}")
        verified_predicate, error = _check_statement(payload_type, payload, dist)
        return result(error, verified_predicate)

    def verify_file(
        self,
        dist: DistFile,
        attestations: list[LoadedAttestation] | tuple[LoadedAttestation, ...],
        expected: Publisher | None,
    ) -> Finding:
        """The finding for ``dist``: `verified` only if every attestation passed every step."""
        return judge(dist, [self.check(dist, loaded) for loaded in attestations], expected)


def judge(dist: DistFile, checked: Sequence[Checked], expected: Publisher | None) -> Finding:
    """The finding for ``dist`` from its attestations' `Checked` results, in order: `verified`
    only if every attestation passed every step and the identity is the expected one."""
    if not checked:
        return Finding(dist.ref(), Status.UNATTESTED, "no attestation for this file")
    return replace(_judge(dist, checked, expected), signature_kind=SignatureKind.PEP740)


def _judge(dist: DistFile, checked: Sequence[Checked], expected: Publisher | None) -> Finding:
    infos = tuple(item.info for item in checked)
    failed = [(n, item) for n, item in enumerate(checked, 1) if item.info.error]
    first_publisher = next((i.publisher for i in infos if i.publisher is not None), None)
    if failed:
        n, item = failed[0]
        which = (
            f"attestation {n} of {len(checked)} ({short_predicate(item.info.predicate_type)})"
            if len(checked) > 1
            else "attestation"
        )
        more = f"; {len(failed) - 1} more failed" if len(failed) > 1 else ""
        return Finding(
            dist.ref(),
            Status.INVALID,
            f"{which} invalid: {item.info.error}{more}",
            publisher=first_publisher,
            attestations=infos,
        )
    publishers = {i.publisher for i in infos if i.publisher is not None}
    kinds = ", ".join(short_predicate(i.predicate_type) for i in infos)
    summary = f"{len(infos)} attestation{'s' if len(infos) > 1 else ''} verified ({kinds})"
    if len(publishers) > 1:
        shown = ", ".join(sorted(p.to_spec() for p in publishers))
        return Finding(
            dist.ref(),
            Status.MISMATCH,
            f"{summary}, but signed by different identities: {shown}",
            publisher=first_publisher,
            attestations=infos,
        )
    assert first_publisher is not None  # every verified attestation has one
    signer = first_publisher.to_spec()
    if expected is None:
        return Finding(
            dist.ref(),
            Status.VERIFIED,
            f"{summary}; signed by {signer}; identity NOT checked (no expected publisher given)",
            publisher=first_publisher,
            attestations=infos,
            identity_checked=False,
        )
    notes: list[str] = []
    for item in checked:
        outcome = match_identity(expected, first_publisher, item.hint)
        if not outcome.matched:
            return Finding(
                dist.ref(),
                Status.MISMATCH,
                f"{summary}, but the publisher is not the expected one: {outcome.reason} "
                f"(expected {expected.to_spec()}, signed by {signer})",
                publisher=first_publisher,
                attestations=infos,
            )
        if outcome.reason and outcome.reason not in notes:
            notes.append(outcome.reason)
    extra = f" ({'; '.join(notes)})" if notes else ""
    return Finding(
        dist.ref(),
        Status.VERIFIED,
        f"{summary}; signed by {signer}, as expected{extra}",
        publisher=first_publisher,
        attestations=infos,
        identity_checked=True,
    )
