"""Read API for views across the whole store (the dashboard): one scan's packages with their
decisions; a sample of the scans (each repository's last scan of each week, and every scan
with a regression) and, for those, every package's version and status and every publisher
identity seen.

Views over months read the sample by its keys rather than every row of every daily scan: a
year of daily scans of fifty repositories is ~1.1 million package and ~2.2 million file rows,
and a pass over them costs more than the whole dashboard may. No query here writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select

from pyvouch.store.engine import Store
from pyvouch.store.queries import aware
from pyvouch.store.tables import scan_files, scan_packages, scans


@dataclass(frozen=True, slots=True)
class ScannedPackage:
    """A package as one scan recorded it, with the policy's decision."""

    name: str
    version: str | None
    status: str
    coverage: str
    tier: str | None
    action: str | None
    rule: str | None
    reasons: tuple[str, ...]
    regression: str | None


@dataclass(frozen=True, slots=True)
class PublisherSeen:
    """A publisher identity that signed files of ``name``, as recorded."""

    name: str
    publisher: str
    files: int
    first_seen: datetime
    last_seen: datetime


def _reasons(text: object) -> tuple[str, ...]:
    try:
        value = json.loads(str(text)) if text else []
    except ValueError:
        return (str(text),)
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def scan_packages_of(store: Store, scan_id: int) -> list[ScannedPackage]:
    """The packages of one scan, in the order the scan listed them."""
    query = (
        select(
            scan_packages.c.name,
            scan_packages.c.version,
            scan_packages.c.status,
            scan_packages.c.coverage,
            scan_packages.c.tier,
            scan_packages.c.action,
            scan_packages.c.rule,
            scan_packages.c.reasons,
            scan_packages.c.regression,
        )
        .where(scan_packages.c.scan_id == scan_id)
        .order_by(scan_packages.c.position)
    )
    with store.begin("cannot read history") as conn:
        return [
            ScannedPackage(n, v, s, c, t, a, r, _reasons(why), regr)
            for n, v, s, c, t, a, r, why, regr in conn.execute(query)
        ]


@dataclass(frozen=True, slots=True)
class SampledScan:
    scan_id: int
    repository: str
    scanned_at: datetime
    week: date
    """The Monday of the scan's ISO week (UTC)."""
    week_end: bool
    """The repository's last scan of that week (else: a scan kept for its regression)."""


def sample_scans(store: Store, since: datetime | None = None) -> list[SampledScan]:
    """Per repository, its last scan of each week, and every scan that recorded a regression:
    what a view over months reads instead of every daily scan (a year of daily scans of fifty
    repositories is 18,000 scans; this is ~2,600 and still every publisher change)."""
    query = select(scans.c.id, scans.c.repository, scans.c.scanned_at)
    if since is not None:
        query = query.where(scans.c.scanned_at >= since)
    regressed = select(scan_packages.c.scan_id).where(scan_packages.c.regression.is_not(None))
    with store.begin("cannot read history") as conn:
        rows = [(int(i), str(r), aware(w)) for i, r, w in conn.execute(query)]
        with_regression = {int(i) for (i,) in conn.execute(regressed.distinct())}
    last: dict[tuple[str, date], tuple[datetime, int]] = {}
    for scan_id, repository, when in rows:
        week = when.date() - timedelta(days=when.weekday())
        key = (repository, week)
        if key not in last or (when, scan_id) > last[key]:
            last[key] = (when, scan_id)
    ends = {scan_id for _, scan_id in last.values()}
    return [
        SampledScan(scan_id, repository, when, when.date() - timedelta(days=when.weekday()), True)
        if scan_id in ends
        else SampledScan(
            scan_id, repository, when, when.date() - timedelta(days=when.weekday()), False
        )
        for scan_id, repository, when in sorted(rows, key=lambda r: (r[2], r[0]))
        if scan_id in ends or scan_id in with_regression
    ]


@dataclass(frozen=True, slots=True)
class PackageState:
    """A package as one scan saw it."""

    scan_id: int
    name: str
    version: str | None
    status: str


_CHUNK = 400


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def package_states(store: Store, scan_ids: Sequence[int]) -> list[PackageState]:
    """Every package of these scans (read by the scans' keys, not by a pass over the table)."""
    out: list[PackageState] = []
    with store.begin("cannot read history") as conn:
        for chunk in _chunks(scan_ids):
            query = select(
                scan_packages.c.scan_id,
                scan_packages.c.name,
                scan_packages.c.version,
                scan_packages.c.status,
            ).where(scan_packages.c.scan_id.in_(chunk))
            out.extend(
                PackageState(int(i), str(n), v, str(s)) for i, n, v, s in conn.execute(query)
            )
    return out


def publishers_seen(store: Store, scans_at: Mapping[int, datetime]) -> list[PublisherSeen]:
    """Per package, every identity recorded on its files in these scans (``scan id -> when it
    ran``), with when it was first and last seen; ordered by name, then first seen."""
    files: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], datetime] = {}
    last: dict[tuple[str, str], datetime] = {}
    joined = scan_files.join(
        scan_packages,
        and_(
            scan_packages.c.scan_id == scan_files.c.scan_id,
            scan_packages.c.position == scan_files.c.package_position,
        ),
    )
    with store.begin("cannot read history") as conn:
        for chunk in _chunks(list(scans_at)):
            query = (
                select(scan_files.c.scan_id, scan_packages.c.name, scan_files.c.publisher)
                .select_from(joined)
                .where(scan_files.c.scan_id.in_(chunk), scan_files.c.publisher.is_not(None))
            )
            for scan_id, name, publisher in conn.execute(query):
                when, key = scans_at[int(scan_id)], (str(name), str(publisher))
                files[key] = files.get(key, 0) + 1
                first[key] = min(when, first.get(key, when))
                last[key] = max(when, last.get(key, when))
    rows = [PublisherSeen(k[0], k[1], n, first[k], last[k]) for k, n in files.items()]
    return sorted(rows, key=lambda r: (r.name, r.first_seen, r.publisher))
