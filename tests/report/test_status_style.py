"""One status style: a status word has the same colour in every command's terminal view."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest

from pyvouch import report
from pyvouch.model import FileRef, Finding, Status
from pyvouch.report import RenderOptions, verify_report
from pyvouch.report.status_style import STATUS_STYLES, style_of
from pyvouch.verify.trust import TrustRoot
from tests.support.report_samples import every_status

COLOR = RenderOptions(color=True, width=200)


def _colour_before(text: str, word: str) -> str:
    """The escape sequences that start the first occurrence of ``word`` at a line start or
    after a space (what the renderer put in front of it)."""
    found = re.search(r"((?:\x1b\[[0-9;]*m)+)" + re.escape(word), text)
    assert found is not None, (word, text)
    return found.group(1)


@pytest.fixture(autouse=True)
def _colour_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_every_status_has_a_style() -> None:
    for status in Status:
        assert style_of(status.value), status
    assert style_of("warning:") == STATUS_STYLES["warning"]
    assert style_of("no-such-word") == ""


@pytest.mark.parametrize("status", [Status.VERIFIED, Status.MISMATCH, Status.UNKNOWN])
def test_verify_lines_and_the_scan_table_colour_a_status_alike(status: Status) -> None:
    root = TrustRoot("production", "sigstore", cast(Any, None))
    findings = [Finding(FileRef("demo-1.0.tar.gz", "a" * 64), status, "because")]
    lines = report.render("text", verify_report.build(findings, root), COLOR)
    table = report.render("table", every_status(), COLOR)
    assert _colour_before(lines, status.value) == _colour_before(table, status.value)


def test_no_colour_without_asking_or_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    root = TrustRoot("production", "sigstore", cast(Any, None))
    built = verify_report.build([Finding(FileRef("x.whl"), Status.INVALID, "bad")], root)
    assert "\x1b" not in report.render("text", built)
    assert "\x1b" in report.render("text", built, COLOR)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in report.render("text", built, COLOR)
