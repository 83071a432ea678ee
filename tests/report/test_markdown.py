"""Markdown for PR comments and job summaries: order, folding, escaping, caps."""

from __future__ import annotations

import re

from pyvouch.report import RenderOptions, markdown
from tests.support.report_samples import (
    HOSTILE_NAME,
    UNICODE_NAME,
    empty,
    every_status,
    many_unattested,
)

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _sections(text: str) -> tuple[str, str]:
    before, _, after = text.partition("<details>")
    return before, after


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]


def test_heading_summary_and_unknown_statement() -> None:
    text = markdown.render(every_status())
    lines = text.splitlines()
    assert lines[0] == "## pyvouch scan: pylock.toml"
    assert (
        "**11 packages: 3 verified, 1 mismatch, 1 invalid, 1 unattested, 1 legacy-signed, "
        "3 unknown, 1 not-indexed**" in lines
    )
    statement = next(line for line in lines if line.startswith("> "))
    assert statement.startswith("> 3 packages could not be checked: ")


def test_packages_needing_attention_come_first_and_verified_ones_are_folded() -> None:
    attention, folded = _sections(markdown.render(every_status()))
    assert "### Needs attention" in attention
    assert "<summary>2 verified</summary>" in folded
    assert folded.splitlines().count("</details>") == 1
    top = _rows(attention)[1:]
    bottom = _rows(folded)[1:]
    assert len(top) == 9
    assert len(bottom) == 2
    assert any(row.startswith("| requests |") for row in bottom)
    assert not any(row.startswith("| requests |") for row in top)
    # Verified but warned on by the policy: shown with the others that need attention.
    assert any(row.startswith("| verified-but-warned |") for row in top)


def test_statuses_are_worded_as_proven() -> None:
    text = markdown.render(every_status())
    rows = _rows(text)
    unknown_rows = [r for r in rows if "`unknown`" in r]
    assert len(unknown_rows) == 3
    assert all("unattested" not in r for r in unknown_rows)
    uni = next(r for r in rows if r.startswith(f"| {UNICODE_NAME} |"))
    assert "`verified (identity not checked)`" in uni
    requests = next(r for r in rows if r.startswith("| requests |"))
    # The decision goes through the one escaper like every other piece of text.
    assert "`verified` \\(allow: critical-pinned\\)" in requests
    blocked = next(r for r in rows if r.startswith("| bad-sig |"))
    assert "\\(block: critical-verified\\)" in blocked
    assert "critical package is invalid" in blocked


def test_data_cannot_break_the_table_or_inject_html() -> None:
    text = markdown.render(every_status())
    for row in _rows(text):
        assert len(UNESCAPED_PIPE.findall(row)) == 7, row  # six cells, no more
    assert "<script>" not in text
    assert "<b>" not in text
    hostile = next(r for r in _rows(text) if "evil" in r)
    assert hostile.startswith("| evil\\|pkg&lt;script&gt;alert\\(1\\)&lt;/script&gt; | 1.0\\|2 |")
    assert HOSTILE_NAME not in text


def test_escape_neutralises_markdown_syntax() -> None:
    escaped = markdown.escape("[x](javascript:alert) *b* _i_ `c` <i>\nline2 # h | p\\")
    assert "\n" not in escaped
    assert "<i>" not in escaped
    for special in "[]()*_`#|":
        positions = [i for i, char in enumerate(escaped) if char == special]
        assert positions, special
        assert all(escaped[i - 1] == "\\" for i in positions), special
    assert escaped.endswith("p\\\\")  # a trailing backslash cannot escape what follows
    assert markdown.escape('it\'s "a" & <b>') == 'it\'s "a" &amp; &lt;b&gt;'


def test_long_tables_are_capped() -> None:
    text = markdown.render(many_unattested(250), RenderOptions(max_rows=40))
    assert len(_rows(text)) == 41  # header + 40
    assert "... and 210 more" in text.splitlines()
    assert "| pkg0039 |" in text
    assert "pkg0040" not in text


def test_warnings_are_listed_escaped() -> None:
    text = markdown.render(every_status())
    assert "### Warnings" in text
    assert "- odd \\| warning &lt;b&gt;bold&lt;/b&gt;" in text.splitlines()


def test_empty_result() -> None:
    text = markdown.render(empty())
    assert text.startswith("## pyvouch scan: uv.lock\n")
    assert "**0 packages**" in text
    assert "|" not in text
    assert "<details>" not in text
