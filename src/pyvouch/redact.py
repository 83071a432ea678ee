"""Secrets out of everything pyvouch shows: credentials in URLs, and bounded quotes of input.

Locks carry credentials in direct URLs (``https://user:token@host/pkg.whl``,
``git+https://token@github.com/...``, presigned ``?X-Amz-Signature=...`` links) and in index
URLs. pyvouch needs them only to fetch, and the index client keeps its own copy for that;
every value that reaches the model (`pyvouch.model`) passes through `redact_text`, so no
report, warning or error can show one. Error messages quote bad input through `quote`: at
most `QUOTE_LIMIT` characters, redacted.

What counts as a secret (docs/report-formats.md):

- the userinfo of any ``scheme://userinfo@host`` URL (user name and password alike: a token
  is often the user name), removed;
- the value of a query parameter whose name looks like a credential (token, secret,
  password, signature, credential, auth, key, session, jwt, sig...; any case, any prefix such
  as ``X-Amz-``), replaced by ``***``. Other query parameters are kept, so that a change of
  the file a URL names stays visible (``pyvouch diff``).
"""

from __future__ import annotations

import re

REDACTED = "***"
QUOTE_LIMIT = 80
MESSAGE_LIMIT = 2000

# scheme://userinfo@ -- the userinfo runs to the last "@" before the host's path/query/end.
# Matched from the literal "://" (fast to find); the scheme before it stays as it is.
_USERINFO = re.compile(r"://[^\s/?#@]*(?:@[^\s/?#@]*)*@")
_PARAM = re.compile(r"([?&;])([^=&;#\s?'\"]+)=([^&;#\s'\"]+)")
_SENSITIVE = re.compile(
    r"token|secret|passw|pwd|signature|credential|auth|key|session|jwt|sig|cookie", re.I
)


def _param(match: re.Match[str]) -> str:
    if _SENSITIVE.search(match[2]) is None:
        return match[0]
    return f"{match[1]}{match[2]}={REDACTED}"


def redact_text(text: str) -> str:
    """``text`` with the credentials of every URL in it removed (see the module doc)."""
    if "@" in text and "://" in text:
        text = _USERINFO.sub("://", text)
    if "=" in text and ("?" in text or "&" in text or ";" in text):
        text = _PARAM.sub(_param, text)
    return text


def excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """At most ``limit`` characters of ``text``, redacted, on one line; a cut is said."""
    text = redact_text(text)
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}... ({len(flat) - limit} more characters)"


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` quoted for an error message: ``'excerpt'`` (see `excerpt`)."""
    text = redact_text(text)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text) - limit} more characters)"


def message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A whole message for the user, redacted and bounded: the last line of defence for a
    message that quotes input without `quote`."""
    text = redact_text(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def first_line(err: object) -> str:
    """The first line of an exception's message (parsers add the input and a caret below),
    redacted and bounded."""
    lines = str(err).splitlines()
    return excerpt(lines[0] if lines else "", 200)
