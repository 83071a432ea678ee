"""The direct route: asking a file's integrity URL without reading its project page.

An index shows that its provenance lives at PyPI's integrity URLs when the provenance URLs its
pages list are exactly those (`DIRECT_AFTER` of them, none other), as on PyPI and on sites
`pyvouch index build` makes. Never on a mirror whose pages list no provenance URLs (one that
strips them). What was learned is kept as a sealed route hint for the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from pyvouch.index.cache import IndexCache
from pyvouch.index.provenance_fetch import ProvenanceFetcher
from pyvouch.index.simple import IndexFile, ProjectPage
from pyvouch.index.states import ProvenanceLookup, ProvenanceState, noted
from pyvouch.index.transport import FetchError
from pyvouch.index.urls import integrity_url

DIRECT_AFTER = 4
"""Listed provenance URLs that must equal `integrity_url` (and none differ) before the client
asks integrity URLs directly."""
PROBES = 8
"""Lookups that read their project page at a time while the client learns whether it can go
direct; the others wait (one round trip) instead of all reading pages."""

Route = Literal["direct", "page", "probe"]


class DirectRoute:
    """What this client learned about where the index serves provenance, and the direct
    lookups that follow from it."""

    def __init__(
        self,
        index_url: str,
        fetcher: ProvenanceFetcher,
        scrub: Callable[[str], str],
        *,
        cache: IndexCache | None,
    ) -> None:
        self.index_url = index_url
        self._fetcher = fetcher
        self._scrub = scrub
        self._cache = cache
        self._matches = 0
        self._differs = False
        self._hinted = cache is not None and cache.get_direct_route(index_url)
        """An earlier run learned that this index goes direct (see `IndexCache`)."""
        self._probes = 0
        self._changed = asyncio.Event()
        self.served = 0
        """Provenance served from integrity URLs asked without the project page."""

    @property
    def goes_direct(self) -> bool:
        if self._differs:
            return False
        return self._hinted or self._matches >= DIRECT_AFTER

    def learn(self, page: ProjectPage, entry: IndexFile) -> None:
        if entry.provenance_url is not None:
            if entry.provenance_url == integrity_url(self.index_url, page.name, entry.filename):
                self._matches += 1
            else:
                self._differs = True
        elif not page.serves_provenance:
            self._differs = True  # no provenance keys at all: never go direct
        self._wake()

    def keep(self) -> None:
        """Seal what this run learned for the next one (only a change is written)."""
        if self._cache is None:
            return
        learned = self._matches >= DIRECT_AFTER and not self._differs
        if learned != self._hinted and (learned or self._differs):
            self._cache.put_direct_route(self.index_url, learned)

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def route(self) -> Route:
        """How to look up a file whose digest is known: direct once `goes_direct`; the page
        when this index cannot go direct; until that is known, up to `PROBES` lookups at a time
        read their pages ("probe") and teach the client, while the others wait for them."""
        while True:
            if self._differs:
                return "page"
            if self.goes_direct:
                return "direct"
            if self._probes < PROBES:
                self._probes += 1
                return "probe"
            await self._changed.wait()

    def probe_done(self) -> None:
        self._probes -= 1
        self._wake()

    async def lookup(self, name: str, filename: str, digest: str) -> ProvenanceLookup | None:
        """SERVED from the integrity URL without the project page, or None to take the page.

        Safe without the page because what is served is only ever verified against the digest
        the caller (the lock) gives: provenance for another file cannot verify for this one.
        Anything but a 200 with provenance JSON (a 404, an error, a wrong content type) says
        nothing here; the page route then tells NONE, NOT_SERVED and ERROR apart as always.
        """
        url = integrity_url(self.index_url, name, filename)
        if url is None:
            return None
        try:
            resp = await self._fetcher.get(url)
        except FetchError:
            return None
        if resp.status != 200 or self._fetcher.problem(resp) is not None:
            return None
        # Not cached yet: the caller keeps it (`keep_direct`) once verified or confirmed.
        self.served += 1
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
