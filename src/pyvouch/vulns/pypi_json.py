"""PyPI's JSON API as an advisory source, where an index offers it:
``GET {index root}/pypi/{name}/{version}/json`` and its ``vulnerabilities`` list (PyPI fills it
from OSV for that exact release).

It is asked only for the packages the OSV API could not answer for, on the scan's own index,
through the index client's transport (timeouts, retries, size limits, no redirect to another
host). An answer is only taken for what was asked: the release it describes (``info.name``,
``info.version``) must be the one requested, and it must carry a ``vulnerabilities`` list (an
index without it does not offer the field: the package stays `unknown`). Each entry becomes an
advisory affecting exactly that version, its ``fixed_in`` versions as fixes; withdrawn entries
are left out by the matcher like any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from pyvouch import jsontext
from pyvouch.index.transport import ClientStats, FetchError, Transport
from pyvouch.index.urls import index_root
from pyvouch.limits import MAX_INDEX_PAGE_BYTES
from pyvouch.redact import quote
from pyvouch.vulns.osv import Advisory, Affected
from pyvouch.vulns.osv_api import OsvAnswers, OsvSettings, Query


def _fixes(value: Any) -> tuple[str, ...]:
    out = []
    for item in value if isinstance(value, list) else []:
        try:
            out.append(str(Version(str(item))))
        except InvalidVersion:
            continue
    return tuple(out)


def _advisory(entry: Any, name: str, version: str, url: str) -> Advisory | str:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        return f"PyPI's JSON API at {url} lists a vulnerability without an id"
    aliases = entry.get("aliases")
    summary = entry.get("summary") or entry.get("details") or ""
    withdrawn = entry.get("withdrawn")
    link = entry.get("link")
    return Advisory(
        id=entry["id"],
        aliases=tuple(str(a) for a in aliases if a != entry["id"])
        if isinstance(aliases, list)
        else (),
        summary=" ".join(str(summary).split())[:400],
        modified="",
        withdrawn=None if withdrawn is None else str(withdrawn),
        severity=(),
        database_severity=None,
        affected=(
            Affected(
                name,
                tuple((("introduced", "0"), ("fixed", f)) for f in _fixes(entry.get("fixed_in"))),
                (version,),
            ),
        ),
        urls=(link,) if isinstance(link, str) else (),
        origin=url,
    )


class PypiJson:
    def __init__(self, index_url: str, settings: OsvSettings) -> None:
        self.root = index_root(index_url)
        self._transport = Transport(
            index_url=index_url,
            stats=ClientStats(),
            concurrency=settings.jobs,
            timeout=settings.timeout,
            retries=settings.retries,
            backoff=settings.backoff,
            redirects="refuse",
        )

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def answer(self, queries: Sequence[Query]) -> OsvAnswers:
        out = OsvAnswers()
        unique = list(dict.fromkeys(queries))
        for query, got in zip(
            unique, await asyncio.gather(*(self._one(*q) for q in unique)), strict=True
        ):
            if isinstance(got, str):
                out.problems[query] = got
            else:
                out.advisories[query] = got
        return out

    async def _one(self, name: str, version: str) -> list[Advisory] | str:
        url = f"{self.root}pypi/{name}/{version}/json"
        try:
            response = await self._transport.get(
                url, accept="application/json", limit=MAX_INDEX_PAGE_BYTES, kind="advisory"
            )
        except FetchError as err:
            return f"PyPI's JSON API could not answer: {err.reason}"
        if response.status != 200:
            return f"PyPI's JSON API answered HTTP {response.status} from {url}"
        try:
            doc = jsontext.loads(response.body)
        except (ValueError, RecursionError) as err:
            return f"PyPI's JSON API answer from {url} is not valid JSON ({type(err).__name__})"
        info = doc.get("info") if isinstance(doc, dict) else None
        if not isinstance(info, dict):
            return f"PyPI's JSON API answer from {url} has no release info"
        said = (str(info.get("name", "")), str(info.get("version", "")))
        if canonicalize_name(said[0]) != name or canonicalize_version(
            said[1]
        ) != canonicalize_version(version):
            return (
                f"PyPI's JSON API at {url} answered for {quote(said[0])} {quote(said[1])}, "
                f"not for {name} {version}"
            )
        entries = doc.get("vulnerabilities")
        if not isinstance(entries, list):
            return f"the index's JSON API at {url} offers no vulnerabilities list"
        advisories = []
        for entry in entries:
            got = _advisory(entry, name, version, url)
            if isinstance(got, str):
                return got
            advisories.append(got)
        return advisories
