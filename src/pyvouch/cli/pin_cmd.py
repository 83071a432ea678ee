"""`pyvouch pin`: record the publisher identities that verify now, as pins for later scans."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from pyvouch.cli.common import (
    LookupFlags,
    load_policy,
    lookup_options,
    pin_file_for,
)
from pyvouch.cli.options import exit_codes, narrowing_options
from pyvouch.pipeline.options import FileChoice
from pyvouch.pipeline.scan import scan
from pyvouch.policy.pin_choice import PinAction, PinChoice, choose_all, record_spec
from pyvouch.policy_files.pin_write import edit_pin_file, edit_pylock, existing_pin_records
from pyvouch.sources import STDIN, load_packages
from pyvouch.user_files import destination, read_document, write_document

PYLOCK_FORMAT = "pylock"


def _line(choice: PinChoice) -> str:
    head = f"{choice.name} {choice.version or ''}".rstrip()
    if choice.action is PinAction.PIN:
        assert choice.identity is not None
        return f"pin   {head}: {record_spec(choice.identity)} ({choice.reason})"
    if choice.action is PinAction.KEEP:
        return f"keep  {head}: {choice.reason}"
    return f"skip  {head}: not pinned: {choice.reason}"


@exit_codes(
    "the pins were written, shown (--dry-run) or already recorded",
    note="A package left unpinned is listed with the reason; it does not change the exit code.",
)
@click.command("pin")
@click.argument("lock", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option(
    "--replace",
    is_flag=True,
    help="Re-pin packages whose verified identity differs from the recorded one.",
)
@click.option(
    "--pin-file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Where to record pins for lock formats other than pylock.toml "
    "(default: pyvouch.lock.toml next to the lock).",
)
@narrowing_options
@lookup_options
@click.pass_context
def pin(
    ctx: click.Context,
    lock: Path | None,
    dry_run: bool,
    replace: bool,
    pin_file: Path | None,
    python_version: str | None,
    platform: str | None,
    lookup: LookupFlags,
) -> None:
    """Record the publisher identities that verify now, so later scans catch a change.

    Scans LOCK (every file of each locked release), and for each package whose files all
    verified as one Trusted Publisher identity, records it: in pylock.toml as PEP 751
    [[packages.attestation-identities]] (nothing else in the file changes), for other lock
    formats in pyvouch.lock.toml. Identities that did not verify are never recorded; each
    package left unpinned is listed with the reason.
    """
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
    # A pylock.toml read from standard input cannot be edited: its pins go to the pin file.
    from_file = loaded.path is not None and loaded.path != STDIN
    in_lock = loaded.format == PYLOCK_FORMAT and from_file and pin_file is None
    target = loaded.path if in_lock and loaded.path is not None else pin_file
    if target is None:
        target = pin_file_for(loaded.path)
    destination(target)  # a directory or a missing folder is refused before any lookup
    document = read_document(target) if target.is_file() else None
    before = document.text if document is not None else None
    existing = None if in_lock else existing_pin_records(before, target)

    verifier = lookup.verifier()
    options = lookup.scan_options(policy, loaded.index_urls, FileChoice.ALL)
    result = scan(
        loaded.packages,
        verifier,
        options,
        source=str(loaded.path or "<environment>"),
        source_format=loaded.format,
    )
    for warning in result.warnings:  # what the index warned about (redirects)
        click.echo(f"pyvouch: warning: {warning}", err=True)
    choices = choose_all(result, existing, replace=replace)
    for choice in choices:
        click.echo(_line(choice))
    if in_lock:
        assert before is not None
        after = edit_pylock(before, choices, target)
    elif any(c.action is PinAction.PIN for c in choices):
        after = edit_pin_file(before, choices, target)
    else:
        after = before or ""
    pinned = sum(c.action is PinAction.PIN for c in choices)
    skipped = sum(c.action is PinAction.SKIP for c in choices)
    summary = f"{pinned} pinned, {sum(c.action is PinAction.KEEP for c in choices)} kept, "
    summary += f"{skipped} not pinned"
    if after == (before or ""):
        click.echo(f"{summary}; {target} unchanged")
        return
    if dry_run:
        diff = difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=str(target),
            tofile=f"{target} (with pins)",
        )
        click.echo("".join(diff), nl=False)
        click.echo(f"{summary}; --dry-run: {target} not written")
        return
    write_document(target, document, after)
    click.echo(f"{summary}; wrote {target}")
    ctx.exit(0)
