"""The provenance state machine: what one file's entry on a project page, and the URLs it
leads to, say about the file's PEP 740 provenance (see `pyvouch.index.states`)."""

from __future__ import annotations

from collections.abc import Callable

from pyvouch.index.not_served import NotServedEvidence
from pyvouch.index.simple import (
    IndexFile,
    PageParseError,
    ProjectPage,
    check_provenance,
    media_type,
)
from pyvouch.index.states import (
    OFFLINE,
    Outcome,
    ProvenanceState,
    announced,
    is_provenance_type,
)
from pyvouch.index.transport import FetchError, Response, Transport
from pyvouch.index.urls import integrity_url
from pyvouch.limits import MAX_PROVENANCE_BYTES

PROVENANCE_LIMIT = MAX_PROVENANCE_BYTES
ACCEPT_PROVENANCE = "application/vnd.pypi.integrity.v1+json, application/json;q=0.9, */*;q=0.1"


class ProvenanceFetcher:
    """Asks one index (``index_url``, credentials removed) for provenance."""

    def __init__(
        self,
        index_url: str,
        http: Callable[[], Transport],
        *,
        offline: bool,
        limit: int = PROVENANCE_LIMIT,
        not_served: NotServedEvidence | None = None,
    ) -> None:
        self.index_url = index_url
        self._http = http
        self._offline = offline
        self._limit = limit
        self._not_served = not_served
        """When to stop asking integrity URLs of files on pages without provenance keys."""
        self.listed_not_served: set[str] = set()
        """Provenance URLs the pages listed that answered without provenance (404, 410, or a
        200 that is not provenance JSON): the index lists provenance it does not serve."""

    async def get(self, url: str) -> Response:
        return await self._http().get(
            url, accept=ACCEPT_PROVENANCE, limit=self._limit, kind="provenance"
        )

    @staticmethod
    def problem(resp: Response) -> str | None:
        """Why a 200 answer is not provenance, or None."""
        kind = media_type(resp.content_type)
        if not is_provenance_type(kind):
            return f"wrong content type {kind!r}, expected JSON"
        try:
            check_provenance(resp.body)
        except PageParseError as err:
            return str(err)
        return None

    async def lookup(self, page: ProjectPage, entry: IndexFile) -> Outcome:
        """The state of ``entry``'s provenance, as ``page`` lists it."""
        if entry.provenance_url is not None:
            return await self._listed(entry)
        if entry.provenance_key:
            return (
                ProvenanceState.NONE,
                f"the index serves PEP 740 provenance ({announced(page)}) "
                f"and publishes none for {entry.filename}",
                None,
                None,
                (),
            )
        return await self._integrity(page, entry)

    async def _listed(self, entry: IndexFile) -> Outcome:
        url = entry.provenance_url
        assert url is not None
        if self._offline:
            return ProvenanceState.ERROR, f"{OFFLINE}: provenance {url}", url, None, ()
        try:
            resp = await self.get(url)
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
        problem = self.problem(resp)
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

    async def _integrity(self, page: ProjectPage, entry: IndexFile) -> Outcome:
        serves = page.serves_provenance
        url = integrity_url(self.index_url, page.name, entry.filename)
        if serves:
            evidence = f"its page lists provenance keys for other files ({announced(page)})"
        else:
            evidence = f"{announced(page)}, its page lists no provenance keys"
        if url is None:
            reason = f"{evidence}; no version in {entry.filename} to ask the integrity endpoint"
            state = ProvenanceState.ERROR if serves else ProvenanceState.NOT_SERVED
            return state, reason, None, None, ()
        if serves or self._not_served is None:
            return (await self._ask_integrity(page, entry, url, evidence))[0]
        # No provenance keys on this page: ask unless the index has shown it serves none.
        decision = await self._not_served.before_asking(offline=self._offline)
        if isinstance(decision, str):
            return (
                ProvenanceState.NOT_SERVED,
                _not_served(page, entry, evidence, decision),
                url,
                None,
                (),
            )
        if decision is None:
            return (await self._ask_integrity(page, entry, url, evidence))[0]
        status: int | None = None
        outcome: Outcome | None = None
        try:
            outcome, status = await self._ask_integrity(page, entry, url, evidence)
        finally:
            tried = (
                status == 200
                and outcome is not None
                and outcome[0] is not ProvenanceState.NOT_SERVED
            )
            self._not_served.after_asking(decision, status, served=tried)
        return outcome

    async def _ask_integrity(
        self, page: ProjectPage, entry: IndexFile, url: str, evidence: str
    ) -> tuple[Outcome, int | None]:
        """The integrity endpoint's answer for ``entry``, and its HTTP status (None: none)."""
        if self._offline:
            return (ProvenanceState.ERROR, f"{OFFLINE}: provenance {url}", url, None, ()), None
        try:
            resp = await self.get(url)
        except FetchError as err:
            reason = f"{evidence}; integrity endpoint {url}: {err.reason}"
            return (ProvenanceState.ERROR, reason, url, None, err.warnings), None
        return self._integrity_answer(page, entry, url, evidence, resp), resp.status

    def _integrity_answer(
        self, page: ProjectPage, entry: IndexFile, url: str, evidence: str, resp: Response
    ) -> Outcome:
        serves = page.serves_provenance
        if resp.status == 200:
            kind = media_type(resp.content_type)
            if not is_provenance_type(kind):
                answer = f"integrity endpoint answers {kind}, not provenance JSON"
                state = ProvenanceState.ERROR if serves else ProvenanceState.NOT_SERVED
                return state, f"{evidence}, {answer}", url, None, resp.warnings
            problem = self.problem(resp)
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
        return (
            ProvenanceState.NOT_SERVED,
            _not_served(page, entry, evidence, answer, ","),
            url,
            None,
            resp.warnings,
        )


def _not_served(
    page: ProjectPage, entry: IndexFile, evidence: str, answer: str, joint: str = ";"
) -> str:
    """What is true of this file: the index may serve provenance for other files."""
    reason = f"{evidence}{joint} {answer}: the index does not serve provenance for {entry.filename}"
    if page.announces_provenance:
        reason += " (cannot tell whether it has any)"
    return reason
