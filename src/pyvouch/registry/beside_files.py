"""Signatures beside the dists that `index build` copies into the site as they are, so a
static registry serves them at the dist's URL plus the suffix (`pyvouch.index.beside` reads
them there):

- ``D.sigstore.json`` (or ``D.sigstore``) that cannot become a PEP 740 attestation: a message
  signature (``cosign sign-blob``, ``pyvouch sign-blob``), keyless or with a key, or a DSSE
  envelope signed with a key. A keyless DSSE bundle is still converted to PEP 740
  (`pyvouch.registry.provenance_build`);
- ``D.sig`` (cosign's base64 detached signature) and ``D.crt`` (its PEM certificate).

As for attestations, signatures are not verified here (the consumer does, against what it
expects); their form is checked, and a bundle's message digest must be ``D``'s sha256, so a
signature of another file is refused at build time (one line, exit 2).
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from pyvouch import jsontext
from pyvouch.dist_names import is_dist_name
from pyvouch.errors import InputError
from pyvouch.index.beside import BUNDLE_SUFFIX, CRT_SUFFIX, SIG_SUFFIX, decode_crt, decode_sig
from pyvouch.limits import MAX_BESIDE_BUNDLE_BYTES, MAX_BESIDE_SIGNATURE_BYTES
from pyvouch.registry.dist_files import SiteDist

_BUNDLE_SUFFIXES = (BUNDLE_SUFFIX, ".sigstore")


def detached_target(filename: str) -> str | None:
    """The dist a ``.sig`` / ``.crt`` belongs to (None if not one)."""
    for suffix in (SIG_SUFFIX, CRT_SUFFIX):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem if is_dist_name(stem) else None
    return None


def _read(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(path, f"is {size} bytes; a signature is at most {limit}")
        return path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read file ({err.strerror or err})") from err


def _bundle_object(path: Path) -> dict[str, Any] | None:
    try:
        obj = jsontext.loads(_read(path, MAX_BESIDE_BUNDLE_BYTES).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None  # not ours to judge: the attestation reader says what is wrong
    return obj if isinstance(obj, dict) else None


def is_beside_bundle(path: Path) -> bool:
    """Whether the bundle in ``path`` is a signature to copy (not a PEP 740 attestation)."""
    if not path.name.endswith(_BUNDLE_SUFFIXES):
        return False
    obj = _bundle_object(path)
    if obj is None:
        return False
    material = obj.get("verificationMaterial")
    keyed = isinstance(material, dict) and "publicKey" in material
    return "messageSignature" in obj or keyed


def check_beside(path: Path, dist: SiteDist) -> str:
    """The name ``path`` gets in the site beside ``dist``, once its form is checked."""
    if path.name.endswith(SIG_SUFFIX):
        if decode_sig(_read(path, MAX_BESIDE_SIGNATURE_BYTES)) is None:
            raise InputError(path, "not a base64 signature (cosign's .sig)")
        return dist.filename + SIG_SUFFIX
    if path.name.endswith(CRT_SUFFIX):
        if decode_crt(_read(path, MAX_BESIDE_SIGNATURE_BYTES)) is None:
            raise InputError(path, "not a PEM certificate (cosign's .crt)")
        return dist.filename + CRT_SUFFIX
    obj = _bundle_object(path)
    assert obj is not None  # is_beside_bundle said so
    if "mediaType" not in obj:
        raise InputError(path, "not a Sigstore bundle (no mediaType)")
    message = obj.get("messageSignature")
    digest = message.get("messageDigest", {}).get("digest") if isinstance(message, dict) else None
    if isinstance(digest, str):
        try:
            signed = base64.b64decode(digest, validate=True).hex()
        except (binascii.Error, ValueError):
            raise InputError(path, "the bundle's message digest is not base64") from None
        if signed != dist.sha256:
            raise InputError(
                path, f"signs sha256 {signed}, not {dist.filename} (sha256 {dist.sha256})"
            )
    return dist.filename + BUNDLE_SUFFIX
