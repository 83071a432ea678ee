"""The format registry: names, lookup, unknown names, and every format over the same results."""

from __future__ import annotations

import importlib

import pytest

from pyvouch import report
from pyvouch.errors import EXIT_USAGE, UsageError
from pyvouch.report import RenderOptions
from tests.support.report_samples import empty, every_status


def test_names_are_the_documented_formats() -> None:
    assert report.names() == ("table", "json", "cyclonedx", "sarif", "markdown")


@pytest.mark.parametrize("name", report.names())
def test_every_format_module_exposes_render(name: str) -> None:
    module = importlib.import_module(report.FORMATS[name])
    assert report.get(name) is module.render


def test_unknown_format_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError) as err:
        report.get("yaml")
    assert err.value.exit_code == EXIT_USAGE
    assert "yaml" in str(err.value)
    assert "sarif" in str(err.value)


@pytest.mark.parametrize("name", report.names())
def test_every_format_renders_empty_and_full_results(name: str) -> None:
    for result in (empty(), every_status()):
        text = report.render(name, result, RenderOptions(width=120))
        assert isinstance(text, str)
        assert text.endswith("\n")
    full = report.render(name, every_status(), RenderOptions(width=400))
    for pkg in ("swapped", "nofiles", "local-thing"):
        assert pkg in full
    # SARIF lists only what needs attention; every other format lists every package.
    assert ("requests" in full) is (name != "sarif")


@pytest.mark.parametrize("name", report.names())
def test_renderers_are_pure(name: str) -> None:
    """Same input, same text (CycloneDX differs only by its serial number and timestamp)."""
    result = every_status()
    first = report.render(name, result)
    second = report.render(name, result)
    if name == "cyclonedx":
        import json

        a, b = json.loads(first), json.loads(second)
        for doc in (a, b):
            doc.pop("serialNumber")
            doc["metadata"].pop("timestamp")
        assert a == b
    else:
        assert first == second
