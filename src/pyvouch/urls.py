"""Splitting URLs that come from outside (flags, environment, policy, locks, index pages,
redirects) without exceptions escaping.

``urllib.parse.urlsplit`` and ``urljoin`` raise ``ValueError`` for some text ("Invalid IPv6
URL" for ``http://[::1``, a bracketed host that is no IP address, a netloc that changes
under NFKC normalization), and ``SplitResult.port`` raises for a port that is not a number
in range. Every URL pyvouch reads goes through these helpers, so such input is a clear
one-line problem (or, where a URL is only displayed, a best-effort text), never a traceback.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from pyvouch.redact import quote

_SHOWN = 200


class URLParts(NamedTuple):
    """A split URL whose port is known to be valid (None when the URL names none)."""

    parts: SplitResult
    port: int | None

    @property
    def scheme(self) -> str:
        return self.parts.scheme

    @property
    def hostname(self) -> str | None:
        return self.parts.hostname


def shown(url: str) -> str:
    """A URL for an error message: credentials dropped (also from text that only looks like
    a URL), one line, bounded."""
    text = _hide_userinfo(strip_credentials(url))
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return quote(text, _SHOWN)  # also redacts credential-like query parameters


def split_url(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None for text urllib refuses to split."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _why(err: ValueError) -> str:
    """urllib's reason, without quoting the netloc (it may hold credentials)."""
    text = str(err)
    if "IPv4 or IPv6" in text:
        return "the bracketed host is not an IP address"
    if "Invalid IPv6 URL" in text:
        return "unbalanced brackets around an IPv6 host"
    if "NFKC" in text:
        return "the host has characters that change under NFKC normalization"
    if text.startswith("Port"):  # the port follows the last "@": no credentials in it
        return " ".join(text.split())[:_SHOWN]
    return "urllib cannot split it"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be split into a URL with a valid port, or None when it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as err:
        return f"malformed URL {shown(url)} ({_why(err)})"
    return None


def split_checked(url: str) -> URLParts | None:
    """The URL split, with its port, or None when `url_problem` has something to say."""
    try:
        parts = urlsplit(url)
        return URLParts(parts, parts.port)
    except ValueError:
        return None


def http_url_problem(url: str, what: str = "URL") -> str | None:
    """Why ``url`` is not an http(s) URL with a host and a valid port (None when it is)."""
    problem = url_problem(url)
    if problem is not None:
        return f"{what} is a {problem}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{what} must be an http(s) URL with a host: {shown(url)}"
    return None


def join_url(base: str, ref: str) -> str | None:
    """``urljoin(base, ref)``, or None when urllib refuses either part."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return None


def strip_credentials(url: str) -> str:
    """``url`` without any ``user:password@`` part. Use it for everything shown or cached.

    Text urllib cannot split still loses whatever sits before the last ``@`` of what follows
    its first ``//`` (up to the next ``/``, ``?`` or ``#``), so credentials never leak through
    a malformed URL."""
    parts = split_url(url)
    if parts is not None:
        if "@" not in parts.netloc:
            return url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return _hide_userinfo(url) if "//" in url else url


def _hide_userinfo(text: str) -> str:
    """``text`` without whatever precedes the last ``@`` of its authority: what follows its
    first ``//`` (or the start, when it has none) up to the next ``/``, ``?`` or ``#``."""
    start = text.find("//")
    start = start + 2 if start >= 0 else 0
    end = len(text)
    for stop in "/?#":
        found = text.find(stop, start)
        if found >= 0:
            end = min(end, found)
    authority = text[start:end]
    if "@" not in authority:
        return text
    return text[:start] + authority.rpartition("@")[2] + text[end:]
