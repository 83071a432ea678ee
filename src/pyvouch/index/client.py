"""The index client: project pages and PEP 740 provenance from any simple-API index.

For every file, `IndexClient.provenance` returns exactly one `ProvenanceState`:

- SERVED: the provenance JSON was fetched (or read from the cache, keyed by the file's digest);
- NONE: the index serves PEP 740 and publishes none for this file (a `provenance` key that is
  present and null, or an integrity endpoint 404 on an index whose pages carry provenance keys);
- NOT_SERVED: this index does not serve provenance (no provenance keys on the page and the
  integrity endpoint does not answer); the reason gives the evidence;
- ERROR: the lookup failed (after retries) or could not be done offline, or the page
  contradicts itself about the file; the reason is kept.

The state is judged by the data, not only by the announced api-version: an index may serve
provenance keys while announcing 1.1, and a mirror may announce 1.1 and strip them.
See docs/index-client.md.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    # httpx imports its command-line tool (httpx._main, which loads rich and pygments: ~50 ms)
    # whenever those are installed, and falls back to a stub on ImportError. pyvouch never
    # runs that tool: make the import fail once, then let it be imported normally again.
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if sys.modules.get("httpx._main", 0) is None:
            del sys.modules["httpx._main"]
import httpx

from pyvouch.errors import IndexLookupError, OfflineMiss, UsageError
from pyvouch.index.cache import CachedProvenance, IndexCache, default_cache_dir
from pyvouch.index.simple import (
    ACCEPT_PAGE,
    IndexFile,
    PageParseError,
    ProjectPage,
    check_provenance,
    file_version,
    media_type,
    normalize_name,
    parse_page,
    strip_credentials,
)
from pyvouch.index.transport import (
    BodySink,
    ClientStats,
    FetchError,
    RedirectPolicy,
    Response,
    Transport,
    redirect_warnings,
)
from pyvouch.index.writes import BackgroundWrites
from pyvouch.machine_key import key_for_cache
from pyvouch.urls import http_url_problem, shown

__all__ = [
    "DEFAULT_INDEX_URL",
    "ClientStats",
    "IndexClient",
    "IndexFile",
    "ProjectPage",
    "ProvenanceLookup",
    "ProvenanceState",
    "fetch_project",
    "index_root",
    "integrity_url",
    "lookup_provenance",
    "resolve_index_url",
]

DEFAULT_INDEX_URL = "https://pypi.org/simple/"
PAGE_LIMIT = 20 * 1024 * 1024
PROVENANCE_LIMIT = 5 * 1024 * 1024
DOWNLOAD_TIMEOUT = 900.0
"""Wall-clock cap (seconds) on one attempt at downloading a distribution file; reads are
still bounded by the per-read timeout."""
ACCEPT_PROVENANCE = "application/vnd.pypi.integrity.v1+json, application/json;q=0.9, */*;q=0.1"
_PROVENANCE_TYPES = frozenset(
    {"", "application/json", "application/octet-stream", "binary/octet-stream", "text/plain"}
)
OFFLINE = "offline: not in cache"
DIRECT_AFTER = 4
"""Listed provenance URLs that must equal `integrity_url` (and none differ) before the client
asks integrity URLs directly."""
PROBES = 8
"""Lookups that read their project page at a time while the client learns whether it can go
direct; the others wait (one round trip) instead of all reading pages."""


class DownloadFailed(IndexLookupError):
    """A distribution file could not be downloaded; ``warnings`` names the redirects to
    another host followed on the way (the reason names them too)."""

    def __init__(self, reason: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.warnings = warnings


class ProvenanceState(StrEnum):
    SERVED = "served"
    NONE = "none"
    NOT_SERVED = "not-served"
    ERROR = "error"


@dataclass(frozen=True)
class ProvenanceLookup:
    """The answer for one file. `provenance` is the raw JSON body when SERVED, else None."""

    filename: str
    sha256: str | None
    state: ProvenanceState
    provenance: bytes | None
    reason: str
    url: str | None
    """The provenance URL asked (or that would have been asked), credentials removed."""
    warnings: tuple[str, ...] = field(default=())
    from_cache: bool = False
    project: str | None = None
    legacy_signature: bool = False
    """The index lists a (legacy) PGP signature for the file."""
    direct: bool = False
    """SERVED straight from the integrity URL, without reading the project page (see
    `IndexClient.provenance`)."""


def resolve_index_url(index_url: str | None = None, what: str = "index URL") -> str:
    """The index URL to use: the argument, else `$PIP_INDEX_URL`, else PyPI. Ends with `/`.

    A URL that is not http(s) with a host and a valid port is a `UsageError` naming ``what``
    (where the argument came from) or ``$PIP_INDEX_URL``."""
    from_env = os.environ.get("PIP_INDEX_URL")
    url = (index_url or from_env or DEFAULT_INDEX_URL).strip()
    source = what if index_url else "$PIP_INDEX_URL"
    problem = http_url_problem(url, source)
    if problem is not None:
        raise UsageError(problem)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise UsageError(f"{source} must not carry a query or fragment: {shown(url)}")
    return url if url.endswith("/") else url + "/"


def index_root(index_url: str) -> str:
    """The index URL without its trailing `simple/` (or devpi's `+simple/`), where PyPI's
    integrity API lives. An index URL not ending in `simple/` is its own root."""
    base = index_url if index_url.endswith("/") else index_url + "/"
    for suffix in ("/+simple/", "/simple/"):
        if base.endswith(suffix):
            return base[: -len(suffix) + 1]
    return base


def integrity_url(index_url: str, project: str, filename: str) -> str | None:
    """PyPI's integrity endpoint for a file, or None when the filename names no version."""
    version = file_version(filename)
    if version is None:
        return None
    root = index_root(index_url)
    return f"{root}integrity/{normalize_name(project)}/{version}/{filename}/provenance"


class IndexClient:
    """Async client for one index. Use as `async with IndexClient(url) as client: ...`."""

    def __init__(
        self,
        index_url: str | None = None,
        *,
        cache_dir: Path | None = None,
        offline: bool = False,
        concurrency: int = 16,
        timeout: float = 10.0,
        retries: int = 3,
        use_cache: bool = True,
        total_timeout: float = 60.0,
        backoff: float = 0.5,
        max_retry_after: float = 10.0,
        page_limit: int = PAGE_LIMIT,
        provenance_limit: int = PROVENANCE_LIMIT,
        redirects: RedirectPolicy = "follow",
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url_with_credentials = resolve_index_url(index_url)
        self.index_url = strip_credentials(self._url_with_credentials)
        """The index URL with credentials removed (safe to show)."""
        self.offline = offline
        self.stats = ClientStats()
        self.writes = BackgroundWrites()
        """Cache writes run on threads; `aclose` waits for them."""
        self.cache: IndexCache | None = None
        """Every entry is sealed with the machine key; without one nothing is cached."""
        if use_cache or offline:
            root = cache_dir if cache_dir is not None else default_cache_dir()
            self.cache = IndexCache(root, writes=self.writes, secret=key_for_cache(root))
        self._page_limit = page_limit
        self._provenance_limit = provenance_limit
        self._transport_args: dict[str, Any] = {
            "concurrency": concurrency,
            "timeout": timeout,
            "total_timeout": total_timeout,
            "retries": retries,
            "backoff": backoff,
            "max_retry_after": max_retry_after,
            "redirects": redirects,
            "http_transport": http_transport,
        }
        self._transport: Transport | None = None
        self._pages: dict[str, asyncio.Task[ProjectPage]] = {}
        self._integrity_matches = 0
        self._integrity_differs = False
        self._hinted = self.cache is not None and self.cache.get_direct_route(self.index_url)
        """An earlier run learned that this index goes direct (see `IndexCache`)."""
        self._probes = 0
        self._route_changed = asyncio.Event()
        self.direct_served = 0
        """Provenance served from integrity URLs asked without the project page."""
        self.listed_not_served: set[str] = set()
        """Provenance URLs the pages listed that answered without provenance (404, 410, or a
        200 that is not provenance JSON): the index lists provenance it does not serve. Their
        lookups are ERROR (`pyvouch index check` counts them as dropped)."""

    async def __aenter__(self) -> IndexClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self.cache is not None and not self.offline:
            learned = self._integrity_matches >= DIRECT_AFTER and not self._integrity_differs
            if learned != self._hinted and (learned or self._integrity_differs):
                self.cache.put_direct_route(self.index_url, learned)
        for task in self._pages.values():
            if not task.done():
                task.cancel()
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None
        await asyncio.get_running_loop().run_in_executor(None, self.writes.flush)

    def _http(self) -> Transport:
        if self._transport is None:
            self._transport = Transport(
                index_url=self._url_with_credentials, stats=self.stats, **self._transport_args
            )
        return self._transport

    def _scrub(self, text: str) -> str:
        return self._transport.scrub(text) if self._transport is not None else text

    # -- project pages ---------------------------------------------------------------------

    def page_url(self, project: str) -> str:
        return f"{self.index_url}{normalize_name(project)}/"

    async def project(self, name: str) -> ProjectPage:
        """The project's page. Raises IndexLookupError (OfflineMiss offline) with a reason.

        A page is fetched at most once per client; concurrent callers share the request."""
        normalized = normalize_name(name)
        if not normalized:
            raise IndexLookupError(f"not a project name: {name!r}")
        task = self._pages.get(normalized)
        if task is None:
            task = asyncio.ensure_future(self._load_page(normalized))
            self._pages[normalized] = task
        return await asyncio.shield(task)

    async def _load_page(self, name: str) -> ProjectPage:
        page_url = self.page_url(name)
        cached = self.cache.get_page(page_url) if self.cache is not None else None
        if self.offline:
            if cached is None:
                raise OfflineMiss(f"{OFFLINE}: project page {page_url}")
            page = self._parse_cached(cached.body, cached.content_type, cached.base_url, name)
            if page is None:
                raise OfflineMiss(f"{OFFLINE}: cached project page {page_url} is unreadable")
            self.stats.page_cache_hits += 1
            return replace(page, warnings=redirect_warnings(page_url, cached.base_url))
        headers: dict[str, str] = {}
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        try:
            resp = await self._http().get(
                page_url,
                accept=ACCEPT_PAGE,
                limit=self._page_limit,
                kind="page",
                headers=headers,
            )
        except FetchError as err:
            raise IndexLookupError(f"project page {page_url}: {err.reason}") from None
        if resp.status == 304 and cached is not None and headers:
            page = self._parse_cached(cached.body, cached.content_type, cached.base_url, name)
            if page is not None:
                self.stats.page_revalidated += 1
                return replace(page, warnings=resp.warnings)
            # The cached copy no longer parses: ask again without validators.
            return await self._refetch(name, page_url)
        return self._page_from_response(resp, name, page_url)

    async def _refetch(self, name: str, page_url: str) -> ProjectPage:
        try:
            resp = await self._http().get(
                page_url,
                accept=ACCEPT_PAGE,
                limit=self._page_limit,
                kind="page",
            )
        except FetchError as err:
            raise IndexLookupError(f"project page {page_url}: {err.reason}") from None
        return self._page_from_response(resp, name, page_url)

    def _page_from_response(self, resp: Response, name: str, page_url: str) -> ProjectPage:
        if resp.status in (404, 410):
            raise IndexLookupError(
                f"project {name!r} is not on the index {self.index_url} (HTTP {resp.status})"
            )
        if resp.status != 200:
            raise IndexLookupError(f"project page {page_url}: HTTP {resp.status}")
        content_type = resp.content_type
        try:
            page = parse_page(resp.body, content_type, resp.url, project=name)
        except PageParseError as err:
            raise IndexLookupError(f"project page {page_url}: {err}") from None
        if self.cache is not None:
            self.cache.put_page(
                page_url,
                resp.body,
                content_type,
                resp.headers.get("etag"),
                resp.headers.get("last-modified"),
                base_url=resp.url,
            )
        return replace(page, warnings=resp.warnings)

    @staticmethod
    def _parse_cached(body: bytes, content_type: str, url: str, name: str) -> ProjectPage | None:
        try:
            return parse_page(body, content_type, url, project=name)
        except PageParseError:
            return None

    # -- distribution files ----------------------------------------------------------------

    async def download(self, url: str, sink: BodySink, *, limit: int) -> tuple[str, ...]:
        """GET a distribution file into ``sink`` (at most ``limit`` bytes); the warnings
        (redirects to another host). Raises DownloadFailed (OfflineMiss offline)."""
        shown = strip_credentials(url)
        if self.offline:
            raise OfflineMiss(f"{OFFLINE}: {shown} is not downloaded offline")
        try:
            resp = await self._http().get(
                url,
                accept="*/*",
                limit=limit,
                kind="file",
                sink=sink,
                total_timeout=DOWNLOAD_TIMEOUT,
            )
        except FetchError as err:
            raise DownloadFailed(self._scrub(f"{shown}: {err.reason}"), err.warnings) from None
        if resp.status != 200:
            reason = noted(f"{shown}: HTTP {resp.status}", resp.warnings)
            raise DownloadFailed(self._scrub(reason), resp.warnings)
        return tuple(self._scrub(w) for w in resp.warnings)

    # -- provenance ------------------------------------------------------------------------

    async def provenance_many(
        self, wanted: Iterable[tuple[str, str, str | None]]
    ) -> list[ProvenanceLookup]:
        """`provenance` for many `(project, filename, sha256)` at once, in order."""
        return list(await asyncio.gather(*(self.provenance(p, f, s) for p, f, s in wanted)))

    @property
    def goes_direct(self) -> bool:
        """Whether this index has shown that its provenance lives at `integrity_url`: the
        provenance URLs its pages listed were exactly those (`DIRECT_AFTER` of them, none
        other), as on PyPI and sites `pyvouch index build` makes. Never on a mirror whose pages
        list no provenance URLs (one that strips them)."""
        if self._integrity_differs:
            return False
        return self._hinted or self._integrity_matches >= DIRECT_AFTER

    def _learn(self, page: ProjectPage, entry: IndexFile) -> None:
        if entry.provenance_url is not None:
            if entry.provenance_url == integrity_url(self.index_url, page.name, entry.filename):
                self._integrity_matches += 1
            else:
                self._integrity_differs = True
        elif not page.serves_provenance:
            self._integrity_differs = True  # no provenance keys at all: never go direct
        self._wake()

    def _wake(self) -> None:
        self._route_changed.set()
        self._route_changed = asyncio.Event()

    async def _route(self) -> Literal["direct", "page", "probe"]:
        """How to look up a file whose digest is known: direct once `goes_direct`; the page
        when this index cannot go direct; until that is known, up to `PROBES` lookups at a time
        read their pages ("probe") and teach the client, while the others wait for them."""
        while True:
            if self._integrity_differs:
                return "page"
            if self.goes_direct:
                return "direct"
            if self._probes < PROBES:
                self._probes += 1
                return "probe"
            await self._route_changed.wait()

    def _probe_done(self) -> None:
        self._probes -= 1
        self._wake()

    async def _direct(self, name: str, filename: str, digest: str) -> ProvenanceLookup | None:
        """SERVED from the integrity URL without the project page, or None to take the page.

        Safe without the page because what is served is only ever verified against the digest
        the caller (the lock) gives: provenance for another file cannot verify for this one.
        Anything but a 200 with provenance JSON (a 404, an error, a wrong content type) says
        nothing here; the page route then tells NONE, NOT_SERVED and ERROR apart as always.
        """
        url = integrity_url(self.index_url, name, filename)
        if url is None or self.offline:
            return None
        try:
            resp = await self._get_provenance(url)
        except FetchError:
            return None
        if resp.status != 200 or self._provenance_problem(resp) is not None:
            return None
        # Not cached yet: the caller keeps it (`keep_direct`) once verified or confirmed.
        self.direct_served += 1
        return ProvenanceLookup(
            filename=filename,
            sha256=digest,
            state=ProvenanceState.SERVED,
            provenance=resp.body,
            reason=self._scrub(noted("provenance served by the index", resp.warnings)),
            url=url,
            warnings=tuple(self._scrub(w) for w in resp.warnings),
            project=name,
            direct=True,
        )

    def keep_direct(self, lookup: ProvenanceLookup) -> None:
        """Cache a direct answer (one that verified, or that `confirm_direct` upheld)."""
        if lookup.direct and lookup.provenance is not None and lookup.url is not None:
            self._remember(
                lookup.sha256, lookup.filename, lookup.provenance, lookup.url, lookup.warnings
            )

    async def confirm_direct(self, lookup: ProvenanceLookup) -> ProvenanceLookup:
        """For a direct answer whose provenance did not verify: what the page route says.

        The page route would have stopped at an ERROR when the page does not list the file or
        lists another digest for it; otherwise it asks the same URL (the index showed that its
        provenance URLs are the integrity URLs) and gets the same answer, ``lookup``."""
        if not lookup.direct or lookup.project is None:
            return lookup
        try:
            page = await self.project(lookup.project)
        except IndexLookupError as err:
            return replace(lookup, state=ProvenanceState.ERROR, provenance=None, reason=str(err))
        entry = page.file(lookup.filename)
        problem = None
        if entry is None:
            problem = f"{lookup.filename} is not listed on the index page {page.url}"
        elif (contradiction := page.contradiction(lookup.filename)) is not None:
            problem = contradiction
        elif entry.sha256 and lookup.sha256 and entry.sha256.lower() != lookup.sha256:
            problem = (
                f"the index lists sha256 {entry.sha256.lower()} for {lookup.filename}, "
                f"not the expected {lookup.sha256}"
            )
        if problem is None:
            return lookup
        warnings = tuple(dict.fromkeys((*lookup.warnings, *page.warnings)))
        return replace(
            lookup,
            state=ProvenanceState.ERROR,
            provenance=None,
            reason=self._scrub(noted(problem, warnings)),
            url=None,
            warnings=tuple(self._scrub(w) for w in warnings),
        )

    async def provenance(
        self, project: str, filename: str, sha256: str | None = None, *, direct: bool = True
    ) -> ProvenanceLookup:
        """The provenance state of one file. Never raises for network or index faults.

        With ``sha256`` given and an index that `goes_direct`, the integrity URL is asked
        first, without the project page (``direct=False`` always reads the page)."""
        digest = sha256.lower() if sha256 else None
        name = normalize_name(project)

        def result(
            state: ProvenanceState,
            reason: str,
            *,
            url: str | None = None,
            body: bytes | None = None,
            warnings: tuple[str, ...] = (),
            from_cache: bool = False,
            file_digest: str | None = digest,
        ) -> ProvenanceLookup:
            warnings = tuple(dict.fromkeys(warnings))
            reason = noted(reason, warnings)
            return ProvenanceLookup(
                filename=filename,
                sha256=file_digest,
                state=state,
                provenance=body,
                reason=self._scrub(reason),
                url=url,
                warnings=tuple(self._scrub(w) for w in warnings),
                from_cache=from_cache,
                project=name,
            )

        if digest is not None:
            cached = self._cached_provenance(digest, filename)
            if cached is not None:
                return result(
                    ProvenanceState.SERVED,
                    f"provenance from the cache (fetched earlier from {self.index_url})",
                    url=cached.url,
                    body=cached.body,
                    warnings=cached.warnings,
                    from_cache=True,
                )

        async def via_page() -> ProvenanceLookup:
            try:
                page = await self.project(name)
            except IndexLookupError as err:
                return result(ProvenanceState.ERROR, str(err))
            entry = page.file(filename)
            if entry is None:
                return result(
                    ProvenanceState.ERROR,
                    f"{filename} is not listed on the index page {page.url}",
                    warnings=page.warnings,
                )
            contradiction = page.contradiction(filename)
            if contradiction is not None:  # nobody can tell which answer holds
                return result(ProvenanceState.ERROR, contradiction, warnings=page.warnings)
            if digest and entry.sha256 and entry.sha256.lower() != digest:
                return result(
                    ProvenanceState.ERROR,
                    f"the index lists sha256 {entry.sha256.lower()} for {filename}, "
                    f"not the expected {digest}",
                    warnings=page.warnings,
                )
            file_digest = digest or (entry.sha256.lower() if entry.sha256 else None)
            if digest is None and file_digest is not None:
                cached = self._cached_provenance(file_digest, filename)
                if cached is not None:
                    return result(
                        ProvenanceState.SERVED,
                        f"provenance from the cache (fetched earlier from {self.index_url})",
                        url=cached.url,
                        body=cached.body,
                        from_cache=True,
                        warnings=page.warnings + cached.warnings,
                        file_digest=file_digest,
                    )
            outcome = await self._lookup(page, entry, file_digest)
            state, reason, url, body, warnings = outcome
            if state is ProvenanceState.SERVED and body is not None and url is not None:
                # Kept with every warning that led to it (the page's and the provenance's
                # redirects), so a later run that reads it from the cache says them again.
                self._remember(file_digest, filename, body, url, page.warnings + warnings)
            answer = result(
                state,
                reason,
                url=url,
                body=body,
                warnings=page.warnings + warnings,
                file_digest=file_digest,
            )
            return replace(answer, legacy_signature=entry.gpg_sig) if entry.gpg_sig else answer

        # A page already read (or on its way) costs nothing more; otherwise, once this index
        # has shown where its provenance lives, ask there without reading the page.
        if direct and digest is not None and not self.offline and name not in self._pages:
            route = await self._route()
            if route == "direct":
                served = await self._direct(name, filename, digest)
                if served is not None:
                    return served
            elif route == "probe":
                try:
                    return await via_page()
                finally:
                    self._probe_done()
        return await via_page()

    def _cached_provenance(self, digest: str, filename: str) -> CachedProvenance | None:
        if self.cache is None:
            return None
        cached = self.cache.get_provenance(self.index_url, digest, filename)
        if cached is None:
            return None
        try:
            check_provenance(cached.body)
        except PageParseError:
            return None
        self.stats.provenance_cache_hits += 1
        return cached

    async def _lookup(
        self, page: ProjectPage, entry: IndexFile, digest: str | None
    ) -> tuple[ProvenanceState, str, str | None, bytes | None, tuple[str, ...]]:
        self._learn(page, entry)
        if entry.provenance_url is not None:
            return await self._fetch_listed(entry, digest)
        if entry.provenance_key:
            return (
                ProvenanceState.NONE,
                f"the index serves PEP 740 provenance ({_announced(page)}) "
                f"and publishes none for {entry.filename}",
                None,
                None,
                (),
            )
        return await self._fetch_integrity(page, entry, digest)

    async def _fetch_listed(
        self, entry: IndexFile, digest: str | None
    ) -> tuple[ProvenanceState, str, str | None, bytes | None, tuple[str, ...]]:
        url = entry.provenance_url
        assert url is not None
        if self.offline:
            return ProvenanceState.ERROR, f"{OFFLINE}: provenance {url}", url, None, ()
        try:
            resp = await self._get_provenance(url)
        except FetchError as err:
            return ProvenanceState.ERROR, f"provenance {url}: {err.reason}", url, None, err.warnings
        if resp.status != 200:
            if resp.status in (404, 410):
                self.listed_not_served.add(url)
            return (
                ProvenanceState.ERROR,
                f"the index lists provenance for {entry.filename} at {url}, "
                f"but it answers HTTP {resp.status}",
                url,
                None,
                resp.warnings,
            )
        problem = self._provenance_problem(resp)
        if problem is not None:
            self.listed_not_served.add(url)
            return ProvenanceState.ERROR, f"provenance {url}: {problem}", url, None, resp.warnings
        return (
            ProvenanceState.SERVED,
            "provenance served by the index",
            url,
            resp.body,
            resp.warnings,
        )

    async def _fetch_integrity(
        self, page: ProjectPage, entry: IndexFile, digest: str | None
    ) -> tuple[ProvenanceState, str, str | None, bytes | None, tuple[str, ...]]:
        serves = page.serves_provenance
        url = integrity_url(self.index_url, page.name, entry.filename)
        if serves:
            evidence = f"its page lists provenance keys for other files ({_announced(page)})"
        else:
            evidence = f"{_announced(page)}, its page lists no provenance keys"
        if url is None:
            reason = f"{evidence}; no version in {entry.filename} to ask the integrity endpoint"
            state = ProvenanceState.ERROR if serves else ProvenanceState.NOT_SERVED
            return state, reason, None, None, ()
        if self.offline:
            return ProvenanceState.ERROR, f"{OFFLINE}: provenance {url}", url, None, ()
        try:
            resp = await self._get_provenance(url)
        except FetchError as err:
            return (
                ProvenanceState.ERROR,
                f"{evidence}; integrity endpoint {url}: {err.reason}",
                url,
                None,
                err.warnings,
            )
        if resp.status == 200:
            kind = media_type(resp.content_type)
            if not _is_provenance_type(kind):
                answer = f"integrity endpoint answers {kind}, not provenance JSON"
                state = ProvenanceState.ERROR if serves else ProvenanceState.NOT_SERVED
                return state, f"{evidence}, {answer}", url, None, resp.warnings
            problem = self._provenance_problem(resp)
            if problem is not None:
                reason = f"integrity endpoint {url}: {problem}"
                return ProvenanceState.ERROR, reason, url, None, resp.warnings
            return (
                ProvenanceState.SERVED,
                "provenance served by the index's integrity endpoint",
                url,
                resp.body,
                resp.warnings,
            )
        answer = f"integrity endpoint {resp.status}"
        if serves and resp.status in (404, 410):
            return (
                ProvenanceState.NONE,
                f"{evidence}; none published for {entry.filename} ({answer})",
                url,
                None,
                resp.warnings,
            )
        if serves:
            return ProvenanceState.ERROR, f"{evidence}; {answer}", url, None, resp.warnings
        # What is true of this file: the index may serve provenance for other files.
        reason = f"{evidence}, {answer}: the index does not serve provenance for {entry.filename}"
        if page.announces_provenance:
            reason += " (cannot tell whether it has any)"
        return ProvenanceState.NOT_SERVED, reason, url, None, resp.warnings

    async def _get_provenance(self, url: str) -> Response:
        return await self._http().get(
            url, accept=ACCEPT_PROVENANCE, limit=self._provenance_limit, kind="provenance"
        )

    @staticmethod
    def _provenance_problem(resp: Response) -> str | None:
        kind = media_type(resp.content_type)
        if not _is_provenance_type(kind):
            return f"wrong content type {kind!r}, expected JSON"
        try:
            check_provenance(resp.body)
        except PageParseError as err:
            return str(err)
        return None

    def _remember(
        self,
        digest: str | None,
        filename: str,
        body: bytes,
        url: str,
        warnings: tuple[str, ...] = (),
    ) -> None:
        if self.cache is not None and digest is not None:
            kept = tuple(self._scrub(w) for w in dict.fromkeys(warnings))
            self.cache.put_provenance(
                self.index_url, digest, filename, body, url=url, warnings=kept
            )


def noted(reason: str, warnings: Iterable[str]) -> str:
    """``reason`` with every warning not already in it appended as ``(note: ...)``: a redirect
    to another host is named in the reason of every file it touched."""
    new = [w for w in dict.fromkeys(warnings) if w not in reason]
    return f"{reason} (note: {'; '.join(new)})" if new else reason


def _is_provenance_type(kind: str) -> bool:
    return kind in _PROVENANCE_TYPES or (kind.startswith("application/") and kind.endswith("+json"))


def _announced(page: ProjectPage) -> str:
    if page.api_version:
        return f"index announces api-version {page.api_version}"
    return "index announces no api-version"


def fetch_project(name: str, index_url: str | None = None, **kwargs: Any) -> ProjectPage:
    """Synchronous `IndexClient.project` for scripts (runs its own event loop)."""

    async def run() -> ProjectPage:
        async with IndexClient(index_url, **kwargs) as client:
            return await client.project(name)

    return asyncio.run(run())


def lookup_provenance(
    project: str,
    filename: str,
    sha256: str | None = None,
    index_url: str | None = None,
    **kwargs: Any,
) -> ProvenanceLookup:
    """Synchronous `IndexClient.provenance` for scripts (runs its own event loop)."""

    async def run() -> ProvenanceLookup:
        async with IndexClient(index_url, **kwargs) as client:
            return await client.provenance(project, filename, sha256)

    return asyncio.run(run())
