"""The OSV API as an advisory source: ``POST /v1/querybatch`` for the ids affecting each
(package, version), then ``GET /v1/vulns/{id}`` for each advisory.

It goes through the index client's transport (`pyvouch.index.transport`): the same timeouts,
bounded retries with backoff, size limits and redirect refusal. Advisories are cached by id and
``modified`` (sealed with the machine key, so a planted entry is a miss), so a warm run asks
one ``querybatch`` per 1,000 packages and nothing else.

Honesty: an answer is only taken for what was asked. A failed batch, an answer that is not the
expected JSON, a list of results of another length than the queries, a paged answer, an
advisory that cannot be fetched or read, an advisory whose id is not the one asked for, or one
that does not name the package it was given for: each makes the packages concerned `unknown`
with that reason, never "no known vulnerabilities".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyvouch import jsontext
from pyvouch.index.cache import default_cache_dir
from pyvouch.index.sealed import SealedCache
from pyvouch.index.transport import ClientStats, FetchError, Transport
from pyvouch.limits import MAX_ADVISORY_BYTES, MAX_OSV_BATCH_BYTES
from pyvouch.redact import quote
from pyvouch.vulns import DEFAULT_OSV_URL
from pyvouch.vulns.osv import ECOSYSTEM, Advisory, AdvisoryProblem, parse_advisory

BATCH = 1000
"""Queries per ``querybatch`` (the API's own limit)."""
CACHE_LAYOUT = "osv-v1"
_MAC_PURPOSE = "pyvouch osv advisory v1"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
MAX_CITED = 1000
"""Advisories the API may cite for one release (Django's busiest release has ~100)."""

Query = tuple[str, str]
"""(PEP 503 name, version)."""


class AdvisoryCache(SealedCache):
    """Advisories the OSV API served, under ``<cache dir>/osv-v1`` keyed by the API, the id
    and its ``modified`` time (`SealedCache.open`: None without a machine key)."""

    LAYOUT = CACHE_LAYOUT
    PURPOSE = _MAC_PURPOSE


@dataclass
class OsvAnswers:
    advisories: dict[Query, list[Advisory]] = field(default_factory=dict)
    problems: dict[Query, str] = field(default_factory=dict)
    """Why a query has no answer (it is then `unknown`)."""


@dataclass(frozen=True)
class OsvSettings:
    url: str = DEFAULT_OSV_URL
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    jobs: int = 16
    cache_dir: Path | None = None
    use_cache: bool = True


class OsvApi:
    def __init__(self, settings: OsvSettings) -> None:
        self.settings = settings
        self.base = settings.url.rstrip("/")
        self.stats = ClientStats()
        self._transport = Transport(
            index_url=self.base,
            stats=self.stats,
            concurrency=settings.jobs,
            timeout=settings.timeout,
            total_timeout=max(settings.timeout * 3, 30.0),
            retries=settings.retries,
            backoff=settings.backoff,
            redirects="refuse",
        )
        root = settings.cache_dir if settings.cache_dir is not None else default_cache_dir()
        self._cache = AdvisoryCache.open(root) if settings.use_cache else None

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def answer(self, queries: Sequence[Query]) -> OsvAnswers:
        """Advisories for each query (as the API cites them), or why there are none."""
        out = OsvAnswers()
        unique = list(dict.fromkeys(queries))
        cited: dict[Query, list[tuple[str, str]]] = {}
        batches = [unique[i : i + BATCH] for i in range(0, len(unique), BATCH)]
        for batch, answer in zip(
            batches, await asyncio.gather(*(self._batch(b) for b in batches)), strict=True
        ):
            if isinstance(answer, str):
                out.problems.update(dict.fromkeys(batch, answer))
            else:
                for query, ids in zip(batch, answer, strict=True):
                    if isinstance(ids, str):
                        out.problems[query] = ids
                    else:
                        cited[query] = ids
        wanted = list(dict.fromkeys(i for ids in cited.values() for i in ids))
        fetched = dict(
            zip(wanted, await asyncio.gather(*(self._advisory(*i) for i in wanted)), strict=True)
        )
        for query, ids in cited.items():
            advisories: list[Advisory] = []
            for ident in ids:
                got = fetched[ident]
                if isinstance(got, str):
                    out.problems[query] = got
                    break
                if not got.affecting(query[0]):
                    out.problems[query] = (
                        f"the OSV API cited {got.id} for {query[0]}, but that advisory does "
                        f"not name {query[0]}: the answer is not for the package asked"
                    )
                    break
                advisories.append(got)
            else:
                out.advisories[query] = advisories
        return out

    async def _batch(self, batch: list[Query]) -> list[list[tuple[str, str]] | str] | str:
        url = f"{self.base}/v1/querybatch"
        body = {
            "queries": [
                {"package": {"name": name, "ecosystem": ECOSYSTEM}, "version": version}
                for name, version in batch
            ]
        }
        data = await self._fetch(url, MAX_OSV_BATCH_BYTES, json.dumps(body).encode())
        if isinstance(data, str):
            return data
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(batch):
            return (
                f"the OSV API's answer from {url} does not hold one result per query "
                f"({len(batch)} asked)"
            )
        return [_cited(r, q, url) for r, q in zip(results, batch, strict=True)]

    async def _fetch(self, url: str, limit: int, post: bytes | None = None) -> Any:
        """The JSON at ``url`` (POSTing ``post``), or the problem as one line."""
        try:
            response = await self._transport.get(
                url, accept="application/json", limit=limit, kind="advisory", post=post
            )
        except FetchError as err:
            return f"the OSV API could not answer: {err.reason}"
        if response.status != 200:
            return f"the OSV API answered HTTP {response.status} from {url}"
        try:
            return jsontext.loads(response.body)
        except (ValueError, RecursionError) as err:
            return f"the OSV API's answer from {url} is not valid JSON ({type(err).__name__})"

    async def _advisory(self, ident: str, modified: str) -> Advisory | str:
        key = hashlib.sha256(f"{self.base}\0{ident}\0{modified}".encode()).hexdigest()
        url = f"{self.base}/v1/vulns/{ident}"
        if self._cache is not None:  # an entry parse_advisory refuses is a miss
            cached = self._cache.decoded(key, lambda value: parse_advisory(json.loads(value), url))
            if cached is not None:
                return cached
        doc = await self._fetch(url, MAX_ADVISORY_BYTES)
        if isinstance(doc, str):
            return doc
        try:
            advisory = parse_advisory(doc, url)
        except AdvisoryProblem as err:
            return f"advisory {ident} from the OSV API is unusable: {err}"
        if advisory.id != ident:
            return f"the OSV API answered {quote(advisory.id)} when asked for advisory {ident}"
        if self._cache is not None:
            self._cache.write(key, json.dumps(advisory.to_osv()).encode())
        return advisory


def _cited(result: Any, query: Query, url: str) -> list[tuple[str, str]] | str:
    if not isinstance(result, dict):
        return f"the OSV API's answer from {url} for {query[0]} is not a result object"
    if result.get("next_page_token"):
        return f"the OSV API paged its answer for {query[0]}; pyvouch does not follow pages"
    vulns = result.get("vulns", [])
    if not isinstance(vulns, list):
        return f"the OSV API's answer from {url} for {query[0]} has no list of advisories"
    if len(vulns) > MAX_CITED:
        return f"the OSV API cites {len(vulns)} advisories for {query[0]}, more than {MAX_CITED}"
    out = []
    for item in vulns:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not _ID.match(ident):
            shown = quote(str(ident)[:100])
            return f"the OSV API's answer for {query[0]} cites an advisory id {shown}"
        out.append((ident, str(item.get("modified", ""))))
    return out
