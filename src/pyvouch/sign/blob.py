"""cosign-compatible Sigstore bundles beside files (``FILE.sigstore.json``), all or nothing.

- ``--key``: an ECDSA P-256 private key signs each file's sha256 into a bundle v0.3 with a
  ``messageSignature`` and ``verificationMaterial.publicKey.hint`` (cosign's key id: base64
  sha256 of the DER public key), the shape ``cosign sign-blob --key --new-bundle-format``
  writes. No transparency log is used: such a bundle proves possession of the key only, not
  when it was signed nor that anyone else could see it.
- keyless: ``sigstore.sign.SigningContext.signer(...).sign_artifact`` (certificate from the
  CA, entry in the transparency log), the bundle sigstore and cosign write for a blob.

Keys: unencrypted or password-protected PKCS#8 / SEC1 PEM (``cryptography``), and cosign's
own ``ENCRYPTED SIGSTORE PRIVATE KEY`` (scrypt + NaCl secretbox, decrypted with
``cryptography``'s scrypt and PyNaCl's secretbox).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import nacl.exceptions
import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sigstore.errors import Error as SigstoreError
from sigstore.models import Bundle, ClientTrustConfig
from sigstore_models.bundle.v1 import Bundle as _InnerBundle
from sigstore_models.bundle.v1 import VerificationMaterial
from sigstore_models.common.v1 import (
    HashAlgorithm,
    HashOutput,
    MessageSignature,
    PublicKeyIdentifier,
)

from pyvouch.errors import InputError, SigningError, UsageError
from pyvouch.sign.files import check_output_dir, check_unique_targets, write_all_or_nothing
from pyvouch.sign.session import keyless_signer
from pyvouch.verify.blob import BUNDLE_SUFFIX, key_id

_COSIGN_PEM_TYPES = ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY")
_MAX_SCRYPT_N = 1 << 20


@dataclass(frozen=True, slots=True)
class Signed:
    file: Path
    target: Path
    bundle_json: str


def bundle_path(file: Path, output_dir: Path | None) -> Path:
    return (output_dir if output_dir is not None else file.parent) / (file.name + BUNDLE_SUFFIX)


def split_bundles(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """(files to sign, bundles left out): a ``*.sigstore.json`` is never signed, so that
    ``sign-blob dist/*`` can run again over the bundles its first run wrote."""
    bundles = [file for file in files if file.name.endswith(BUNDLE_SUFFIX)]
    to_sign = [file for file in files if not file.name.endswith(BUNDLE_SUFFIX)]
    if not to_sign:
        raise UsageError(
            f"nothing to sign: every FILE is a Sigstore bundle (*{BUNDLE_SUFFIX}), "
            "which sign-blob does not sign"
        )
    return to_sign, bundles


def check_files(files: list[Path], output_dir: Path | None) -> None:
    """Every FILE readable, no two with the same bundle, none a bundle itself, and the output
    directory (when one is named) there."""
    check_output_dir(output_dir)
    for file in files:
        if not file.is_file():
            raise InputError(file, "not a file")
        if file.name.endswith(BUNDLE_SUFFIX):
            raise UsageError(f"{file} is itself a bundle; refusing to sign it")
    check_unique_targets([(file, bundle_path(file, output_dir)) for file in files])


# -- keys ------------------------------------------------------------------------------------


def _pem_body(text: str, label: str) -> bytes | None:
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    start = text.find(begin)
    stop = text.find(end, start + 1)
    if start < 0 or stop < 0:
        return None
    body = "".join(text[start + len(begin) : stop].split())
    return base64.b64decode(body, validate=True)


def _decrypt_cosign(path: Path, blob: bytes, password: bytes) -> bytes:
    """cosign's encrypted key: JSON {kdf: scrypt(N,r,p,salt), cipher: nacl/secretbox(nonce)}."""
    try:
        obj = json.loads(blob)
        kdf, cipher = obj["kdf"], obj["cipher"]
        params = kdf["params"]
        n, r, p = int(params["N"]), int(params["r"]), int(params["p"])
        salt = base64.b64decode(kdf["salt"])
        nonce = base64.b64decode(cipher["nonce"])
        ciphertext = base64.b64decode(obj["ciphertext"])
    except (ValueError, KeyError, TypeError, RecursionError) as err:
        raise InputError(path, f"not a cosign encrypted key ({err})") from None
    if not isinstance(kdf, dict) or not isinstance(cipher, dict):
        raise InputError(path, "not a cosign encrypted key (kdf and cipher must be objects)")
    if kdf.get("name") != "scrypt" or cipher.get("name") != "nacl/secretbox":
        raise InputError(
            path, f"unsupported cosign key encryption {kdf.get('name')}/{cipher.get('name')}"
        )
    if not (1 < n <= _MAX_SCRYPT_N and n & (n - 1) == 0) or not (0 < r <= 32 and 0 < p <= 16):
        raise InputError(path, f"implausible scrypt parameters N={n} r={r} p={p}")
    secret = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password)
    try:
        return nacl.secret.SecretBox(secret).decrypt(ciphertext, nonce)
    except (nacl.exceptions.CryptoError, ValueError):
        raise InputError(path, "wrong password for the cosign key (COSIGN_PASSWORD)") from None


def load_signing_key(path: Path, password: str | None) -> ec.EllipticCurvePrivateKey:
    """An ECDSA P-256 private key from PEM: PKCS#8/SEC1 (optionally encrypted) or cosign's."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    text = data.decode("ascii", errors="replace")
    secret = password.encode() if password is not None else None
    try:
        for label in _COSIGN_PEM_TYPES:
            body = _pem_body(text, label)
            if body is not None:
                der = _decrypt_cosign(path, body, secret or b"")
                key = serialization.load_der_private_key(der, password=None)
                break
        else:
            try:
                key = serialization.load_pem_private_key(data, password=secret)
            except TypeError:
                # encrypted without a password, or a password for an unencrypted key
                if secret is None:
                    raise InputError(
                        path, "the key is encrypted: set its password in COSIGN_PASSWORD"
                    ) from None
                key = serialization.load_pem_private_key(data, password=None)
    except ValueError as err:
        problem = str(err).splitlines()[0] if str(err) else "unreadable"
        raise InputError(path, f"not a usable PEM private key ({problem})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InputError(path, "only ECDSA P-256 keys are supported (cosign's default)")
    return key


# -- signing ---------------------------------------------------------------------------------


def key_bundle(data: bytes, key: ec.EllipticCurvePrivateKey) -> str:
    """A bundle v0.3 for ``data`` signed by ``key``, with no transparency log entry."""
    digest = hashlib.sha256(data).digest()
    signature = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    inner = _InnerBundle(
        media_type=Bundle.BundleType.BUNDLE_0_3.value,
        verification_material=VerificationMaterial(
            public_key=PublicKeyIdentifier(hint=key_id(key.public_key())),
            tlog_entries=[],
        ),
        message_signature=MessageSignature(
            message_digest=HashOutput(
                algorithm=HashAlgorithm.SHA2_256, digest=base64.b64encode(digest)
            ),
            signature=base64.b64encode(signature),
        ),
    )
    return inner.to_json()


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as err:
        raise InputError(file, f"cannot read ({err.strerror or err})") from None


def sign_with_key(
    files: list[Path], key: ec.EllipticCurvePrivateKey, output_dir: Path | None
) -> list[Signed]:
    return [Signed(f, bundle_path(f, output_dir), key_bundle(_read(f), key)) for f in files]


def sign_keyless(
    files: list[Path], token: str, config: ClientTrustConfig, output_dir: Path | None
) -> list[Signed]:
    """One certificate for the set; every file signed into memory, or SigningError."""
    signed: list[Signed] = []
    current: Path | None = None
    try:
        with keyless_signer(token, config) as signer:
            for file in files:
                current = file
                bundle = signer.sign_artifact(_read(file))
                signed.append(Signed(file, bundle_path(file, output_dir), bundle.to_json()))
    except (SigstoreError, ValueError) as err:
        where = f" {current}" if current else ""
        raise SigningError(f"signing{where} failed: {err}") from None
    return signed


def write_all(signed: list[Signed], output_dir: Path | None) -> list[Path]:
    """Write every bundle or none (see `sign.files.write_all_or_nothing`)."""
    items = [(item.target, item.bundle_json) for item in signed]
    return write_all_or_nothing(items, output_dir, "bundles")
