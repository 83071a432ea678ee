"""Report formats: every command's result, as a `Report` (``document.py``), in every format.

Each format is a module with ``render(report, options=RenderOptions()) -> str`` (pure: it
returns the text and writes nothing) and, when it applies only to some reports,
``supports(report) -> bool``. ``FORMATS`` maps a ``--format`` name to its module; adding a
format is a new module plus one line here, and every command that offers the generic formats
(``offered``) gets it. A `ScanResult` is accepted where a `Report` is (it is scan's report).
Modules are imported on first use, so ``--format table`` never loads the CycloneDX library.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from pyvouch.errors import UsageError
from pyvouch.model import ScanResult
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions
from pyvouch.report.document import Report

FORMATS: dict[str, str] = {
    "table": "pyvouch.report.table",
    "json": "pyvouch.report.json_report",
    "cyclonedx": "pyvouch.report.cyclonedx_report",
    "sarif": "pyvouch.report.sarif",
    "markdown": "pyvouch.report.markdown",
    "text": "pyvouch.report.text",
}

SCAN_FORMATS = ("table", "json", "cyclonedx", "sarif", "markdown")
"""What `scan` and `install` offer, in the order ``--format`` lists them."""

GENERIC = ("json", "markdown")
"""The formats every command offers after its terminal view (``text``, or ``table``)."""


class Renderer(Protocol):
    def __call__(self, report: Report | ScanResult, options: RenderOptions = ..., /) -> str: ...


def names() -> tuple[str, ...]:
    """The formats of a scan, in the order ``--format`` lists them."""
    return SCAN_FORMATS


def offered(*, terminal: str = "text", sarif: bool = False) -> tuple[str, ...]:
    """The ``--format`` choices of a command: its terminal view, the generic formats, and
    ``sarif`` when the command's report has a SARIF run."""
    return (terminal, *GENERIC, *(("sarif",) if sarif else ()))


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


def supports(name: str, report: Report) -> bool:
    """Whether the named format applies to this report (SARIF needs a SARIF run, CycloneDX a
    scan); a format without ``supports`` applies to every report."""
    module = importlib.import_module(FORMATS[name]) if name in FORMATS else None
    check = getattr(module, "supports", None)
    return module is not None and (check is None or bool(check(report)))


def render(name: str, result: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """Render ``result`` in the named format."""
    return get(name)(result, options)


__all__ = [
    "FORMATS",
    "RenderOptions",
    "Renderer",
    "Report",
    "get",
    "names",
    "offered",
    "render",
    "supports",
]
