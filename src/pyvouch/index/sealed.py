"""Cache entries sealed with the machine key: the one on-disk form of every authenticated
cache that stores a value by a key (verdicts, wheel manifests).

An entry is ``<root>/<key[:2]>/<key>.json`` holding ``{"value": TEXT, "mac": HEX}``, where the
MAC is `pyvouch.machine_key.mac` for the cache's purpose over ``KEY\\0VALUE``: an entry copied
under another key, made for another cache, or made with another machine's key is a miss.
Reads that fail for any reason are misses; writes that fail are ignored.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pyvouch.index.writes import BackgroundWrites, atomic_write
from pyvouch.machine_key import mac, mac_matches

T = TypeVar("T")


def entry_path(root: Path, key: str) -> Path:
    return root / key[:2] / f"{key}.json"


def seal(secret: bytes, purpose: str, key: str, value: bytes) -> str:
    """The MAC of the entry ``value`` stored under ``key``."""
    return mac(secret, purpose, key.encode() + b"\0" + value)


def read_sealed(root: Path, secret: bytes, purpose: str, key: str) -> bytes | None:
    """The value stored under ``key`` when its seal verifies; else None."""
    try:
        entry = json.loads(entry_path(root, key).read_bytes())
        value = entry["value"].encode()
        given = entry["mac"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    if not mac_matches(secret, purpose, key.encode() + b"\0" + value, given):
        return None
    return bytes(value)


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
        made = writes.made
        writes.submit(lambda: atomic_write(path, data, made))
        return
    with contextlib.suppress(OSError):
        atomic_write(path, data)
