"""`pyvouch record`: a report that pyvouch wrote elsewhere (a CI artifact) into the store."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch.cli.common import load_policy
from pyvouch.cli.options import CONFIG_HELP, exit_codes, repo_options, store_option
from pyvouch.pipeline.recording import run_record
from pyvouch.pipeline.store_request import StoreRequest


@exit_codes(
    "recorded (or already recorded: the same run)",
    incomplete="the store could not be reached; nothing was recorded",
    note="The report's statuses are recorded as observations (evidence 'ingested'): they "
    "show in history but never become the identity later scans are held to; only "
    "scan --record, which verifies, makes those (docs/store.md).",
)
@click.command("record")
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False))
@store_option
@repo_options
@click.option("--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP)
def record(
    report: Path,
    store: str | None,
    repo: str | None,
    commit: str | None,
    branch: str | None,
    org: bool,
    config_path: Path | None,
) -> None:
    """Record REPORT (pyvouch's JSON report, or its CycloneDX SBOM) into the history store.

    The same report recorded twice, or a retried CI job, is one scan (its run id).
    """
    policy = load_policy(config_path, None)
    outcome = run_record(
        report,
        StoreRequest(store=store, repository=repo, commit=commit, branch=branch, org=org),
        policy,
        Path.cwd(),
    )
    done = "recorded" if outcome.recorded.new else "already recorded (same run): nothing written"
    click.echo(
        f"{outcome.report.kind} report {report.name}: run {outcome.recorded.run_id} of "
        f"{outcome.repository}, {outcome.recorded.packages} packages, {done} "
        f"({outcome.store})"
    )
    if outcome.regressions:
        click.echo(
            f"pyvouch: {outcome.regressions} package(s) regressed against the store's history",
            err=True,
        )
