"""A mirror that strips provenance (api-version 1.1, no provenance keys, integrity endpoint
404, like this machine's PyPI mirror): every file is `unknown` with the reason, never
`unattested`; without a policy that is an incomplete result (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scan.conftest import Scan, files_of, packages_of
from tests.support.index_servers import IndexServer, Reply
from tests.support.scan_sites import DISTS, GITLAB, LOCKS, PA_SDIST, SAMPLE, provenance_path


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


def test_partly_served_index_says_what_is_true_of_each_file(
    scan: Scan, mirror: IndexServer, site: Path
) -> None:
    """An index that serves provenance for some files: the file it serves none for is
    `unknown` with a reason about that file, never "this index does not serve provenance"."""
    page = json.loads((site / "simple" / "sampleproject" / "index.json").read_text())
    for entry in page["files"]:
        entry.pop("provenance", None)  # this page lists no provenance keys
    mirror.route("/simple/sampleproject/", Reply(body=json.dumps(page).encode()))
    mirror.route(provenance_path(SAMPLE), Reply(status=404))
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(str(lock), "--index-url", mirror.url("/simple/"))
    assert code == 3
    files = files_of(doc)
    assert files[PA_SDIST.filename]["status"] == "verified"
    assert files[GITLAB.filename]["status"] == "verified"
    sample = files[SAMPLE.filename]
    assert sample["status"] == "unknown"
    assert f"the index does not serve provenance for {SAMPLE.filename}" in sample["reason"]
    assert "its page lists no provenance keys" in sample["reason"]
    assert "integrity endpoint 404" in sample["reason"]
    assert "this index does not serve provenance" not in sample["reason"]
