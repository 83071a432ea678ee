"""The rich table: statuses worded as proven, summary and unknown statement, width, NO_COLOR."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from pyvouch.model import ScanResult
from pyvouch.report import RenderOptions, table
from pyvouch.report._common import package_publishers, package_reason
from tests.support.report_samples import HOSTILE_NAME, UNICODE_NAME, empty, every_status

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDE = RenderOptions(width=400)


def _row(text: str, name: str) -> str:
    """The first table line that starts with the package name (wide tables do not wrap)."""
    return next(line for line in text.splitlines() if line.lstrip("│ ").startswith(name))


def test_each_row_shows_name_version_status_coverage_publisher_reason() -> None:
    text = table.render(every_status(), WIDE)
    row = _row(text, "requests")
    for cell in ("2.32.3", "verified [allow]", "all", "github:psf/requests:publish.yml@pypi"):
        assert cell in row
    row = _row(text, "urllib3")
    assert "unattested" in row
    assert "some" in row
    assert "gitlab:group/sub/proj:.gitlab-ci.yml" in row
    assert "(1 of 2 files)" in row
    assert "not looked up: path" in _row(text, "local-thing")
    assert "invalid [block]" in _row(text, "bad-sig")
    assert "legacy-signed [warn]" in _row(text, "oldpgp")


def test_unknown_is_never_shown_as_unattested() -> None:
    text = table.render(every_status(), WIDE)
    for name in (HOSTILE_NAME, "nofiles", "slow_Pkg"):
        row = _row(text, name)
        assert "unknown" in row
        assert "unattested" not in row


def test_verified_without_identity_check_says_so() -> None:
    text = table.render(every_status(), WIDE)
    assert "verified (identity not checked)" in _row(text, UNICODE_NAME)
    assert "identity not checked" not in _row(text, "requests")


def test_summary_and_unknown_statement() -> None:
    text = table.render(every_status(), WIDE)
    assert (
        "11 packages: 3 verified, 1 mismatch, 1 invalid, 1 unattested, 1 legacy-signed, "
        "3 unknown, 1 not-indexed" in text
    )
    statement = next(line for line in text.splitlines() if "could not be checked" in line)
    assert statement.startswith("3 packages could not be checked: ")
    for reason in ("mirror strips it", "the release has no files", "timed out after 3 attempts"):
        assert reason in statement


def test_no_unknown_statement_when_nothing_is_unknown() -> None:
    full = every_status()
    known = ScanResult(
        full.source,
        full.source_format,
        full.index_url,
        tuple(p for p in full.packages if p.status.value != "unknown"),
    )
    text = table.render(known, WIDE)
    assert "could not be checked" not in text
    assert "8 packages:" in text


def test_decisions_and_warnings_are_listed_under_the_table() -> None:
    text = table.render(every_status(), WIDE)
    lines = text.splitlines()
    assert "block: bad-sig (critical-verified): critical package is invalid" in lines
    assert "warn: oldpgp (long-tail): only a PGP signature (.asc) exists" in lines
    assert not any(line.startswith("allow:") for line in lines)
    assert "warning: odd | warning <b>bold</b>" in lines


def test_markup_in_data_is_printed_literally() -> None:
    text = table.render(every_status(), WIDE)
    assert HOSTILE_NAME in text  # '<script>' and '|' kept as text, nothing interpreted


@pytest.mark.parametrize("width", [72, 80, 120])
def test_lines_fit_the_width_and_nothing_is_cut(width: int) -> None:
    text = table.render(every_status(), RenderOptions(width=width))
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text  # cells wrap (overflow="fold"); rich's ellipsis would mean a cut
    # Nothing is cropped: each cell's characters appear, in order, in the wrapped output.
    squeezed = re.sub(r"\s", "", text)
    for pkg in every_status().packages:
        for cell in (pkg.package.name, table.reason_cell(pkg), *package_publishers(pkg)):
            assert _in_order(re.sub(r"\s", "", cell), squeezed), cell


def _in_order(needle: str, haystack: str) -> bool:
    rest = iter(haystack)
    return all(char in rest for char in needle)


def test_color_only_when_asked_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert ANSI.search(table.render(every_status(), RenderOptions(color=True)))
    assert not ANSI.search(table.render(every_status(), RenderOptions(color=False)))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(table.render(every_status(), RenderOptions(color=True)))


def test_empty_result_prints_only_the_summary() -> None:
    assert table.render(empty()).strip() == "0 packages"


def test_verified_rows_say_what_was_attested_not_the_long_reason() -> None:
    result = every_status()
    verified = [p for p in result.packages if p.status.value == "verified"]
    assert verified
    for pkg in verified:
        cell = table.reason_cell(pkg)
        assert "publish/v1" in cell
        assert cell.startswith(f"{len(pkg.findings)} file")
        assert ("identity pinned" in cell) == all(f.identity_checked for f in pkg.findings)
    others = [p for p in result.packages if p.status.value != "verified"]
    for pkg in others:
        assert table.reason_cell(pkg) == package_reason(pkg)


COMPACT = RenderOptions(compact=True, width=80)


def test_compact_is_one_line_per_package_whatever_the_width() -> None:
    result = every_status()
    text = table.render(result, COMPACT)
    lines = text.splitlines()
    for pkg in result.packages:
        assert sum(line.startswith(pkg.package.name + " ") for line in lines) == 1
    # packages, then the summary, the unknown statement, decisions and warnings: one line each
    assert len(lines) < len(result.packages) + 12
    assert max(len(line) for line in lines[: len(result.packages)]) > 80  # nothing wrapped


def test_compact_keeps_status_decision_coverage_and_publisher_greppable() -> None:
    text = table.render(every_status(), COMPACT)
    row = _row(text, "requests")
    assert re.search(r"\bverified \[allow\]\s+all\s+github:psf/requests:publish.yml@pypi\b", row)
    assert "invalid [block]" in _row(text, "bad-sig")
    for name in (HOSTILE_NAME, "nofiles", "slow_Pkg"):
        assert "unknown" in _row(text, name)
        assert "unattested" not in _row(text, name)


def test_compact_shortens_long_reasons_and_verbose_shows_them_whole() -> None:
    sample = every_status()
    long_reason = "the index lists provenance at a URL that answers 404; " * 5
    bad = next(p for p in sample.packages if p.package.name == "bad-sig")
    bad = replace(bad, findings=tuple(replace(f, reason=long_reason) for f in bad.findings))
    result = replace(
        sample, packages=tuple(bad if p.package.name == "bad-sig" else p for p in sample.packages)
    )
    short = _row(table.render(result, COMPACT), "bad-sig")
    assert " ".join(long_reason.split()) not in short
    assert short.endswith("...")
    assert len(short) - short.index("the index lists") == table.REASON_WIDTH
    full = table.render(result, RenderOptions(compact=True, verbose=True))
    assert " ".join(long_reason.split()) in _row(full, "bad-sig")


def test_verbose_lists_the_files_that_did_not_verify() -> None:
    text = table.render(every_status(), RenderOptions(compact=True, verbose=True))
    lines = text.splitlines()
    urllib3 = next(i for i, line in enumerate(lines) if line.startswith("urllib3 "))
    assert lines[urllib3 + 1].startswith("    ")
    assert "unattested" in lines[urllib3 + 1]


def test_without_decisions_no_tags_are_shown() -> None:
    result = every_status()
    bare = ScanResult(
        result.source,
        result.source_format,
        result.index_url,
        tuple(replace(p, decision=None) for p in result.packages),
    )
    for options in (COMPACT, WIDE):
        text = table.render(bare, options)
        assert not re.search(r"\[(allow|warn|block)\]", text)
