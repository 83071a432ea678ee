"""`pyvouch scan` through a mirror that strips provenance, cold, warm, offline and --refresh
(issue 10 item 4): every file stays `unknown` with its reason, the warm run asks one integrity
URL, `--offline` afterwards answers from the remembered verdict, `--refresh` asks again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pyvouch.index.client import NOT_SERVED_AFTER
from tests.index.test_not_served import NAMES, digest, keyless
from tests.scan.conftest import Scan, files_of
from tests.support.index_servers import IndexServer, serve

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def stripping_many() -> Iterator[IndexServer]:
    with serve() as server:
        for name in NAMES:
            keyless(server, name)
        yield server


def lock(scan: Scan) -> str:
    lines = [f"{name}==1.0 --hash=sha256:{digest(name)}" for name in NAMES]
    return str(scan.write("requirements.txt", "\n".join(lines) + "\n"))


def scan_json(scan: Scan, server: IndexServer, *extra: str) -> tuple[int, dict[str, object], int]:
    before = server.count("/integrity/")
    code, doc = scan.json(lock(scan), "--index-url", server.url("/simple/"), "--no-resolve", *extra)
    return code, doc, server.count("/integrity/") - before


def all_unknown_saying_not_served(doc: dict[str, object]) -> list[str]:
    files = files_of(doc)  # type: ignore[arg-type]
    assert len(files) == len(NAMES)
    assert {f["status"] for f in files.values()} == {"unknown"}
    assert doc["summary"]["unattested"] == 0  # type: ignore[index]
    assert all("does not serve provenance" in f["reason"] for f in files.values())
    return [f["reason"] for f in files.values()]


def test_cold_warm_offline_refresh(scan: Scan, stripping_many: IndexServer) -> None:
    code, doc, asked = scan_json(scan, stripping_many)
    assert code == 3 and asked == NOT_SERVED_AFTER
    all_unknown_saying_not_served(doc)

    code, doc, asked = scan_json(scan, stripping_many)
    assert code == 3 and asked == 1
    reasons = all_unknown_saying_not_served(doc)
    assert sum("remembered verdict learned" in r for r in reasons) == len(NAMES) - 1

    before = len(stripping_many.requests)
    code, doc, _ = scan_json(scan, stripping_many, "--offline")
    assert code == 3 and len(stripping_many.requests) == before
    reasons = all_unknown_saying_not_served(doc)
    assert all("remembered verdict learned" in r for r in reasons)
    assert not any("not in cache" in r for r in reasons)

    code, doc, asked = scan_json(scan, stripping_many, "--refresh")
    assert code == 3 and asked == NOT_SERVED_AFTER
    reasons = all_unknown_saying_not_served(doc)
    assert not any("remembered" in r for r in reasons)


@pytest.mark.parametrize("command", ["scan", "pin", "readiness", "diff", "install"])
def test_refresh_is_a_lookup_option(command: str) -> None:
    from click.testing import CliRunner

    from pyvouch.cli.main import cli

    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "--refresh" in result.output
