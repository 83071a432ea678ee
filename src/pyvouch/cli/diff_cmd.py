"""`pyvouch diff`: what a change to a lock file does to the dependencies' attestations."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.common import LookupFlags, lookup_options
from pyvouch.cli.options import exit_codes, format_option
from pyvouch.cli.output import emit
from pyvouch.pipeline.diff import DiffRequest, run_diff
from pyvouch.report import diff_review


@exit_codes(
    "nothing blocks (every mode but enforce shows findings and exits 0)",
    "enforce: a change blocks, or changes a trust input without approval",
    "enforce: nothing blocks, but a must-verify package could not be told",
    note="Trust inputs are the policy, the pins and the index; --approved-by admits them.",
)
@click.command("diff")
@click.argument("locks", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--base",
    "base_ref",
    metavar="GIT_REF",
    help="Compare with the lock as it is at this git revision (e.g. origin/main).",
)
@format_option(formats.offered(sarif=True), "markdown")
@click.option("--no-lookup", is_flag=True, help="Only list what changed; no network.")
@click.option(
    "--alternatives",
    "alternatives_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="More signed alternatives (TOML, same format as the shipped list; its entries win).",
)
@click.option(
    "--mode",
    type=click.Choice(["collect", "warn", "enforce"]),
    help="Policy mode for this run (default: the base policy's, else collect).",
)
@click.option(
    "--approved-by",
    "approved_by",
    multiple=True,
    metavar="NAME",
    envvar="PYVOUCH_APPROVED_BY",
    help="Who approved the change (repeatable; CI: the approving reviewers, author excluded). "
    "Admits trust input changes when the base policy's [trust-changes] approved-by names one.",
)
@lookup_options
@click.pass_context
def diff(
    ctx: click.Context,
    locks: tuple[Path, ...],
    base_ref: str | None,
    output_format: str,
    no_lookup: bool,
    alternatives_file: Path | None,
    mode: str | None,
    approved_by: tuple[str, ...],
    lookup: LookupFlags,
) -> None:
    """Review a lock file change: BASE HEAD, or --base GIT_REF [HEAD].

    Lists packages added, removed and changed. For added and changed ones it verifies the
    head's attestations and compares with the base: a publisher that changed and an
    attestation that disappeared are reported (and decided by the policy: in enforce mode a
    block exits 1). Newly added unattested packages get signed alternatives from the curated
    list, offered only when the alternative's current release verifies on the index.

    The policy, the pins (the lock's own and pyvouch.lock.toml) and the index come from the
    base (or the command line), never from the head; each change the head makes to them is
    reported, and blocks in enforce unless the base policy's [trust-changes] approved-by names
    an --approved-by.
    """
    report = run_diff(
        DiffRequest(
            locks,
            lookup,
            base_ref=base_ref,
            no_lookup=no_lookup,
            alternatives_file=alternatives_file,
            mode=mode,
            approved_by=approved_by,
        )
    )
    emit(diff_review.build(report), output_format)
    ctx.exit(report.exit_code)
