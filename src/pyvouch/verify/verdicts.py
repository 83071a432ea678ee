"""The verdict cache: what verifying a file's provenance concluded, kept so a warm scan need not
verify it again, and so that nobody who can write the cache directory can forge a verdict.

A verdict is a deterministic function of its inputs: the pyvouch version, the trust root's
bytes (and the sentence naming it, which failure reasons quote), the file's name and sha256,
the provenance body and the URL it came from (quoted by reasons too). The key is a sha256 over
all of them; good and bad outcomes alike are cached. Answers that carry no provenance ("none
published", "not served", errors) are never cached: they can change.

Every entry carries an HMAC-SHA256 over its key and value, made with a secret kept OUTSIDE the
cache directory (``verdict.key`` in pyvouch's data dir, ``$PYVOUCH_DATA_DIR`` or platformdirs'
``user_data_dir``; 32 random bytes, mode 0600). A cache directory restored from somewhere
untrusted (a CI cache written by another branch) therefore cannot make anything verified: an
entry whose MAC does not check, that cannot be read or parsed, or any entry at all when the key
is missing or unreadable, is a miss, and the file is verified again. A new machine (a new key)
simply verifies everything once. Anyone who can read the key and write the cache can forge
verdicts; that is the same person who could replace pyvouch itself.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from pyvouch import __version__
from pyvouch.index.sealed import SealedCache
from pyvouch.model import (
    PUBLISHER_FIELDS,
    AttestationInfo,
    Finding,
    Publisher,
    SignatureKind,
    Status,
)
from pyvouch.verify.dist import DistFile

LAYOUT = "verdicts-v1"
_CACHEABLE = frozenset({Status.VERIFIED, Status.INVALID, Status.MISMATCH, Status.UNATTESTED})

_MAC_PURPOSE = "pyvouch-verdict-mac/1"
"""Entries are sealed (`pyvouch.index.sealed`) for this purpose."""


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# What decides a verdict besides its inputs: the libraries that do the cryptography, and
# pyvouch's own checks. A verdict computed by an older sigstore (or an older pyvouch check)
# must not outlive an upgrade that fixes it, so both are part of every key.
_VERIFYING_PACKAGES = ("sigstore", "pypi-attestations", "cryptography", "sigstore-models")
_VERIFYING_MODULES = ("attestations", "identity", "load", "lookup", "verdicts")


@functools.cache
def implementation_fingerprint() -> bytes:
    """sha256 over the versions of the verifying libraries and the source of pyvouch's own
    verification modules (read from disk: nothing is imported)."""
    digest = hashlib.sha256()
    for package in _VERIFYING_PACKAGES:
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{package}={version}\0".encode())
    here = Path(__file__).resolve().parent
    for module in _VERIFYING_MODULES:
        try:
            digest.update((here / f"{module}.py").read_bytes())
        except OSError:
            digest.update(f"{module}: unreadable".encode())
    return digest.hexdigest().encode()


def verdict_key(
    *,
    trust_root_sha256: str,
    trust_root_source: str,
    dist: DistFile,
    provenance: bytes | None,
    provenance_url: str | None,
    provenance_sha256: str | None = None,
) -> str:
    """The key of one verdict: a sha256 over every input the finding depends on.

    The provenance enters by its sha256: ``provenance`` (the body), or, when the body is not
    read, ``provenance_sha256`` (its hex digest, as a sealed cache entry vouches for it; see
    `pyvouch.index.cache.IndexCache.get_provenance_entry`). Both give the same key."""
    if provenance is not None:
        provenance_digest = _h(provenance)
    elif provenance_sha256 is not None:
        provenance_digest = bytes.fromhex(provenance_sha256)
    else:
        raise ValueError("a verdict key needs the provenance or its sha256")
    parts = [
        b"pyvouch-verdict/1",
        __version__.encode(),
        implementation_fingerprint(),
        trust_root_sha256.encode(),
        _h(trust_root_source.encode()),
        dist.sha256.lower().encode(),
        provenance_digest,
        _h(dist.filename.encode()),
        _h((provenance_url or "").encode()),
    ]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


# ---- the Finding as JSON -----------------------------------------------------------------


def _publisher(obj: Any) -> Publisher | None:
    if obj is None:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str):
        raise ValueError("publisher")
    if set(obj) - set(PUBLISHER_FIELDS) or not all(isinstance(v, str) for v in obj.values()):
        raise ValueError("publisher fields")
    return Publisher(**obj)


def _str(obj: Any) -> str | None:
    if obj is None or isinstance(obj, str):
        return obj
    raise ValueError("expected a string")


def _int(obj: Any) -> int | None:
    if obj is None or (isinstance(obj, int) and not isinstance(obj, bool)):
        return obj
    raise ValueError("expected an integer")


def encode_finding(finding: Finding) -> bytes:
    """The finding's verdict as stored (`Finding.to_dict`; whether an identity was checked is
    not stored: only unchecked verdicts are, see `VerdictCache.put`)."""
    value = finding.to_dict()
    del value["identity_checked"]
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def decode_finding(data: bytes, dist: DistFile) -> Finding:
    """The finding ``encode_finding`` wrote, for ``dist``; ValueError if it is not one."""
    obj = json.loads(data)
    if not isinstance(obj, dict) or not isinstance(obj.get("reason"), str):
        raise ValueError("not a verdict")
    status = Status(str(obj.get("status")))
    if status not in _CACHEABLE:
        raise ValueError("status")
    infos = []
    attestations = obj.get("attestations")
    if not isinstance(attestations, list):
        raise ValueError("attestations")
    for item in attestations:
        if not isinstance(item, dict) or not isinstance(item.get("verified"), bool):
            raise ValueError("attestation")
        infos.append(
            AttestationInfo(
                predicate_type=_str(item.get("predicate_type")),
                publisher=_publisher(item.get("publisher")),
                log_index=_int(item.get("log_index")),
                integrated_time=_int(item.get("integrated_time")),
                verified=item["verified"],
                error=_str(item.get("error")),
            )
        )
    return Finding(
        dist.ref(),
        status,
        obj["reason"],
        publisher=_publisher(obj.get("publisher")),
        attestations=tuple(infos),
        identity_checked=False,
        signature_kind=_kind(obj.get("signature_kind")),
    )


_KINDS = {k.value: k for k in SignatureKind}


def _kind(value: Any) -> SignatureKind | None:
    return _KINDS.get(value) if isinstance(value, str) else None


# ---- storage -------------------------------------------------------------------------------


class VerdictCache(SealedCache):
    """Verdicts under ``root`` (``<cache dir>/verdicts-v1``), authenticated with ``secret``.

    Reads that fail for any reason are misses; writes that fail are ignored."""

    LAYOUT = LAYOUT
    PURPOSE = _MAC_PURPOSE

    def get(self, key: str, dist: DistFile) -> Finding | None:
        return self.decoded(key, lambda value: decode_finding(value, dist))

    def put(self, key: str, finding: Finding) -> None:
        if finding.status in _CACHEABLE and not finding.identity_checked:
            self.write(key, encode_finding(finding))
