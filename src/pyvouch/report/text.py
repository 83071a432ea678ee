"""Text: the terminal view of any `Report`, one line per `Line`, the status word coloured by
the one status style (``status_style.py``) when ``RenderOptions.color`` asks for it and
``NO_COLOR`` is not set. Without colour the text is exactly the lines, nothing else."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pyvouch.model import ScanResult
from pyvouch.report._common import DEFAULT_OPTIONS, RenderOptions, one_line
from pyvouch.report.document import Line, Report
from pyvouch.report.scan_report import as_report
from pyvouch.report.status_style import style_of

if TYPE_CHECKING:
    from rich.text import Text


def plain(line: Line) -> str:
    """The line as text; data cannot break it or send terminal controls (``one_line``)."""
    head = " " * line.indent
    if line.status is not None:
        head += one_line(line.status).ljust(line.pad) + " "
    return head + one_line(line.text)


def _styled(line: Line) -> Text:
    from rich.text import Text

    if line.style:
        return Text(plain(line), style=line.style)
    text = Text(" " * line.indent)
    if line.status is not None:
        text.append(one_line(line.status).ljust(line.pad), style=style_of(line.status))
        text.append(" ")
    text.append(one_line(line.text))
    return text


def colored(options: RenderOptions) -> bool:
    return options.color and not os.environ.get("NO_COLOR")


def shown(lines: Sequence[Line], options: RenderOptions) -> list[Line]:
    """The lines that ``options.verbose`` shows (`Line.verbose`)."""
    return [line for line in lines if line.verbose in (None, options.verbose)]


def render_lines(lines: Sequence[Line], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """The lines as text, each ending in a newline; coloured when asked for. A line made for
    ``--verbose`` (or for its absence) is shown only then (`Line.verbose`)."""
    lines = shown(lines, options)
    if not colored(options):
        return "".join(plain(line) + "\n" for line in lines)
    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        force_terminal=True,
        color_system="standard",
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    for line in lines:
        console.print(_styled(line), soft_wrap=True)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def render(value: Report | ScanResult, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    report = as_report(value)
    if report.scan is not None:  # a scan's lines follow its table (table.render)
        from pyvouch.report import table

        return table.render(report, options)
    return render_lines(report.lines, options)
