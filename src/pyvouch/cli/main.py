"""The `pyvouch` command: parse, call the spine, render, map errors to exit codes."""

from __future__ import annotations

import sys
from typing import Any

import click

from pyvouch import __version__
from pyvouch.cli import index_cmd, inspect_cmd, trust_cmd, verify_cmd
from pyvouch.errors import EXIT_USAGE, PyvouchError


class _Group(click.Group):
    """Turns every PyvouchError into one line on stderr and its exit code; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PyvouchError as err:
            click.echo(f"pyvouch: error: {err}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("pyvouch: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pyvouch")
def cli() -> None:
    """Sign, verify and inventory PEP 740 attestations of Python packages."""


cli.add_command(verify_cmd.verify)
cli.add_command(inspect_cmd.inspect)
cli.add_command(index_cmd.index)
cli.add_command(trust_cmd.trust)


def main() -> None:
    """Console-script entry point. Click's own usage errors exit 2, as DESIGN.md wants."""
    try:
        cli.main(prog_name="pyvouch", standalone_mode=True)
    except PyvouchError as err:  # raised outside a subcommand (e.g. while parsing)
        click.echo(f"pyvouch: error: {err}", err=True)
        sys.exit(err.exit_code)
    sys.exit(EXIT_USAGE)  # pragma: no cover - cli.main always exits
