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

The pieces: `blob_result` (what is asked and answered), `blob_bundle` (reading the bundle, the
content the caller accepts), `blob_keyless`, `blob_managed_key` + `blob_log_entry` (the
managed-key path and its log entry), `blob_public_key` (cosign.pub, the key hint).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pyvouch.errors import InputError
from pyvouch.model import Status
from pyvouch.verify.blob_bundle import check_supported_kinds, parse_bundle, read_bundle
from pyvouch.verify.blob_keyless import verify_keyless
from pyvouch.verify.blob_managed_key import verify_with_key
from pyvouch.verify.blob_public_key import key_id, load_public_key
from pyvouch.verify.blob_result import BlobInvalid, BlobResult, ExpectedSigner
from pyvouch.verify.signed_content import (
    ContentPolicy,
)
from pyvouch.verify.trust import TrustRoot

__all__ = [
    "BUNDLE_SUFFIX",
    "BlobResult",
    "ExpectedSigner",
    "key_id",
    "load_public_key",
    "verify_blob",
    "verify_bundle_bytes",
]


BUNDLE_SUFFIX = ".sigstore.json"
"""The name a bundle gets beside the file it signs (cosign's and sigstore's convention)."""


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
    try:
        raw, _ = read_bundle(bundle_path)
    except BlobInvalid as err:
        return BlobResult(
            file=file,
            bundle=bundle_path,
            sha256=digest,
            status=Status.INVALID,
            reason=str(err),
            content=err.content,
        )
    return verify_bundle_bytes(digest, raw, expected, root, accept, file=file, bundle=bundle_path)


def verify_bundle_bytes(
    digest: str,
    raw: bytes,
    expected: ExpectedSigner,
    root: TrustRoot,
    accept: ContentPolicy | None = None,
    *,
    file: Path,
    bundle: Path,
) -> BlobResult:
    """Verify the bundle ``raw`` for a file known only by its sha256 ``digest`` (a file on an
    index, not downloaded: `pyvouch.verify.beside`). ``file`` and ``bundle`` name them in
    the result."""
    accept = accept if accept is not None else ContentPolicy()
    base: dict[str, Any] = {"file": file, "bundle": bundle, "sha256": digest}
    try:
        obj = parse_bundle(raw)
        check_supported_kinds(obj)
        material = obj.get("verificationMaterial")
        has_key = isinstance(material, dict) and "publicKey" in material
        if expected.key is not None:
            if not has_key:
                raise BlobInvalid(
                    "the bundle carries a certificate (keyless signature), not a public key "
                    "hint; verify it with --certificate-identity/--publisher"
                )
            return verify_with_key(digest, raw, expected, root, accept, base)
        if has_key:
            raise BlobInvalid(
                "the bundle was signed with a managed key (verificationMaterial.publicKey), "
                "not a certificate; verify it with --key"
            )
        return verify_keyless(digest, raw, expected, root, accept, base)
    except BlobInvalid as err:
        return BlobResult(**base, status=Status.INVALID, reason=str(err), content=err.content)
