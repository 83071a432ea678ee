"""The user's public key for managed-key blob bundles: reading ``cosign.pub`` (ECDSA P-256
only, as cosign signs by default) and cosign's key hint (`key_id`)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.errors import InputError


def key_id(key: ec.EllipticCurvePublicKey) -> str:
    """cosign's public key hint: base64 of the sha256 of the DER SubjectPublicKeyInfo."""
    return base64.b64encode(hashlib.sha256(spki(key)).digest()).decode()


def spki(key: Any) -> bytes:
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
    return public_key_from_pem(data, path)


def public_key_from_pem(data: bytes, path: Path) -> ec.EllipticCurvePublicKey:
    """The ECDSA P-256 key in PEM ``data`` (read from ``path``, named in errors)."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as err:
        problem = str(err).splitlines()[0] if str(err) else "unreadable"
        raise InputError(path, f"not a PEM public key ({problem})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InputError(path, "only ECDSA P-256 public keys are supported (cosign's default)")
    return key
