"""Project pages for the index client: fetched once per client, cached (sealed) with their
validators, revalidated on the next run (`If-None-Match` / `If-Modified-Since`), read from the
cache alone offline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from pyvouch.errors import IndexLookupError, OfflineMiss
from pyvouch.index.cache import CachedPage, IndexCache
from pyvouch.index.simple import (
    ACCEPT_PAGE,
    PageParseError,
    ProjectPage,
    normalize_name,
    parse_page,
)
from pyvouch.index.states import OFFLINE
from pyvouch.index.transport import ClientStats, FetchError, Response, Transport, redirect_warnings


class PageReader:
    """Reads the project pages of one index (``index_url``, credentials removed)."""

    def __init__(
        self,
        index_url: str,
        http: Callable[[], Transport],
        *,
        cache: IndexCache | None,
        offline: bool,
        stats: ClientStats,
        limit: int,
    ) -> None:
        self.index_url = index_url
        self._http = http
        self._cache = cache
        self._offline = offline
        self._stats = stats
        self._limit = limit
        self.tasks: dict[str, asyncio.Task[ProjectPage]] = {}
        """Pages read or on their way, by normalized name."""
        self._kept: dict[str, tuple[CachedPage | None, ProjectPage | None]] = {}
        """This machine's cached page of each project asked about (read once), parsed."""

    def url(self, project: str) -> str:
        return f"{self.index_url}{normalize_name(project)}/"

    def started(self, name: str) -> bool:
        """Whether the page of ``name`` (normalized) is read or on its way."""
        return name in self.tasks

    def kept(self, name: str) -> tuple[CachedPage | None, ProjectPage | None]:
        """The sealed cached page of ``name`` (normalized), and what it parses to; each entry
        is read from disk once per client."""
        found = self._kept.get(name)
        if found is None:
            cached = self._cache.get_page(self.url(name)) if self._cache is not None else None
            page = None
            if cached is not None:
                page = _parse_cached(cached.body, cached.content_type, cached.base_url, name)
            found = self._kept[name] = (cached, page)
        return found

    def remembered_none(self, name: str, filename: str) -> bool:
        """Whether this machine's cached page of ``name`` (normalized; sealed, so this
        machine's own) says that the index serves provenance and publishes none for
        ``filename`` (a provenance key that is null). Such a file is revalidated through its
        page (`IndexClient.provenance`), not through its integrity URL first."""
        if self._offline:
            return False
        page = self.kept(name)[1]
        if page is None or not page.serves_provenance:
            return False
        entry = page.file(filename)
        return entry is not None and entry.provenance_key and entry.provenance_url is None

    async def get(self, name: str) -> ProjectPage:
        """The project's page. Raises IndexLookupError (OfflineMiss offline) with a reason.

        A page is fetched at most once; concurrent callers share the request."""
        normalized = normalize_name(name)
        if not normalized:
            raise IndexLookupError(f"not a project name: {name!r}")
        task = self.tasks.get(normalized)
        if task is None:
            task = asyncio.ensure_future(self._load(normalized))
            self.tasks[normalized] = task
        return await asyncio.shield(task)

    def cancel(self) -> None:
        for task in self.tasks.values():
            if not task.done():
                task.cancel()

    async def _load(self, name: str) -> ProjectPage:
        page_url = self.url(name)
        cached, page = self.kept(name)
        self._kept.pop(name, None)  # read: the page task holds it from here
        if self._offline:
            if cached is None:
                raise OfflineMiss(f"{OFFLINE}: project page {page_url}")
            if page is None:
                raise OfflineMiss(f"{OFFLINE}: cached project page {page_url} is unreadable")
            self._stats.page_cache_hits += 1
            return replace(page, warnings=redirect_warnings(page_url, cached.base_url))
        headers: dict[str, str] = {}
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        resp = await self._fetch(page_url, headers)
        if resp.status == 304 and cached is not None and headers:
            if page is not None:
                self._stats.page_revalidated += 1
                return replace(page, warnings=resp.warnings)
            # The cached copy no longer parses: ask again without validators.
            resp = await self._fetch(page_url, {})
        return self._from_response(resp, name, page_url)

    async def _fetch(self, page_url: str, headers: dict[str, str]) -> Response:
        try:
            return await self._http().get(
                page_url, accept=ACCEPT_PAGE, limit=self._limit, kind="page", headers=headers
            )
        except FetchError as err:
            raise IndexLookupError(f"project page {page_url}: {err.reason}") from None

    def _from_response(self, resp: Response, name: str, page_url: str) -> ProjectPage:
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
        if self._cache is not None:
            self._cache.put_page(
                page_url,
                resp.body,
                content_type,
                resp.headers.get("etag"),
                resp.headers.get("last-modified"),
                base_url=resp.url,
            )
        return replace(page, warnings=resp.warnings)


def _parse_cached(body: bytes, content_type: str, url: str, name: str) -> ProjectPage | None:
    try:
        return parse_page(body, content_type, url, project=name)
    except PageParseError:
        return None
