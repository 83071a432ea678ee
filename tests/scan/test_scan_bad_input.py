"""Malformed lock files and bad usage: exit 2, one line naming the file and the place, no
traceback, no report written. One runs the real console entry point in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scan.conftest import Scan
from tests.support.cli_runs import run_process
from tests.support.scan_sites import LOCKS
from tests.support.static_server import StaticServer

BROKEN = [
    ("uv.lock", LOCKS["uv.lock"]().replace('version = "3.0.0"', "version = "), "line "),
    (
        "uv.lock",
        LOCKS["uv.lock"]().replace('hash = "sha256:117ed', 'hash = "sha256:zz117ed'),
        "package[0].sdist.hash",
    ),
    (
        "pylock.toml",
        LOCKS["pylock.toml"]().replace('created-by = "pyvouch-tests"\n', ""),
        "created-by",
    ),
    (
        "poetry.lock",
        LOCKS["poetry.lock"]().replace('version = "0.0.3"\n', ""),
        "package[2].version",
    ),
    ("Pipfile.lock", LOCKS["Pipfile.lock"]()[:-40], "line "),
    ("requirements.txt", "sampleproject==3.0.0 --hash=sha256:nothex\n", "line 1"),
]


@pytest.mark.parametrize(("name", "text", "where"), BROKEN, ids=[f"{n}-{w}" for n, _, w in BROKEN])
def test_malformed_lock_exits_2_naming_file_and_place(
    scan: Scan, served: StaticServer, name: str, text: str, where: str
) -> None:
    lock = scan.write(name, text)
    out = scan.workdir / "report.json"
    result = scan(
        str(lock), "--index-url", served.index_url, "--format", "json", "--output", str(out)
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"pyvouch: error: {lock}")
    assert where in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
    assert served.requests == []  # nothing was looked up


def test_missing_lock_file(scan: Scan) -> None:
    result = scan(str(scan.workdir / "nope.lock"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_no_lock_in_the_directory(scan: Scan) -> None:
    result = scan()
    assert result.exit_code == 2
    assert "no lock file found" in result.stderr


def test_lock_found_in_the_working_directory(scan: Scan, served: StaticServer) -> None:
    scan.write("uv.lock", LOCKS["uv.lock"]())
    result = scan("--index-url", served.index_url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source_format"] == "uv"


def test_unpinned_requirements_refuse_clearly_without_resolution(scan: Scan) -> None:
    lock = scan.write("requirements.txt", "sampleproject>=3\n")
    result = scan(str(lock), "--no-resolve", "--dry-run")
    assert result.exit_code == 2
    assert str(lock) in result.stderr and "sampleproject" in result.stderr


def test_malformed_lock_prints_only_one_error_line(scan: Scan) -> None:
    lock = scan.write("poetry.lock", LOCKS["poetry.lock"]().replace("[metadata]", "[metadata"))
    result = scan(str(lock))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"pyvouch: error: {lock}:line ")
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stdout == ""


def test_subprocess_incomplete_scan_exits_3(tmp_path: Path, stripping: object) -> None:
    """The smoke test of `scan` through ``python -m pyvouch``."""
    from tests.support.index_servers import IndexServer

    assert isinstance(stripping, IndexServer)
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCKS["uv.lock"]())
    proc = run_process(
        ["scan", lock, "--index-url", stripping.url("/simple/"), "--format", "json"],
        env={"PYVOUCH_CACHE_DIR": str(tmp_path / "cache"), "PIP_INDEX_URL": None, "NO_COLOR": "1"},
        cwd=tmp_path,
    )
    assert proc.code == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["unknown"] == 3 and doc["summary"]["unattested"] == 0


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_staging_and_trust_root_together_are_refused_before_any_work(
    scan: Scan, dry_run: list[str]
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    root = scan.write("root.json", "{}")
    result = scan(str(lock), "--staging", "--trust-root", str(root), *dry_run)
    assert result.exit_code == 2
    assert "give --staging or --trust-root, not both" in result.stderr
    assert result.stdout == ""
