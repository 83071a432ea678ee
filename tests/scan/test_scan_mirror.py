"""A mirror that strips provenance (api-version 1.1, no provenance keys, integrity endpoint
404, like this machine's PyPI mirror): every file is `unknown` with the reason, never
`unattested`; without a policy that is an incomplete result (exit 3)."""

from __future__ import annotations

import pytest

from tests.scan.conftest import Scan, files_of, packages_of
from tests.support.index_servers import IndexServer
from tests.support.scan_sites import DISTS, LOCKS, provenance_path


@pytest.mark.parametrize("lock_name", ["uv.lock", "requirements.txt", "Pipfile.lock"])
def test_stripping_mirror_is_unknown_never_unattested(
    scan: Scan, stripping: IndexServer, lock_name: str
) -> None:
    lock = scan.write(lock_name, LOCKS[lock_name]())
    code, doc = scan.json(str(lock), "--index-url", stripping.url("/simple/"))
    assert code == 3
    files = files_of(doc)
    assert set(files) == {d.filename for d in DISTS}
    for entry in files.values():
        assert entry["status"] == "unknown", entry
        assert "does not serve provenance" in entry["reason"]
        assert "api-version 1.1" in entry["reason"]
        assert "404" in entry["reason"]
    assert {p["status"] for p in packages_of(doc).values()} == {"unknown"}
    assert {p["coverage"] for p in packages_of(doc).values()} == {"unknown"}
    assert doc["summary"]["unattested"] == 0 and doc["summary"]["unknown"] == 3
    # it asked the integrity endpoint once per file, and nothing else there
    for dist in DISTS:
        assert stripping.count(provenance_path(dist)) == 1


def test_stripping_mirror_table_says_it_cannot_tell(scan: Scan, stripping: IndexServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    result = scan(str(lock), "--index-url", stripping.url("/simple/"))
    assert result.exit_code == 3
    assert "unattested" not in result.stdout
    assert "unknown" in result.stdout


def test_collect_mode_exits_zero_and_still_says_unknown(scan: Scan, stripping: IndexServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(str(lock), "--index-url", stripping.url("/simple/"), "--mode", "collect")
    assert code == 0
    assert {f["status"] for f in files_of(doc).values()} == {"unknown"}
