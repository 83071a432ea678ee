"""Signatures beside a file on an index: ``URL.sigstore.json`` (a Sigstore bundle) and
``URL.sig`` + ``URL.crt`` (cosign's classic detached signature and certificate).

Private registries without PEP 740 (pypiserver, devpi, Artifactory, Nexus, a static site
`pyvouch index build` wrote) serve them as plain files next to each distribution. This module
only fetches them, with the same transport as everything else (retries, size limits) and two
rules of its own:

- a signature answered from **another host** (a redirect) is refused: it is not beside the
  file any more (`BesideFile.problem` says so);
- a body is kept only when it can be what it claims: a bundle must be a JSON object; ``.sig``
  must be base64 text (an HTML error page served with 200 is not), ``.crt`` PEM or base64 PEM.

Signatures are cached as provenance is (`pyvouch.index.sealed`, bound to the index, the file's
digest and URL, under a purpose of their own), and only once they verified (the pipeline calls
`SignatureCache.put`): a planted entry is a miss, never a signature.

Nothing here judges a signature; `pyvouch.verify.beside` does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyvouch.index.cache import IndexCache
from pyvouch.index.sealed import read_sealed, read_sealed_for, write_sealed
from pyvouch.index.simple import strip_credentials
from pyvouch.index.transport import FetchError, Transport
from pyvouch.index.writes import BackgroundWrites
from pyvouch.limits import MAX_BESIDE_BUNDLE_BYTES, MAX_BESIDE_SIGNATURE_BYTES
from pyvouch.urls import split_url

BUNDLE_SUFFIX = ".sigstore.json"
SIG_SUFFIX = ".sig"
CRT_SUFFIX = ".crt"
_ACCEPT = "application/json, application/octet-stream;q=0.9, text/plain;q=0.9, */*;q=0.1"
_PURPOSE = "index-v2/signatures"
_ABSENT_PURPOSE = "index-v2/signatures-absent"
NO_SIGNATURE_HOSTS = frozenset({"pypi.org", "test.pypi.org", "files.pythonhosted.org"})
"""PyPI accepts distributions only: nothing can sit beside a file there, so nothing is asked."""


@dataclass(frozen=True, slots=True)
class BesideFile:
    """One signature file asked for: its body when served and usable, else why not."""

    url: str
    body: bytes | None = None
    problem: str | None = None
    """Why a served answer is not used (another host, too large, not a signature, an error)."""
    unanswered: bool = False
    """The index did not answer (after retries, or an unexpected HTTP status): nobody can
    tell whether a signature is there."""


@dataclass(frozen=True, slots=True)
class BesideSignatures:
    """What sits beside one file: a bundle, or a detached signature (and its certificate)."""

    file_url: str
    bundle: BesideFile | None = None
    sig: BesideFile | None = None
    crt: BesideFile | None = None
    warnings: tuple[str, ...] = field(default=())
    from_cache: bool = False
    offline_miss: bool = False
    """Offline, and no signature that verified earlier is cached for this file."""

    @property
    def found(self) -> bool:
        """Whether anything was served (usable or not) beside the file."""
        return any(f is not None for f in (self.bundle, self.sig, self.crt))

    def to_json(self) -> bytes:
        def one(f: BesideFile | None) -> dict[str, Any] | None:
            if f is None or f.body is None:
                return None
            return {"url": f.url, "body": base64.b64encode(f.body).decode()}

        return json.dumps(
            {
                "file_url": self.file_url,
                "bundle": one(self.bundle),
                "sig": one(self.sig),
                "crt": one(self.crt),
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> BesideSignatures | None:
        try:
            obj = json.loads(data)

            def one(value: Any) -> BesideFile | None:
                if value is None:
                    return None
                return BesideFile(str(value["url"]), base64.b64decode(value["body"]))

            return cls(
                str(obj["file_url"]),
                one(obj["bundle"]),
                one(obj["sig"]),
                one(obj["crt"]),
                from_cache=True,
            )
        except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):
            return None


def looks_up_signatures(file_url: str) -> bool:
    """Whether signatures may sit beside ``file_url`` (not on PyPI, which has none)."""
    parts = split_url(file_url)
    host = (parts.hostname or "").lower() if parts is not None else ""
    return host not in NO_SIGNATURE_HOSTS


def _usable_bundle(body: bytes) -> str | None:
    try:
        obj = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not JSON, so not a Sigstore bundle"
    if not isinstance(obj, dict) or "mediaType" not in obj:
        return "JSON, but not a Sigstore bundle (no mediaType)"
    return None


def decode_sig(body: bytes) -> bytes | None:
    """cosign's ``.sig``: the signature's bytes from its base64 text, or None."""
    try:
        text = body.decode("ascii").strip()
        return base64.b64decode(text, validate=True) if text else None
    except (UnicodeDecodeError, binascii.Error, ValueError):
        return None


def decode_crt(body: bytes) -> bytes | None:
    """cosign's ``.crt``: PEM, or base64 of PEM (older cosign); the PEM bytes, or None."""
    text = body.strip()
    if text.startswith(b"-----BEGIN CERTIFICATE-----"):
        return text
    decoded = decode_sig(body)
    if decoded is not None and decoded.strip().startswith(b"-----BEGIN CERTIFICATE-----"):
        return decoded.strip()
    return None


def _usable(suffix: str, body: bytes) -> str | None:
    if suffix == BUNDLE_SUFFIX:
        return _usable_bundle(body)
    if suffix == SIG_SUFFIX:
        if decode_sig(body) is None:
            return "not a base64 signature (an error page served as the signature?)"
        return None
    return None if decode_crt(body) is not None else "not a PEM certificate"


class BesideFetcher:
    """Asks one file's neighbours, through the index client's transport."""

    def __init__(self, http: Callable[[], Transport], scrub: Callable[[str], str]) -> None:
        self._http = http
        self._scrub = scrub

    async def _get(self, url: str, suffix: str) -> tuple[BesideFile | None, tuple[str, ...]]:
        limit = MAX_BESIDE_BUNDLE_BYTES if suffix == BUNDLE_SUFFIX else MAX_BESIDE_SIGNATURE_BYTES
        shown = strip_credentials(url)
        try:
            resp = await self._http().get(url, accept=_ACCEPT, limit=limit, kind="signature")
        except FetchError as err:
            # Over the size limit is a served answer refused; anything else is no answer.
            refused = "too large" in err.reason or "exceeds the limit" in err.reason
            problem = self._scrub(err.reason)
            return BesideFile(shown, problem=problem, unanswered=not refused), err.warnings
        if resp.status in (404, 410):
            return None, ()
        warnings = tuple(self._scrub(w) for w in resp.warnings)
        if resp.status != 200:
            problem = f"{shown}: HTTP {resp.status}"
            return BesideFile(shown, problem=problem, unanswered=True), warnings
        if warnings:
            return (
                BesideFile(
                    shown,
                    problem=f"{shown} was answered from another host ({'; '.join(warnings)}); "
                    "a signature is read only from beside its file",
                ),
                warnings,
            )
        unusable = _usable(suffix, resp.body)
        if unusable is not None:
            return BesideFile(shown, problem=f"{shown}: {unusable}"), warnings
        return BesideFile(shown, body=resp.body), warnings

    async def fetch(self, file_url: str) -> BesideSignatures:
        """The bundle beside ``file_url``; when there is none, the ``.sig`` and ``.crt``."""
        shown = strip_credentials(file_url)
        bundle, warned = await self._get(file_url + BUNDLE_SUFFIX, BUNDLE_SUFFIX)
        if bundle is not None:
            return BesideSignatures(shown, bundle=bundle, warnings=warned)
        sig, sig_warned = await self._get(file_url + SIG_SUFFIX, SIG_SUFFIX)
        if sig is None:
            return BesideSignatures(shown, warnings=warned + sig_warned)
        crt, crt_warned = await self._get(file_url + CRT_SUFFIX, CRT_SUFFIX)
        return BesideSignatures(
            shown, sig=sig, crt=crt, warnings=tuple(dict.fromkeys(sig_warned + crt_warned))
        )


ABSENT_LIFETIME = 3600.0
"""Seconds a remembered "nothing beside this file" holds (never extended; ``--refresh``
ignores it). It can only keep a file at its PEP 740 status, never make it `verified`."""
_CLOCK_SLACK = 60.0


class SignatureCache:
    """Signatures that verified, sealed with the machine key and bound to the index, the
    file's digest and its URL (`pyvouch.index.sealed`); and, for `ABSENT_LIFETIME`, that
    nothing was beside a file (so warm scans do not ask again for every unsigned file)."""

    def __init__(
        self,
        root: Path,
        secret: bytes,
        writes: BackgroundWrites | None,
        *,
        refresh: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root / "signatures"
        self._secret = secret
        self._writes = writes
        self._refresh = refresh
        self._clock = clock

    def absent(self, index_url: str, sha256: str, file_url: str) -> bool:
        """Whether this machine saw nothing beside the file within `ABSENT_LIFETIME`."""
        if self._refresh:
            return False
        key = self._key(index_url, sha256, file_url)
        return self._fresh(read_sealed(self.root, self._secret, _ABSENT_PURPOSE, key))

    def _fresh(self, absent_value: bytes | None) -> bool:
        try:
            seen = float(json.loads(absent_value)["seen_at"]) if absent_value else None
        except (ValueError, KeyError, TypeError, RecursionError):
            return False
        now = self._clock()
        return seen is not None and now - ABSENT_LIFETIME < seen <= now + _CLOCK_SLACK

    def lookup(self, index_url: str, sha256: str, file_url: str) -> BesideSignatures | None:
        """`get`, else an empty `BesideSignatures` when `absent`, else None; in one read (a
        signature entry and a "nothing beside" entry share the key; each seal names its kind,
        so a planted or mislabelled entry is still a miss)."""
        key = self._key(index_url, sha256, file_url)
        purposes = (_PURPOSE,) if self._refresh else (_PURPOSE, _ABSENT_PURPOSE)
        found = read_sealed_for(self.root, self._secret, purposes, key)
        if found is None:
            return None
        purpose, value = found
        if purpose == _ABSENT_PURPOSE:
            return BesideSignatures(strip_credentials(file_url)) if self._fresh(value) else None
        signatures = BesideSignatures.from_json(value)
        if signatures is None or signatures.file_url != strip_credentials(file_url):
            return None
        return signatures

    def put_absent(self, index_url: str, sha256: str, file_url: str) -> None:
        key = self._key(index_url, sha256, file_url)
        value = json.dumps({"seen_at": self._clock()}).encode()
        write_sealed(self.root, self._secret, _ABSENT_PURPOSE, key, value, self._writes)

    @staticmethod
    def _key(index_url: str, sha256: str, file_url: str) -> str:
        parts = (strip_credentials(index_url), sha256.lower(), strip_credentials(file_url))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, index_url: str, sha256: str, file_url: str) -> BesideSignatures | None:
        key = self._key(index_url, sha256, file_url)
        value = read_sealed(self.root, self._secret, _PURPOSE, key)
        if value is None:
            return None
        found = BesideSignatures.from_json(value)
        if found is None or found.file_url != strip_credentials(file_url):
            return None
        return found

    def put(self, index_url: str, sha256: str, found: BesideSignatures) -> None:
        key = self._key(index_url, sha256, found.file_url)
        write_sealed(self.root, self._secret, _PURPOSE, key, found.to_json(), self._writes)


class BesideLookup:
    """One index's signatures beside files: the sealed cache first (a signature that verified,
    or "nothing there" seen within `ABSENT_LIFETIME`), then the index (never offline)."""

    def __init__(
        self,
        index_url: str,
        fetcher: BesideFetcher,
        cache: IndexCache | None,
        writes: BackgroundWrites | None,
        *,
        offline: bool,
        refresh: bool,
    ) -> None:
        self._index_url = index_url
        self._fetcher = fetcher
        self._offline = offline
        self._store = (
            SignatureCache(cache.root, cache.secret, writes, refresh=refresh)
            if cache is not None and cache.secret is not None
            else None
        )

    async def find(self, file_url: str, sha256: str) -> BesideSignatures | None:
        """What is beside ``file_url``; None when nothing can be (a file on PyPI)."""
        if not looks_up_signatures(file_url):
            return None
        store = self._store
        if store is not None:
            cached = store.lookup(self._index_url, sha256, file_url)
            if cached is not None:
                return cached
        if self._offline:
            return BesideSignatures(strip_credentials(file_url), offline_miss=True)
        found = await self._fetcher.fetch(file_url)
        if store is not None and not found.found:
            store.put_absent(self._index_url, sha256, file_url)
        return found

    def keep(self, sha256: str, found: BesideSignatures) -> None:
        """Cache signatures that verified."""
        if self._store is not None and not found.from_cache:
            self._store.put(self._index_url, sha256, found)
