"""Read API for views across the whole store (the dashboard): one scan's packages with their
decisions, and per package its days, releases, statuses and publishers as observed.

Each function is one grouped query (no per-scan or per-package round trips), so a year of
daily scans of fifty repositories is read in a few seconds. No query here writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, and_, func, select

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
class PackageDay:
    """On ``day``, how many scans (of any repository) saw ``name`` at ``version`` as
    ``status``."""

    name: str
    day: date
    version: str | None
    status: str
    observations: int


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


def _day(conn: Connection) -> ColumnElement[object]:
    """The UTC day of a scan, computed by the database."""
    if conn.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", scans.c.scanned_at))
    return func.substr(scans.c.scanned_at, 1, 10)  # naive UTC text, ISO 8601


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def package_days(
    store: Store, names: Sequence[str] | None = None, since: datetime | None = None
) -> list[PackageDay]:
    """Per package, day, version and status: how many scans saw it so (ordered by name, day)."""
    where = []
    if since is not None:
        where.append(scans.c.scanned_at >= since)
    if names is not None:
        where.append(scan_packages.c.name.in_(list(names)))
    with store.begin("cannot read history") as conn:
        day = _day(conn).label("day")
        query = (
            select(
                scan_packages.c.name,
                day,
                scan_packages.c.version,
                scan_packages.c.status,
                func.count(),
            )
            .select_from(scan_packages.join(scans, scans.c.id == scan_packages.c.scan_id))
            .where(and_(True, *where))
            .group_by(scan_packages.c.name, day, scan_packages.c.version, scan_packages.c.status)
            .order_by(scan_packages.c.name, day)
        )
        return [
            PackageDay(str(n), _as_date(d), v, str(s), int(c))
            for n, d, v, s, c in conn.execute(query)
        ]


def publishers_seen(store: Store, names: Sequence[str] | None = None) -> list[PublisherSeen]:
    """Per package, every identity recorded on its files, with when it was first and last
    seen (ordered by name, then first seen)."""
    joined = scan_files.join(
        scan_packages,
        and_(
            scan_packages.c.scan_id == scan_files.c.scan_id,
            scan_packages.c.position == scan_files.c.package_position,
        ),
    ).join(scans, scans.c.id == scan_files.c.scan_id)
    where = [scan_files.c.publisher.is_not(None)]
    if names is not None:
        where.append(scan_packages.c.name.in_(list(names)))
    query = (
        select(
            scan_packages.c.name,
            scan_files.c.publisher,
            func.count(),
            func.min(scans.c.scanned_at),
            func.max(scans.c.scanned_at),
        )
        .select_from(joined)
        .where(and_(*where))
        .group_by(scan_packages.c.name, scan_files.c.publisher)
    )
    with store.begin("cannot read history") as conn:
        rows = [
            PublisherSeen(str(n), str(p), int(c), aware(first), aware(last))
            for n, p, c, first, last in conn.execute(query)
        ]
    return sorted(rows, key=lambda r: (r.name, r.first_seen, r.publisher))
