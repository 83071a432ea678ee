"""`pyvouch readiness`: which dependencies sign consistently enough to enforce now."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.common import LookupFlags, load_policy, lookup_options
from pyvouch.cli.options import exit_codes, format_option, narrowing_options, store_option
from pyvouch.cli.output import emit
from pyvouch.errors import UsageError
from pyvouch.pipeline.history import histories
from pyvouch.pipeline.recording import store_histories
from pyvouch.pipeline.store_request import StoreRequest
from pyvouch.policy.config import CONFIG_FILE
from pyvouch.policy.readiness import Assessment, Verdict, assess_all, exit_code, policy_snippet
from pyvouch.policy.tiers import TierName, normalize
from pyvouch.policy_files.config_file import find_config
from pyvouch.policy_files.edit import add_critical_and_publishers
from pyvouch.report import readiness as readiness_report
from pyvouch.sources import load_packages
from pyvouch.user_files import read_document, write_document


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
    if window > count:
        raise UsageError(f"--window {window} is larger than --releases {count}")
    policy = load_policy(lookup.config_path, lock)
    loaded = load_packages(
        lock,
        python_version=python_version,
        platform=platform,
        resolve=False,
        index_url=lookup.index_url or policy.index_url,
    )
    for warning in loaded.warnings:
        click.echo(f"pyvouch: warning: {warning}", err=True)
    wanted: dict[str, str | None] = {}
    for package in loaded.packages:
        if package.origin is not None:
            continue
        if critical_only and policy.tier_of(package.name).name is not TierName.CRITICAL:
            continue
        wanted.setdefault(normalize(package.name), package.version)
    if critical_only and not wanted:
        raise UsageError(
            "--critical-only: no package of the lock is in the critical tier "
            f"({', '.join(policy.critical.packages) or 'the tier is empty'})"
        )
    if from_history:
        found, index_url = store_histories(
            StoreRequest(store=store), policy, list(wanted.items()), count
        )
    else:
        found, index_url = histories(
            list(wanted.items()),
            lookup.verifier(),
            lookup.scan_options(policy, loaded.index_urls),
            count,
        )
    assessments = assess_all(found, window)
    snippet = None
    if not no_snippet:
        config = lookup.config_path or find_config(Path.cwd())
        pyproject = config is None or config.name != CONFIG_FILE
        snippet = policy_snippet(
            assessments, pyproject=pyproject, critical=policy.critical.packages
        )
    emit(readiness_report.build(assessments, snippet, index_url), output_format)
    if apply_snippet:
        _apply(assessments, lookup.config_path)
    ctx.exit(exit_code(assessments, critical_only=critical_only))


def _apply(assessments: list[Assessment], config_path: Path | None) -> None:
    target = config_path or find_config(Path.cwd()) or Path(CONFIG_FILE)
    ready = [a for a in assessments if a.verdict is Verdict.READY and a.pin_spec]
    document = read_document(target) if target.exists() else None
    text = document.text if document is not None else ""
    new, changes = add_critical_and_publishers(
        text,
        target,
        [a.name for a in ready],
        {a.name: a.pin_spec for a in ready if a.pin_spec is not None},
    )
    if new != text:
        write_document(target, document, new)
    said = "; ".join(changes) if changes else "nothing to change"
    click.echo(f"applied to {target}: {said}", err=True)
