"""The inputs `pyvouch diff` trusts, and what a change under review does to them.

A pull request must not vouch for itself. What decides whether a package passes (the policy,
the pins in the lock and in ``pyvouch.lock.toml``, the index the files are looked up on) is
taken from the base side of the change (or the command line), never from the head. A head
that changes any of them gets a `TrustChange` for each: enforce blocks on it unless the base
policy's ``[trust-changes] approved-by`` names one of the approvers given on the command line,
in which case the head's (approved) inputs are used.

Pure: both sides come in as `TrustSide` values; `pyvouch.diff_inputs` reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from pyvouch.index.simple import strip_credentials
from pyvouch.model import Action, Package
from pyvouch.policy.pins import IdentityError, identity_from_dict, records_as_pins
from pyvouch.policy.schema import Mode, Pin, Policy
from pyvouch.policy.tiers import normalize


class TrustInput(StrEnum):
    LOCK = "lock"
    """The lock itself: absent at the base (new, or renamed)."""
    POLICY = "policy"
    PIN_FILE = "pin-file"
    LOCK_IDENTITIES = "lock-identities"
    INDEX = "index"


@dataclass(frozen=True, slots=True)
class TrustChange:
    input: TrustInput
    where: str
    """The file (and place in it) the change is in."""
    detail: str


@dataclass(frozen=True, slots=True)
class TrustSide:
    """What one side of a change (base or head) says about whom to trust."""

    lock_label: str
    lock_present: bool = True
    packages: tuple[Package, ...] = ()
    indexes: tuple[str, ...] = ()
    """The index URLs the lock declares for itself, the primary first."""
    other_sources: tuple[str, ...] = ()
    """Other places the lock tells an installer to take files from (``--find-links``...)."""
    project_indexes: Mapping[str, Any] = field(default_factory=dict)
    """The project's own index settings (`PROJECT_INDEX_KEYS` of its ``pyproject.toml``)."""
    project_label: str = "pyproject.toml"
    policy: Policy = field(default_factory=Policy)
    policy_table: Any = None
    """The raw policy table as read (None: no policy file)."""
    policy_label: str | None = None
    pins: Mapping[str, tuple[Pin, ...]] | None = None
    """The pin file's pins (None: no pin file)."""
    pin_label: str = "pyvouch.lock.toml"


def _show(value: Any) -> str:
    """A value for a report: short, and without credentials in any URL."""
    text = repr(_scrub(value))
    return text if len(text) <= 120 else text[:117] + "..."


def _policy_changes(base: TrustSide, head: TrustSide) -> list[TrustChange]:
    where = head.policy_label or base.policy_label or "policy"
    old, new = base.policy_table, head.policy_table
    if old == new:
        return []
    if old is None:
        return [TrustChange(TrustInput.POLICY, where, "the head adds a policy; the base has none")]
    if new is None:
        return [
            TrustChange(
                TrustInput.POLICY, base.policy_label or where, "the head removes the policy"
            )
        ]
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [TrustChange(TrustInput.POLICY, where, "the policy changed")]
    out: list[TrustChange] = []
    for key in sorted(old.keys() | new.keys()):
        if old.get(key) == new.get(key):
            continue
        if key not in old:
            detail = f"{key} added: {_show(new[key])}"
        elif key not in new:
            detail = f"{key} removed (was {_show(old[key])})"
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            keys = sorted(
                k for k in old[key].keys() | new[key].keys() if old[key].get(k) != new[key].get(k)
            )
            detail = f"{key} changed: {', '.join(f'{key}.{k}' for k in keys)}"
        else:
            detail = f"{key} changed: {_show(old[key])} -> {_show(new[key])}"
        out.append(TrustChange(TrustInput.POLICY, where, detail))
    return out


def _key_changes(base: TrustSide, head: TrustSide) -> list[TrustChange]:
    """A public key file the policy names (``[packages.NAME] key``) whose content changed,
    even where the policy's text did not."""
    out = []
    old, new = base.policy.packages, head.policy.packages
    for name in sorted(old.keys() & new.keys()):
        before, after = old[name], new[name]
        if before.key_text is None or after.key_text is None:
            continue  # a key added or removed is a change of the policy's own text
        if before.key_text.strip() != after.key_text.strip():
            where = str(after.key or before.key)
            out.append(TrustChange(TrustInput.POLICY, where, f"the public key for {name} changed"))
    return out


def _specs(pins: Iterable[Pin]) -> str:
    return " or ".join(sorted({p.identity.to_spec() for p in pins})) or "none"


def _pin_file_changes(base: TrustSide, head: TrustSide) -> list[TrustChange]:
    old, new = dict(base.pins or {}), dict(head.pins or {})
    where = head.pin_label if head.pins is not None else base.pin_label
    out: list[TrustChange] = []
    if base.pins is None and head.pins is not None:
        out.append(TrustChange(TrustInput.PIN_FILE, where, "the head adds a pin file"))
    elif base.pins is not None and head.pins is None:
        out.append(TrustChange(TrustInput.PIN_FILE, where, "the head deletes the pin file"))
    for name in sorted(old.keys() | new.keys()):
        before = {p.identity for p in old.get(name, ())}
        after = {p.identity for p in new.get(name, ())}
        if before == after:
            continue
        if not before:
            detail = f"{name}: pin added ({_specs(new[name])})"
        elif not after:
            detail = f"{name}: pin removed (was {_specs(old[name])})"
        else:
            detail = f"{name}: pin changed from {_specs(old[name])} to {_specs(new[name])}"
        out.append(TrustChange(TrustInput.PIN_FILE, where, detail))
    return out


def identity_records(packages: Iterable[Package]) -> dict[str, list[Mapping[str, Any]]]:
    """Per normalized name, the identity records the lock itself holds (PEP 751)."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for p in packages:
        if p.attestation_identities:
            records = out.setdefault(normalize(p.name), [])
            records += [r for r in p.attestation_identities if r not in records]
    return out


def _record_key(record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), repr(v)) for k, v in record.items()))


def _record_specs(records: Sequence[Mapping[str, Any]]) -> str:
    specs: set[str] = set()
    for record in records:
        try:
            specs.add(identity_from_dict(record).to_spec())
        except IdentityError as err:
            specs.add(f"(unreadable: {err})")
    return " or ".join(sorted(specs)) or "none"


def _identity_changes(base: TrustSide, head: TrustSide) -> list[TrustChange]:
    old, new = identity_records(base.packages), identity_records(head.packages)
    locked_before = {normalize(p.name) for p in base.packages}
    locked_now = {normalize(p.name) for p in head.packages}
    out: list[TrustChange] = []
    for name in sorted(old.keys() | new.keys()):
        if name not in locked_now:
            continue  # the package leaves the lock with its identities
        before = {_record_key(r) for r in old.get(name, [])}
        after = {_record_key(r) for r in new.get(name, [])}
        if before == after:
            continue
        if not before and name not in locked_before:
            detail = (
                f"{name}: identities declared for a package the base does not lock "
                f"({_record_specs(new[name])})"
            )
        elif not before:
            detail = f"{name}: identities added ({_record_specs(new[name])})"
        elif not after:
            detail = f"{name}: identities removed (were {_record_specs(old[name])})"
        else:
            detail = (
                f"{name}: identities changed from {_record_specs(old[name])} to "
                f"{_record_specs(new[name])}"
            )
        out.append(TrustChange(TrustInput.LOCK_IDENTITIES, head.lock_label, detail))
    return out


def _index_key(url: str) -> str:
    return strip_credentials(url.strip()).rstrip("/")


def _package_indexes(packages: Iterable[Package]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in packages:
        if p.origin is None:
            out.setdefault(normalize(p.name), set()).add(
                _index_key(p.index_url) if p.index_url else "the default index"
            )
    return out


PROJECT_INDEX_KEYS = (
    ("tool", "uv", "index"),
    ("tool", "uv", "index-url"),
    ("tool", "uv", "extra-index-url"),
    ("tool", "uv", "find-links"),
    ("tool", "uv", "no-index"),
    ("tool", "uv", "sources"),
    ("tool", "pdm", "source"),
    ("tool", "poetry", "source"),
)
"""Where a ``pyproject.toml`` tells uv, PDM or Poetry which index to take packages from."""


def project_indexes(document: Mapping[str, Any]) -> dict[str, Any]:
    """The `PROJECT_INDEX_KEYS` present in a parsed ``pyproject.toml``, by dotted key."""
    out: dict[str, Any] = {}
    for path in PROJECT_INDEX_KEYS:
        value: Any = document
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is not None:
            out[".".join(path)] = value
    return out


def _index_changes(base: TrustSide, head: TrustSide) -> list[TrustChange]:
    where = head.lock_label
    old = {_index_key(u) for u in (*base.indexes, *base.other_sources)}
    new = {_index_key(u) for u in (*head.indexes, *head.other_sources)}
    out = [TrustChange(TrustInput.INDEX, where, f"the head adds {u}") for u in sorted(new - old)]
    out += [TrustChange(TrustInput.INDEX, where, f"the head drops {u}") for u in sorted(old - new)]
    before, after = _package_indexes(base.packages), _package_indexes(head.packages)
    known = old | {u for urls in before.values() for u in urls}
    for name in sorted(after):
        if name in before:
            if before[name] != after[name]:
                out.append(
                    TrustChange(
                        TrustInput.INDEX,
                        where,
                        f"{name}: taken from {', '.join(sorted(after[name]))} (the base: "
                        f"{', '.join(sorted(before[name]))})",
                    )
                )
        else:
            unknown = sorted(u for u in after[name] - known if u != "the default index")
            if unknown:
                out.append(
                    TrustChange(
                        TrustInput.INDEX,
                        where,
                        f"{name}: taken from {', '.join(unknown)}, an index the base does not use",
                    )
                )
    old_project, new_project = base.project_indexes, head.project_indexes
    for key in sorted(old_project.keys() | new_project.keys()):
        if old_project.get(key) != new_project.get(key):
            out.append(
                TrustChange(
                    TrustInput.INDEX,
                    head.project_label,
                    f"{key} changed: {_show_index(old_project.get(key))} -> "
                    f"{_show_index(new_project.get(key))}",
                )
            )
    return out


def _show_index(value: Any) -> str:
    """A project index setting for a report, without credentials in its URLs."""
    if value is None:
        return "(none)"
    return _show(value)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return strip_credentials(value) if "://" in value else value
    if isinstance(value, Mapping):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def trust_changes(base: TrustSide, head: TrustSide) -> list[TrustChange]:
    """Every change the head makes to the inputs the review trusts."""
    out: list[TrustChange] = []
    if not base.lock_present:
        out.append(
            TrustChange(
                TrustInput.LOCK,
                head.lock_label,
                f"{base.lock_label} does not exist: a new or renamed lock, so nothing at the "
                "base vouches for its packages",
            )
        )
    out += _policy_changes(base, head)
    out += _key_changes(base, head)
    out += _pin_file_changes(base, head)
    out += _identity_changes(base, head)
    out += _index_changes(base, head)
    return out


def approvals(policy: Policy, given: Iterable[str]) -> tuple[str, ...]:
    """The approvers in ``given`` whom ``policy`` (the base's) lets approve trust changes."""
    allowed = {name.casefold() for name in policy.trust_change_approvers}
    return tuple(dict.fromkeys(g.strip() for g in given if g.strip().casefold() in allowed))


def judging_policy(policy: Policy, side: TrustSide) -> Policy:
    """``policy`` with the trusted side's pins: its lock's identities, then its pin file
    (the head's packages are scanned without their own identities)."""
    pins = dict(side.pins or {})
    for name, records in identity_records(side.packages).items():
        pins[name] = records_as_pins(records, side.lock_label)
    return replace(policy, lock_pins=pins)


def without_identities(packages: Iterable[Package]) -> list[Package]:
    """``packages`` stripped of the identities their lock records (they are not trusted)."""
    return [
        replace(p, attestation_identities=()) if p.attestation_identities else p for p in packages
    ]


@dataclass(frozen=True, slots=True)
class TrustReview:
    """The trust changes of one review and what the (base) policy makes of them."""

    changes: tuple[TrustChange, ...] = ()
    action: Action = Action.ALLOW
    approved_by: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    """Whom the base policy lets approve (``[trust-changes] approved-by``)."""
    mode: Mode = Mode.COLLECT

    @property
    def approved(self) -> bool:
        return bool(self.changes and self.approved_by)

    @property
    def blocks(self) -> bool:
        """Whether the changes fail the review (exit 1) in this mode."""
        return self.mode is Mode.ENFORCE and self.action is Action.BLOCK

    def summary(self) -> str:
        """One sentence for the reports."""
        if not self.changes:
            return "no trust input changed"
        n = len(self.changes)
        if self.approved:
            return (
                f"{n} trust input change(s) approved by {', '.join(self.approved_by)} "
                "([trust-changes] approved-by in the base policy); the head's inputs are used"
            )
        who = (
            f"approval by {' or '.join(self.approvers)} (--approved-by) admits them"
            if self.approvers
            else "the base policy names no one who may approve them ([trust-changes] approved-by)"
        )
        verb = {
            Action.BLOCK: "blocked" if self.mode is Mode.ENFORCE else "would block in enforce",
            Action.WARN: "would block in enforce",
            Action.ALLOW: "allowed",
        }[self.action]
        return (
            f"{n} trust input change(s) {verb}: a change under review cannot vouch for itself, "
            f"so the base's policy, pins and index are used; {who}"
        )


def review_trust(changes: Sequence[TrustChange], base: Policy, given: Iterable[str]) -> TrustReview:
    """What ``base`` (the base's policy, with command-line overrides) makes of ``changes``."""
    if not changes:
        return TrustReview(mode=base.mode, approvers=base.trust_change_approvers)
    approved_by = approvals(base, given)
    if approved_by:
        action = Action.ALLOW
    elif base.mode is Mode.WARN:
        action = Action.WARN
    else:
        action = Action.BLOCK
    return TrustReview(tuple(changes), action, approved_by, base.trust_change_approvers, base.mode)
