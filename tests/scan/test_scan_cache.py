"""Cache reuse between runs, `--offline`, and `--dry-run` (which touches no network)."""

from __future__ import annotations

from tests.scan.conftest import Scan, files_of
from tests.support.index_servers import IndexServer
from tests.support.scan_sites import DISTS, LOCKS, requirements_pinned
from tests.support.static_server import StaticServer


def _provenance_requests(server: StaticServer) -> int:
    return sum(1 for _, path, _ in server.requests if path.startswith("/integrity/"))


def _statuses(doc: dict[str, object]) -> dict[str, tuple[str, object]]:
    return {name: (f["status"], f["publisher"]) for name, f in files_of(doc).items()}  # type: ignore[arg-type]


def test_second_run_makes_no_provenance_requests(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, cold = scan.json(str(lock), "--index-url", served.index_url)
    assert code == 0
    assert _provenance_requests(served) == 3  # the three attested sdists
    before = len(served.requests)
    code, warm = scan.json(str(lock), "--index-url", served.index_url)
    assert code == 0
    assert _provenance_requests(served) == 3  # none more
    assert _statuses(warm) == _statuses(cold)
    assert len(served.requests) - before <= 3  # at most the three project pages, revalidated


def test_offline_after_a_warm_run_gives_the_same_result_without_requests(
    scan: Scan, served: StaticServer
) -> None:
    lock = scan.write("requirements.txt", LOCKS["requirements.txt"]())
    code, warm = scan.json(str(lock), "--index-url", served.index_url)
    assert code == 0
    before = len(served.requests)
    code, offline = scan.json(str(lock), "--index-url", served.index_url, "--offline")
    assert code == 0
    assert len(served.requests) == before
    assert _statuses(offline) == _statuses(warm)
    assert {s for s, _ in _statuses(offline).values()} == {"verified", "unattested"}


def test_offline_cold_is_unknown_not_in_cache(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(str(lock), "--index-url", served.index_url, "--offline")
    assert code == 3
    assert served.requests == []
    files = files_of(doc)
    assert set(files) == {d.filename for d in DISTS}
    for entry in files.values():
        assert entry["status"] == "unknown"
        assert "offline: not in cache" in entry["reason"]


def test_cache_is_per_index(scan: Scan, served: StaticServer, stripping: IndexServer) -> None:
    """What one index served is not reused as another index's answer."""
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    assert scan.json(str(lock), "--index-url", served.index_url)[0] == 0
    code, doc = scan.json(str(lock), "--index-url", stripping.url("/simple/"))
    assert code == 3
    assert {f["status"] for f in files_of(doc).values()} == {"unknown"}


def test_dry_run_makes_no_requests(scan: Scan, served: StaticServer) -> None:
    for name, text in [*((n, w()) for n, w in LOCKS.items()), ("reqs.txt", requirements_pinned())]:
        lock = scan.write(name, text)
        result = scan(str(lock), "--index-url", served.index_url, "--dry-run", "--no-resolve")
        assert result.exit_code == 0, (name, result.output)
        assert "3 packages; nothing was looked up (--dry-run)" in result.stdout
        assert "sampleproject 3.0.0" in result.stdout
    assert served.requests == []
    assert not scan.cache.exists()


def test_dry_run_names_the_files_a_lock_records(scan: Scan) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    result = scan(str(lock), "--dry-run")
    assert result.exit_code == 0
    for dist in DISTS:
        assert dist.filename in result.stdout
