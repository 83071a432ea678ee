"""JSON from outside (locks, SBOMs, pip reports, index pages) parsed into text pyvouch can print,
and pyvouch's own indented JSON written fast (`indented`).

``json.loads`` accepts ``"\\ud800"``: a lone surrogate, which Python keeps in the ``str`` but
no UTF-8 output can encode, so the first report, table or error message that shows it dies
with ``UnicodeEncodeError``. `loads` refuses such documents as the decoding error they are.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

_SCALARS = frozenset({str, int, bool, type(None)})
"""The scalar types orjson writes exactly as ``json.dumps`` does (subclasses such as enums, and
floats, whose exponents it writes differently, are not among them)."""

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")


class LoneSurrogateError(json.JSONDecodeError):
    """A JSON string escape names half a surrogate pair. Callers that catch
    ``json.JSONDecodeError`` (or ``ValueError``) handle it unchanged."""


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``; a string holding a lone surrogate is a `LoneSurrogateError`."""
    if isinstance(text, bytes) and json.detect_encoding(text) == "utf-8":
        # Strict UTF-8 holds no encoded surrogate, so the text path's check is then enough;
        # otherwise json.loads decodes with "surrogatepass" and the check below finds them.
        with contextlib.suppress(UnicodeDecodeError):
            text = text.decode("utf-8")
    obj = json.loads(text)
    if isinstance(text, str) and _SURROGATE_ESCAPE.search(text) is None:
        return obj  # strictly decoded text and no escape that could name a surrogate
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as err:
        doc = text if isinstance(text, str) else text.decode("utf-8", "replace")
        found = _SURROGATE_ESCAPE.search(doc)
        pos = found.start() if found else 0
        code = ord(str(err.object)[err.start])
        raise LoneSurrogateError(
            f"a string holds a lone surrogate (\\u{code:04x}), not text", doc, pos
        ) from None
    return obj


def indented(document: Any) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False)``, byte for byte, at orjson's speed
    (a scan report of 1,000 files: ~1 ms instead of ~30 ms).

    orjson writes the same text for dicts, lists and tuples of str, int, bool and None; it
    refuses what it would write otherwise or ``json`` refuses (keys that are not strings,
    integers beyond 64 bits, lone surrogates, cycles and nesting beyond 254). Anything else
    (a float, an enum, a dataclass: orjson formats or accepts some of them differently) makes
    the document go through ``json.dumps`` as before."""
    import orjson  # here: only the commands that write JSON pay its import (uuid, datetime)

    try:
        text = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    except TypeError:  # orjson.JSONEncodeError
        text = None
    if text is not None and _plain(document):  # finite: orjson walked it
        return text.decode("utf-8")
    return json.dumps(document, indent=2, ensure_ascii=False)


def _plain(document: Any) -> bool:
    """Whether ``document`` holds only dicts, lists and tuples of `_SCALARS` (exact types)."""
    kind = type(document)
    if kind is not dict and kind is not list and kind is not tuple:
        return kind in _SCALARS
    stack = [document]
    while stack:
        node = stack.pop()
        for value in node.values() if type(node) is dict else node:
            kind = type(value)
            if kind is dict or kind is list or kind is tuple:
                stack.append(value)
            elif kind not in _SCALARS:
                return False
    return True
