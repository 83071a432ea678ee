"""JSON from outside (locks, SBOMs, pip reports, index pages) parsed into text pyvouch can print.

``json.loads`` accepts ``"\\ud800"``: a lone surrogate, which Python keeps in the ``str`` but
no UTF-8 output can encode, so the first report, table or error message that shows it dies
with ``UnicodeEncodeError``. `loads` refuses such documents as the decoding error they are.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

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
