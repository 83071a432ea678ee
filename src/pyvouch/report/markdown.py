"""Markdown: for pull-request comments and ``$GITHUB_STEP_SUMMARY``, for every command.

Lays out any `Report`'s document: a heading, paragraphs, section headings, tables and bullet
lists (a folded one in a ``<details>`` block), code blocks, then the warnings. Every piece of
data goes through the one escaper (``markdown_escape.py``), so a package name, a reason or a
file name cannot break a table, inject HTML or form a link. Tables and lists longer than
``RenderOptions.max_rows`` end with "... and N more".

For a scan, packages that need attention come first in a table; verified ones are folded.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyvouch.model import ScanResult
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions
from pyvouch.report.document import (
    Block,
    Bullets,
    Cell,
    Code,
    Heading,
    Item,
    Paragraph,
    Report,
    Table,
)
from pyvouch.report.markdown_escape import code, code_block, escape
from pyvouch.report.scan_report import as_report

__all__ = ["escape", "render"]


def _piece(piece: str | Code) -> str:
    return code(piece.text) if isinstance(piece, Code) else escape(piece)


def cell(value: Cell) -> str:
    """A table cell: its pieces escaped, ``-`` when empty."""
    pieces = value if isinstance(value, tuple) else (value,)
    text = "".join(_piece(p) for p in pieces)
    return text if text.strip() else "-"


def _more(shown: int, total: int, bullet: bool) -> list[str]:
    if total <= shown:
        return []
    line = f"... and {total - shown} more"
    return [f"- {line}"] if bullet else ["", line]


def _table(table: Table, limit: int) -> list[str]:
    lines = [
        "| " + " | ".join(escape(c) for c in table.columns) + " |",
        "| " + " | ".join("---" for _ in table.columns) + " |",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row.cells) + " |" for row in table.rows[:limit]]
    lines += _more(limit, len(table.rows), bullet=False)
    if table.title is None:
        return lines
    if table.folded:
        head = f"<details><summary>{escape(table.title)}</summary>"
        return [head, "", *lines, "", "</details>"]
    return [f"### {escape(table.title)}", "", *lines]


def _item(item: Item) -> str:
    text = escape(item.text)
    return f"- **{escape(item.label)}**: {text}" if item.label else f"- {text}"


def _bullets(bullets: Bullets, limit: int) -> list[str]:
    lines = [_item(i) for i in bullets.items[:limit]]
    lines += _more(limit, len(bullets.items), bullet=True)
    if not bullets.title:
        return lines
    if bullets.folded:
        head = f"<details><summary>{escape(bullets.title)}</summary>"
        return [head, "", *lines, "", "</details>"]
    return [f"### {escape(bullets.title)}", "", *lines]


def _paragraph(paragraph: Paragraph) -> list[str]:
    text = escape(paragraph.text)
    if paragraph.strong:
        text = f"**{text}**"
    if paragraph.label:
        text = f"**{escape(paragraph.label)}** {text}"
    return [f"> {text}" if paragraph.quote else text]


def _block(block: Block, limit: int) -> list[str]:
    if isinstance(block, Heading):
        return [f"### {escape(block.text)}"]
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Table):
        return _table(block, limit)
    if isinstance(block, Bullets):
        return _bullets(block, limit)
    head = [f"{escape(block.title)}:", ""] if block.title else []
    return [*head, *code_block(block.text, block.language)]


def document(report: Report, limit: int) -> list[str]:
    lines = [f"## {escape(report.title)}"]
    blocks: Sequence[Block] = report.blocks
    if report.warnings and not any(
        isinstance(b, Bullets) and b.title == "Warnings" for b in blocks
    ):
        blocks = (*blocks, Bullets(tuple(Item(w) for w in report.warnings), title="Warnings"))
    for block in blocks:
        lines += ["", *_block(block, limit)]
    return lines


def render(value: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return "\n".join(document(as_report(value), max(options.max_rows, 1))) + "\n"
