"""`pyvouch diff`'s pure part: what changed between two locks, and what it means.

`compare` finds packages added, removed and changed (another version, the same version with
other files, or only other attestation identities recorded in the lock). What the review
trusts (policy, pins, index) and the changes to it are `pyvouch.policy.trust_inputs`'.
After the command has scanned the head's added and changed packages (and
the base's versions of the changed ones), `base_pins` turns the identities that verified in the
base into pins of last resort, so `decide_all` reports a publisher that changed since the base
as a mismatch and an attestation that disappeared as a regression, in every tier, with the
policy's own rules and messages. `review` assembles the entries the reports render.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from pyvouch.model import Action, Decision, Package, PackageResult, Status
from pyvouch.policy.pin_choice import identity_record, record_spec
from pyvouch.policy.pins import identity_from_dict
from pyvouch.policy.schema import Pin, Policy
from pyvouch.policy.tiers import normalize
from pyvouch.policy.trust_inputs import TrustReview


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    name: str
    """Normalized name."""
    kind: ChangeKind
    base: tuple[Package, ...]
    head: tuple[Package, ...]

    @property
    def base_versions(self) -> str:
        return _versions(self.base)

    @property
    def head_versions(self) -> str:
        return _versions(self.head)

    @property
    def detail(self) -> str | None:
        """Why a package whose version did not change is listed as changed."""
        if self.kind is not ChangeKind.CHANGED or self.base_versions != self.head_versions:
            return None
        if _fingerprint(self.base, identities=False) == _fingerprint(self.head, identities=False):
            return "same version and files, other attestation identities"
        return "same version, other files"


def _versions(packages: Sequence[Package]) -> str:
    found = dict.fromkeys(p.version or p.origin or "?" for p in packages)
    return ", ".join(found) if found else "-"


def _by_name(packages: Iterable[Package]) -> dict[str, list[Package]]:
    out: dict[str, list[Package]] = {}
    for p in packages:
        out.setdefault(normalize(p.name), []).append(p)
    return out


def _fingerprint(packages: Sequence[Package], *, identities: bool = True) -> tuple[object, ...]:
    """What makes two lockings of a package the same: version, origin, files, digests and
    (unless ``identities`` is false) the identities the lock records for it."""
    return tuple(
        sorted(
            (
                p.version or "",
                p.origin or "",
                # every digest: a head that only adds or changes a sha512 is a change to judge
                tuple(sorted((f.filename, f.sha256 or "", f.other_digests) for f in p.files)),
                tuple(sorted(p.hashes)),
                tuple(sorted(repr(sorted(r.items())) for r in p.attestation_identities))
                if identities
                else (),
            )
            for p in packages
        )
    )


def compare(base: Iterable[Package], head: Iterable[Package]) -> list[Change]:
    """Added, removed and changed packages (by normalized name), sorted by name."""
    old, new = _by_name(base), _by_name(head)
    out: list[Change] = []
    for name in sorted(old.keys() | new.keys()):
        before, after = tuple(old.get(name, ())), tuple(new.get(name, ()))
        if not before:
            out.append(Change(name, ChangeKind.ADDED, before, after))
        elif not after:
            out.append(Change(name, ChangeKind.REMOVED, before, after))
        elif _fingerprint(before) != _fingerprint(after):
            out.append(Change(name, ChangeKind.CHANGED, before, after))
    return out


def verified_records(results: Iterable[PackageResult]) -> dict[str, list[dict[str, str]]]:
    """Per package, the Trusted Publisher identities its files' verified signatures proved
    (`mismatch` included: the signature verified, only the identity is not the pinned one)."""
    out: dict[str, list[dict[str, str]]] = {}
    for result in results:
        for f in result.findings:
            if f.status in (Status.VERIFIED, Status.MISMATCH) and f.publisher is not None:
                record = identity_record(f.publisher)
                if record is not None:
                    records = out.setdefault(normalize(result.package.name), [])
                    if record not in records:
                        records.append(record)
    return out


def base_pins(policy: Policy, base: Iterable[PackageResult], label: str) -> Policy:
    """``policy`` with the base's verified identities as pins for packages that have none in
    ``policy.lock_pins`` (the trusted lock's identities and pin file; see
    `pyvouch.policy.trust_inputs.judging_policy`); the policy's ``[publishers]`` come first."""
    pins = dict(policy.lock_pins)
    results = list(base)
    versions = {normalize(r.package.name): r.package.version for r in results}
    for name, records in verified_records(results).items():
        if name in pins:
            continue
        origin = f"{label} (verified at {versions.get(name) or '?'})"
        pins[name] = tuple(Pin(identity_from_dict(r), origin) for r in records)
    return replace(policy, lock_pins=pins)


@dataclass(frozen=True, slots=True)
class Entry:
    change: Change
    status: Status | None = None
    """The head's status (None: not looked up: removed, or --no-lookup)."""
    base_status: Status | None = None
    publishers: tuple[str, ...] = ()
    """Identities the head's verified files prove."""
    base_publishers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    decision: Decision | None = None
    alternatives: tuple[str, ...] = ()
    """Signed alternatives offered (``name (verified as SPEC)``)."""

    @property
    def blocked(self) -> bool:
        return self.decision is not None and self.decision.action is Action.BLOCK


def _specs(result: PackageResult | None) -> tuple[str, ...]:
    if result is None:
        return ()
    return tuple(
        record_spec(r) for r in verified_records([result]).get(normalize(result.package.name), [])
    )


def _merge(results: Sequence[PackageResult]) -> PackageResult | None:
    if not results:
        return None
    findings = tuple(f for r in results for f in r.findings)
    return PackageResult(results[0].package, findings, results[0].decision, results[0].note)


def review(
    changes: Sequence[Change],
    head: Sequence[PackageResult] = (),
    base: Sequence[PackageResult] = (),
) -> list[Entry]:
    """One entry per change with the head's status, identities and notes."""
    head_by = _group(head)
    base_by = _group(base)
    out: list[Entry] = []
    for change in changes:
        now = _merge(head_by.get(change.name, []))
        then = _merge(base_by.get(change.name, []))
        if now is None:
            out.append(Entry(change, base_status=then.status if then else None))
            continue
        specs, base_specs = _specs(now), _specs(then)
        notes: list[str] = []
        if base_specs and specs and set(specs) != set(base_specs):
            notes.append(
                f"publisher changed since {change.base_versions}: {', '.join(base_specs)} -> "
                f"{', '.join(specs)}"
            )
        if (
            then is not None
            and then.status is Status.VERIFIED
            and now.status
            in (
                Status.UNATTESTED,
                Status.LEGACY_SIGNED,
            )
        ):
            notes.append(
                f"attestation lost: {change.base_versions} was signed by "
                f"{', '.join(base_specs) or 'a verified identity'}, {change.head_versions} "
                "has none"
            )
        decision = next((r.decision for r in head_by.get(change.name, []) if r.decision), None)
        worst = _worst_decision([r.decision for r in head_by.get(change.name, []) if r.decision])
        status = now.status
        chosen = worst or decision
        if chosen is not None and chosen.rule.endswith(":pin-mismatch"):
            status = Status.MISMATCH  # verified as someone else than expected
        out.append(
            Entry(
                change,
                status=status,
                base_status=then.status if then else None,
                publishers=specs,
                base_publishers=base_specs,
                notes=tuple(notes),
                decision=chosen,
            )
        )
    return out


def _worst_decision(decisions: Sequence[Decision | None]) -> Decision | None:
    order = (Action.BLOCK, Action.WARN, Action.ALLOW)
    present = [d for d in decisions if d is not None]
    if not present:
        return None
    return min(present, key=lambda d: order.index(d.action))


def _group(results: Sequence[PackageResult]) -> dict[str, list[PackageResult]]:
    out: dict[str, list[PackageResult]] = {}
    for r in results:
        out.setdefault(normalize(r.package.name), []).append(r)
    return out


def wants_alternatives(entry: Entry) -> bool:
    """A newly added dependency without a verified attestation (unknown is not unattested)."""
    return entry.change.kind is ChangeKind.ADDED and entry.status in (
        Status.UNATTESTED,
        Status.LEGACY_SIGNED,
        Status.INVALID,
    )


@dataclass(frozen=True, slots=True)
class DiffReport:
    """What `pyvouch diff` found: every format renders exactly this (`report.diff_review`)."""

    base: str
    head: str
    entries: tuple[Entry, ...]
    mode: str
    index_url: str | None
    """None when nothing was looked up (--no-lookup)."""
    exit_code: int
    warnings: tuple[str, ...] = ()
    trust: TrustReview = field(default_factory=TrustReview)
    """Changes to what the review trusts (policy, pins, index) and the base policy's verdict."""
