"""Report formats: every one renders the same ``ScanResult`` to text.

Each format is a module with ``render(result, options=RenderOptions()) -> str`` (pure: it
returns the text and writes nothing). ``FORMATS`` maps a ``--format`` name to its module;
adding a format is a new module plus one line here. Modules are imported on first use, so
``--format table`` never loads the CycloneDX library.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from pyvouch.errors import UsageError
from pyvouch.model import ScanResult
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions
from pyvouch.vulns.model import VulnAssessment

FORMATS: dict[str, str] = {
    "table": "pyvouch.report.table",
    "json": "pyvouch.report.json_report",
    "cyclonedx": "pyvouch.report.cyclonedx_report",
    "sarif": "pyvouch.report.sarif",
    "markdown": "pyvouch.report.markdown",
}


VULN_FORMATS: dict[str, str] = {
    "table": "pyvouch.report.vulns_table",
    "json": "pyvouch.report.vulns_json",
    "cyclonedx": "pyvouch.report.vulns_cyclonedx",
    "sarif": "pyvouch.report.vulns_sarif",
    "markdown": "pyvouch.report.vulns_markdown",
}
"""The same formats with a vulnerability section (``scan --vulns``): each module's
``render(result, vulns, options)`` extends the format's own output."""


class Renderer(Protocol):
    def __call__(self, result: ScanResult, options: RenderOptions = ..., /) -> str: ...


def names() -> tuple[str, ...]:
    """The format names, in the order ``--format`` lists them."""
    return tuple(FORMATS)


def get(name: str) -> Renderer:
    """The renderer for a format name; a UsageError naming the choices for an unknown one."""
    try:
        module_name = FORMATS[name]
    except KeyError:
        raise UsageError(
            f"unknown report format {name!r}; choose one of: {', '.join(FORMATS)}"
        ) from None
    renderer: Renderer = importlib.import_module(module_name).render
    return renderer


def render(
    name: str,
    result: ScanResult,
    options: RenderOptions = DEFAULT_OPTIONS,
    vulns: VulnAssessment | None = None,
) -> str:
    """Render ``result`` in the named format (with its vulnerability section when given)."""
    renderer = get(name)
    if vulns is None:
        return renderer(result, options)
    module = importlib.import_module(VULN_FORMATS[name])
    text: str = module.render(result, vulns, options)
    return text


__all__ = ["FORMATS", "VULN_FORMATS", "RenderOptions", "Renderer", "get", "names", "render"]
