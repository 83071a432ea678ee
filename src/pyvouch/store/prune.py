"""Retention: `pyvouch history prune --keep 400d` deletes scans older than the window (their
packages and files with them), in one transaction."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from pyvouch.errors import UsageError
from pyvouch.store.engine import Store
from pyvouch.store.tables import scan_files, scan_packages, scans

_AGE = re.compile(r"^\s*(\d{1,6})\s*([dwy])\s*$")
_DAYS = {"d": 1, "w": 7, "y": 365}


def parse_age(text: str, what: str = "--since") -> timedelta:
    """``180d``, ``26w``, ``1y`` as a `timedelta`; a `UsageError` naming ``what`` otherwise."""
    match = _AGE.match(text)
    if match is None:
        raise UsageError(f"{what} must be a number of days, weeks or years (180d, 26w, 1y)")
    return timedelta(days=int(match[1]) * _DAYS[match[2]])


def cutoff(age: timedelta, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - age


def prune(store: Store, keep: timedelta, now: datetime | None = None) -> int:
    """Delete every scan recorded as run before ``now - keep``; how many were deleted."""
    before = cutoff(keep, now)
    with store.begin("cannot prune") as conn:
        old = select(scans.c.id).where(scans.c.scanned_at < before).scalar_subquery()
        conn.execute(delete(scan_files).where(scan_files.c.scan_id.in_(old)))
        conn.execute(delete(scan_packages).where(scan_packages.c.scan_id.in_(old)))
        result = conn.execute(delete(scans).where(scans.c.scanned_at < before))
        return int(result.rowcount)
