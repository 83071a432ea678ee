"""The machine secret that authenticates everything pyvouch caches (verdicts, and the index
cache's provenance, pages and route hints).

It lives in pyvouch's data directory, never in the cache directory: a cache restored from
elsewhere (a CI cache written by an untrusted branch) cannot carry valid MACs, so its entries
are ignored and fetched or verified again. A data directory inside the cache directory would
travel with it, so `key_for_cache` then gives no key at all (and nothing is cached).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

import platformdirs

DATA_ENV = "PYVOUCH_DATA_DIR"
KEY_FILE = "verdict.key"
KEY_BYTES = 32


def data_dir() -> Path:
    """``$PYVOUCH_DATA_DIR``, else pyvouch's own platform data dir (never sigstore-python's)."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("pyvouch", appauthor=False))


def load_or_create_key(directory: Path) -> bytes | None:
    """The machine secret in ``directory/verdict.key``, created (0600) if absent; None when it
    cannot be read or created, or is not exactly `KEY_BYTES` long (caching is then off)."""
    path = directory / KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{KEY_FILE}.")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
            # link() never replaces: if another process made the key first, theirs wins and
            # both read the same one.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        return _read_key(path)
    except OSError:
        return None


def key_for_cache(cache_dir: Path, directory: Path | None = None) -> bytes | None:
    """The machine secret (from ``directory``, default `data_dir`) for entries under
    ``cache_dir``; None when there is none, or when the key's directory lies inside
    ``cache_dir`` (whoever restores that cache would bring the key along)."""
    directory = data_dir() if directory is None else directory
    if _inside(directory, cache_dir):
        return None
    return load_or_create_key(directory)


def _inside(path: Path, parent: Path) -> bool:
    try:
        return path.resolve().is_relative_to(parent.resolve())
    except (OSError, RuntimeError, ValueError):
        return True  # cannot tell: assume the worst


def _read_key(path: Path) -> bytes | None:
    data = path.read_bytes()
    return data if len(data) == KEY_BYTES else None


def mac(secret: bytes, purpose: str, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` for one ``purpose`` (so a MAC made for one kind of entry is
    never valid for another)."""
    return hmac.new(secret, purpose.encode() + b"\0" + message, hashlib.sha256).hexdigest()


def mac_matches(secret: bytes, purpose: str, message: bytes, given: object) -> bool:
    """Whether ``given`` is `mac` of ``message`` for ``purpose`` (compared in constant time;
    anything but a string is no MAC)."""
    return isinstance(given, str) and hmac.compare_digest(mac(secret, purpose, message), given)
