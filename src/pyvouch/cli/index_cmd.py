"""`pyvouch index ...`."""

from __future__ import annotations

import click


@click.group()
def index() -> None:
    """(Being built: issue 2.)"""
