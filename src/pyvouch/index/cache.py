"""On-disk cache for the index client.

Layout under the cache root (platformdirs' user cache dir for `pyvouch`, or `PYVOUCH_CACHE_DIR`,
or the `cache_dir` the caller gives)::

    index-v1/provenance/<ab>/<key>.body   raw provenance JSON, kept for good (immutable)
    index-v1/provenance/<ab>/<key>.json   metadata: index, filename, sha256, body digest
    index-v1/pages/<ab>/<key>.body        raw project page
    index-v1/pages/<ab>/<key>.json        metadata: url, ETag, Last-Modified, content type, digest

Keys are sha256 digests of URLs with credentials removed, so no secret reaches a file name or a
file. Every write goes to a temporary file in the same directory and is moved into place with
`os.replace`, so a reader sees the old entry or the new one, never half of one. Every read
checks the metadata and the body digest; an entry that does not check out is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from pyvouch.index.simple import strip_credentials
from pyvouch.index.writes import BackgroundWrites, atomic_write
from pyvouch.machine_key import mac

CACHE_ENV = "PYVOUCH_CACHE_DIR"
LAYOUT = "index-v1"


def default_cache_dir() -> Path:
    """`$PYVOUCH_CACHE_DIR`, else the platform's user cache dir for pyvouch."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return Path(user_cache_dir("pyvouch", appauthor=False))


@dataclass(frozen=True)
class CachedPage:
    url: str
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    base_url: str
    """The URL the page was finally served from (after redirects): relative links resolve
    against it."""


@dataclass(frozen=True)
class CachedProvenance:
    body: bytes
    url: str | None
    """Where it was fetched from (credentials removed)."""
    warnings: tuple[str, ...] = ()
    """What was worth saying when it was fetched (a redirect to another host): said again
    whenever the entry is used."""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class IndexCache:
    """The provenance and page cache. Failures to read are misses; failures to write are ignored
    (the cache is an optimisation, never a source of truth)."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        writes: BackgroundWrites | None = None,
        secret: bytes | None = None,
    ) -> None:
        self.root = (root if root is not None else default_cache_dir()) / LAYOUT
        self.writes = writes
        """When given, writes happen on its threads (call its ``flush``); else at once."""
        self.secret = secret
        """The machine key (`pyvouch.machine_key`). Pages are what tell "none published" from
        "not served", so a page entry is used only with a valid MAC made with it: a planted
        page (a `provenance: null` on a mirror that serves none) cannot turn `unknown` into
        `unattested`. Without a key, pages are not cached."""

    # -- provenance: immutable, keyed by index + file digest -----------------------------

    def _provenance_paths(self, index_url: str, sha256: str, filename: str) -> tuple[Path, Path]:
        key = _digest("provenance", strip_credentials(index_url), sha256.lower(), filename)
        base = self.root / "provenance" / key[:2] / key
        return base.with_suffix(".json"), base.with_suffix(".body")

    def get_provenance(self, index_url: str, sha256: str, filename: str) -> CachedProvenance | None:
        meta_path, body_path = self._provenance_paths(index_url, sha256, filename)
        meta = self._read_meta(meta_path)
        if meta is None:
            return None
        expected = {
            "index": strip_credentials(index_url),
            "sha256": sha256.lower(),
            "filename": filename,
        }
        if any(meta.get(k) != v for k, v in expected.items()):
            return None
        url = meta.get("url")
        warnings = meta.get("warnings", [])
        if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
            return None
        body = self._read_body(body_path, meta)
        if body is None or not (url is None or isinstance(url, str)):
            return None
        return CachedProvenance(body, url, tuple(warnings))

    def put_provenance(
        self,
        index_url: str,
        sha256: str,
        filename: str,
        body: bytes,
        *,
        url: str | None = None,
        warnings: tuple[str, ...] = (),
    ) -> None:
        meta_path, body_path = self._provenance_paths(index_url, sha256, filename)
        meta = {
            "url": strip_credentials(url) if url else None,
            "warnings": list(warnings),
            "index": strip_credentials(index_url),
            "sha256": sha256.lower(),
            "filename": filename,
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        self._write(meta_path, body_path, meta, body)

    # -- pages: revalidated with ETag / Last-Modified ------------------------------------

    def _page_paths(self, url: str) -> tuple[Path, Path]:
        key = _digest("page", strip_credentials(url))
        base = self.root / "pages" / key[:2] / key
        return base.with_suffix(".json"), base.with_suffix(".body")

    def _page_mac(self, meta: dict[str, Any]) -> str | None:
        if self.secret is None:
            return None
        signed = {k: v for k, v in meta.items() if k != "mac"}
        return mac(self.secret, "page", json.dumps(signed, sort_keys=True).encode("utf-8"))

    def get_page(self, url: str) -> CachedPage | None:
        meta_path, body_path = self._page_paths(url)
        meta = self._read_meta(meta_path)
        if meta is None or meta.get("url") != strip_credentials(url):
            return None
        expected_mac = self._page_mac(meta)
        given = meta.get("mac")
        if expected_mac is None or not isinstance(given, str):
            return None
        if not hmac.compare_digest(expected_mac, given):
            return None
        content_type = meta.get("content_type")
        etag = meta.get("etag")
        last_modified = meta.get("last_modified")
        if not isinstance(content_type, str):
            return None
        if not (etag is None or isinstance(etag, str)):
            return None
        if not (last_modified is None or isinstance(last_modified, str)):
            return None
        base_url = meta.get("base_url", strip_credentials(url))
        if not isinstance(base_url, str):
            return None
        body = self._read_body(body_path, meta)
        if body is None:
            return None
        return CachedPage(strip_credentials(url), body, content_type, etag, last_modified, base_url)

    def put_page(
        self,
        url: str,
        body: bytes,
        content_type: str,
        etag: str | None,
        last_modified: str | None,
        *,
        base_url: str | None = None,
    ) -> None:
        meta_path, body_path = self._page_paths(url)
        meta = {
            "url": strip_credentials(url),
            "base_url": strip_credentials(base_url or url),
            "content_type": content_type,
            "etag": etag,
            "last_modified": last_modified,
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        page_mac = self._page_mac(meta)
        if page_mac is None:
            return  # no machine key: a page that cannot be authenticated is not kept
        meta["mac"] = page_mac
        self._write(meta_path, body_path, meta, body)

    # -- route hint: where this index serves provenance, learned on an earlier run ---------

    def _route_path(self, index_url: str) -> Path:
        return self.root / "routes" / f"{_digest('route', strip_credentials(index_url))}.json"

    def get_direct_route(self, index_url: str) -> bool:
        """Whether an earlier run learned that this index serves provenance at its integrity
        URLs. Only a hint for which request to make first: a wrong (or planted) hint costs a
        request, never a status, because every answer is still verified against the lock's
        digest and anything but served provenance falls back to the project page."""
        meta = self._read_meta(self._route_path(index_url))
        return bool(
            meta is not None
            and meta.get("index") == strip_credentials(index_url)
            and meta.get("direct") is True
        )

    def put_direct_route(self, index_url: str, direct: bool) -> None:
        path = self._route_path(index_url)
        meta = {"index": strip_credentials(index_url), "direct": direct}
        encoded = json.dumps(meta, sort_keys=True).encode("utf-8")
        writes = self.writes

        def write() -> None:
            atomic_write(path, encoded, writes.made if writes is not None else None)

        if writes is not None:
            writes.submit(write)
            return
        with contextlib.suppress(OSError):
            write()

    # -- plumbing --------------------------------------------------------------------------

    @staticmethod
    def _read_meta(path: Path) -> dict[str, Any] | None:
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return meta if isinstance(meta, dict) else None

    @staticmethod
    def _read_body(path: Path, meta: dict[str, Any]) -> bytes | None:
        try:
            body = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("body_sha256"):
            return None
        return body

    def _write(self, meta_path: Path, body_path: Path, meta: dict[str, Any], body: bytes) -> None:
        # Body first, then the metadata that vouches for it: a crash in between leaves a
        # metadata file whose digest does not match, which reads as a miss.
        encoded = json.dumps(meta, sort_keys=True).encode("utf-8")
        writes = self.writes

        def write() -> None:
            made = writes.made if writes is not None else None
            atomic_write(body_path, body, made)
            atomic_write(meta_path, encoded, made)

        if writes is not None:
            writes.submit(write)
            return
        with contextlib.suppress(OSError):
            write()
