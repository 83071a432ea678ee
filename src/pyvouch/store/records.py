"""What the store keeps of one scan, as plain values (no database types).

`pyvouch.store.from_result` builds a `ScanRecord` from a `ScanResult` that this pyvouch just
decided; `pyvouch.store.ingest` builds one from a report that a pyvouch wrote elsewhere. The
writer (`pyvouch.store.write`) turns it into rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Evidence(StrEnum):
    """Where a recorded scan's statuses come from: the trust the store gives them."""

    VERIFIED = "verified"
    """This pyvouch looked the files up and verified them (``scan --record``): its identities
    may serve as trust on first use."""
    INGESTED = "ingested"
    """Read from a report written elsewhere (``pyvouch record``): what that report claims,
    kept as observations; never a trust anchor for later scans."""


@dataclass(frozen=True, slots=True)
class FileRecord:
    filename: str
    sha256: str | None
    status: str
    reason: str
    publisher: str | None
    """The identity in `Publisher.to_spec` form (``github:owner/repo:workflow``)."""
    publisher_json: str | None
    """The identity's fields as JSON (`Publisher.to_dict`), when known."""
    predicate_types: tuple[str, ...] = ()
    log_index: int | None = None
    identity_checked: bool = False


@dataclass(frozen=True, slots=True)
class PackageRecord:
    name: str
    """Normalized (PEP 503)."""
    version: str | None
    status: str
    coverage: str
    tier: str | None
    origin: str | None = None
    note: str | None = None
    action: str | None = None
    rule: str | None = None
    reasons: tuple[str, ...] = ()
    regression: str | None = None
    """Why this package regressed against the store's history, when it did."""
    files: tuple[FileRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One scan run: its idempotency key and where it ran."""

    run_id: str
    """A UUID, written into the run's JSON report; recording the same run twice is one scan."""
    scanned_at: datetime
    """When the scan ran (timezone-aware, UTC)."""
    pyvouch_version: str
    sigstore_version: str | None


@dataclass(frozen=True, slots=True)
class ScanRecord:
    run: RunInfo
    repository: str
    commit: str | None
    branch: str | None
    lock_path: str
    lock_format: str
    index_url: str
    mode: str
    evidence: Evidence
    packages: tuple[PackageRecord, ...]
