"""Migrations: a store made by the first schema, filled, then upgraded in place with nothing
lost; a store from a newer pyvouch is refused with one line and left as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text, update

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
