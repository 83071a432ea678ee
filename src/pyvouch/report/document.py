"""What every command hands to ``report/``: a `Report`, the result as renderer-neutral parts.

A command's result becomes a `Report` in one builder (``report/<command>_report.py``, or
beside the command's package when that package sits above ``report`` in the layers, as
``workflows/render.py`` does). Each output format is one module that renders any `Report`
(``report/__init__.py``: ``FORMATS``), so a new format reaches every command at once:

- ``body``: the result as JSON-ready data; the JSON format wraps it in the one convention
  (``report/json_format.py``: ``schema``, ``command``, ``pyvouch_version`` first);
- ``title`` and ``blocks``: the document (paragraphs, tables whose rows carry a status,
  bullet lists, code) that Markdown (and any document format) lays out; every piece of text
  in it is plain data, escaped by the format (``report/markdown_escape.py``);
- ``lines``: the terminal view, one `Line` per line, its status word coloured by the one
  status style (``report/status_style.py``);
- ``notices``: what the command says on stderr whatever the format (warnings, notes);
- ``sarif``: for a command that checks something, its SARIF run (rules, results, artifacts)
  for the one SARIF builder; None where SARIF does not apply;
- ``scan``: the `ScanResult` itself for the formats made for one (the rich table, CycloneDX);
  for a scan, ``lines`` are what the table shows after its packages (``scan --vulns``);
- ``vulns``: the vulnerability findings of ``scan --vulns`` for the formats made for a scan
  (CycloneDX's VEX section); every other format reads them from ``body``, ``blocks``,
  ``lines`` and ``sarif``, which `scan_report.build` fills.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyvouch.model import Rule, ScanResult

if TYPE_CHECKING:
    from pyvouch.report.sarif_builder import Result as SarifResult
    from pyvouch.vulns.model import VulnAssessment


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code: a status word or a rule id that pyvouch chose, shown as code (Markdown
    backticks). Never data: names and reasons are plain text, escaped by the format."""

    text: str


Cell = str | Code | tuple[str | Code, ...]
"""A table cell: plain text, inline code, or pieces of both."""


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    status: str | None = None
    """The row's status word (``verified``, ``error``, ``ready`` ...): colours it in a terminal."""


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    title: str | None = None
    folded: bool = False
    """Shown folded under ``title`` (Markdown: a ``<details>`` block)."""


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    label: str | None = None
    """Shown strong before the text (a package name, a file)."""


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[Item, ...]
    title: str | None = None
    folded: bool = False
    """Shown folded under ``title`` (Markdown: a ``<details>`` block)."""


@dataclass(frozen=True, slots=True)
class Heading:
    """A section's heading (Markdown: ``###``): the blocks after it belong to the section."""

    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    strong: bool = False
    quote: bool = False
    label: str | None = None
    """Shown strong before the text (``**Trust inputs changed:** ...``)."""


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    language: str = ""
    title: str | None = None


Block = Heading | Paragraph | Table | Bullets | CodeBlock


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the terminal view: ``indent`` spaces, the status word padded to ``pad``
    (coloured), then the text. ``style`` colours the whole line instead."""

    text: str
    status: str | None = None
    pad: int = 0
    indent: int = 0
    style: str | None = None
    verbose: bool | None = None
    """None: always shown; True: only with ``--verbose``; False: only without it (a line
    shortened, or a "... and N more", that ``--verbose`` shows whole)."""


@dataclass(frozen=True, slots=True)
class SarifRun:
    rules: tuple[Rule, ...]
    results: tuple[SarifResult, ...]
    artifacts: tuple[str, ...] = ()
    properties: Mapping[str, Any] | None = None


SarifSource = Callable[[str | None], SarifRun]
"""Makes the SARIF run, given the directory that artifact URIs are made relative to."""


@dataclass(frozen=True, slots=True)
class Report:
    command: str
    """The command as typed: ``verify``, ``index check``, ``workflow lint``."""
    schema: str
    """The JSON document's name and major version, e.g. ``pyvouch-verify/1``."""
    body: Mapping[str, Any]
    title: str
    blocks: tuple[Block, ...] = ()
    lines: tuple[Line, ...] = ()
    warnings: tuple[str, ...] = ()
    notices: tuple[Line, ...] = ()
    sarif: SarifSource | None = None
    scan: ScanResult | None = field(default=None)
    vulns: VulnAssessment | None = None
