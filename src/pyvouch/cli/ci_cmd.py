"""`pyvouch ci`: the steps of pyvouch's own CI integrations (the GitHub Action, the pre-commit
lock-change hook). The action's inputs arrive as environment variables (its ``env:``), never
in a script's text."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pyvouch.cli.common import LookupFlags, lookup_options
from pyvouch.cli.options import exit_codes
from pyvouch.integrations.github import (
    ActionInputs,
    env_path,
    publish,
    record_scan,
    run_check,
)
from pyvouch.integrations.github_event import read_event


@click.group()
def ci() -> None:
    """Steps of pyvouch's CI integrations (GitHub Action, pre-commit)."""


@exit_codes(
    "the check passed (collect and warn always pass)",
    "enforce: a package or change is blocked (no policy: a file failed)",
    "a package that must verify could not be told",
    note="Reads $GITHUB_WORKSPACE, $GITHUB_EVENT_NAME, $GITHUB_EVENT_PATH, $GITHUB_BASE_REF; "
    "appends to $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT.",
)
@ci.command("github")
def github() -> None:
    """The GitHub Action's check: scan on a push, diff against the base on a pull request.

    On a pull request the base commit comes from the event payload and must be on the base
    branch as the remote has it; the policy, pins and index are read there.

    \b
    The action's inputs, read from the environment (never from a script):
      PYVOUCH_INPUT_LOCK: lock file, relative to the workspace
      PYVOUCH_INPUT_MODE: collect, warn or enforce (a pull request: stricter only)
      PYVOUCH_INPUT_FORMAT: text, markdown, json or sarif (the log's report)
      PYVOUCH_INPUT_INDEX_URL: the index to look files up on
      PYVOUCH_INPUT_STORE: a history store URL: a scan is recorded there too
      PYVOUCH_INPUT_TRUST_ROOT: a Sigstore trust root file
      PYVOUCH_INPUT_SARIF_FILE: where the SARIF goes (default pyvouch.sarif)
      PYVOUCH_INPUT_REPORT_FILE: where the report goes too
    """
    get = os.environ.get
    workspace = env_path("GITHUB_WORKSPACE") or Path.cwd()
    event = read_event(
        os.environ.get("GITHUB_EVENT_NAME", ""),
        env_path("GITHUB_EVENT_PATH"),
        os.environ.get("GITHUB_BASE_REF", ""),
    )
    inputs = ActionInputs(
        workspace,
        event,
        lock=get("PYVOUCH_INPUT_LOCK", ""),
        mode=get("PYVOUCH_INPUT_MODE", ""),
        report_format=get("PYVOUCH_INPUT_FORMAT", "") or "text",
        index_url=get("PYVOUCH_INPUT_INDEX_URL", ""),
        trust_root=get("PYVOUCH_INPUT_TRUST_ROOT", ""),
        store=get("PYVOUCH_INPUT_STORE", ""),
    )
    outcome = run_check(inputs)
    publish(
        outcome,
        summary_file=env_path("GITHUB_STEP_SUMMARY"),
        output_file=env_path("GITHUB_OUTPUT"),
        sarif_file=Path(get("PYVOUCH_INPUT_SARIF_FILE", "") or "pyvouch.sarif"),
        report_file=env_path("PYVOUCH_INPUT_REPORT_FILE"),
    )
    click.echo(outcome.report, nl=False)
    for note in outcome.notes:
        click.echo(f"pyvouch: note: {note}", err=True)
    code = outcome.exit_code
    recorded = record_scan(inputs, outcome)
    if recorded is not None and recorded not in (0, 1, 3):  # 1, 3: the verdict, reported
        click.echo(f"pyvouch: error: recording in the store failed (exit {recorded})", err=True)
        code = code or recorded
    sys.exit(code)


@exit_codes(
    "nothing blocked (what could not be looked up does not block)",
    "a staged lock change is blocked by the policy at HEAD (enforce)",
    note="For pre-commit: pre-commit passes the staged lock files and stashes unstaged "
    "edits first. The policy, pins and index are read at HEAD.",
)
@ci.command("lock-diff")
@click.argument("locks", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-lookup", is_flag=True, help="Only list what changed; no network.")
@lookup_options
def lock_diff(locks: tuple[Path, ...], no_lookup: bool, lookup: LookupFlags) -> None:
    """Review staged lock files against HEAD (the pre-commit lock-change hook)."""
    from pyvouch.cli.output import emit
    from pyvouch.integrations.precommit import exit_code, review_locks
    from pyvouch.report import diff_review

    reviews = review_locks(list(locks), lookup, no_lookup=no_lookup)
    for review in reviews:
        if review.report is not None:
            emit(diff_review.build(review.report), "text")
        if review.note:
            click.echo(f"pyvouch: note: {review.path}: {review.note}", err=True)
    sys.exit(exit_code(reviews))
