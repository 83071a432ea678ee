"""`pyvouch pin`'s decision: which identities to record.

Only an identity that verified is ever recorded, and only when every file of the package that
was looked up verified as that one identity: a pin on a package whose other files are
unattested would block the next scan as a regression. Everything else is left unpinned with a
reason the command prints. Writing the choices into a lock or ``pyvouch.lock.toml`` is
`pyvouch.policy_files.pin_write`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pyvouch.model import PackageResult, Publisher, ScanResult, Status
from pyvouch.policy.pins import IdentityError, identity_from_dict, pin_check
from pyvouch.policy.schema import Pin
from pyvouch.policy.tiers import normalize

IDENTITIES_KEY = "attestation-identities"


class PinAction(StrEnum):
    PIN = "pin"
    """Record the identity (new, or replacing an older one with ``--replace``)."""
    KEEP = "keep"
    """Already pinned to this identity: nothing changes."""
    SKIP = "skip"
    """Not pinned; ``reason`` says why."""


@dataclass(frozen=True, slots=True)
class PinChoice:
    name: str
    """Normalized package name."""
    version: str | None
    action: PinAction
    reason: str
    identity: dict[str, str] | None = None
    """The PEP 740 publisher record to write (PIN) or already written (KEEP)."""
    replaces: tuple[dict[str, str], ...] = ()
    """The identities a PIN replaces (with ``--replace``)."""


def identity_record(publisher: Publisher) -> dict[str, str] | None:
    """The PEP 740 / PEP 751 publisher record for a verified identity, or None when the
    identity is not one of the Trusted Publisher kinds (nothing PEP 740 can name)."""
    if publisher.kind == "GitHub" and publisher.repository:
        record = {"kind": "GitHub", "repository": publisher.repository}
        if publisher.workflow:
            record["workflow"] = publisher.workflow
        return record
    if publisher.kind == "GitLab" and publisher.repository:
        record = {"kind": "GitLab", "repository": publisher.repository}
        if publisher.workflow:
            record["workflow_filepath"] = publisher.workflow
        return record
    if publisher.kind == "Google" and publisher.email:
        return {"kind": "Google", "email": publisher.email}
    if publisher.kind == "CircleCI" and publisher.project_id and publisher.pipeline_definition_id:
        return {
            "kind": "CircleCI",
            "project_id": publisher.project_id,
            "pipeline_definition_id": publisher.pipeline_definition_id,
        }
    return None


def record_spec(record: Mapping[str, Any]) -> str:
    """A record in the shorthand publisher form (``github:owner/repo:workflow``)."""
    try:
        return identity_from_dict(record).to_spec()
    except IdentityError as err:
        return f"an unreadable identity ({err})"


def _not_verified(result: PackageResult) -> str:
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.status.value] = counts.get(f.status.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    worst = next(f for f in result.findings if f.status is not Status.VERIFIED)
    what = worst.file.filename or "the release"
    return f"not every file verified ({summary}); {what}: {worst.reason}"


def choose(
    result: PackageResult, existing: Sequence[Mapping[str, Any]], *, replace: bool
) -> PinChoice:
    """What to do for one scanned package, given the identities already recorded for it."""
    package = result.package
    name = normalize(package.name)
    version = package.version

    def skip(reason: str) -> PinChoice:
        return PinChoice(name, version, PinAction.SKIP, reason)

    if package.origin is not None:
        return skip(f"not from an index ({package.origin}): nothing was verified")
    if not result.findings:
        return skip(result.note or "no files were looked up")
    if any(f.status is not Status.VERIFIED for f in result.findings):
        return skip(_not_verified(result))
    records: dict[str, dict[str, str]] = {}
    for f in result.findings:
        if f.publisher is None:  # pragma: no cover - a verified finding names its publisher
            return skip(f"{f.file.filename} verified without a recorded identity")
        record = identity_record(f.publisher)
        if record is None:
            return skip(
                f"{f.file.filename} is signed by {f.publisher.to_spec()}, which is not a "
                "Trusted Publisher identity PEP 751 can record; pin it in "
                "[tool.pyvouch.publishers] if you expect it"
            )
        records[record_spec(record)] = record
    if len(records) > 1:
        return skip(
            "its files verified as different identities ("
            + ", ".join(sorted(records))
            + "); pin the one you expect in [tool.pyvouch.publishers]"
        )
    spec, record = next(iter(records.items()))
    files = len(result.findings)
    seen = f"{files} file{'s' if files != 1 else ''} verified as {spec}"
    if existing:
        publisher = identity_from_dict(record)
        kept = [_pin_of(r) for r in existing]
        if any(p is not None and pin_check(p, publisher).matched for p in kept):
            return PinChoice(name, version, PinAction.KEEP, f"already pinned; {seen}", record)
        old = ", ".join(record_spec(r) for r in existing)
        if not replace:
            return skip(
                f"pinned to {old}, but {seen}: not changed; review the change, then run "
                "`pyvouch pin --replace` to record the new identity"
            )
        return PinChoice(
            name,
            version,
            PinAction.PIN,
            f"{seen} (replaces {old})",
            record,
            tuple(dict(r) for r in existing),
        )
    return PinChoice(name, version, PinAction.PIN, seen, record)


def _pin_of(record: Mapping[str, Any]) -> Pin | None:
    try:
        return Pin(identity_from_dict(record), "lock")
    except IdentityError:
        return None


def choose_all(
    scan: ScanResult,
    existing: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    *,
    replace: bool = False,
) -> list[PinChoice]:
    """A choice per scanned package. ``existing`` maps normalized names to recorded identities
    (for pylock.toml they come from the packages themselves)."""
    out = []
    for result in scan.packages:
        recorded: Sequence[Mapping[str, Any]] = result.package.attestation_identities
        if existing is not None:
            recorded = existing.get(normalize(result.package.name), ()) or recorded
        out.append(choose(result, recorded, replace=replace))
    return out
