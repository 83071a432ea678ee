"""The HTTP engine under `pyvouch.index.transport.Transport`: one aiohttp exchange at a time.

`Transport` decides (retries, redirects, credentials, limits); this module sends one request
and reads its body under the limit, and turns aiohttp's exceptions into the transport's
reasons. It is imported only when a request is made, so a run that asks nothing (a fully
cached scan, ``--offline``) imports no HTTP client.

What aiohttp is not allowed to do on its own: follow a redirect, read ~/.netrc or the proxy
variables (``trust_env`` stays off: pyvouch computes the credentials and sends them only to
the index's origin, and picks the proxy below), keep cookies, or use a TLS context of its own
(a request that speaks TLS gets the transport's, made on the first such request).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from urllib.request import getproxies_environment

import aiohttp
from aiohttp.http_exceptions import ContentEncodingError
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from pyvouch.index.transport import (
    RETRY_STATUSES,
    BodySink,
    ClientStats,
    FetchError,
    Retryable,
    parse_retry_after,
)
from pyvouch.redact import quote

_TLS_SCHEMES = frozenset({"https", "wss"})
"""The schemes aiohttp speaks TLS for (`aiohttp.ClientRequest.is_ssl`)."""


class Engine:
    """One aiohttp session (one connection pool of ``concurrency`` connections) for a
    transport; created inside the running event loop, closed by `aclose`."""

    def __init__(
        self,
        *,
        concurrency: int,
        timeout: float,
        user_agent: str,
        context: Callable[[], ssl.SSLContext],
        stats: ClientStats,
    ) -> None:
        self._timeout = timeout
        self._context = context
        self._stats = stats
        self._proxies = _environment_proxies()
        self._proxy_by_origin: dict[tuple[str, str, int | None], str | None] = {}
        self._session = aiohttp.ClientSession(
            # Each request that speaks TLS gets ``context()`` (`_tls`): an http:// index never
            # builds it.
            connector=aiohttp.TCPConnector(limit=concurrency),
            # Per operation, as httpx's Timeout(timeout) was: getting a connection (DNS, TCP,
            # TLS, a proxy's CONNECT), and each read. The wall-clock cap is the transport's.
            timeout=aiohttp.ClientTimeout(
                total=None, connect=timeout, sock_connect=timeout, sock_read=timeout
            ),
            headers={"User-Agent": user_agent},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            raise_for_status=False,
        )

    async def aclose(self) -> None:
        await self._session.close()

    async def send(
        self,
        url: str,
        headers: dict[str, str],
        *,
        limit: int,
        sink: BodySink | None,
        post: bytes | None,
        scrub: Callable[[str], str],
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One request to ``url`` (as `_wire_url` sends it), no redirect followed. A status
        the transport retries raises `Retryable`; any other status returns, with the body of
        a 200 read under ``limit`` (into ``sink`` when given)."""
        try:
            target = _wire_url(url)
            proxy = self._proxy(target)
            async with self._session.request(
                "GET" if post is None else "POST",
                target,
                headers=headers,
                data=post,
                allow_redirects=False,
                proxy=proxy,
                ssl=self._tls(target, proxy),
            ) as resp:
                status = resp.status
                if status in RETRY_STATUSES:
                    retry_after = None
                    if status in (429, 503):
                        retry_after = parse_retry_after(resp.headers.get("retry-after"))
                    raise Retryable(f"HTTP {status} from {url}", retry_after)
                headers_in = _latin1(resp.headers)
                if status != 200:
                    return status, headers_in, b""
                body = await self._read_limited(resp, url, limit, sink)
                return status, headers_in, body
        except TimeoutError as err:  # aiohttp's connect and read timeouts
            raise Retryable(
                f"timed out after {self._timeout:g} s ({_describe(err)}) from {url}"
            ) from None
        except aiohttp.NonHttpUrlClientError:
            raise FetchError(f"unsupported URL {url}") from None
        except aiohttp.InvalidURL:
            raise FetchError(f"invalid URL {url}") from None
        except aiohttp.ClientPayloadError as err:
            if isinstance(err.__cause__, ContentEncodingError):
                raise FetchError(f"cannot decode the body from {url}: {err.__cause__}") from None
            raise Retryable(scrub(f"connection error ({_describe(err)}) from {url}")) from None
        except (aiohttp.ClientError, OSError) as err:
            raise Retryable(scrub(f"connection error ({_describe(err)}) from {url}")) from None
        except (ValueError, OverflowError) as err:
            raise FetchError(scrub(f"cannot request {url}: {_describe(err)}")) from None

    async def _read_limited(
        self, resp: aiohttp.ClientResponse, url: str, limit: int, sink: BodySink | None
    ) -> bytes:
        """The decoded body, refused once it exceeds ``limit`` (the announced length first)."""
        declared = resp.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise FetchError(
                f"response from {url} is too large: Content-Length {int(declared)} bytes "
                f"exceeds the limit of {limit} bytes"
            )
        chunks: list[bytes] = []
        size = 0
        if sink is not None:
            sink.reset()
        async for chunk in resp.content.iter_any():
            size += len(chunk)
            self._stats.bytes_received += len(chunk)
            if size > limit:
                raise FetchError(
                    f"response from {url} exceeds the limit of {limit} bytes; download aborted"
                )
            if sink is not None:
                sink.write(chunk)
            else:
                chunks.append(chunk)
        return b"".join(chunks)

    def _tls(self, url: URL, proxy: str | None) -> ssl.SSLContext | bool:
        """The verifying context for a request that speaks TLS (to ``url`` or to its proxy),
        made on the first such request; True (no TLS on the way) otherwise."""
        if url.scheme in _TLS_SCHEMES or (proxy is not None and URL(proxy).scheme in _TLS_SCHEMES):
            return self._context()
        return True

    def _proxy(self, url: URL) -> str | None:
        """The proxy for ``url`` from HTTP_PROXY / HTTPS_PROXY / ALL_PROXY unless NO_PROXY
        names its host (read once per session, as httpx read them once per client)."""
        if not self._proxies:
            return None
        key = (url.scheme, url.host or "", url.port)
        if key not in self._proxy_by_origin:
            proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
            host = url.host or ""
            if proxy is not None and _bypassed(host, url.port, self._proxies):
                proxy = None
            self._proxy_by_origin[key] = proxy
        return self._proxy_by_origin[key]


def _latin1(headers: CIMultiDictProxy[str]) -> Mapping[str, str]:
    """The response headers with every value's bytes read as latin-1 (as httpx read them).
    aiohttp reads UTF-8 with surrogate escapes: a hostile server's byte ``\xff`` in an ETag or
    a Location would be a lone surrogate, which no encoder takes back (the cache's JSON, the
    next request's If-None-Match)."""
    if all(value.isascii() for value in headers.values()):
        return headers
    return CIMultiDictProxy(
        CIMultiDict(
            (name, value.encode("utf-8", "surrogateescape").decode("latin-1"))
            for name, value in headers.items()
        )
    )


def _wire_url(url: str) -> URL:
    """``url`` as it goes on the wire: exactly as given when it is printable ASCII (no
    re-quoting: the index's own escapes are kept); with non-ASCII or spaces, encoded (IDNA host,
    UTF-8 percent-escapes elsewhere); with a control character (which `urllib` drops silently,
    and which would split the request line), refused."""
    if any(c < " " or c == "\x7f" for c in url):
        raise FetchError(f"invalid URL {quote(url)}: it contains a control character")
    if url.isascii() and " " not in url:
        return URL(url, encoded=True)
    try:
        url.encode()
    except UnicodeEncodeError:  # a lone surrogate: no bytes to send
        raise FetchError(f"invalid URL {quote(url)}: it is not valid text") from None
    return URL(url)


def _environment_proxies() -> dict[str, str]:
    """``{"http"|"https"|"all": proxy URL, "no": NO_PROXY}`` from the environment; a proxy
    given without a scheme is an http:// one (as httpx took it)."""
    found = getproxies_environment()
    proxies = {
        scheme: value if "://" in value else f"http://{value}"
        for scheme in ("http", "https", "all")
        if (value := found.get(scheme))
    }
    if proxies and found.get("no"):
        proxies["no"] = found["no"]
    return proxies


def _bypassed(host: str, port: int | None, proxies: dict[str, str]) -> bool:
    """Whether NO_PROXY names the host, as httpx read it: ``*`` is every host;
    ``example.com`` is that host and its subdomains, ``.example.com`` only the subdomains;
    an entry with a port (``host:8080``) only that port; a scheme prefix is ignored."""
    host = host.lower().strip("[]")
    for entry in proxies.get("no", "").lower().split(","):
        entry = entry.strip().rpartition("://")[2].rstrip("/")
        if entry == "*":
            return True
        name, colon, wanted = entry.rpartition(":") if entry.count(":") == 1 else ("", "", "")
        if colon and wanted.isdigit():
            if port != int(wanted):
                continue
            entry = name
        entry = entry.strip("[]")
        if not entry:
            continue
        if entry.startswith("."):
            if host.endswith(entry):
                return True
        elif host == entry or host.endswith("." + entry):
            return True
    return False


def _describe(err: Exception) -> str:
    text = str(err).strip()
    name = type(err).__name__
    return f"{name}: {text}" if text else name
