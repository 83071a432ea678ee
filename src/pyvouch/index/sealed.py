"""Cache entries sealed with the machine key: the one on-disk form of every authenticated
cache that stores a value by a key (verdicts, wheel manifests, parsed imports), and
`SealedCache`, the one opener and reader/writer such a cache is built on.

An entry is ``<root>/<key[:2]>/<key>.json`` holding ``{"value": TEXT, "mac": HEX}``, where the
MAC is `pyvouch.machine_key.mac` for the cache's purpose over ``KEY\\0VALUE``: an entry copied
under another key, made for another cache, or made with another machine's key is a miss.
Reads that fail for any reason are misses; writes that fail are ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self, TypeVar

from pyvouch.index.writes import BackgroundWrites, atomic_write
from pyvouch.machine_key import key_for_cache, mac, mac_matches

T = TypeVar("T")


def read_bytes(path: str) -> bytes:
    """The bytes of the file at ``path`` (``OSError`` when it cannot be read, as ``open``).

    ``os.open`` and ``os.read``: a warm scan reads two small entries per locked file, and the
    buffered file object ``open`` builds for each cost more than the read itself (~10 us of
    ~15 us a file)."""
    fd = os.open(path, os.O_RDONLY)  # not inherited by child processes (PEP 446)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def entry_path(root: Path, key: str) -> Path:
    return root / key[:2] / f"{key}.json"


def seal(secret: bytes, purpose: str, key: str, value: bytes) -> str:
    """The MAC of the entry ``value`` stored under ``key``."""
    return mac(secret, purpose, key.encode() + b"\0" + value)


def read_sealed(root: Path, secret: bytes, purpose: str, key: str) -> bytes | None:
    """The value stored under ``key`` when its seal verifies; else None."""
    found = read_sealed_for(root, secret, (purpose,), key)
    return None if found is None else found[1]


def read_sealed_for(
    root: Path, secret: bytes, purposes: tuple[str, ...], key: str
) -> tuple[str, bytes] | None:
    """The value stored under ``key`` and the first of ``purposes`` whose seal verifies it;
    else None. One read for a key under which entries of several purposes may be stored."""
    try:
        # A string path: pathlib's joins cost more than the read itself on a warm scan.
        entry = json.loads(read_bytes(f"{os.fspath(root)}/{key[:2]}/{key}.json"))
        value = entry["value"].encode()
        given = entry["mac"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    sealed = key.encode() + b"\0" + value
    for purpose in purposes:
        if mac_matches(secret, purpose, sealed, given):
            return purpose, bytes(value)
    return None


def read_decoded(
    root: Path, secret: bytes, purpose: str, key: str, decode: Callable[[bytes], T]
) -> T | None:
    """``decode`` of the value stored under ``key`` when its seal verifies; None when it does
    not, or when ``decode`` refuses it (ValueError and the like: an entry of another layout)."""
    value = read_sealed(root, secret, purpose, key)
    if value is None:
        return None
    try:
        return decode(value)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def write_sealed(
    root: Path,
    secret: bytes,
    purpose: str,
    key: str,
    value: bytes,
    writes: BackgroundWrites | None = None,
) -> None:
    """Store ``value`` under ``key``, sealed; on ``writes``' threads when given."""
    data = json.dumps({"value": value.decode(), "mac": seal(secret, purpose, key, value)}).encode()
    path = entry_path(root, key)
    if writes is not None:
        writes.submit(lambda: atomic_write(path, data))
        return
    with contextlib.suppress(OSError):
        atomic_write(path, data)


def blob_path(root: Path, key: str) -> Path:
    return root / key[:2] / f"{key}.sealed"


def read_sealed_blob(root: Path, secret: bytes, purpose: str, key: str) -> bytes | None:
    """A large value stored by `write_sealed_blob` when its seal verifies; else None.

    The same MAC as `read_sealed` (purpose, ``KEY\\0VALUE``), but the value is kept as its own
    bytes after one line holding the MAC, so a large JSON value is not decoded twice."""
    try:
        data = blob_path(root, key).read_bytes()
    except OSError:
        return None
    given, newline, value = data.partition(b"\n")
    if not newline:
        return None
    if not mac_matches(
        secret, purpose, key.encode() + b"\0" + value, given.decode("ascii", "replace")
    ):
        return None
    return value


def write_sealed_blob(root: Path, secret: bytes, purpose: str, key: str, value: bytes) -> None:
    """Store a large ``value`` under ``key``, sealed (failures are ignored)."""
    data = seal(secret, purpose, key, value).encode() + b"\n" + value
    with contextlib.suppress(OSError):
        atomic_write(blob_path(root, key), data)


@dataclass(frozen=True)
class SealedCache:
    """Entries under ``root`` (``<cache dir>/LAYOUT``), sealed with ``secret`` for ``PURPOSE``.

    A subclass names its ``LAYOUT`` and ``PURPOSE`` and turns its values into bytes and back.
    Reads that fail for any reason are misses; writes that fail are ignored."""

    LAYOUT: ClassVar[str]
    PURPOSE: ClassVar[str]

    root: Path
    secret: bytes
    writes: BackgroundWrites | None = None
    """When given, entries are written on its threads (its owner flushes it)."""

    @classmethod
    def open(
        cls, cache_dir: Path, key_dir: Path | None = None, writes: BackgroundWrites | None = None
    ) -> Self | None:
        """The cache in ``cache_dir`` with the key in ``key_dir`` (default: the data dir); None
        when there is no key (or it lies inside ``cache_dir``, see
        `pyvouch.machine_key.key_for_cache`)."""
        secret = key_for_cache(cache_dir, key_dir)
        return None if secret is None else cls(cache_dir / cls.LAYOUT, secret, writes)

    def _mac(self, key: str, value: bytes) -> str:
        return seal(self.secret, self.PURPOSE, key, value)

    def read(self, key: str) -> bytes | None:
        """The value stored under ``key`` when its seal verifies; else None."""
        return read_sealed(self.root, self.secret, self.PURPOSE, key)

    def decoded(self, key: str, decode: Callable[[bytes], T]) -> T | None:
        """``decode`` of the value under ``key`` when its seal verifies and ``decode`` takes it
        (`read_decoded`); else None."""
        return read_decoded(self.root, self.secret, self.PURPOSE, key, decode)

    def write(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``, sealed (on ``writes``' threads when given)."""
        write_sealed(self.root, self.secret, self.PURPOSE, key, value, self.writes)
