"""`pyvouch trust ...`: show and refresh the Sigstore trust roots."""

from __future__ import annotations

import click

from pyvouch.cli.options import exit_codes
from pyvouch.verify.trust import load_trust_root, update_trust_root


@click.group()
def trust() -> None:
    """Sigstore trust roots used for verification."""


@exit_codes("the trust root was found and named")
@trust.command("show")
@click.option("--staging", is_flag=True, help="Show the staging trust root.")
def show(staging: bool) -> None:
    """Say which trust root `pyvouch verify` uses, and where it comes from."""
    root = load_trust_root(staging=staging)
    click.echo(f"{root.name}: {root.source}")


@exit_codes(
    "the trust root is current (updated or unchanged)",
    incomplete="the update failed (e.g. TUF unreachable); nothing changed",
)
@trust.command("update")
@click.option("--staging", is_flag=True, help="Refresh the staging trust root instead.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1, max=300),
    default=20.0,
    show_default=True,
    help="Give up after this many seconds.",
)
def update(staging: bool, timeout: float) -> None:
    """Refresh the trust root over TUF; used only once TUF verified it.

    On failure nothing changes and the message says why.
    """
    result = update_trust_root(staging=staging, timeout=timeout)
    state = "updated" if result.changed else "unchanged (already current)"
    click.echo(
        f"{result.name} trust root {state}: TUF-verified from {result.tuf_url}, "
        f"sha256 {result.sha256}, stored in {result.directory}"
    )
