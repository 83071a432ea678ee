"""The index client: project pages and PEP 740 provenance from any simple-API index.

For every file, `IndexClient.provenance` returns exactly one `ProvenanceState` (SERVED, NONE,
NOT_SERVED, ERROR: see `pyvouch.index.states`) with its reason. The state is judged by the
data, not only by the announced api-version: an index may serve provenance keys while
announcing 1.1, and a mirror may announce 1.1 and strip them. See docs/index-client.md.

The parts: `pages.py` (project pages: cache, revalidation, offline), `provenance_fetch.py`
(the provenance state machine), `direct_route.py` (integrity URLs asked without the page),
`not_served.py` (when to stop asking the integrity endpoint of a mirror that strips provenance),
`downloads.py`, `urls.py`, `states.py`; this module puts them together for one index.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyvouch.errors import IndexLookupError
from pyvouch.index.cache import CachedProvenance, IndexCache, default_cache_dir
from pyvouch.index.direct_route import DIRECT_AFTER, PROBES, DirectRoute
from pyvouch.index.downloads import DOWNLOAD_TIMEOUT, DownloadFailed, download
from pyvouch.index.not_served import NOT_SERVED_AFTER, NOT_SERVED_LIFETIME, NotServedEvidence
from pyvouch.index.pages import PageReader
from pyvouch.index.provenance_fetch import (
    ACCEPT_PROVENANCE,
    PROVENANCE_LIMIT,
    ProvenanceFetcher,
)
from pyvouch.index.simple import (
    IndexFile,
    ProjectPage,
    normalize_name,
    strip_credentials,
)
from pyvouch.index.states import (
    OFFLINE,
    Outcome,
    ProvenanceLookup,
    ProvenanceState,
    is_provenance,
    listing_problem,
    noted,
)
from pyvouch.index.transport import BodySink, ClientStats, RedirectPolicy, Transport
from pyvouch.index.urls import DEFAULT_INDEX_URL, index_root, integrity_url, resolve_index_url
from pyvouch.index.writes import BackgroundWrites
from pyvouch.limits import MAX_INDEX_PAGE_BYTES
from pyvouch.machine_key import key_for_cache

if TYPE_CHECKING:
    from pyvouch.index.beside import BesideLookup, BesideSignatures

__all__ = [
    "ACCEPT_PROVENANCE",
    "DEFAULT_INDEX_URL",
    "DIRECT_AFTER",
    "DOWNLOAD_TIMEOUT",
    "NOT_SERVED_AFTER",
    "NOT_SERVED_LIFETIME",
    "OFFLINE",
    "PROBES",
    "ClientStats",
    "DownloadFailed",
    "IndexClient",
    "IndexFile",
    "ProjectPage",
    "ProvenanceLookup",
    "ProvenanceState",
    "fetch_project",
    "index_root",
    "integrity_url",
    "lookup_provenance",
    "noted",
    "resolve_index_url",
]

PAGE_LIMIT = MAX_INDEX_PAGE_BYTES


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
        refresh: bool = False,
        not_served_after: int | None = NOT_SERVED_AFTER,
        not_served_lifetime: float = NOT_SERVED_LIFETIME,
    ) -> None:
        """``refresh``: ignore a remembered "does not serve provenance" verdict.
        ``not_served_after``: integrity 404s (on pages without provenance keys) after which
        this run stops asking integrity URLs and the verdict is remembered for
        ``not_served_lifetime`` seconds; None always asks (see `pyvouch.index.not_served`)."""
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
        self._transport_args: dict[str, Any] = {
            "concurrency": concurrency,
            "timeout": timeout,
            "total_timeout": total_timeout,
            "retries": retries,
            "backoff": backoff,
            "max_retry_after": max_retry_after,
            "redirects": redirects,
        }
        self._transport: Transport | None = None
        self._pages = PageReader(
            self.index_url,
            self._http,
            cache=self.cache,
            offline=offline,
            stats=self.stats,
            limit=page_limit,
        )
        self._not_served = NotServedEvidence(
            self.index_url,
            cache=self.cache,
            after=not_served_after,
            lifetime=not_served_lifetime,
            refresh=refresh,
        )
        self._fetcher = ProvenanceFetcher(
            self.index_url,
            self._http,
            offline=offline,
            limit=provenance_limit,
            not_served=self._not_served,
        )
        self._route = DirectRoute(self.index_url, self._fetcher, self._scrub, cache=self.cache)
        self._refresh = refresh

    @property
    def listed_not_served(self) -> set[str]:
        """Provenance URLs the pages listed that answered without provenance (404, 410, or a
        200 that is not provenance JSON): the index lists provenance it does not serve. Their
        lookups are ERROR (`pyvouch index check` counts them as dropped)."""
        return self._fetcher.listed_not_served

    @property
    def direct_served(self) -> int:
        """Provenance served from integrity URLs asked without the project page."""
        return self._route.served

    @property
    def integrity_not_asked(self) -> int:
        """Integrity URLs not asked because this index was shown (in this run, or remembered)
        not to serve provenance."""
        return self._not_served.not_asked

    @property
    def goes_direct(self) -> bool:
        """Whether this index has shown that its provenance lives at `integrity_url` (see
        `pyvouch.index.direct_route`)."""
        return self._route.goes_direct

    async def __aenter__(self) -> IndexClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if not self.offline:
            self._route.keep()
            self._not_served.keep()
        self._pages.cancel()
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
        return self._pages.url(project)

    async def project(self, name: str) -> ProjectPage:
        """The project's page. Raises IndexLookupError (OfflineMiss offline) with a reason.

        A page is fetched at most once per client; concurrent callers share the request."""
        page = await self._pages.get(name)
        self._not_served.note_page(page)
        return page

    # -- distribution files ----------------------------------------------------------------

    async def download(self, url: str, sink: BodySink, *, limit: int) -> tuple[str, ...]:
        """GET a distribution file into ``sink`` (at most ``limit`` bytes); the warnings
        (redirects to another host). Raises DownloadFailed (OfflineMiss offline)."""
        return await download(
            self._http, url, sink, limit=limit, offline=self.offline, scrub=self._scrub
        )

    # -- signatures beside files (private registries) -------------------------------------

    @cached_property
    def _beside(self) -> BesideLookup:
        """Made (and its module imported) on the first file verified by signatures beside it,
        never on a scan of attestations (start-up)."""
        from pyvouch.index.beside import BesideFetcher, BesideLookup

        return BesideLookup(
            self.index_url, BesideFetcher(self._http, self._scrub), self.cache, self.writes,
            offline=self.offline, refresh=self._refresh,
        )  # fmt: skip

    async def signatures(self, project: str, filename: str, sha256: str) -> BesideSignatures | None:
        """What sits beside ``filename`` on the index (`pyvouch.index.beside`); None when
        nothing can (the page does not list it, or the file is on PyPI)."""
        try:
            page = await self.project(project)
        except IndexLookupError:
            return None
        entry = page.file(filename)
        return None if entry is None else await self._beside.find(entry.url, sha256)

    def keep_signatures(self, sha256: str, found: BesideSignatures) -> None:
        """Cache signatures that verified (sealed; see `pyvouch.index.beside.SignatureCache`)."""
        self._beside.keep(sha256, found)

    # -- provenance ------------------------------------------------------------------------

    async def provenance_many(
        self, wanted: Iterable[tuple[str, str, str | None]]
    ) -> list[ProvenanceLookup]:
        """`provenance` for many `(project, filename, sha256)` at once, in order."""
        return list(await asyncio.gather(*(self.provenance(p, f, s) for p, f, s in wanted)))

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
        problem = listing_problem(page, lookup.filename, lookup.sha256)
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

    async def with_body(self, lookup: ProvenanceLookup) -> ProvenanceLookup:
        """``lookup`` with its provenance body read, when it was deferred (``defer_body``):
        the cached body whose digest is the sealed one, or, when it is gone or not that body
        (a planted or damaged file), the index's answer asked again without the cache."""
        if not lookup.body_deferred or lookup.sha256 is None or lookup.project is None:
            return lookup
        if self.cache is not None and lookup.provenance_sha256 is not None:
            body = self.cache.read_provenance_body(
                self.index_url, lookup.sha256, lookup.filename, lookup.provenance_sha256
            )
            if body is not None and is_provenance(body):
                return replace(lookup, provenance=body)
        self.stats.provenance_cache_hits -= 1
        return await self.provenance(
            lookup.project, lookup.filename, lookup.sha256, direct=False, use_cache=False
        )

    async def provenance(
        self,
        project: str,
        filename: str,
        sha256: str | None = None,
        *,
        direct: bool = True,
        defer_body: bool = False,
        use_cache: bool = True,
    ) -> ProvenanceLookup:
        """The provenance state of one file. Never raises for network or index faults.

        With ``sha256`` given and an index that `goes_direct`, the integrity URL is asked
        first, without the project page (``direct=False`` always reads the page).
        ``defer_body``: a SERVED answer from the cache carries the body's sealed digest
        (`ProvenanceLookup.provenance_sha256`) and not the body, which `with_body` reads.
        ``use_cache=False``: provenance kept in the cache is not used."""
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
            body_sha256: str | None = None,
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
                provenance_sha256=body_sha256,
            )

        deferred = digest is not None and defer_body and use_cache and self.cache is not None
        if deferred and self.cache is not None and digest is not None:
            entry = self.cache.get_provenance_entry(self.index_url, digest, filename)
            if entry is not None:
                self.stats.provenance_cache_hits += 1
                return result(
                    ProvenanceState.SERVED,
                    f"provenance from the cache (fetched earlier from {self.index_url})",
                    url=entry.url,
                    warnings=entry.warnings,
                    from_cache=True,
                    body_sha256=entry.body_sha256,
                )
        if digest is not None and use_cache and not deferred:  # (a deferred miss: asked above)
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
            problem = listing_problem(page, filename, digest)
            entry = page.file(filename)
            if problem is not None or entry is None:
                return result(ProvenanceState.ERROR, problem or "", warnings=page.warnings)
            file_digest = digest or (entry.sha256.lower() if entry.sha256 else None)
            if digest is None and file_digest is not None and use_cache:
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
            state, reason, url, body, warnings = await self._lookup(page, entry)
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
        if direct and digest is not None and not self.offline and not self._pages.started(name):
            if self._pages.remembered_none(name, filename):
                # "None published" last time: what can change it is the page listing
                # provenance, so the page is revalidated (one conditional request per project).
                return await via_page()
            route = await self._route.route()
            if route == "direct":
                served = await self._route.lookup(name, filename, digest)
                if served is not None:
                    return served
            elif route == "probe":
                try:
                    return await via_page()
                finally:
                    self._route.probe_done()
        return await via_page()

    async def _lookup(self, page: ProjectPage, entry: IndexFile) -> Outcome:
        self._route.learn(page, entry)
        return await self._fetcher.lookup(page, entry)

    def _cached_provenance(self, digest: str, filename: str) -> CachedProvenance | None:
        if self.cache is None:
            return None
        cached = self.cache.get_provenance(self.index_url, digest, filename)
        if cached is None:
            return None
        if not is_provenance(cached.body):
            return None
        self.stats.provenance_cache_hits += 1
        return cached

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
