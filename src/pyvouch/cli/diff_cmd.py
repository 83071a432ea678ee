"""`pyvouch diff`: what a change to a lock file does to the dependencies' attestations."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from pyvouch.cli.common import LookupFlags, load_policy, lookup_options
from pyvouch.errors import InputError, UsageError
from pyvouch.model import Package, ScanResult
from pyvouch.policy.alternatives import load_alternatives
from pyvouch.policy.decide import decide_all
from pyvouch.policy.diff import ChangeKind, Entry, base_pins, compare, review, wants_alternatives
from pyvouch.policy.diff_render import FORMATS, RENDERERS, DiffReport
from pyvouch.policy.overrides import Overrides, apply_overrides
from pyvouch.policy.readiness import ReleaseState, summarize
from pyvouch.release_history import histories
from pyvouch.scan import ScanOptions, scan
from pyvouch.sources import SourceResult, load_packages
from pyvouch.verify.attestations import AttestationVerifier

GIT_TIMEOUT = 30.0


def git_show(lock: Path, ref: str) -> str:
    """The text of ``lock`` at ``ref`` in the git repository that holds it."""
    if ref.startswith("-"):
        raise UsageError(f"--base {ref!r}: not a git revision")
    folder = lock.parent.resolve()
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "show", f"{ref}:./{lock.name}"],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("--base needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise InputError(lock, f"git show {ref} took longer than {GIT_TIMEOUT:.0f}s") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit {proc.returncode}"
        raise InputError(lock, f"cannot read it at {ref!r} with git show: {detail}")
    try:
        return proc.stdout.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(lock, f"at {ref!r}: not UTF-8 text (byte {err.start})") from None


def _load(path: Path | None, fmt: str | None = None) -> SourceResult:
    return load_packages(path, resolve=False, format=fmt)


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
    lookup: LookupFlags,
) -> None:
    """Review a lock file change: BASE HEAD, or --base GIT_REF [HEAD].

    Lists packages added, removed and changed. For added and changed ones it verifies the
    head's attestations and compares with the base: a publisher that changed and an
    attestation that disappeared are reported (and decided by the policy: in enforce mode a
    block exits 1). Newly added unattested packages get signed alternatives from the curated
    list, offered only when the alternative's current release verifies on the index.
    """
    with tempfile.TemporaryDirectory(prefix="pyvouch-diff-") as scratch:
        if base_ref is not None:
            if len(locks) > 1:
                raise UsageError("with --base, give at most one lock file (the head)")
            head = _load(locks[0] if locks else None)
            if head.path is None:
                raise UsageError("--base needs a lock file, not an environment")
            base_file = Path(scratch) / head.path.name
            base_file.write_text(git_show(head.path, base_ref), encoding="utf-8")
            base = _load(base_file, head.format)
            base_label, head_label = (
                f"{base_ref}:{head.path.name}",
                str(locks[0] if locks else head.path.name),
            )
        else:
            if len(locks) != 2:
                raise UsageError("give two lock files (BASE HEAD), or --base GIT_REF [HEAD]")
            base, head = _load(locks[0]), _load(locks[1])
            base_label, head_label = str(locks[0]), str(locks[1])
    warnings = tuple(dict.fromkeys([*base.warnings, *head.warnings]))
    changes = compare(base.packages, head.packages)
    alternatives = load_alternatives(alternatives_file)
    policy = apply_overrides(load_policy(lookup.config_path, head.path), Overrides(mode=mode))

    if no_lookup:
        report = DiffReport(
            base_label, head_label, tuple(review(changes)), policy.mode.value, None, 0, warnings
        )
        click.echo(RENDERERS[output_format](report), nl=False)
        return

    verifier = lookup.verifier()
    options = lookup.scan_options(policy, head.index_urls)
    looked_up = [c for c in changes if c.kind is not ChangeKind.REMOVED]
    head_scan = _scan([p for c in looked_up for p in c.head], verifier, options, head_label)
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
    report = DiffReport(
        base_label,
        head_label,
        tuple(entries),
        policy.mode.value,
        decided.index_url,
        code,
        (*warnings, *decided.warnings[len(head_scan.warnings) :]),
    )
    click.echo(RENDERERS[output_format](report), nl=False)
    ctx.exit(code)
