"""`pyvouch readiness`: which dependencies sign consistently enough to enforce now."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.common import LookupFlags, lookup_options
from pyvouch.cli.options import exit_codes, format_option, narrowing_options, store_option
from pyvouch.cli.output import emit
from pyvouch.pipeline.readiness import ReadinessRequest, apply_ready, run_readiness
from pyvouch.report import readiness as readiness_report


@exit_codes(
    "every package was told (ready or not), or there was nothing to assess",
    "--critical-only: a critical package is not ready (close, not-ready, ...)",
    "some package cannot be told (cannot-tell), and none is 1",
)
@click.command("readiness")
@click.argument("lock", required=False, type=click.Path(path_type=Path))
@click.option(
    "--critical-only", is_flag=True, help="Only the packages in the policy's critical tier."
)
@click.option(
    "--releases",
    "count",
    type=click.IntRange(1, 100),
    default=10,
    show_default=True,
    help="How many recent releases of each package to examine.",
)
@click.option(
    "--window",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Ready = every file of this many latest releases verified.",
)
@format_option(formats.offered(terminal="table"), "table")
@click.option("--no-snippet", is_flag=True, help="Leave out the policy snippet.")
@click.option(
    "--apply",
    "apply_snippet",
    is_flag=True,
    help="Add the ready packages to the critical tier and their publishers to the policy file "
    "(pyvouch.toml or [tool.pyvouch]; created if there is none), keeping the rest as it is.",
)
@click.option(
    "--from-history",
    is_flag=True,
    help="Judge the releases the history store saw this pyvouch verify, not the index's.",
)
@store_option
@narrowing_options
@lookup_options
@click.pass_context
def readiness(
    ctx: click.Context,
    lock: Path | None,
    critical_only: bool,
    count: int,
    window: int,
    output_format: str,
    no_snippet: bool,
    apply_snippet: bool,
    from_history: bool,
    store: str | None,
    python_version: str | None,
    platform: str | None,
    lookup: LookupFlags,
) -> None:
    """For each dependency in LOCK: is it ready to enforce?

    Looks at the last --releases releases of each package on the index, verifies every file's
    attestation, and says: ready (every file of the last --window releases verified, one
    publisher throughout), close, not-ready (stopped signing), never-signs, or cannot-tell
    (the index does not serve provenance). Ends with a policy snippet to paste: the ready
    packages as the critical tier, with their publishers.
    """
    outcome = run_readiness(
        ReadinessRequest(
            lock,
            lookup,
            critical_only=critical_only,
            count=count,
            window=window,
            from_history=from_history,
            store=store,
            python_version=python_version,
            platform=platform,
            snippet=not no_snippet,
        ),
        warn=lambda warning: click.echo(f"pyvouch: warning: {warning}", err=True),
    )
    report = readiness_report.build(outcome.assessments, outcome.snippet, outcome.source)
    emit(report, output_format)
    if apply_snippet:
        target, changes = apply_ready(outcome.assessments, lookup.config_path)
        said = "; ".join(changes) if changes else "nothing to change"
        click.echo(f"applied to {target}: {said}", err=True)
    ctx.exit(outcome.exit_code)
