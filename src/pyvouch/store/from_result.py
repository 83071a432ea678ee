"""A `ScanResult` this pyvouch just decided, as the rows the store keeps (`ScanRecord`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime

from pyvouch.model import Finding, PackageResult, ScanResult
from pyvouch.policy.tiers import normalize
from pyvouch.store.records import Evidence, FileRecord, PackageRecord, RunInfo, ScanRecord


def file_record(finding: Finding) -> FileRecord:
    publisher = finding.publisher
    return FileRecord(
        filename=finding.file.filename,
        sha256=finding.file.sha256,
        status=finding.status.value,
        reason=finding.reason,
        publisher=publisher.to_spec() if publisher is not None else None,
        publisher_json=json.dumps(publisher.to_dict(), sort_keys=True) if publisher else None,
        predicate_types=tuple(
            dict.fromkeys(a.predicate_type for a in finding.attestations if a.predicate_type)
        ),
        log_index=next((a.log_index for a in finding.attestations if a.verified), None),
        identity_checked=finding.identity_checked,
    )


def package_record(
    result: PackageResult, tier: str | None, regression: str | None = None
) -> PackageRecord:
    decision = result.decision
    return PackageRecord(
        name=normalize(result.package.name),
        version=result.package.version,
        status=result.status.value,
        coverage=result.coverage.value,
        tier=tier,
        origin=result.package.origin,
        note=result.note,
        action=decision.action.value if decision is not None else None,
        rule=decision.rule if decision is not None else None,
        reasons=decision.reasons if decision is not None else (),
        regression=regression,
        files=tuple(file_record(f) for f in result.findings),
    )


def scan_record(
    result: ScanResult,
    *,
    repository: str,
    commit: str | None,
    branch: str | None,
    tier_of: Callable[[str], str],
    regressions: Mapping[int, str] | None = None,
) -> ScanRecord:
    """The rows of a scan this pyvouch ran and verified (evidence ``verified``).

    ``regressions`` maps a package's position to why it regressed against history."""
    run = result.run
    assert run is not None, "a scan is recorded with its run"
    regressions = regressions or {}
    return ScanRecord(
        run=RunInfo(
            run_id=run.id,
            scanned_at=datetime.fromisoformat(run.scanned_at),
            pyvouch_version=run.pyvouch_version,
            sigstore_version=run.sigstore_version,
        ),
        repository=repository,
        commit=commit,
        branch=branch,
        lock_path=result.source,
        lock_format=result.source_format,
        index_url=result.index_url,
        mode=result.mode,
        evidence=Evidence.VERIFIED,
        packages=tuple(
            package_record(p, tier_of(p.package.name), regressions.get(i))
            for i, p in enumerate(result.packages)
        ),
    )
