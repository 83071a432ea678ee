"""When to stop asking an index's integrity endpoint: the evidence that it does not serve
provenance, gathered in this run or remembered from an earlier one.

A mirror that strips provenance lists no provenance keys on its pages and answers 404 at
PyPI's integrity URLs; asking it once per file costs one request per file, on every run, and
says nothing new. So, for files on pages that list no provenance keys:

- **In one run.** Once the integrity endpoint has answered 404 (or 410) for `NOT_SERVED_AFTER`
  files and nothing this run has seen says the index serves provenance, the rest of the run
  asks no more integrity URLs. Until then at most `NOT_SERVED_AFTER` such requests are asked at
  a time (the others wait for their answers), so a stripping mirror is asked exactly that many.
- **Across runs.** That verdict is kept, sealed with the machine key (`IndexCache.
  put_not_served`), for `NOT_SERVED_LIFETIME` seconds from when it was learned; the lifetime
  is never extended, so a full run learns it again after that. While it holds, a run asks one
  integrity URL (the first file it would have asked: the probe; the others wait for its
  answer) and the others not at all. Offline it answers without a request.
- **What ends it.** A page that lists any provenance key (even a null one), or an integrity URL
  that answers 200 with JSON (provenance, or something that tries to be), means the index
  serves provenance: the shortcut is off for the rest of the run and the remembered verdict is
  forgotten. `refresh=True` (`--refresh`) ignores a remembered verdict.

A file the index was not asked about is NOT_SERVED (shown as `unknown`), with a reason that
says it was not asked, why, and (when remembered) when the verdict was learned. Nothing here
can make a file `none` (`unattested`) or served: files on pages with provenance keys never
reach this module. What it can cost: a file whose provenance the index would have served at
its integrity URL while its pages list no keys, asked after the verdict, stays `unknown`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from pyvouch.index.cache import IndexCache, RememberedNotServed
from pyvouch.index.simple import ProjectPage

NOT_SERVED_AFTER = 8
"""Integrity 404s on pages without provenance keys, and no sign of provenance, before the
index is taken not to serve any (this run) and the verdict is remembered."""
NOT_SERVED_LIFETIME = 3600.0
"""Seconds a remembered "does not serve provenance" verdict is used after it was learned."""


@dataclass(frozen=True)
class Ticket:
    """One integrity request `NotServedEvidence` let through."""

    probe: bool
    """It checks a remembered verdict (the others wait for its answer)."""


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


class NotServedEvidence:
    """What one client has seen of whether its index serves provenance."""

    def __init__(
        self,
        index_url: str,
        *,
        cache: IndexCache | None,
        after: int | None = NOT_SERVED_AFTER,
        lifetime: float = NOT_SERVED_LIFETIME,
        refresh: bool = False,
    ) -> None:
        self.index_url = index_url
        self._cache = cache
        self._after = after
        self._lifetime = lifetime
        self._refresh = refresh
        self.remembered: RememberedNotServed | None = None
        if cache is not None and after is not None and not refresh:
            self.remembered = cache.get_not_served(index_url, now=time.time(), lifetime=lifetime)
        self.misses = 0
        """Integrity URLs that answered 404/410 for files on pages without provenance keys."""
        self.serves: str | None = None
        """Why this index is known to serve provenance, once something showed it."""
        self.not_asked = 0
        """Integrity URLs not asked because of the verdict."""
        self._asking = 0
        """Integrity requests let through and not answered yet (this run's learning)."""
        self._probe = "due"
        self._changed = asyncio.Event()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _serving(self, why: str) -> None:
        if self.serves is None:
            self.serves = why
            self._wake()

    def note_page(self, page: ProjectPage) -> None:
        if page.serves_provenance:
            self._serving(f"the page of {page.name} lists provenance keys")

    async def before_asking(self, *, offline: bool) -> str | Ticket | None:
        """Before asking the integrity URL of a file on a page without provenance keys: a
        reason (do not ask: the file is NOT_SERVED for it), or None (ask), or a `Ticket` (ask,
        then hand the ticket and the answer to `after_asking`, whatever happened)."""
        while True:
            if self.serves is not None or self._after is None:
                return None
            if self.remembered is not None:
                if offline:
                    return self._remembered_reason(self.remembered)
                if self._probe == "due":
                    self._probe = "asking"
                    return Ticket(probe=True)
                if self._probe == "held":
                    self.not_asked += 1
                    return self._remembered_reason(self.remembered)
            elif offline:
                return None  # the client then says "offline: not in cache"
            elif self.misses >= self._after:
                self.not_asked += 1
                return self._run_reason()
            elif self._asking < self._after - self.misses:
                self._asking += 1
                return Ticket(probe=False)
            await self._changed.wait()

    def after_asking(self, ticket: Ticket, status: int | None, *, served: bool) -> None:
        """What the integrity URL answered: its HTTP status (None: no answer) and whether
        it was provenance JSON (or tried to be: a 200 JSON answer that does not parse)."""
        if ticket.probe:
            self._probe = "held"
        else:
            self._asking -= 1
        if served:
            self._serving("an integrity URL answered with provenance JSON")
        elif status in (404, 410):
            self.misses += 1
        self._wake()

    def keep(self) -> None:
        """At the end of an online run: remember what it learned, forget what it disproved."""
        if self._cache is None or self._after is None:
            return
        if self.serves is not None:
            if self.remembered is not None or self._refresh:
                self._cache.forget_not_served(self.index_url)
        elif self.remembered is None and self.misses >= self._after:
            self._cache.put_not_served(self.index_url, learned_at=time.time(), files=self.misses)

    def _run_reason(self) -> str:
        return (
            f"integrity endpoint not asked: in this run it answered 404 for {self.misses} "
            "files on pages without provenance keys, and no page listed any"
        )

    def _remembered_reason(self, verdict: RememberedNotServed) -> str:
        return (
            f"integrity endpoint not asked: remembered verdict learned {_when(verdict.learned_at)}"
            f" (it answered 404 for {verdict.files} files on pages without provenance keys, and "
            f"no page listed any; kept until {_when(verdict.learned_at + self._lifetime)}, "
            "--refresh asks again)"
        )
