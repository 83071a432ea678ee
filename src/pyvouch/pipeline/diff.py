"""`run_diff`: a lock file change in, its review (`DiffReport`) and exit code out.

Both sides are read (`pyvouch.diff_inputs.read_sides`: two lock files, or the lock at a git
revision and in the work tree, each with its policy, pins and index settings); what the head
changes in what the review trusts is judged by the base policy; the added and changed packages
are scanned through the pipeline (the head's, and the base's of changed ones, so a changed
publisher or a lost attestation shows); the policy decides; newly added unattested packages are
offered signed alternatives whose current release verifies on the index.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pyvouch.diff_inputs import read_sides
from pyvouch.errors import EXIT_FINDINGS, EXIT_OK
from pyvouch.model import Package, ScanResult
from pyvouch.pipeline.history import histories
from pyvouch.pipeline.options import ScanOptions
from pyvouch.pipeline.scan import scan
from pyvouch.pipeline.settings import LookupFlags
from pyvouch.policy.decide import decide_all
from pyvouch.policy.diff import (
    ChangeKind,
    DiffReport,
    Entry,
    base_pins,
    compare,
    review,
    wants_alternatives,
)
from pyvouch.policy.overrides import Overrides, apply_overrides
from pyvouch.policy.readiness import ReleaseState, summarize
from pyvouch.policy.trust_inputs import (
    judging_policy,
    review_trust,
    trust_changes,
    without_identities,
)
from pyvouch.policy_files.alternatives import load_alternatives

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier


@dataclass(frozen=True, slots=True)
class DiffRequest:
    """What `pyvouch diff` was asked."""

    locks: tuple[Path, ...]
    """BASE HEAD, or with ``base_ref`` at most the head."""
    lookup: LookupFlags
    base_ref: str | None = None
    no_lookup: bool = False
    """Only list what changed; no network."""
    alternatives_file: Path | None = None
    mode: str | None = None
    approved_by: tuple[str, ...] = ()


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


def run_diff(request: DiffRequest, *, today: date | None = None) -> DiffReport:
    """The review of the change; its ``exit_code`` is the command's."""
    lookup = request.lookup
    with tempfile.TemporaryDirectory(prefix="pyvouch-diff-") as scratch:
        base, head, notes = read_sides(
            request.locks, request.base_ref, lookup.config_path, Path(scratch)
        )
    base_label, head_label = base.trust.lock_label, head.trust.lock_label
    warnings = tuple(dict.fromkeys([*notes, *base.source.warnings, *head.source.warnings]))
    changes = compare(base.source.packages, head.source.packages)
    alternatives = load_alternatives(request.alternatives_file)
    overrides = Overrides(mode=request.mode)
    trust = review_trust(
        trust_changes(base.trust, head.trust),
        apply_overrides(base.trust.policy, overrides),
        request.approved_by,
    )
    trusted = head.trust if trust.approved else base.trust
    policy = judging_policy(apply_overrides(trusted.policy, overrides), trusted)
    trust_code = EXIT_FINDINGS if trust.blocks else EXIT_OK

    if request.no_lookup:
        return DiffReport(
            base_label,
            head_label,
            tuple(review(changes)),
            policy.mode.value,
            None,
            trust_code,
            warnings,
            trust,
        )

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
        head_scan, base_pins(policy, base_scan.packages, base_label), today or date.today()
    )
    entries = review(changes, decided.packages, base_scan.packages)
    entries = _offer(entries, alternatives, verifier, options)
    if trust_code and code != EXIT_FINDINGS:
        code = trust_code
    return DiffReport(
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
