"""History as release histories (`pyvouch.model.History`): what `readiness --from-history`
judges instead of asking the index. Each version a locally verified scan saw is a release,
with its files as the latest such scan found them; newest version first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from packaging.version import InvalidVersion, Version
from sqlalchemy import and_, select

from pyvouch.model import FileRef, Finding, History, Publisher, ReleaseFiles, Status
from pyvouch.store.engine import Store
from pyvouch.store.records import Evidence
from pyvouch.store.tables import scan_files, scan_packages, scans


def _order(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _publisher(text: str | None) -> Publisher | None:
    if not text:
        return None
    fields = json.loads(text)
    return Publisher(**{k: v for k, v in fields.items() if k in Publisher.__slots__})


def observed_histories(
    store: Store,
    wanted: Sequence[tuple[str, str | None]],
    count: int,
    since: datetime | None = None,
) -> list[History]:
    """For each ``(normalized name, locked version)``, its last ``count`` observed releases."""
    out: list[History] = []
    joined = scan_files.join(
        scan_packages,
        and_(
            scan_files.c.scan_id == scan_packages.c.scan_id,
            scan_files.c.package_position == scan_packages.c.position,
        ),
    ).join(scans, scans.c.id == scan_files.c.scan_id)
    with store.begin("cannot read history") as conn:
        for name, locked in wanted:
            query = (
                select(
                    scan_packages.c.version,
                    scans.c.id,
                    scan_files.c.filename,
                    scan_files.c.sha256,
                    scan_files.c.status,
                    scan_files.c.reason,
                    scan_files.c.publisher_json,
                )
                .select_from(joined)
                .where(
                    scan_packages.c.name == name,
                    scans.c.evidence == Evidence.VERIFIED.value,
                    scan_packages.c.version.is_not(None),
                )
                .order_by(scans.c.scanned_at.desc(), scans.c.id.desc())
            )
            if since is not None:
                query = query.where(scans.c.scanned_at >= since)
            latest: dict[str, int] = {}
            files: dict[str, list[Finding]] = {}
            for version, scan_id, filename, sha, status, reason, pub in conn.execute(query):
                if latest.setdefault(version, scan_id) != scan_id:
                    continue  # an older scan of a version already seen
                files.setdefault(version, []).append(
                    Finding(FileRef(filename, sha), Status(status), reason, _publisher(pub))
                )
            versions = sorted(files, key=_order, reverse=True)
            releases = tuple(ReleaseFiles(v, tuple(files[v])) for v in versions[:count])
            out.append(
                History(
                    name=name,
                    releases=releases,
                    locked_version=locked,
                    total_releases=len(versions),
                    error=None if releases else "the store has no verified scan of it",
                )
            )
    return out
