"""Writing one scan: all its rows in one transaction, once per run.

The scan row is inserted with ``ON CONFLICT (run_id) DO NOTHING``: a retried CI job, or the
same report ingested twice, finds its run already there and writes nothing (`Recorded.new` is
False). Two writers racing with the same run: the database's unique index lets one win, the
other waits for it and then does nothing. Packages and files are keyed by the scan's id and
their positions, so a scan's rows go in with two multi-row inserts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from pyvouch.store.engine import Store
from pyvouch.store.records import ScanRecord
from pyvouch.store.tables import scan_files, scan_packages, scans


@dataclass(frozen=True, slots=True)
class Recorded:
    scan_id: int
    new: bool
    """False when this run was already in the store (nothing was written)."""
    run_id: str
    packages: int


def _insert_scan(conn: Connection, values: dict[str, Any]) -> Insert:
    if conn.dialect.name == "postgresql":
        return (
            postgresql.insert(scans)
            .values(values)
            .on_conflict_do_nothing(index_elements=["run_id"])
        )
    return sqlite.insert(scans).values(values).on_conflict_do_nothing(index_elements=["run_id"])


def scan_values(record: ScanRecord) -> dict[str, Any]:
    return {
        "run_id": record.run.run_id,
        "repository": record.repository,
        "commit": record.commit,
        "branch": record.branch,
        "lock_path": record.lock_path,
        "lock_format": record.lock_format,
        "index_url": record.index_url,
        "mode": record.mode,
        "pyvouch_version": record.run.pyvouch_version,
        "sigstore_version": record.run.sigstore_version,
        "scanned_at": record.run.scanned_at,
        "recorded_at": datetime.now(UTC),
        "package_count": len(record.packages),
        "evidence": record.evidence.value,
    }


PACKAGE_COLUMNS = (
    "scan_id", "position", "name", "version", "status", "coverage", "tier", "origin", "note",
    "action", "rule", "reasons", "regression",
)  # fmt: skip
FILE_COLUMNS = (
    "scan_id", "package_position", "position", "filename", "sha256", "status", "reason",
    "publisher", "publisher_json", "predicate_types", "log_index", "identity_checked",
)  # fmt: skip
Row = tuple[object, ...]


def _json_list(items: tuple[str, ...]) -> str:
    return json.dumps(list(items), ensure_ascii=False) if items else "[]"


def rows_of(scan_id: int, record: ScanRecord) -> tuple[list[Row], list[Row]]:
    """The scan's package and file rows, in `PACKAGE_COLUMNS` / `FILE_COLUMNS` order."""
    packages: list[Row] = []
    files: list[Row] = []
    for p_pos, pkg in enumerate(record.packages):
        packages.append(
            (
                scan_id,
                p_pos,
                pkg.name,
                pkg.version,
                pkg.status,
                pkg.coverage,
                pkg.tier,
                pkg.origin,
                pkg.note,
                pkg.action,
                pkg.rule,
                _json_list(pkg.reasons),
                pkg.regression,
            )
        )
        files.extend(
            (
                scan_id,
                p_pos,
                f_pos,
                f.filename,
                f.sha256,
                f.status,
                f.reason,
                f.publisher,
                f.publisher_json,
                _json_list(f.predicate_types),
                f.log_index,
                f.identity_checked,
            )
            for f_pos, f in enumerate(pkg.files)
        )
    return packages, files


def insert_many(conn: Connection, table: Table, columns: tuple[str, ...], rows: list[Row]) -> None:
    """Rows through the driver's own executemany (SQLite's C loop, psycopg's pipeline):
    several times faster than SQLAlchemy's per-row processing for the ~1,500 rows of a scan of
    500 packages. The values are str/int/bool/None, which both drivers take as they are."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    conn.exec_driver_sql(sql, rows)


def record_scan(store: Store, record: ScanRecord) -> Recorded:
    """Write ``record`` unless its run is already in the store."""
    with store.begin("cannot record the scan") as conn:
        inserted = conn.execute(_insert_scan(conn, scan_values(record)).returning(scans.c.id))
        scan_id = inserted.scalar_one_or_none()
        if scan_id is None:
            existing = conn.execute(
                select(scans.c.id).where(scans.c.run_id == record.run.run_id)
            ).scalar_one()
            return Recorded(existing, False, record.run.run_id, len(record.packages))
        packages, files = rows_of(scan_id, record)
        insert_many(conn, scan_packages, PACKAGE_COLUMNS, packages)
        insert_many(conn, scan_files, FILE_COLUMNS, files)
    return Recorded(scan_id, True, record.run.run_id, len(record.packages))


def load_scans(store: Store, records: list[ScanRecord]) -> None:
    """Many new scans in one transaction (generated history for tests and benchmarks): no
    check for runs already recorded, so every run id must be new."""
    with store.begin("cannot record the scans") as conn:
        packages: list[Row] = []
        files: list[Row] = []
        for record in records:
            scan_id = conn.execute(
                scans.insert().values(scan_values(record)).returning(scans.c.id)
            ).scalar_one()
            more_packages, more_files = rows_of(scan_id, record)
            packages += more_packages
            files += more_files
        insert_many(conn, scan_packages, PACKAGE_COLUMNS, packages)
        insert_many(conn, scan_files, FILE_COLUMNS, files)
