"""On-disk cache for the index client.

Layout under the cache root (platformdirs' user cache dir for `pyvouch`, or `PYVOUCH_CACHE_DIR`,
or the `cache_dir` the caller gives)::

    index-v2/provenance/<ab>/<key>.body   raw provenance JSON, kept for good (immutable)
    index-v2/provenance/<ab>/<key>.json   metadata: index, filename, sha256, url, body digest, MAC
                                          (a warm scan whose verdict is cached reads only this:
                                          the verdict key takes the sealed body digest)
    index-v2/pages/<ab>/<key>.body        raw project page
    index-v2/pages/<ab>/<key>.json        metadata: url, ETag, Last-Modified, content type,
                                          body digest, MAC
    index-v2/routes/<key>.json            the route hint: index, direct or not, MAC
    index-v2/not-served/<key>.json        "this index does not serve provenance": index, when
                                          it was learned, on how many files, MAC

Every answer kept here can change a status (served provenance makes a file verifiable, a page
tells "none published" from "not served", the route hint decides which URL is asked, a
remembered "does not serve provenance" decides whether it is asked at all), and the
cache directory is not trusted: on CI it is often restored from a cache another branch wrote.
So every entry is *sealed*: its metadata carries an HMAC-SHA256 made with the machine key
(`pyvouch.machine_key`, kept outside the cache directory) over all of its fields, including the
body's sha256 and the fields that bind it to its place (the index URL, the file's name and
digest, the page URL), under a purpose string of its own (`index-v2/provenance`, `.../page`,
`.../route`, `.../not-served`). An entry planted, edited (even with a fixed-up body digest),
copied to another file, index or kind, or written with another machine's key does not verify
and is a miss: it costs a request, never a status. Without a key nothing is read or written.
The previous layout (`index-v1`, whose provenance entries and route hints carried no MAC) is
never read.

Keys are sha256 digests of URLs with credentials removed, so no secret reaches a file name or a
file. Every write goes to a temporary file in the same directory and is moved into place with
`os.replace`, so a reader sees the old entry or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_cache_dir

from pyvouch.index.sealed import read_bytes
from pyvouch.index.simple import strip_credentials
from pyvouch.index.writes import BackgroundWrites, atomic_write
from pyvouch.machine_key import mac, mac_matches

CACHE_ENV = "PYVOUCH_CACHE_DIR"
LAYOUT = "index-v2"
"""Bumped from ``index-v1`` when every entry became sealed: old entries are never read."""

_CLOCK_SLACK = 60.0
"""Seconds a sealed time may lie ahead of this machine's clock (a clock that was adjusted)."""

Kind = Literal["provenance", "page", "route", "not-served"]


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


@dataclass(frozen=True)
class ProvenanceEntry:
    """A sealed provenance entry's metadata, its body not read: what a warm scan needs when
    the verdict over that body is cached (the verdict key takes the body's digest)."""

    url: str | None
    warnings: tuple[str, ...]
    body_sha256: str
    """The sha256 (hex) of the body, as sealed with the entry."""


@dataclass(frozen=True)
class RememberedNotServed:
    """An earlier run's verdict that this index does not serve provenance."""

    learned_at: float
    """When it was learned (seconds since the epoch, this machine's clock)."""
    files: int
    """How many files' integrity URLs answered 404 then, on pages without provenance keys."""


_HEX64 = re.compile(r"[0-9a-f]{64}")

_stripped = functools.lru_cache(maxsize=64)(strip_credentials)
"""`strip_credentials`, remembered: every entry of a run is keyed by the same index URL."""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _optional_str(value: object) -> bool:
    return value is None or isinstance(value, str)


class IndexCache:
    """The provenance, page and route cache. Failures to read, and entries whose MAC does not
    verify, are misses; failures to write are ignored (the cache is an optimisation, never a
    source of truth)."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        writes: BackgroundWrites | None = None,
        secret: bytes | None = None,
    ) -> None:
        self.root = (root if root is not None else default_cache_dir()) / LAYOUT
        self._root = os.fspath(self.root)
        """As a string: entries are read by string paths (pathlib costs more than the read)."""
        self.writes = writes
        """When given, writes happen on its threads (call its ``flush``); else at once."""
        self.secret = secret
        """The machine key (`pyvouch.machine_key`). Without it the cache is off: nothing is
        read (an unauthenticated entry could be anybody's) and nothing is written."""

    # -- sealing ---------------------------------------------------------------------------

    def _mac(self, kind: Kind, meta: dict[str, Any]) -> str | None:
        if self.secret is None:
            return None
        return mac(self.secret, f"{LAYOUT}/{kind}", self._message(meta))

    @staticmethod
    def _message(meta: dict[str, Any]) -> bytes:
        """What an entry's MAC covers: every field but the MAC, in canonical JSON."""
        signed = {k: v for k, v in meta.items() if k != "mac"}
        return json.dumps(signed, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def _unseal(self, kind: Kind, path: str | Path, bound: dict[str, Any]) -> dict[str, Any] | None:
        """The metadata at ``path`` when its MAC verifies and it is bound to ``bound`` (the
        fields that place it: index, file, URL); else None."""
        if self.secret is None:
            return None
        meta = self._read_meta(path)
        if meta is None or any(meta.get(k) != v for k, v in bound.items()):
            return None
        message = self._message(meta)
        return (
            meta if mac_matches(self.secret, f"{LAYOUT}/{kind}", message, meta.get("mac")) else None
        )

    def _seal(self, kind: Kind, meta: dict[str, Any]) -> dict[str, Any] | None:
        sealed = self._mac(kind, meta)
        return None if sealed is None else {**meta, "mac": sealed}

    # -- provenance: immutable, keyed by index + file digest -----------------------------

    def _provenance_base(self, index_url: str, sha256: str, filename: str) -> str:
        key = _digest("provenance", _stripped(index_url), sha256.lower(), filename)
        return f"{self._root}/provenance/{key[:2]}/{key}"

    def _provenance_paths(self, index_url: str, sha256: str, filename: str) -> tuple[Path, Path]:
        base = self._provenance_base(index_url, sha256, filename)
        return Path(f"{base}.json"), Path(f"{base}.body")

    @staticmethod
    def _provenance_binding(index_url: str, sha256: str, filename: str) -> dict[str, Any]:
        return {
            "index": _stripped(index_url),
            "sha256": sha256.lower(),
            "filename": filename,
        }

    def get_provenance(self, index_url: str, sha256: str, filename: str) -> CachedProvenance | None:
        """Provenance this machine fetched earlier from ``index_url`` for exactly this file
        (name and digest), or None."""
        entry = self.get_provenance_entry(index_url, sha256, filename)
        if entry is None:
            return None
        body = self.read_provenance_body(index_url, sha256, filename, entry.body_sha256)
        return None if body is None else CachedProvenance(body, entry.url, entry.warnings)

    def get_provenance_entry(
        self, index_url: str, sha256: str, filename: str
    ) -> ProvenanceEntry | None:
        """The sealed metadata of the provenance kept for exactly this file, its body not
        read (one file read), or None."""
        meta_path = f"{self._provenance_base(index_url, sha256, filename)}.json"
        bound = self._provenance_binding(index_url, sha256, filename)
        meta = self._unseal("provenance", meta_path, bound)
        if meta is None:
            return None
        url = meta.get("url")
        warnings = meta.get("warnings", [])
        body_sha256 = meta.get("body_sha256")
        if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
            return None
        if not _optional_str(url) or not isinstance(body_sha256, str):
            return None
        if _HEX64.fullmatch(body_sha256) is None:  # it becomes a verdict key: bytes.fromhex
            return None
        return ProvenanceEntry(url, tuple(warnings), body_sha256)

    def read_provenance_body(
        self, index_url: str, sha256: str, filename: str, body_sha256: str
    ) -> bytes | None:
        """The body kept for this file, when its digest is ``body_sha256`` (the one its sealed
        entry gives, `ProvenanceEntry.body_sha256`); else None."""
        body_path = f"{self._provenance_base(index_url, sha256, filename)}.body"
        return self._read_body(body_path, {"body_sha256": body_sha256})

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
        meta = self._seal(
            "provenance",
            {
                **self._provenance_binding(index_url, sha256, filename),
                "url": strip_credentials(url) if url else None,
                "warnings": list(warnings),
                "body_sha256": hashlib.sha256(body).hexdigest(),
            },
        )
        if meta is not None:
            self._write(meta_path, body_path, meta, body)

    # -- pages: revalidated with ETag / Last-Modified ------------------------------------

    def _page_paths(self, url: str) -> tuple[Path, Path]:
        key = _digest("page", strip_credentials(url))
        base = self.root / "pages" / key[:2] / key
        return base.with_suffix(".json"), base.with_suffix(".body")

    def get_page(self, url: str) -> CachedPage | None:
        """The page this machine fetched earlier from ``url``, or None. Pages are what tell
        "none published" from "not served": a planted one (a `provenance: null` on a mirror
        that serves none) must not turn `unknown` into `unattested`."""
        meta_path, body_path = self._page_paths(url)
        meta = self._unseal("page", meta_path, {"url": strip_credentials(url)})
        if meta is None:
            return None
        content_type = meta.get("content_type")
        etag = meta.get("etag")
        last_modified = meta.get("last_modified")
        base_url = meta.get("base_url")
        if not isinstance(content_type, str) or not isinstance(base_url, str):
            return None
        if not (_optional_str(etag) and _optional_str(last_modified)):
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
        meta = self._seal(
            "page",
            {
                "url": strip_credentials(url),
                "base_url": strip_credentials(base_url or url),
                "content_type": content_type,
                "etag": etag,
                "last_modified": last_modified,
                "body_sha256": hashlib.sha256(body).hexdigest(),
            },
        )
        if meta is not None:
            self._write(meta_path, body_path, meta, body)

    # -- route hint: where this index serves provenance, learned on an earlier run ---------

    def _route_path(self, index_url: str) -> Path:
        return self.root / "routes" / f"{_digest('route', strip_credentials(index_url))}.json"

    def get_direct_route(self, index_url: str) -> bool:
        """Whether an earlier run on this machine learned that this index serves provenance at
        its integrity URLs (so files are asked there before their page is read). Sealed like
        every entry: a planted hint would make the client ask a URL the index never listed."""
        bound = {"index": strip_credentials(index_url)}
        meta = self._unseal("route", self._route_path(index_url), bound)
        return meta is not None and meta.get("direct") is True

    def put_direct_route(self, index_url: str, direct: bool) -> None:
        meta = self._seal("route", {"index": strip_credentials(index_url), "direct": direct})
        if meta is not None:
            self._write_meta(self._route_path(index_url), meta)

    # -- "does not serve provenance": learned on an earlier run, kept for a short time -----

    def _not_served_path(self, index_url: str) -> Path:
        key = _digest("not-served", strip_credentials(index_url))
        return self.root / "not-served" / f"{key}.json"

    def get_not_served(
        self, index_url: str, *, now: float, lifetime: float
    ) -> RememberedNotServed | None:
        """The verdict an earlier run on this machine reached that ``index_url`` does not serve
        provenance, when it was learned less than ``lifetime`` seconds before ``now``; else
        None. Sealed like every entry: a planted verdict would stop the client from asking."""
        bound = {"index": strip_credentials(index_url)}
        meta = self._unseal("not-served", self._not_served_path(index_url), bound)
        if meta is None:
            return None
        learned_at, files = meta.get("learned_at"), meta.get("files")
        if not isinstance(learned_at, int | float) or isinstance(learned_at, bool):
            return None
        if not isinstance(files, int) or isinstance(files, bool) or files < 1:
            return None
        if not (now - lifetime < learned_at <= now + _CLOCK_SLACK):
            return None  # expired, or from the future (this machine's clock went back)
        return RememberedNotServed(float(learned_at), files)

    def put_not_served(self, index_url: str, *, learned_at: float, files: int) -> None:
        meta = self._seal(
            "not-served",
            {"index": strip_credentials(index_url), "learned_at": learned_at, "files": files},
        )
        if meta is not None:
            self._write_meta(self._not_served_path(index_url), meta)

    def forget_not_served(self, index_url: str) -> None:
        """Drop the verdict (the index was seen serving provenance)."""
        path = self._not_served_path(index_url)

        def remove() -> None:
            with contextlib.suppress(OSError):
                path.unlink()

        if self.writes is not None:
            self.writes.submit(remove)
        else:
            remove()

    # -- plumbing --------------------------------------------------------------------------

    @staticmethod
    def _read_meta(path: str | Path) -> dict[str, Any] | None:
        try:
            meta = json.loads(read_bytes(os.fspath(path)))
        except (OSError, ValueError, RecursionError):
            return None
        return meta if isinstance(meta, dict) else None

    @staticmethod
    def _read_body(path: str | Path, meta: dict[str, Any]) -> bytes | None:
        try:
            body = read_bytes(os.fspath(path))
        except OSError:
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("body_sha256"):
            return None
        return body

    def _write_meta(self, path: Path, meta: dict[str, Any]) -> None:
        encoded = json.dumps(meta, sort_keys=True).encode("utf-8")
        writes = self.writes

        def write() -> None:
            atomic_write(path, encoded)

        if writes is not None:
            writes.submit(write)
            return
        with contextlib.suppress(OSError):
            write()

    def _write(self, meta_path: Path, body_path: Path, meta: dict[str, Any], body: bytes) -> None:
        # Body first, then the metadata that vouches for it: a crash in between leaves a
        # metadata file whose digest does not match, which reads as a miss.
        encoded = json.dumps(meta, sort_keys=True).encode("utf-8")
        writes = self.writes

        def write() -> None:
            atomic_write(body_path, body)
            atomic_write(meta_path, encoded)

        if writes is not None:
            writes.submit(write)
            return
        with contextlib.suppress(OSError):
            write()
