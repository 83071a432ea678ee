"""HTTP for the index client: one GET with redirects, retries, time and size limits.

The network is an adversary (DESIGN.md): every request has a timeout and a wall-clock cap,
every body is streamed and cut off at a size limit, retries are bounded and back off
exponentially with jitter, and a redirect to another host is never followed silently.
Credentials go only to the index's own origin and never appear in a message.

The requests themselves go through aiohttp (`pyvouch.index.http_engine`), imported on the first
request: a run that asks nothing imports no HTTP client.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import netrc
import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import unquote

from pyvouch import __version__
from pyvouch.index.simple import strip_credentials
from pyvouch.redact import quote
from pyvouch.urls import http_url_problem, join_url, split_url, url_problem

if TYPE_CHECKING:
    import ssl

    from pyvouch.index.http_engine import Engine

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
RedirectPolicy = Literal["follow", "refuse"]
Kind = Literal["page", "provenance", "file", "signature", "advisory"]


class BodySink(Protocol):
    """Where a body goes instead of memory (a download): emptied before each attempt."""

    def reset(self) -> None: ...

    def write(self, chunk: bytes) -> None: ...


class FetchError(Exception):
    """A request failed for good (after retries where retrying makes sense).

    ``warnings`` names the redirects to another host followed before it failed (the reason
    names them too)."""

    def __init__(self, reason: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.warnings = warnings


class Retryable(Exception):
    """A failure worth another attempt (429, 5xx, a connection error, a timeout)."""

    def __init__(
        self, reason: str, retry_after: float | None = None, warnings: tuple[str, ...] = ()
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.warnings = warnings


@dataclass
class ClientStats:
    """Counters for benchmarks and tests. `requests` counts every HTTP request sent."""

    requests: int = 0
    page_requests: int = 0
    provenance_requests: int = 0
    retries: int = 0
    redirects: int = 0
    bytes_received: int = 0
    page_cache_hits: int = 0
    """Pages answered from the cache without a request (offline)."""
    page_revalidated: int = 0
    """Pages confirmed by the index with `304 Not Modified`."""
    provenance_cache_hits: int = 0
    file_requests: int = 0
    """Distribution files downloaded (environment scans compare installed files with them)."""
    signature_requests: int = 0
    """Signatures asked for beside files (``.sigstore.json``, ``.sig``, ``.crt``)."""
    advisory_requests: int = 0
    """Requests to a vulnerability database (`pyvouch.vulns.osv_api`)."""


@dataclass(frozen=True)
class Response:
    url: str
    """Final URL after redirects, credentials removed."""
    status: int
    headers: Mapping[str, str]
    """Case-insensitive."""
    body: bytes
    warnings: tuple[str, ...] = field(default=())

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", ""))


_SSL_CONTEXT: ssl.SSLContext | None = None


def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process (building one costs ~50 ms; clients share it).

    `$SSL_CERT_FILE` when set, else `$SSL_CERT_DIR` when set, else certifi's CA bundle (what
    httpx did before pyvouch moved to aiohttp)."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        import ssl

        if os.environ.get("SSL_CERT_FILE"):
            context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
        elif os.environ.get("SSL_CERT_DIR"):
            context = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
        else:
            import certifi

            context = ssl.create_default_context(cafile=certifi.where())
        _SSL_CONTEXT = context
    return _SSL_CONTEXT


def origin(url: str) -> tuple[str, str, int | None]:
    parts = split_url(url)
    if parts is None:  # urllib cannot split it: no origin matches it
        return "", "", -1
    try:
        port = parts.port
    except ValueError:  # a port out of range: no origin matches it
        port = -1
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def credentials_for(url: str) -> tuple[str, str] | None:
    """Basic-auth credentials from the URL's userinfo, else from netrc (`$NETRC` or ~/.netrc)."""
    parts = split_url(url)
    if parts is None:
        return None
    if parts.username is not None:
        return unquote(parts.username), unquote(parts.password or "")
    host = parts.hostname
    if not host:
        return None
    try:
        entry = netrc.netrc(os.environ.get("NETRC")).authenticators(host)
    except (OSError, netrc.NetrcParseError):
        return None
    if entry is None:
        return None
    login, _account, password = entry
    return login, password or ""


def basic_auth(login: str, password: str) -> str:
    """The ``Authorization`` value for HTTP Basic (UTF-8, as pip and httpx send it)."""
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode("ascii")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Transport:
    """GETs with bounded concurrency, retries, limits and the redirect policy."""

    def __init__(
        self,
        *,
        index_url: str,
        stats: ClientStats,
        concurrency: int = 16,
        timeout: float = 10.0,
        total_timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 10.0,
        redirects: RedirectPolicy = "follow",
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if retries < 0:
            raise ValueError("retries must not be negative")
        self._index_origin = origin(index_url)
        auth = credentials_for(index_url)
        self._authorization = basic_auth(*auth) if auth is not None else None
        self._secrets = tuple(s for s in (auth or ()) if s)
        self._stats = stats
        self._semaphore = asyncio.Semaphore(concurrency)
        self._timeout = timeout
        self._total_timeout = total_timeout
        self._retries = retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._max_retry_after = max_retry_after
        self._redirects = redirects
        self._concurrency = concurrency
        self._engine: Engine | None = None

    async def aclose(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.aclose()

    def _session(self) -> Engine:
        """The engine, made on the first request (inside the running event loop)."""
        if self._engine is None:
            from pyvouch.index.http_engine import Engine

            self._engine = Engine(
                concurrency=self._concurrency,
                timeout=self._timeout,
                user_agent=f"pyvouch/{__version__}",
                context=ssl_context,  # made on the first request that speaks TLS
                stats=self._stats,
            )
        return self._engine

    def scrub(self, text: str) -> str:
        """`text` with any credential replaced by `***`."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    async def get(
        self,
        url: str,
        *,
        accept: str,
        limit: int,
        kind: Kind,
        headers: dict[str, str] | None = None,
        sink: BodySink | None = None,
        total_timeout: float | None = None,
        post: bytes | None = None,
    ) -> Response:
        """GET `url` (POST ``post`` as JSON when given: a query API; such a request follows
        no redirect). Returns the final response of any status except retryable ones that did
        not recover (429, 5xx, connection errors, timeouts): those raise FetchError. With a
        ``sink``, a 200 body is written to it (the response's body is then empty).
        ``total_timeout`` replaces the client's wall-clock cap per attempt (downloads)."""
        attempt = 0
        while True:
            try:
                return await self._attempt(
                    url,
                    accept=accept,
                    limit=limit,
                    kind=kind,
                    extra=headers,
                    sink=sink,
                    total_timeout=total_timeout or self._total_timeout,
                    post=post,
                )
            except Retryable as err:
                if attempt >= self._retries:
                    tries = attempt + 1
                    plural = "s" if tries != 1 else ""
                    raise FetchError(
                        self.scrub(f"{err.reason} (gave up after {tries} attempt{plural})"),
                        err.warnings,
                    ) from None
                delay = self._delay(attempt)
                if err.retry_after is not None:
                    if err.retry_after > self._max_retry_after:
                        raise FetchError(
                            self.scrub(
                                f"{err.reason}; the server asks to wait {err.retry_after:.0f} s, "
                                f"more than the {self._max_retry_after:.0f} s pyvouch waits"
                            ),
                            err.warnings,
                        ) from None
                    delay = max(delay, err.retry_after)
                attempt += 1
                self._stats.retries += 1
                await asyncio.sleep(delay)

    def _delay(self, attempt: int) -> float:
        base = min(self._max_backoff, self._backoff * (2.0**attempt))
        return base * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security

    async def _attempt(
        self,
        url: str,
        *,
        accept: str,
        limit: int,
        kind: Kind,
        extra: dict[str, str] | None,
        sink: BodySink | None = None,
        total_timeout: float | None = None,
        post: bytes | None = None,
    ) -> Response:
        cap = total_timeout or self._total_timeout
        try:
            async with asyncio.timeout(cap):
                return await self._follow(
                    url, accept=accept, limit=limit, kind=kind, extra=extra, sink=sink, post=post
                )
        except TimeoutError:
            raise Retryable(
                f"no complete answer within {cap:g} s from {strip_credentials(url)}"
            ) from None

    async def _follow(
        self,
        url: str,
        *,
        accept: str,
        limit: int,
        kind: Kind,
        extra: dict[str, str] | None,
        sink: BodySink | None = None,
        post: bytes | None = None,
    ) -> Response:
        start = strip_credentials(url)
        current = start
        warnings: list[str] = []
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                status, headers, body = await self._one(
                    current, accept, limit, kind, extra, sink, post
                )
            except FetchError as err:  # it failed on the other host: say how it got there
                raise FetchError(_noted(err.reason, warnings), tuple(warnings)) from None
            except Retryable as err:
                reason = _noted(err.reason, warnings)
                raise Retryable(reason, err.retry_after, tuple(warnings)) from None
            if status not in REDIRECT_STATUSES or "location" not in headers:
                return Response(current, status, headers, body, tuple(warnings))
            if post is not None:
                raise FetchError(f"refused redirect of a query to {current} (HTTP {status})")
            joined = join_url(current, headers["location"])
            if joined is None or url_problem(joined) is not None:
                shown = headers["location"][:200]
                raise FetchError(
                    f"refused redirect from {current} to a malformed URL {quote(shown)}"
                )
            target = strip_credentials(joined)
            self._stats.redirects += 1
            here, there = origin(current), origin(target)
            if there[0] not in ("http", "https"):
                raise FetchError(f"refused redirect from {current} to a non-HTTP URL")
            if here[0] == "https" and there[0] == "http":
                raise FetchError(f"refused redirect from {current} to plain http: {target}")
            if not _same_host(here, there):
                if self._redirects == "refuse":
                    raise FetchError(f"refused redirect from {current} to another host: {target}")
                warnings.append(_redirect_warning(current, target))
            current = target
        raise FetchError(
            _noted(f"too many redirects (more than {MAX_REDIRECTS}) from {start}", warnings),
            tuple(warnings),
        )

    async def _one(
        self,
        url: str,
        accept: str,
        limit: int,
        kind: Kind,
        extra: dict[str, str] | None,
        sink: BodySink | None = None,
        post: bytes | None = None,
    ) -> tuple[int, Mapping[str, str], bytes]:
        _check_url(url)
        headers = {"Accept": accept}
        for name, value in (extra or {}).items():
            # Conditional headers echo the server's ETag / Last-Modified; one with bytes that
            # are not ASCII cannot be sent back exactly: the request goes unconditional.
            if value.isascii():
                headers[name] = value
        if post is not None:
            headers["Content-Type"] = "application/json"
        if self._authorization is not None and origin(url) == self._index_origin:
            headers["Authorization"] = self._authorization
        async with self._semaphore:
            self._stats.requests += 1
            if kind == "page":
                self._stats.page_requests += 1
            elif kind == "provenance":
                self._stats.provenance_requests += 1
            elif kind == "signature":
                self._stats.signature_requests += 1
            elif kind == "advisory":
                self._stats.advisory_requests += 1
            else:
                self._stats.file_requests += 1
            return await self._session().send(
                url, headers, limit=limit, sink=sink, post=post, scrub=self.scrub
            )


def _check_url(url: str) -> None:
    """Refuse, before any socket is opened, a URL that is not plain http(s) to a valid port."""
    problem = http_url_problem(url)
    if problem is not None:
        raise FetchError(problem)


def _noted(reason: str, warnings: list[str]) -> str:
    return f"{reason} (note: {'; '.join(warnings)})" if warnings else reason


def _redirect_warning(source: str, target: str) -> str:
    return f"redirected from {source} to another host: {target}"


def redirect_warnings(requested: str, final: str) -> tuple[str, ...]:
    """The warning for a request to ``requested`` answered from ``final`` on another host (what
    a cached answer still says about the redirect that produced it), or none."""
    if _same_host(origin(requested), origin(final)):
        return ()
    return (_redirect_warning(strip_credentials(requested), strip_credentials(final)),)


def _same_host(a: tuple[str, str, int | None], b: tuple[str, str, int | None]) -> bool:
    """Same host name and port; an upgrade from http:80 to https:443 keeps the host."""
    if a[1] != b[1]:
        return False
    if a[2] == b[2]:
        return True
    return (a[0], a[2], b[0], b[2]) == ("http", 80, "https", 443)
