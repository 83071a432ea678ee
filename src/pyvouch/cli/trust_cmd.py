"""`pyvouch trust ...`."""

from __future__ import annotations

import click


@click.group()
def trust() -> None:
    """(Being built: issue 2.)"""
