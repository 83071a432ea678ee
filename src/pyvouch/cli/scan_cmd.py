"""`pyvouch scan`: inventory the attestation coverage of every dependency in a lock file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pyvouch import report
from pyvouch.cli.common import LookupFlags, lookup_options
from pyvouch.cli.options import (
    exit_codes,
    format_option,
    narrowing_options,
    repo_options,
    signature_options,
    store_option,
)
from pyvouch.cli.output import emit
from pyvouch.cli.progress import ProgressLines
from pyvouch.errors import EXIT_OK, UsageError
from pyvouch.pipeline.options import FileChoice, VulnRequest
from pyvouch.pipeline.scan import PreparedScan, ScanOutcome, ScanRequest, prepare_scan, run_scan
from pyvouch.pipeline.store_request import StoreRequest
from pyvouch.policy.overrides import Overrides
from pyvouch.policy.schema import Require
from pyvouch.report import scan_plan, scan_report
from pyvouch.vulns import DEFAULT_OSV_URL


@exit_codes(
    "nothing failed and every file could be told",
    "a file is invalid (failed verification) or a mismatch (another publisher)",
    "a file could not be told (unknown), none failed; or no store reached",
    note="These hold without a policy file or --mode. With one, the mode decides: collect "
    "and warn exit 0 (the summary says what would block in enforce); enforce exits 1 when "
    "a package is blocked, else 3 when a package that must verify could not be told. "
    "With --vulns and a policy in enforce, a reachable finding at or above the tier's "
    "severity also exits 1, and a package no advisory source could answer for exits 3. "
    "With a history store, a package whose publisher differs from the identity its history "
    "verified, or that lost its attestations, counts as a pin regression (pins win).",
)
@click.command("scan")
@click.argument("lock", required=False, type=click.Path(path_type=Path))
@click.option(
    "--files",
    "file_choice",
    type=click.Choice([c.value for c in FileChoice]),
    default=FileChoice.BEST.value,
    show_default=True,
    help="When the lock names no files: the file this machine would install, or all.",
)
@format_option(report.names(), "table")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Write the report to FILE instead of stdout (atomically; through symbolic links; "
    "a FIFO or character device is written in place).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Table: whole reasons and a line per file that did not verify.",
)
@click.option("--dry-run", is_flag=True, help="List what would be looked up; no network.")
@narrowing_options
@click.option(
    "--no-resolve",
    is_flag=True,
    help="Refuse unpinned requirements instead of resolving them with pip.",
)
@click.option(
    "--mode",
    type=click.Choice(["collect", "warn", "enforce"]),
    help="Policy mode for this run (default: the policy's, else collect).",
)
@click.option(
    "--critical",
    multiple=True,
    metavar="NAME",
    help="Add a package (or glob) to the critical tier (repeatable).",
)
@click.option(
    "--pin",
    "pins",
    multiple=True,
    metavar="NAME=SPEC",
    help="Expected publisher for a package (repeatable).",
)
@click.option(
    "--require-critical",
    type=click.Choice([r.value for r in Require]),
    help="What passes in the critical tier (overrides the config; default: verified).",
)
@click.option(
    "--require-long-tail",
    type=click.Choice([r.value for r in Require]),
    help="What passes in the long tail (overrides the config; default: no-regression).",
)
@signature_options
@click.option(
    "--vulns",
    is_flag=True,
    help="Also match every package against known vulnerabilities (OSV), ranked by "
    "reachability, severity and fix, beside its attestation status.",
)
@click.option(
    "--vuln-db",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="With --vulns: a local OSV database (a directory of OSV JSON/YAML files, or OSV's "
    "zip) instead of the OSV API (default: the policy's vuln-db).",
)
@click.option(
    "--osv-url",
    default=DEFAULT_OSV_URL,
    show_default=True,
    metavar="URL",
    help="With --vulns and no database: the OSV API to ask.",
)
@click.option(
    "--source",
    "source_dirs",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    metavar="DIR",
    help="With --vulns: the project's own code, analysed for which packages it imports "
    "(repeatable). Without it, every finding's exposure is unknown.",
)
@click.option(
    "--tests",
    "test_dirs",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    metavar="DIR",
    help="With --source: the project's tests (a package imported only there is test-only).",
)
@click.option(
    "--env",
    "environment",
    type=click.Path(path_type=Path, exists=True),
    metavar="DIR",
    help="With --source: the installed environment (virtualenv or site-packages) that maps "
    "modules to packages and whose code is followed.",
)
@click.option(
    "--record",
    is_flag=True,
    help="Write this scan into the history store (once per run: the JSON report's run.id).",
)
@store_option
@repo_options
@click.option(
    "--no-history",
    is_flag=True,
    help="Do not hold packages to the identities the store's history saw verify.",
)
@lookup_options
@click.pass_context
def scan_cmd(
    ctx: click.Context,
    lock: Path | None,
    file_choice: str,
    output_format: str,
    output: Path | None,
    verbose: bool,
    dry_run: bool,
    python_version: str | None,
    platform: str | None,
    no_resolve: bool,
    mode: str | None,
    critical: tuple[str, ...],
    pins: tuple[str, ...],
    require_critical: str | None,
    require_long_tail: str | None,
    signature_key: Path | None,
    allow_no_tlog: bool,
    vulns: bool,
    vuln_db: Path | None,
    osv_url: str,
    source_dirs: tuple[Path, ...],
    test_dirs: tuple[Path, ...],
    environment: Path | None,
    record: bool,
    store: str | None,
    repo: str | None,
    commit: str | None,
    branch: str | None,
    org: bool,
    no_history: bool,
    lookup: LookupFlags,
) -> None:
    """Inventory attestation coverage of every package in LOCK (default: found here).

    LOCK may be pylock.toml, uv.lock, poetry.lock, Pipfile.lock, pdm.lock, a requirements
    file, a CycloneDX JSON SBOM, or a Python environment directory; - reads a lock or
    requirements from standard input (the format told by the content).
    """
    if not vulns and (vuln_db is not None or source_dirs or test_dirs or environment):
        raise UsageError("--vuln-db, --source, --tests and --env need --vulns")
    if (test_dirs or environment) and not source_dirs:
        raise UsageError("--tests and --env need --source")
    vuln_request = (
        VulnRequest(vuln_db, osv_url, source_dirs, test_dirs, environment) if vulns else None
    )
    prepared = prepare_scan(
        ScanRequest(
            lock,
            lookup,
            Overrides(
                mode=mode,
                critical=critical,
                pins=pins,
                require_critical=require_critical,
                require_long_tail=require_long_tail,
                index_url=lookup.index_url,
                key=signature_key,
                allow_no_tlog=allow_no_tlog,
            ),
            files=FileChoice(file_choice),
            python_version=python_version,
            platform=platform,
            resolve=not no_resolve,
            vulns=vuln_request,
            store=StoreRequest(
                store=store,
                record=record,
                repository=repo,
                commit=commit,
                branch=branch,
                org=org,
                history=not no_history,
            ),
        )
    )
    for warning in prepared.warnings:
        click.echo(f"pyvouch: warning: {warning}", err=True)
    if dry_run:
        plan = scan_plan.dry_run(prepared.packages)
        shown = output_format if report.supports(output_format, plan) else "text"
        emit(plan, shown, output=output)
        ctx.exit(EXIT_OK)
    outcome = _run(prepared)
    emit(
        scan_report.build(outcome.result, vulns=outcome.vulns),
        output_format,
        output=output,
        verbose=verbose,
    )
    if outcome.regressions:
        click.echo(
            f"pyvouch: {outcome.regressions} package(s) regressed against the store's history",
            err=True,
        )
    if outcome.recorded is not None:
        done = "recorded" if outcome.recorded.new else "already recorded (same run)"
        click.echo(f"pyvouch: scan {outcome.recorded.run_id} {done}", err=True)
    ctx.exit(outcome.exit_code)


def _run(prepared: PreparedScan) -> ScanOutcome:
    """`run_scan`, with progress on stderr for long scans: a bar on a terminal, else a line
    every few seconds (CI logs)."""
    total = len(prepared.packages)
    if total <= 20:
        return run_scan(prepared)
    if not sys.stderr.isatty():
        return run_scan(prepared, progress=ProgressLines("scan", sys.stderr))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("scan", total=total)
        return run_scan(prepared, progress=lambda done, _total: bar.update(task, completed=done))
