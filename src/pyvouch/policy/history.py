"""Trust on first use, made real: what the history store saw verify becomes a pin.

Pure: the pipeline reads the store (`pyvouch.store.facts`) and hands the observations here as
plain data. An identity that verified for a package in an earlier scan becomes a `Pin` with
``observed=True``; it is the last source of pins (`pyvouch.policy.pins.package_pins`), so every
pin a person wrote (policy, lock, pyvouch.lock.toml, ``--pin``) wins over history. With that
pin, the rules that exist already do the rest: another identity is a `mismatch` that blocks in
every tier, and a package that loses its attestations is a pin regression (a warning where the
tier requires ``any``), which is what ``long-tail: no-regression`` asks for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from pyvouch.model import PackageResult, Publisher, Status
from pyvouch.policy.schema import Pin, Policy
from pyvouch.policy.tiers import normalize

# The fields of an identity that a pin holds a package to, per kind (the certificate's subject
# names a tag or commit that changes with every release; the environment is not signed).
_PINNED_FIELDS: dict[str, tuple[str, ...]] = {
    "GitHub": ("repository", "workflow"),
    "GitLab": ("repository", "workflow"),
    "Google": ("email",),
    "CircleCI": ("project_id", "pipeline_definition_id"),
}
_LOST = (Status.UNATTESTED, Status.LEGACY_SIGNED)


@dataclass(frozen=True, slots=True)
class Observation:
    """An identity that verified for a package in an earlier scan this pyvouch verified."""

    publisher: Mapping[str, str]
    """`Publisher.to_dict` as recorded."""
    first_seen: datetime
    repository: str


def pinned_identity(record: Mapping[str, str]) -> Publisher | None:
    """The part of a recorded identity that a pin compares; None when it cannot be read."""
    kind = record.get("kind")
    if not isinstance(kind, str):
        return None
    fields = _PINNED_FIELDS.get(kind, ("issuer", "subject"))
    values = {f: record[f] for f in fields if isinstance(record.get(f), str)}
    if not values:
        return None
    return Publisher(kind=kind, **values)


def history_pins(observed: Mapping[str, Sequence[Observation]]) -> dict[str, tuple[Pin, ...]]:
    """Per normalized name, the pins that history makes (one per distinct identity)."""
    out: dict[str, tuple[Pin, ...]] = {}
    for name, observations in observed.items():
        pins: dict[Publisher, Pin] = {}
        for obs in sorted(observations, key=lambda o: o.first_seen):
            identity = pinned_identity(obs.publisher)
            if identity is None or identity in pins:
                continue
            when = obs.first_seen.date().isoformat()
            origin = f"history: first verified {when} in {obs.repository}"
            pins[identity] = Pin(identity, origin, observed=True)
        if pins:
            out[normalize(name)] = tuple(pins.values())
    return out


def with_history(policy: Policy, observed: Mapping[str, Sequence[Observation]]) -> Policy:
    return replace(policy, history_pins=history_pins(observed))


def history_regression(result: PackageResult, pins: tuple[Pin, ...]) -> str | None:
    """Why ``result`` (checked against ``pins``) regressed against history; None when it did
    not or when a person's pin, not history, holds it."""
    if not pins or not all(p.observed for p in pins):
        return None
    for f in result.findings:
        if f.status is Status.MISMATCH and f.publisher is not None:
            return f"publisher changed: {f.reason}"
    lost = [f for f in result.findings if f.status in _LOST]
    if lost:
        specs = " or ".join(dict.fromkeys(p.identity.to_spec() for p in pins))
        return (
            f"attestation lost: {lost[0].file.filename} has {lost[0].status.value}; earlier "
            f"releases verified as {specs} ({pins[0].origin})"
        )
    return None
