"""Scan records for the store's tests, built without a database or pytest (the concurrent
writers of tests/store/test_concurrency.py import this in their own processes)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pyvouch.store.records import Evidence, FileRecord, PackageRecord, RunInfo, ScanRecord

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def file_record(name: str, version: str, status: str, identity: str | None) -> FileRecord:
    publisher_json = (
        f'{{"kind": "GitHub", "repository": "{identity}", "workflow": "release.yml"}}'
        if identity
        else None
    )
    return FileRecord(
        filename=f"{name}-{version}-py3-none-any.whl",
        sha256=uuid.uuid4().hex * 2,
        status=status,
        reason="test",
        publisher=f"github:{identity}:release.yml" if identity else None,
        publisher_json=publisher_json,
        predicate_types=("https://docs.pypi.org/attestations/publish/v1",) if identity else (),
        log_index=1 if identity else None,
        identity_checked=False,
    )


def package_record(
    name: str,
    version: str = "1.0",
    status: str = "verified",
    identity: str | None = "octo/x",
    tier: str = "long-tail",
    regression: str | None = None,
    action: str | None = None,
) -> PackageRecord:
    return PackageRecord(
        name=name,
        version=version,
        status=status,
        coverage="all" if status == "verified" else "none",
        tier=tier,
        action=action,
        regression=regression,
        files=(file_record(name, version, status, identity if status == "verified" else None),),
    )


def scan_record(
    packages: tuple[PackageRecord, ...],
    *,
    repository: str = "github.com/org/app",
    day: int = 0,
    run_id: str | None = None,
    evidence: Evidence = Evidence.VERIFIED,
    index_url: str = "https://pypi.org/simple",
) -> ScanRecord:
    return ScanRecord(
        run=RunInfo(run_id or str(uuid.uuid4()), T0 + timedelta(days=day), "0.1.0", "4.5.1"),
        repository=repository,
        commit="0" * 40,
        branch="main",
        lock_path="pylock.toml",
        lock_format="pylock",
        index_url=index_url,
        mode="collect",
        evidence=evidence,
        packages=packages,
    )
