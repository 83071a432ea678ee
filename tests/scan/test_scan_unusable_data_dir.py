"""``$PYVOUCH_DATA_DIR`` naming a file (or anything that cannot hold the machine key): commands
that only cache work without the authenticated caches, with the same statuses; the one command
that must store there (`trust update`) says so in one line, exit 2, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from tests.scan.conftest import Scan, files_of
from tests.support.scan_sites import LOCKS
from tests.support.static_server import StaticServer


@pytest.fixture
def data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "not-a-directory"
    path.write_text("a file where a directory belongs\n")
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(path))
    return path


def test_scan_works_without_caching_when_the_data_dir_is_a_file(
    scan: Scan, served: StaticServer, tmp_path: Path, data_file: Path
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, first = scan.json(str(lock), "--index-url", served.index_url)
    assert code == 0
    statuses = {name: f["status"] for name, f in files_of(first).items()}
    assert sorted(statuses.values()) == ["unattested", "verified", "verified", "verified"]
    code, second = scan.json(str(lock), "--index-url", served.index_url)
    assert code == 0
    assert {n: f["status"] for n, f in files_of(second).items()} == statuses
    assert data_file.read_text() == "a file where a directory belongs\n"


@pytest.mark.parametrize("nested", [False, True])
def test_trust_update_says_so_in_one_line(
    data_file: Path, nested: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if nested:
        monkeypatch.setenv("PYVOUCH_DATA_DIR", str(data_file / "below"))
    result = CliRunner().invoke(cli, ["trust", "update", "--timeout", "1"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "PYVOUCH_DATA_DIR" in lines[0] and "the trust root in use is unchanged" in lines[0]
    assert data_file.read_text() == "a file where a directory belongs\n"
    shown = CliRunner().invoke(cli, ["trust", "show"])
    assert shown.exit_code == 0 and "shipped with sigstore" in shown.output
