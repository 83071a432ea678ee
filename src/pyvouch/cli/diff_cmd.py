"""`pyvouch diff`: what a change to a lock file does to the dependencies' attestations."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from pyvouch.cli.common import LookupFlags, lookup_options
from pyvouch.diff_inputs import Side, load_at, load_lock, read_at, read_disk, side
from pyvouch.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from pyvouch.git_revision import open_revision
from pyvouch.model import Package, ScanResult
from pyvouch.policy.alternatives import load_alternatives
from pyvouch.policy.decide import decide_all
from pyvouch.policy.diff import ChangeKind, Entry, base_pins, compare, review, wants_alternatives
from pyvouch.policy.diff_render import FORMATS, RENDERERS, DiffReport
from pyvouch.policy.overrides import Overrides, apply_overrides
from pyvouch.policy.readiness import ReleaseState, summarize
from pyvouch.policy.trust_inputs import (
    judging_policy,
    review_trust,
    trust_changes,
    without_identities,
)
from pyvouch.release_history import histories
from pyvouch.scan import ScanOptions, scan
from pyvouch.sources import SourceResult
from pyvouch.verify.attestations import AttestationVerifier


def _sides(
    locks: tuple[Path, ...], base_ref: str | None, config: Path | None, scratch: Path
) -> tuple[Side, Side, list[str]]:
    """Both sides of the change, and warnings about the comparison itself."""
    notes: list[str] = []
    if base_ref is None:
        if len(locks) != 2:
            raise UsageError("give two lock files (BASE HEAD), or --base GIT_REF [HEAD]")
        base_lock, head_lock = locks
        base_source, head_source = load_lock(base_lock), load_lock(head_lock)
        base = side(base_source, str(base_lock), read_disk, base_lock, config, head=False)
        head = side(head_source, str(head_lock), read_disk, head_lock, config, head=True)
        return base, head, notes
    if len(locks) > 1:
        raise UsageError("with --base, give at most one lock file (the head)")
    head_source = load_lock(locks[0] if locks else None)
    if head_source.path is None:
        raise UsageError("--base needs a lock file, not an environment")
    lock = head_source.path
    revision = open_revision(lock, base_ref)
    if revision.is_checked_out():
        notes.append(
            f"--base {base_ref} is the commit checked out here: only uncommitted edits are "
            "reviewed, and that commit's own policy and pins are trusted; in CI, name the "
            "target branch (e.g. origin/main)"
        )
    text = revision.read(lock)
    label = revision.label(lock)
    if text is None:
        base_source = SourceResult([], head_source.format, None)
    else:
        base_source = load_at(revision, lock, text, head_source.format, scratch)
    reader = read_at(revision)
    base = side(base_source, label, reader, lock, config, head=False, lock_present=text is not None)
    head = side(
        head_source, str(locks[0] if locks else lock.name), read_disk, lock, config, head=True
    )
    return base, head, notes


def _scan(
    packages: list[Package], verifier: AttestationVerifier, options: ScanOptions, label: str
) -> ScanResult:
    return scan(packages, verifier, options, source=label, source_format="diff")


def _offer(
    entries: list[Entry],
    alternatives: dict[str, tuple[str, ...]],
    verifier: AttestationVerifier,
    options: ScanOptions,
) -> list[Entry]:
    """Attach the alternatives whose current release verifies (every file) on the index."""
    wanted = {
        e.change.name: alternatives[e.change.name]
        for e in entries
        if wants_alternatives(e) and e.change.name in alternatives
    }
    names = sorted({a for alts in wanted.values() for a in alts})
    if not names:
        return entries
    found, _ = histories([(n, None) for n in names], verifier, options, count=1)
    offered: dict[str, str] = {}
    for history in found:
        if history.releases:
            newest = summarize(history.releases[0])
            if newest.state is ReleaseState.SIGNED:
                spec = ", ".join(newest.identities)
                offered[history.name] = f"{history.name} {newest.version} (verified as {spec})"
    return [
        replace(e, alternatives=tuple(offered[a] for a in wanted[e.change.name] if a in offered))
        if e.change.name in wanted
        else e
        for e in entries
    ]


@click.command("diff")
@click.argument("locks", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--base",
    "base_ref",
    metavar="GIT_REF",
    help="Compare with the lock as it is at this git revision (e.g. origin/main).",
)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="markdown")
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
    help="Policy mode (overrides the config).",
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
    with tempfile.TemporaryDirectory(prefix="pyvouch-diff-") as scratch:
        base, head, notes = _sides(locks, base_ref, lookup.config_path, Path(scratch))
    base_label, head_label = base.trust.lock_label, head.trust.lock_label
    warnings = tuple(dict.fromkeys([*notes, *base.source.warnings, *head.source.warnings]))
    changes = compare(base.source.packages, head.source.packages)
    alternatives = load_alternatives(alternatives_file)
    overrides = Overrides(mode=mode)
    trust = review_trust(
        trust_changes(base.trust, head.trust),
        apply_overrides(base.trust.policy, overrides),
        approved_by,
    )
    trusted = head.trust if trust.approved else base.trust
    policy = judging_policy(apply_overrides(trusted.policy, overrides), trusted)
    trust_code = EXIT_FINDINGS if trust.blocks else EXIT_OK

    if no_lookup:
        report = DiffReport(
            base_label,
            head_label,
            tuple(review(changes)),
            policy.mode.value,
            None,
            trust_code,
            warnings,
            trust,
        )
        click.echo(RENDERERS[output_format](report), nl=False)
        ctx.exit(trust_code)

    verifier = lookup.verifier()
    options = lookup.scan_options(policy, list(trusted.indexes))
    looked_up = [c for c in changes if c.kind is not ChangeKind.REMOVED]
    head_scan = _scan(
        without_identities(p for c in looked_up for p in c.head), verifier, options, head_label
    )
    base_scan = _scan(
        [p for c in looked_up if c.kind is ChangeKind.CHANGED for p in c.base],
        verifier,
        options,
        base_label,
    )
    decided, code = decide_all(
        head_scan, base_pins(policy, base_scan.packages, base_label), date.today()
    )
    entries = review(changes, decided.packages, base_scan.packages)
    entries = _offer(entries, alternatives, verifier, options)
    if trust_code and code != EXIT_FINDINGS:
        code = trust_code
    report = DiffReport(
        base_label,
        head_label,
        tuple(entries),
        policy.mode.value,
        decided.index_url,
        code,
        # The scans' own warnings (redirects to another host), then what the policy added.
        tuple(
            dict.fromkeys((*warnings, *head_scan.warnings, *base_scan.warnings, *decided.warnings))
        ),
        trust,
    )
    click.echo(RENDERERS[output_format](report), nl=False)
    ctx.exit(code)
