"""The one Markdown escaper: every Markdown output (scan, diff, readiness and every other
command's document) passes each piece of data through these functions.

GitHub-flavoured Markdown is rendered in pull-request comments and job summaries, where a
package name, a reason or a file name is attacker-chosen: it must not break a table (``|``,
newlines), inject HTML (``<script>``), form a link or an image (``[x](...)``), start a
heading or a list, or hide text with bidirectional controls.
"""

from __future__ import annotations

import html
import re

from pyvouch.report._common import one_line

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
clean = one_line


def escape(text: str) -> str:
    """Text safe inside a Markdown paragraph or table cell: no HTML, links, emphasis,
    headings, code or cell breaks."""
    text = _MD_SPECIAL.sub(r"\\\1", clean(text))
    return html.escape(text, quote=False)  # after: entities must keep their '#' and ';'


def code(text: str) -> str:
    """Inline code for words pyvouch chose (a status, a rule id): a backtick in ``text`` cannot
    end the span, a pipe cannot end the cell. Data (names, reasons, anything an index or an
    attestation says) goes through `escape` instead."""
    inner = clean(text).replace("`", "'").replace("|", "\\|") or " "
    return f"`{inner}`"


def code_block(text: str, language: str = "") -> list[str]:
    """A fenced block whose text cannot close the fence nor carry control characters (each
    line through `clean`); inside it Markdown and HTML are shown as they are."""
    body = text.rstrip("\n").replace("```", "'''").replace("~~~", "'''")
    return [f"```{language}", *(clean(line) for line in body.splitlines()), "```"]
