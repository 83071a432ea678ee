"""Every private part of ``sigstore`` and ``pypi-attestations`` that pyvouch relies on.

Both packages are pinned to the series the suite tests (pyproject.toml); tests/compat/ checks
each touchpoint below still exists, has the signature used here and behaves as relied upon, so
an upgrade that changes one fails there first, by name. The rest of pyvouch imports these from
here and never reaches into ``sigstore._internal``, ``pypi_attestations._impl`` or an
underscore attribute itself.

pypi-attestations
  ``_impl._check_dist_filename``: the exact filename rule ``Attestation.verify`` applies to a
  subject name (well-formed wheel or sdist name, parsed; ``ValueError`` otherwise). pyvouch
  repeats the statement checks of ``Attestation.verify`` because that method cannot take a
  custom verifier, and must judge names exactly as it does (`check_dist_filename`).

sigstore: errors and types with no public home
  ``_internal.fulcio.client.FulcioClientError``, ``_internal.rekor.RekorClientError``: what
  signing raises when the certificate authority or the log refuses; caught to say which.
  ``_internal.trust.KeyringPurpose`` and ``RekorKeyring``: the argument and result of the
  public ``TrustedRoot.rekor_keyring`` (`rekor_verify_keyring`).

sigstore: the statement and envelope (``sigstore.dsse``)
  ``_Statement``: the in-toto statement model ``Attestation.verify`` validates with
  (`Statement`). ``Envelope._TYPE``: the in-toto payload type (`DSSE_PAYLOAD_TYPE`).
  ``Envelope(inner)`` and ``Envelope._inner``: an envelope from, and to, its sigstore-models
  form (`envelope_from_inner`, `envelope_inner`). ``dsse._verify``: the DSSE signature check
  with a given public key, for key-signed blob bundles that ``Verifier`` refuses
  (`dsse_verify_with_key`).

sigstore: bundles and log entries (``sigstore.models``)
  ``Bundle._inner`` and ``Bundle._dsse_envelope``: the raw bundle, to explain a failed
  verification from the log's record and to tell a DSSE bundle from a message signature
  (`bundle_inner`, `bundle_dsse_envelope`). ``TransparencyLogEntry(inner)``, ``._inner`` and
  ``._verify``: sigstore's own inclusion proof, checkpoint and SET checks for a key-signed blob
  bundle's entry (`log_entry_from_inner`, `log_entry_inner`, `verify_log_entry`).
  ``TransparencyLogEntry._from_v1_response``: a Rekor v1 answer as an entry, for the local test
  authority's in-process log (`log_entry_from_v1_response`). ``TimestampVerificationData(inner)``
  and ``Verifier._verify_signed_timestamp``: sigstore's RFC 3161 checks for a key-signed blob
  bundle (`signed_timestamps`, `verify_signed_timestamp`).

sigstore: clients the local test authority (pyvouch.testing) plugs into ``SigningContext``
  ``_internal.fulcio.client.FulcioClient`` (``__init__(url)``, ``signing_cert``) and
  ``FulcioCertificateSigningResponse(cert, chain)``; ``_internal.rekor.RekorLogSubmitter``
  (``create_entry``, and the hooks ``_build_hashed_rekord_request`` and ``_build_dsse_request``
  that ``Signer`` calls and pyvouch.testing.local overrides), ``EntryRequestBody`` and
  ``_internal.rekor.client.RekorClient`` (builds those requests:
  `build_hashed_rekord_request`, `build_dsse_request`). ``SigningContext(fulcio=, rekor=,
  trusted_root=)`` takes these private types.

sigstore: the shipped TUF roots (a file layout, not an API)
  ``sigstore/_store/<quoted TUF URL>/{root.json,trusted_root.json}``: the roots pyvouch anchors
  production and staging to. Read by `pyvouch.compat.sigstore_store` instead of here, because a
  fully cached scan reads them and must not import sigstore.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import Certificate
from pypi_attestations._impl import _check_dist_filename
from rfc3161_client import TimeStampResponse
from sigstore import dsse
from sigstore._internal.fulcio.client import (
    FulcioCertificateSigningResponse,
    FulcioClient,
    FulcioClientError,
)
from sigstore._internal.rekor import EntryRequestBody, RekorClientError, RekorLogSubmitter
from sigstore._internal.rekor.client import RekorClient
from sigstore._internal.timestamp import TimestampVerificationResult
from sigstore._internal.trust import KeyringPurpose, RekorKeyring
from sigstore.dsse import _Statement as Statement
from sigstore.hashes import Hashed
from sigstore.models import Bundle, TimestampVerificationData, TransparencyLogEntry, TrustedRoot
from sigstore.verify import Verifier
from sigstore_models.bundle.v1 import Bundle as InnerBundle
from sigstore_models.bundle.v1 import TimestampVerificationData as InnerTimestampData
from sigstore_models.intoto import Envelope as InnerEnvelope
from sigstore_models.rekor.v1 import TransparencyLogEntry as InnerLogEntry

__all__ = [
    "DSSE_PAYLOAD_TYPE",
    "EntryRequestBody",
    "FulcioCertificateSigningResponse",
    "FulcioClient",
    "FulcioClientError",
    "RekorClient",
    "RekorClientError",
    "RekorLogSubmitter",
    "Statement",
    "build_dsse_request",
    "build_hashed_rekord_request",
    "bundle_dsse_envelope",
    "bundle_inner",
    "check_dist_filename",
    "dsse_verify_with_key",
    "envelope_from_inner",
    "envelope_inner",
    "log_entry_from_inner",
    "log_entry_from_v1_response",
    "log_entry_inner",
    "rekor_verify_keyring",
    "signed_timestamps",
    "verify_log_entry",
    "verify_signed_timestamp",
]

DSSE_PAYLOAD_TYPE: str = dsse.Envelope._TYPE
"""``application/vnd.in-toto+json``, the only payload type sigstore's DSSE envelopes carry."""


# -- pypi-attestations -------------------------------------------------------------------------


def check_dist_filename(filename: str) -> object:
    """The parsed name (comparable with ``==``) as ``Attestation.verify`` judges it;
    ``ValueError`` if ``filename`` is not a well-formed wheel or sdist name."""
    return _check_dist_filename(filename)


# -- bundles, envelopes and log entries ---------------------------------------------------------


def bundle_inner(bundle: Bundle) -> InnerBundle:
    return bundle._inner


def bundle_dsse_envelope(bundle: Bundle) -> dsse.Envelope | None:
    """The bundle's DSSE envelope, or None for a message-signature bundle."""
    return bundle._dsse_envelope


def envelope_from_inner(inner: InnerEnvelope) -> dsse.Envelope:
    """An envelope from its sigstore-models form; ``sigstore.errors.Error`` if malformed."""
    return dsse.Envelope(inner)


def envelope_inner(envelope: dsse.Envelope) -> InnerEnvelope:
    return envelope._inner


def dsse_verify_with_key(key: ec.EllipticCurvePublicKey, envelope: dsse.Envelope) -> bytes:
    """The payload if the envelope's one signature verifies with ``key`` (over the PAE);
    ``sigstore.errors.VerificationError`` otherwise."""
    return dsse._verify(key, envelope)


def log_entry_from_inner(inner: InnerLogEntry) -> TransparencyLogEntry:
    """``ValueError`` or ``sigstore.errors.Error`` if the entry is inconsistent."""
    return TransparencyLogEntry(inner)


def log_entry_inner(entry: TransparencyLogEntry) -> InnerLogEntry:
    return entry._inner


def log_entry_from_v1_response(response: dict[str, Any]) -> TransparencyLogEntry:
    """An entry from a Rekor v1 ``POST /api/v1/log/entries`` answer."""
    return TransparencyLogEntry._from_v1_response(response)


def rekor_verify_keyring(trusted_root: TrustedRoot) -> RekorKeyring:
    """The trusted root's Rekor keys for verifying (not signing)."""
    return trusted_root.rekor_keyring(KeyringPurpose.VERIFY)


def verify_log_entry(entry: TransparencyLogEntry, keyring: RekorKeyring) -> None:
    """sigstore's checks of an entry: inclusion proof and checkpoint, and the SET when there
    is one; ``sigstore.errors.VerificationError`` if any fails."""
    entry._verify(keyring)


def signed_timestamps(inner: InnerTimestampData) -> list[TimeStampResponse]:
    """The RFC 3161 responses of a bundle's timestamp data; ``sigstore.errors.Error`` if one
    does not decode."""
    return TimestampVerificationData(inner).rfc3161_timestamps


def verify_signed_timestamp(
    verifier: Verifier, response: TimeStampResponse, signature: bytes
) -> TimestampVerificationResult | None:
    """sigstore's check of one signed timestamp over ``signature`` against the verifier's
    timestamp authorities; None when none of them vouches for it."""
    return verifier._verify_signed_timestamp(response, signature)


# -- request building for the local test authority --------------------------------------------


def build_hashed_rekord_request(
    client: RekorClient, hashed_input: Hashed, signature: bytes, certificate: Certificate
) -> EntryRequestBody:
    return client._build_hashed_rekord_request(hashed_input, signature, certificate)


def build_dsse_request(
    client: RekorClient, envelope: dsse.Envelope, certificate: Certificate
) -> EntryRequestBody:
    return client._build_dsse_request(envelope, certificate)
