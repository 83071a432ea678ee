"""A Rekor-v1-like transparency log: a real RFC 6962 Merkle tree, SETs and signed checkpoints.

Entries are canonicalized the way Rekor canonicalizes ``dsse`` and ``hashedrekord`` 0.0.1
proposals. Each integrated entry comes back (as from ``POST /api/v1/log/entries``) with an
inclusion promise (SET: the log key's signature over the RFC 8785 JSON of body, integratedTime,
logID and logIndex) and an inclusion proof for the tree that includes it, with a checkpoint in
the signed-note format (``origin\\nsize\\nroot\\n\\n— name base64(keyhint || sig)\\n``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from pyvouch.testing.ca import key_id


class LogError(ValueError):
    """A proposed entry Rekor would refuse (HTTP 400)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only RFC 6962 tree over leaf hashes, with audit paths."""

    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self._cache: dict[tuple[int, int], bytes] = {}

    def append(self, data: bytes) -> int:
        self.leaves.append(leaf_hash(data))
        return len(self.leaves) - 1

    def root(self, size: int | None = None) -> bytes:
        size = len(self.leaves) if size is None else size
        if size == 0:
            return hashlib.sha256(b"").digest()
        return self._hash(0, size)

    def _hash(self, start: int, size: int) -> bytes:
        if size == 1:
            return self.leaves[start]
        perfect = size & (size - 1) == 0
        if perfect and (start, size) in self._cache:
            return self._cache[(start, size)]
        k = _split(size)
        value = node_hash(self._hash(start, k), self._hash(start + k, size - k))
        if perfect:  # complete subtrees never change: cache them
            self._cache[(start, size)] = value
        return value

    def inclusion_path(self, index: int, size: int) -> list[bytes]:
        """RFC 6962 PATH(index, D[0:size]), leaf level first."""
        path: list[bytes] = []
        start = 0
        while size > 1:
            k = _split(size)
            if index < k:
                path.append(self._hash(start + k, size - k))
                size = k
            else:
                path.append(self._hash(start, k))
                start, index, size = start + k, index - k, size - k
        path.reverse()
        return path


def _pem_b64(cert_or_key_pem_b64: str) -> bytes:
    return base64.b64decode(cert_or_key_pem_b64, validate=True)


def _verifier_key(pem_b64: str) -> ec.EllipticCurvePublicKey:
    pem = _pem_b64(pem_b64)
    try:
        key = x509.load_pem_x509_certificate(pem).public_key()
    except ValueError:
        key = serialization.load_pem_public_key(pem)  # type: ignore[assignment]
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise LogError("only ECDSA verifiers are supported by this test log")
    return key


def _pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def canonicalize(proposed: dict[str, Any]) -> bytes:
    """The canonical entry body Rekor would store for a proposed dsse/hashedrekord entry.

    Signatures are checked, as Rekor checks them; a bad one raises ``LogError``.
    """
    kind = proposed.get("kind")
    spec = proposed.get("spec") or {}
    if proposed.get("apiVersion") != "0.0.1":
        raise LogError(f"unsupported apiVersion {proposed.get('apiVersion')!r}")
    try:
        if kind == "dsse":
            content = spec["proposedContent"]
            envelope_text: str = content["envelope"]
            envelope = json.loads(envelope_text)
            payload = base64.b64decode(envelope["payload"])
            verifiers = content["verifiers"]
            signatures = []
            for sig in envelope["signatures"]:
                raw_sig = base64.b64decode(sig["sig"])
                for verifier in verifiers:
                    try:
                        _verifier_key(verifier).verify(
                            raw_sig,
                            _pae(envelope["payloadType"], payload),
                            ec.ECDSA(hashes.SHA256()),
                        )
                    except InvalidSignature:
                        continue
                    signatures.append({"signature": sig["sig"], "verifier": verifier})
                    break
                else:
                    raise LogError("dsse: signature does not verify with any verifier")
            body: dict[str, Any] = {
                "apiVersion": "0.0.1",
                "kind": "dsse",
                "spec": {
                    "envelopeHash": {
                        "algorithm": "sha256",
                        "value": hashlib.sha256(rfc8785.dumps(envelope)).hexdigest(),
                    },
                    "payloadHash": {
                        "algorithm": "sha256",
                        "value": hashlib.sha256(payload).hexdigest(),
                    },
                    "signatures": sorted(signatures, key=lambda s: s["signature"]),
                },
            }
        elif kind == "hashedrekord":
            digest_hex = spec["data"]["hash"]["value"]
            if spec["data"]["hash"]["algorithm"] != "sha256":
                raise LogError("hashedrekord: only sha256 is supported")
            signature = spec["signature"]["content"]
            verifier = spec["signature"]["publicKey"]["content"]
            try:
                _verifier_key(verifier).verify(
                    base64.b64decode(signature),
                    bytes.fromhex(digest_hex),
                    ec.ECDSA(Prehashed(hashes.SHA256())),
                )
            except InvalidSignature as err:
                raise LogError("hashedrekord: signature does not verify") from err
            body = {
                "apiVersion": "0.0.1",
                "kind": "hashedrekord",
                "spec": {
                    "data": {"hash": {"algorithm": "sha256", "value": digest_hex}},
                    "signature": {"content": signature, "publicKey": {"content": verifier}},
                },
            }
        else:
            raise LogError(f"unsupported entry kind {kind!r}")
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, LogError):
            raise
        raise LogError(f"malformed {kind} entry: {err}") from err
    return bytes(rfc8785.dumps(body))


@dataclass
class LoggedEntry:
    index: int
    body: bytes
    integrated_time: int


class TransparencyLog:
    """The log: append canonical bodies, answer with Rekor v1 ``LogEntry`` JSON."""

    def __init__(
        self,
        key: ec.EllipticCurvePrivateKey | None = None,
        *,
        origin: str = "pyvouch-test-log",
        tree_id: int = 1,
    ) -> None:
        self.key = key or ec.generate_private_key(ec.SECP256R1())
        self.log_id = key_id(self.key.public_key())
        self.origin = origin
        self.tree_id = tree_id
        self.tree = MerkleTree()
        self.entries: list[LoggedEntry] = []
        self._lock = threading.Lock()

    def append(self, body: bytes, *, integrated_time: int | None = None) -> LoggedEntry:
        with self._lock:
            index = self.tree.append(body)
            entry = LoggedEntry(index, body, integrated_time or int(time.time()))
            self.entries.append(entry)
            return entry

    def uuid(self, entry: LoggedEntry) -> str:
        return leaf_hash(entry.body).hex()

    def signed_entry_timestamp(self, entry: LoggedEntry) -> bytes:
        payload: dict[str, str | int] = {
            "body": base64.b64encode(entry.body).decode(),
            "integratedTime": entry.integrated_time,
            "logID": self.log_id.hex(),
            "logIndex": entry.index,
        }
        return self.key.sign(rfc8785.dumps(payload), ec.ECDSA(hashes.SHA256()))

    def checkpoint(self, size: int, *, key: ec.EllipticCurvePrivateKey | None = None) -> str:
        """A signed note for the tree head at ``size`` (signed by ``key``, default the log's)."""
        signer = key or self.key
        root = self.tree.root(size)
        note = f"{self.origin} - {self.tree_id}\n{size}\n{base64.b64encode(root).decode()}\n"
        signature = signer.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
        hint = key_id(signer.public_key())[:4]
        name = self.origin.split()[0]
        return f"{note}\n\u2014 {name} {base64.b64encode(hint + signature).decode()}\n"

    def response(
        self,
        entry: LoggedEntry,
        *,
        tree_size: int | None = None,
        checkpoint_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> dict[str, Any]:
        """``{uuid: LogEntry}`` as Rekor v1 returns it, proof against ``tree_size``."""
        with self._lock:
            size = tree_size or len(self.tree.leaves)
            hashes_ = self.tree.inclusion_path(entry.index, size)
            root = self.tree.root(size)
            checkpoint = self.checkpoint(size, key=checkpoint_key)
        return {
            self.uuid(entry): {
                "body": base64.b64encode(entry.body).decode(),
                "integratedTime": entry.integrated_time,
                "logID": self.log_id.hex(),
                "logIndex": entry.index,
                "verification": {
                    "inclusionProof": {
                        "checkpoint": checkpoint,
                        "hashes": [h.hex() for h in hashes_],
                        "logIndex": entry.index,
                        "rootHash": root.hex(),
                        "treeSize": size,
                    },
                    "signedEntryTimestamp": base64.b64encode(
                        self.signed_entry_timestamp(entry)
                    ).decode(),
                },
            }
        }

    def info(self) -> dict[str, Any]:
        with self._lock:
            size = len(self.tree.leaves)
            return {
                "rootHash": self.tree.root(size).hex(),
                "treeSize": size,
                "signedTreeHead": self.checkpoint(size),
                "treeID": str(self.tree_id),
            }
