"""`pyvouch dashboard` from the command line: what it writes, and bad input (a store that is
absent, foreign, newer or unreachable; an output that is a file or someone else's folder):
one line, exit 2 or 3, nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, update

from pyvouch.cli.main import cli
from pyvouch.dashboard.build import MARKER
from pyvouch.store.engine import open_store
from pyvouch.store.location import resolve_store
from pyvouch.store.tables import schema_version
from pyvouch.testing.history_store import HistoryPlan, fill_store

SMALL = HistoryPlan(repositories=2, days=10, packages=6, critical=2)


def _dashboard(*args: str) -> Result:
    return CliRunner().invoke(cli, ["dashboard", *args])


@pytest.fixture
def small_store(tmp_path: Path) -> str:
    url = str(tmp_path / "history.sqlite3")
    with open_store(resolve_store(url)) as store:
        fill_store(store, SMALL)  # one record_scan per scan: the write API as scan --record
    return url


def _one_line_error(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyvouch: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0]
    assert "Traceback" not in result.output


def test_it_writes_the_dashboard_and_rebuilds_it_in_place(small_store: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = _dashboard("--store", small_store, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2 repositories" in result.stdout and str(out / "index.html") in result.stdout
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    assert len(list((out / "repositories").glob("*.html"))) == 2
    stale = out / "packages" / "gone-0000000000.html"
    stale.write_text("from an older build", encoding="utf-8")
    again = _dashboard("--store", small_store, "--out", str(out))
    assert again.exit_code == 0, again.output
    assert not stale.exists()  # replaced as a whole
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_an_empty_store_gives_an_empty_dashboard(tmp_path: Path) -> None:
    url = str(tmp_path / "empty.sqlite3")
    open_store(resolve_store(url)).close()
    result = _dashboard("--store", url, "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert "The store holds no scans yet." in (tmp_path / "site" / "index.html").read_text()


def test_a_missing_store_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = _dashboard("--store", str(tmp_path / "nope.sqlite3"), "--out", str(out))
    _one_line_error(result, 2, "nope.sqlite3")
    assert not out.exists() and not (tmp_path / "nope.sqlite3").exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", encoding="utf-8")
    result = _dashboard("--store", str(text), "--out", str(tmp_path / "site"))
    _one_line_error(result, 2)
    assert not (tmp_path / "site").exists()
    assert text.read_text(encoding="utf-8") == "not a database\n"


def test_another_application_s_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("create table other (x int)")
    result = _dashboard("--store", str(foreign), "--out", str(tmp_path / "site"))
    with sqlite3.connect(foreign) as conn:
        tables = {
            row[0] for row in conn.execute("select name from sqlite_master where type='table'")
        }
    assert tables == {"other"}
    _one_line_error(result, 2)
    assert not (tmp_path / "site").exists()


def test_a_store_from_a_newer_pyvouch_is_refused_and_left_as_it_was(
    small_store: str, tmp_path: Path
) -> None:
    engine = create_engine(resolve_store(small_store).url)
    with engine.begin() as conn:
        conn.execute(update(schema_version).values(version_num="0099_from_the_future"))
    engine.dispose()
    result = _dashboard("--store", small_store, "--out", str(tmp_path / "site"))
    _one_line_error(result, 2, "newer pyvouch")
    assert not (tmp_path / "site").exists()


def test_an_unreachable_or_malformed_store_url_without_its_password(tmp_path: Path) -> None:
    out = tmp_path / "site"
    unreachable = "postgresql://ci:never-printed@127.0.0.1:1/pyvouch"
    result = _dashboard("--store", unreachable, "--out", str(out))
    _one_line_error(result, 3)
    assert "never-printed" not in result.output
    malformed = _dashboard("--store", "postgresql://ci:never-printed@[::1/x", "--out", str(out))
    _one_line_error(malformed, 2)
    assert "never-printed" not in malformed.output
    mysql = _dashboard("--store", "mysql://ci@127.0.0.1/x", "--out", str(out))
    _one_line_error(mysql, 2)
    assert not out.exists()


def test_an_output_that_is_a_file_or_someone_else_s_folder_is_refused(
    small_store: str, tmp_path: Path
) -> None:
    a_file = tmp_path / "report.html"
    a_file.write_text("mine", encoding="utf-8")
    _one_line_error(_dashboard("--store", small_store, "--out", str(a_file)), 2, "not a folder")
    assert a_file.read_text(encoding="utf-8") == "mine"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "index.html").write_text("my own page", encoding="utf-8")
    result = _dashboard("--store", small_store, "--out", str(folder))
    _one_line_error(result, 2, "not empty", MARKER)
    assert [p.name for p in folder.iterdir()] == ["index.html"]
    assert (folder / "index.html").read_text(encoding="utf-8") == "my own page"
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    _one_line_error(_dashboard("--store", small_store, "--out", str(link)), 2)
    assert not (tmp_path / "elsewhere").exists()


def test_the_store_is_read_before_anything_is_written(small_store: str, tmp_path: Path) -> None:
    """A previous dashboard stays as it was when the store cannot be read."""
    out = tmp_path / "site"
    assert _dashboard("--store", small_store, "--out", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = _dashboard("--store", str(tmp_path / "missing.sqlite3"), "--out", str(out))
    _one_line_error(result, 2)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_help_lists_the_exit_codes() -> None:
    result = _dashboard("--help")
    assert result.exit_code == 0
    assert "Exit codes:" in result.output and "  3  the store could not be reached" in result.output
