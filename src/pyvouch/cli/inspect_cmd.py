"""`pyvouch inspect`."""

from __future__ import annotations

import click


@click.command()
def inspect() -> None:
    """(Being built: issue 2.)"""
    raise click.UsageError("not built yet")
