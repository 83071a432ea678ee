"""File digests as sources record them and indexes list them.

An algorithm is named as `hashlib` names it (``sha256``, ``sha384``, ``sha512``, ``sha3_256``,
``blake2b``, ``md5``...); the spellings of CycloneDX (``SHA-512``, ``SHA3-256``,
``BLAKE2b-256``) and PyPI's JSON API (``blake2b_256``) are read as those names. A digest is
lowercase hex, checked against the algorithm's length when pyvouch knows the algorithm.

What a digest proves: a PEP 740 attestation's subject is a sha256 digest, so only a sha256
digest ties a file to what was signed. A digest in another algorithm names the same bytes only
where pyvouch computed both from the bytes (`compute`); an index that lists a sha512 beside a
sha256 merely says so. See docs/sources.md ("Digests").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Protocol

SHA256 = "sha256"

Digests = tuple[tuple[str, str], ...]
"""``((algorithm, lowercase hex), ...)`` sorted by algorithm: hashable, for frozen models."""

_ALIASES: dict[str, str] = {
    "sha-1": "sha1",
    "sha-224": "sha224",
    "sha-256": "sha256",
    "sha-384": "sha384",
    "sha-512": "sha512",
    "sha3-224": "sha3_224",
    "sha3-256": "sha3_256",
    "sha3-384": "sha3_384",
    "sha3-512": "sha3_512",
    "blake2b-512": "blake2b",
    "blake2b_512": "blake2b",
    "blake2b-256": "blake2b_256",
    "blake2b-384": "blake2b_384",
    "blake2s-256": "blake2s",
    "blake2s_256": "blake2s",
}
_BLAKE2B_SIZES = {"blake2b_256": 32, "blake2b_384": 48}
_VARIABLE = frozenset({"shake_128", "shake_256"})
"""hashlib names whose digest length the caller chooses: not a file digest pyvouch computes."""
_HEX = re.compile(r"[0-9a-f]+")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_.-]{1,1024}")
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
WEAK = frozenset({"md5", "sha1", "md5-sha1"})


class _Hasher(Protocol):
    @property
    def digest_size(self) -> int: ...
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


class DigestError(ValueError):
    """A digest or algorithm name that cannot be one. The message is one short line."""


def algorithm_name(raw: str) -> str:
    """``"SHA-512"`` -> ``"sha512"``; an unknown name is kept (lower case) if it looks like
    one, so a lock that names it is reported, not misread."""
    name = raw.strip().lower()
    name = _ALIASES.get(name, name)
    if not _NAME.fullmatch(name):
        raise DigestError(f"{raw[:40]!r} is not a hash algorithm name")
    return name


def _new(algorithm: str) -> _Hasher | None:
    if algorithm in _BLAKE2B_SIZES:
        return hashlib.blake2b(digest_size=_BLAKE2B_SIZES[algorithm])
    if algorithm in _VARIABLE or algorithm not in hashlib.algorithms_available:
        return None
    try:
        return hashlib.new(algorithm)
    except ValueError:  # listed but refused (e.g. a FIPS build refusing md5)
        return None


def known(algorithm: str) -> bool:
    """Whether pyvouch can compute ``algorithm`` (and so check a digest in it)."""
    return _new(algorithm) is not None


def check_digest(algorithm: str, value: str) -> str:
    """``value`` as lowercase hex, checked against ``algorithm``'s length when it is known.

    A digest in an algorithm pyvouch does not know is kept as written (trimmed), so it can be
    reported as one pyvouch could not check."""
    text = value.strip()
    hasher = _new(algorithm)
    if hasher is None:
        if not _TOKEN.fullmatch(text):
            raise DigestError(f"{algorithm} digest {text[:40]!r} is malformed")
        return text.lower()
    hexed = text.lower()
    size = hasher.digest_size * 2
    if not _HEX.fullmatch(hexed):
        raise DigestError(f"not a {algorithm} digest (not hex): {text[:40]!r}")
    if len(hexed) != size:
        raise DigestError(
            f"not a {algorithm} digest ({len(hexed)} hex digits, expected {size}): {text[:40]!r}"
        )
    return hexed


def parse_pair(algorithm: str, value: str) -> tuple[str, str]:
    """``("SHA-512", "ABC...")`` -> ``("sha512", "abc...")``, checked."""
    name = algorithm_name(algorithm)
    return name, check_digest(name, value)


def parse_spec(text: str) -> tuple[str, str]:
    """``"sha512:abc..."`` or ``"sha512=abc..."`` -> ``("sha512", "abc...")``, checked."""
    algorithm, sep, value = text.partition(":")
    if not sep:
        algorithm, sep, value = text.partition("=")
    if not sep or not algorithm.strip() or not value.strip():
        raise DigestError(f"hash {text[:80]!r} is not of the form ALGORITHM:DIGEST")
    return parse_pair(algorithm, value)


def sorted_digests(pairs: Iterable[tuple[str, str]]) -> Digests:
    """One entry per algorithm, sorted. Two different values for one algorithm are an error
    (one file has one digest per algorithm)."""
    out: dict[str, str] = {}
    for algorithm, value in pairs:
        if out.setdefault(algorithm, value) != value:
            raise DigestError(f"two different {algorithm} digests for one file")
    return tuple(sorted(out.items()))


def split_sha256(pairs: Iterable[tuple[str, str]]) -> tuple[str | None, Digests]:
    """The sha256 digest (or None) and the others, as `FileRef` keeps them."""
    digests = sorted_digests(pairs)
    sha256 = dict(digests).get(SHA256)
    return sha256, tuple((a, v) for a, v in digests if a != SHA256)


def compute(data: bytes, algorithms: Iterable[str]) -> dict[str, str]:
    """The digests of ``data`` in each algorithm pyvouch knows (unknown ones are left out)."""
    out: dict[str, str] = {}
    for algorithm in algorithms:
        hasher = _new(algorithm)
        if hasher is not None:
            hasher.update(data)
            out[algorithm] = hasher.hexdigest()
    return out


def disagreements(recorded: Mapping[str, str], listed: Mapping[str, str]) -> list[str]:
    """``"sha512 abc... (lock) vs def... (index)"`` for each shared algorithm that differs."""
    return [
        f"{algorithm} {short(recorded[algorithm])} vs {short(listed[algorithm])}"
        for algorithm in sorted(recorded.keys() & listed.keys())
        if recorded[algorithm] != listed[algorithm]
    ]


def short(value: str) -> str:
    """A digest shortened for a message (enough to tell two apart)."""
    return value if len(value) <= 16 else f"{value[:16]}…"


def describe(digests: Iterable[tuple[str, str]]) -> str:
    """``sha512 abcd…, md5 0123…``."""
    return ", ".join(f"{a} {short(v)}" for a, v in digests)
