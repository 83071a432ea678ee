"""A history store with months of daily scans, for the dashboard's tests, its benchmark and its
screenshots: several repositories, one scan per repository per day, written through the
store's own write API (`pyvouch.store.write.record_scan`, or its row builders in one
transaction per day with ``bulk=True``, for the benchmark's 18,000 scans).

What changes over the year, so the charts and lists have something to show:

- unattested packages start signing one by one (coverage climbs);
- versions move every 60 days (releases);
- in every other repository a critical package turns up signed by another identity for the
  last 20 days (a publisher regression, blocked), and in repository 1 a package loses its
  attestations for the last 10 days (a lost-attestation regression);
- every 30 days, odd repositories add a new dependency that never signed (new unsigned);
- with ``hostile=True``, a repository, a package, a reason and an identity that are HTML and
  script (the names, reasons and identities come from indexes and attestations).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pyvouch.store.engine import Store
from pyvouch.store.records import Evidence, FileRecord, PackageRecord, RunInfo, ScanRecord
from pyvouch.store.write import (
    load_scans,
    record_scan,
)

PREDICATE = "https://docs.pypi.org/attestations/publish/v1"
# each sets <html data-pwned> if it ever runs
HOSTILE_REPOSITORY = (
    'github.com/evil/<script>document.documentElement.dataset.pwned="repo"</script>'
)
HOSTILE_PACKAGE = "<img src=x onerror=\"document.documentElement.dataset.pwned='package'\">"
HOSTILE_REASON = "<script>document.documentElement.dataset.pwned='reason'</script> & <b>bold</b>"
HOSTILE_PUBLISHER = 'github:"><svg onload="document.documentElement.dataset.pwned=1">/x:release.yml'


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    repositories: int = 4
    days: int = 365
    packages: int = 30
    critical: int = 8
    """The first ``critical`` packages are in the critical tier."""
    end: datetime = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    """When the last day's first scan ran."""
    hostile: bool = False
    seed: int = 12

    def repository(self, r: int) -> str:
        if self.hostile and r == self.repositories - 1:
            return HOSTILE_REPOSITORY
        return f"github.com/org/repo-{r:02d}"


def _files(name: str, version: str, status: str, publisher: str | None) -> tuple[FileRecord, ...]:
    verified = status in ("verified", "mismatch")
    owner_repo = publisher.split(":")[1] if publisher and publisher.count(":") >= 2 else ""
    return tuple(
        FileRecord(
            filename=f"{name}-{version}{suffix}",
            sha256=hashlib.sha256(f"{name}-{version}{suffix}".encode()).hexdigest(),
            status=status,
            reason="verified" if verified else "no provenance on the index",
            publisher=publisher if verified else None,
            publisher_json=(
                json.dumps({"kind": "GitHub", "repository": owner_repo, "workflow": "release.yml"})
                if verified
                else None
            ),
            predicate_types=(PREDICATE,) if verified else (),
            log_index=1000 + len(name) if verified else None,
        )
        for suffix in ("-py3-none-any.whl", ".tar.gz")
    )


def _package(
    name: str,
    version: str,
    status: str,
    tier: str,
    *,
    publisher: str | None = None,
    regression: str | None = None,
    reason: str | None = None,
) -> PackageRecord:
    publisher = publisher or f"github:octo/{name}:release.yml"
    blocked = regression is not None or (tier == "critical" and status != "verified")
    action = "block" if blocked else ("allow" if status == "verified" else "warn")
    return PackageRecord(
        name=name,
        version=version,
        status=status,
        coverage="all" if status == "verified" else "none",
        tier=tier,
        action=action,
        rule=f"{tier}:{'verified' if tier == 'critical' else 'any'}",
        reasons=(reason or f"{status} ({tier})",),
        regression=regression,
        files=_files(name, version, status, publisher),
    )


def _packages(plan: HistoryPlan, r: int, day: int) -> list[PackageRecord]:
    out = []
    version = f"1.{day // 60}"
    for i in range(plan.packages):
        name = f"pkg-{i:03d}"
        tier = "critical" if i < plan.critical else "long-tail"
        starts_signing = (i * 37) % plan.days
        status = "verified"
        if i % 10 == 3 and day < starts_signing:
            status = "unattested"
        elif i % 20 == 7:
            status = "unknown"
        if i == 5 and r % 2 == 0 and day >= plan.days - 20:
            out.append(
                _package(
                    name, version, "mismatch", tier,
                    publisher=f"github:mallory/{name}:release.yml",
                    regression="publisher changed: github:mallory/pkg-005:release.yml, "
                    "history verified github:octo/pkg-005:release.yml",
                )
            )  # fmt: skip
            continue
        if i == 6 and r == 1 and day >= plan.days - 10:
            out.append(
                _package(
                    name, version, "unattested", tier,
                    regression="lost its attestations (earlier releases verified)",
                )
            )  # fmt: skip
            continue
        out.append(_package(name, version, status, tier))
    if r % 2 == 1:
        out.extend(
            _package(f"new-{d:03d}", "0.1", "unattested", "long-tail")
            for d in range(29, day + 1, 30)
        )
    if plan.hostile and r == plan.repositories - 1:
        out.append(
            _package(
                HOSTILE_PACKAGE, "6.6.6", "verified", "long-tail",
                publisher=HOSTILE_PUBLISHER, reason=HOSTILE_REASON,
            )
        )  # fmt: skip
    return out


def history_records(plan: HistoryPlan) -> Iterator[list[ScanRecord]]:
    """Per day (oldest first), one scan per repository."""
    rng = random.Random(plan.seed)  # noqa: S311 - reproducible test data, not secrets
    first = plan.end - timedelta(days=plan.days - 1)
    for day in range(plan.days):
        batch = []
        for r in range(plan.repositories):
            when = first + timedelta(days=day, minutes=r)
            batch.append(
                ScanRecord(
                    run=RunInfo(str(uuid.UUID(int=rng.getrandbits(128))), when, "0.1.0", "4.5.1"),
                    repository=plan.repository(r),
                    commit=f"{rng.getrandbits(160):040x}",
                    branch="main",
                    lock_path="pylock.toml",
                    lock_format="pylock",
                    index_url="https://pypi.org/simple",
                    mode="enforce",
                    evidence=Evidence.VERIFIED,
                    packages=tuple(_packages(plan, r, day)),
                )
            )
        yield batch


def fill_store(store: Store, plan: HistoryPlan, *, bulk: bool = False) -> int:
    """Record ``plan``'s scans into ``store``; returns how many. ``bulk``: one transaction per
    500 scans through the writer's row builders (the same rows, faster) instead of one
    `record_scan` per scan."""
    count = 0
    pending: list[ScanRecord] = []
    for batch in history_records(plan):
        count += len(batch)
        if not bulk:
            for record in batch:
                record_scan(store, record)
            continue
        pending += batch
        if len(pending) >= 500:
            load_scans(store, pending)
            pending = []
    if pending:
        load_scans(store, pending)
    return count
