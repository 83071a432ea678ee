"""Migrations: a store made by the first schema, filled, then upgraded in place with nothing
lost; a store from a newer pyvouch is refused with one line and left as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select, text, update

from pyvouch.cli.main import cli
from pyvouch.errors import StoreError
from pyvouch.store import queries
from pyvouch.store.engine import head_revision, open_store
from pyvouch.store.location import resolve_store
from pyvouch.store.tables import scan_files, scan_packages, scans, schema_version
from pyvouch.store.write import record_scan
from tests.support.store_records import package_record, scan_record

FIRST = "0001"


def _fill_first_schema(url: str) -> None:
    """Rows as pyvouch's first schema wrote them (no evidence, no regression column)."""
    location = resolve_store(url)
    with open_store(location, target=FIRST) as old, old.begin() as conn:
        columns = {c["name"] for c in _columns(conn, "scans")}
        assert "evidence" not in columns  # really the first schema
        for i in range(3):
            conn.execute(
                text(
                    'INSERT INTO scans (run_id, repository, "commit", branch, lock_path,'
                    " lock_format, index_url, mode, pyvouch_version, sigstore_version,"
                    " scanned_at, recorded_at, package_count) VALUES (:run, 'github.com/o/r',"
                    " 'abc', 'main', 'uv.lock', 'uv', 'https://pypi.org/simple', 'collect',"
                    " '0.0.9', '4.5.1', :when, :when, 2)"
                ),
                {"run": f"old-run-{i}", "when": datetime(2025, 6, 1 + i, tzinfo=UTC)},
            )
            scan_id = conn.execute(
                text("SELECT id FROM scans WHERE run_id = :run"), {"run": f"old-run-{i}"}
            ).scalar_one()
            for pos, name in enumerate(("alpha", "beta")):
                conn.execute(
                    text(
                        "INSERT INTO scan_packages (scan_id, position, name, version, status,"
                        " coverage, tier, reasons) VALUES (:s, :p, :n, '1.0', 'verified',"
                        " 'all', 'critical', '[]')"
                    ),
                    {"s": scan_id, "p": pos, "n": name},
                )
                conn.execute(
                    text(
                        "INSERT INTO scan_files (scan_id, package_position, position,"
                        " filename, status, reason, publisher, publisher_json,"
                        " predicate_types, identity_checked) VALUES (:s, :p, 0, :f,"
                        " 'verified', 'ok', 'github:o/r:release.yml',"
                        ' \'{"kind": "GitHub", "repository": "o/r"}\', \'[]\', :t)'
                    ),
                    {"s": scan_id, "p": pos, "f": f"{name}-1.0.whl", "t": True},
                )


def _columns(conn: object, table: str) -> list[dict[str, object]]:
    from sqlalchemy import inspect

    return inspect(conn).get_columns(table)  # type: ignore[arg-type]


def test_a_store_of_the_first_schema_is_upgraded_in_place_with_nothing_lost(store_url: str) -> None:
    _fill_first_schema(store_url)
    with open_store(resolve_store(store_url)) as upgraded:
        with upgraded.begin() as conn:
            revision = conn.execute(select(schema_version.c.version_num)).scalar_one()
            counts = [
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (scans, scan_packages, scan_files)
            ]
            evidence = set(conn.execute(select(scans.c.evidence)).scalars())
        assert revision == head_revision()
        assert counts == [3, 6, 6]
        # Nothing said those scans were verified by this pyvouch: kept as observations.
        assert evidence == {"ingested"}
        history = queries.package_history(upgraded, "alpha")
        assert [o.scanned_at.day for o in history] == [3, 2, 1]
        assert history[0].publishers == ("github:o/r:release.yml",)
        # and the upgraded store takes new scans
        assert record_scan(upgraded, scan_record((package_record("gamma"),))).new


def _set_revision(url: str, revision: str) -> None:
    engine = create_engine(resolve_store(url).url)
    with engine.begin() as conn:
        conn.execute(update(schema_version).values(version_num=revision))
    engine.dispose()


def test_a_store_from_a_newer_pyvouch_is_refused_and_left_as_it_was(store_url: str) -> None:
    with open_store(resolve_store(store_url)) as made:
        record_scan(made, scan_record((package_record("alpha"),)))
    _set_revision(store_url, "0099_from_the_future")
    with pytest.raises(StoreError, match="newer pyvouch"):
        open_store(resolve_store(store_url))
    result = CliRunner().invoke(cli, ["history", "scans", "--store", store_url])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "written by a newer pyvouch" in lines[0]
    assert "never-printed" not in result.stderr + result.stdout
    engine = create_engine(resolve_store(store_url).url)
    with engine.begin() as conn:
        assert conn.execute(select(schema_version.c.version_num)).scalar_one() == (
            "0099_from_the_future"
        )
        assert conn.execute(select(func.count()).select_from(scans)).scalar_one() == 1
    engine.dispose()


def test_the_schema_head_constant_is_the_newest_migration() -> None:
    from pyvouch.store.tables import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD


def _tables(url: str) -> set[str]:
    engine = create_engine(resolve_store(url).url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _create(url: str, ddl: str) -> None:
    engine = create_engine(resolve_store(url).url)
    with engine.begin() as conn:
        conn.execute(text(ddl))
    engine.dispose()


def test_a_database_holding_a_table_of_pyvouchs_name_is_refused_and_left_alone(
    store_url: str,
) -> None:
    """Another application's `scans` table is never taken for pyvouch's (either backend)."""
    _create(store_url, "CREATE TABLE scans (theirs INTEGER)")
    with pytest.raises(StoreError, match="not a pyvouch store: it holds other tables"):
        open_store(resolve_store(store_url))
    assert _tables(store_url) == {"scans"}


def test_another_applications_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    _create(str(path), "CREATE TABLE users (id INTEGER)")
    with pytest.raises(StoreError, match=r"not a pyvouch store: it holds other tables \(users\)"):
        open_store(resolve_store(str(path)))
    assert _tables(str(path)) == {"users"}


def test_a_postgresql_database_with_unrelated_tables_gets_pyvouchs_beside_them(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A team may give pyvouch a database that holds other tables of theirs: pyvouch adds its
    own beside them and touches nothing else."""
    from tests.store.conftest import new_store_url

    url = new_store_url("postgresql", request, tmp_path)
    _create(url, "CREATE TABLE their_report (id INTEGER)")
    with open_store(resolve_store(url)):
        pass
    tables = _tables(url)
    assert "their_report" in tables
    assert "scans" in tables
