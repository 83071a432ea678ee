"""`pyvouch dashboard`: the history store as a static HTML dashboard (docs/dashboard.md)."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch.cli.common import load_policy
from pyvouch.cli.options import CONFIG_HELP, exit_codes, store_option
from pyvouch.dashboard.build import build_dashboard
from pyvouch.pipeline.recording import store_location
from pyvouch.pipeline.store_request import StoreRequest


@exit_codes(
    "the dashboard was written",
    incomplete="the store could not be reached; nothing was written",
)
@click.command("dashboard")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="The folder to write (absent, empty, or a dashboard pyvouch wrote before, which is "
    "replaced as a whole).",
)
@store_option
@click.option("--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP)
def dashboard(out: Path, store: str | None, config_path: Path | None) -> None:
    """Write a static HTML dashboard of the history store into --out.

    Coverage per repository and per tier over time, each repository's latest scan and its
    decisions, each package's publishers, releases and statuses, recent regressions and
    newly added unsigned dependencies. Self-contained: open OUT/index.html from disk or serve
    the folder; the pages fetch nothing and run no script.
    """
    policy = load_policy(config_path, None)
    built = build_dashboard(store_location(StoreRequest(store=store), policy), out)
    click.echo(
        f"dashboard of {built.store}: {built.repositories} repositories, {built.packages} "
        f"packages, {built.pages} pages in {built.out} (open {built.index})"
    )
