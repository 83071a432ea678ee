"""`pyvouch verify`."""

from __future__ import annotations

import click


@click.command()
def verify() -> None:
    """Verify attestations of distribution files. (Being built: issue 2.)"""
    raise click.UsageError("not built yet")
