"""How every command hands its result to ``report/`` and prints it: one place that picks
the render options (colour on a terminal, compact lines off one), renders the chosen format,
writes stdout (or ``--output``) and the report's notices on stderr (``pyvouch: warning: ...``,
as every other line pyvouch writes there)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.report import RenderOptions, Report
from pyvouch.report.text import render_lines
from pyvouch.user_files import write_file


def _color(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def emit(
    report: Report,
    output_format: str,
    *,
    output: Path | None = None,
    verbose: bool = False,
) -> None:
    """Render ``report`` as ``output_format`` to stdout (or the file ``output``), then its
    notices on stderr."""
    terminal = output is None and _color(sys.stdout)
    options = RenderOptions(
        color=terminal,
        base_dir=str(Path.cwd()),
        compact=not terminal or verbose,
        verbose=verbose,
    )
    text = formats.render(output_format, report, options)
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file(output, text)
    if report.notices:
        # as every other line pyvouch writes on stderr: "pyvouch: warning: ..."
        notices = render_lines(report.notices, RenderOptions(color=_color(sys.stderr)))
        for line in notices.splitlines():
            click.echo(f"pyvouch: {line}", err=True)
