"""The benchmark scripts still run (tiny sizes; no timings asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _run(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    result: dict[str, object] = json.loads(line)
    return result


def test_make_corpus_then_verify_throughput(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    made = _run(
        str(BENCHMARKS / "make_corpus.py"),
        "--packages", "3", "--seed", "1", "--out", str(out), "--unattested", "0",
        "--invalid", "0", "--identity-changed", "0", "--quiet",
    )  # fmt: skip
    assert made["packages"] == 3 and made["attestations"] == 6
    assert (out / "site" / "simple" / "index.html").is_file()
    measured = _run(str(BENCHMARKS / "verify_throughput.py"), "--count", "4", "--corpus", str(out))
    assert measured["count"] == 4
    for key in (
        "ms_per_attestation", "floor_ms_per_attestation", "floor_cpu_ms_per_attestation",
        "cpu_s", "cpu_ratio_to_floor", "peak_rss_mb",
    ):  # fmt: skip
        value = measured[key]
        assert isinstance(value, float) and value > 0, key


def test_make_corpus_writes_by_default_where_the_benchmarks_read(tmp_path: Path) -> None:
    """Without --out the corpus lands in benchmarks/out/corpus-seedS-nN/ (git-ignored), the
    folder `_bench.corpus` (verify_throughput.py, scan.py) reads; a second run keeps it."""
    import shutil

    copy = tmp_path / "benchmarks"
    shutil.copytree(BENCHMARKS, copy, ignore=shutil.ignore_patterns("out", "__pycache__"))
    args = (str(copy / "make_corpus.py"), "--packages", "2", "--seed", "5", "--quiet")
    made = _run(*args)
    expected = copy / "out" / "corpus-seed5-n2"
    assert made["out"] == str(expected)
    assert (expected / "manifest.json").is_file()
    manifest = (expected / "manifest.json").read_bytes()
    again = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=180, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "already there" in again.stderr
    assert (expected / "manifest.json").read_bytes() == manifest
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import _bench

        assert _bench.corpus_dir(2, 5, copy / "out") == expected
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.slow
def test_install_lock_benchmark_runs(small_corpus: tuple[Path, object], tmp_path: Path) -> None:
    """benchmarks/install_lock.py at a tiny size: both installers, the gate's report checked."""
    corpus, _ = small_corpus
    measured = _run(
        str(BENCHMARKS / "install_lock.py"), "--packages", "2", "--runs", "1",
        "--latency-ms", "0", "--corpus", str(corpus),
    )  # fmt: skip
    for installer in ("pip", "uv"):
        result = measured[installer]
        assert isinstance(result, dict)
        assert result["bare_s"] > 0 and result["gated_s"] > 0, result


def test_scan_measures_pyvouch_beside_the_transport_and_cryptography_floor(
    small_corpus: tuple[Path, object],
) -> None:
    """scan.py replays the URLs pyvouch fetched through raw_fetch.py (the same count, so the
    floor is the same work) and times bare verify_dsse over the lock's attestations."""
    corpus, _ = small_corpus
    measured = _run(
        str(BENCHMARKS / "scan.py"), "--corpus", str(corpus), "--packages", "6",
        "--latency-ms", "1", "--runs", "1", "--seed", "3",
    )  # fmt: skip
    assert measured["files"] == 12
    requests = measured["requests"]
    assert isinstance(requests, int) and requests >= 6  # a page or provenance per package
    for key in ("cold_s", "cold_cpu_s", "cold_transport_floor_s", "crypto_floor_cpu_s"):
        value = measured[key]
        assert isinstance(value, float) and value > 0, key
    for key in ("cold_floor_s", "cold_ratio_to_floor", "cold_cpu_ratio_to_floor"):
        value = measured[key]
        assert isinstance(value, float) and value > 0, key


def test_scan_scale_reports_cost_per_package_at_each_size(
    small_corpus: tuple[Path, object],
) -> None:
    """scan_scale.py runs scan.py once per size and relates each size's CPU per package to the
    smallest size's (linear growth is 1.0 at every size)."""
    corpus, _ = small_corpus
    measured = _run(
        str(BENCHMARKS / "scan_scale.py"), "--corpus", str(corpus), "--sizes", "4,2",
        "--latency-ms", "1", "--runs", "1", "--no-floor",
    )  # fmt: skip
    assert measured["sizes"] == [2, 4]
    rows = measured["rows"]
    assert isinstance(rows, list) and [r["packages"] for r in rows] == [2, 4]
    for row in rows:
        assert row["cold_cpu_ms_per_package"] > 0 and row["warm_cpu_ms_per_package"] > 0, row
    growth = measured["cpu_per_package_growth"]
    assert isinstance(growth, dict) and growth["cold"][0] == 1.0 and len(growth["warm"]) == 2


def test_startup_measures_version_and_a_cached_scan(small_corpus: tuple[Path, object]) -> None:
    corpus, _ = small_corpus
    measured = _run(
        str(BENCHMARKS / "startup.py"), "--corpus", str(corpus), "--packages", "4", "--runs", "1"
    )
    version, cached = measured["version"], measured["cached_scan"]
    assert isinstance(version, dict) and isinstance(cached, dict)
    assert version["cpu_s"] > 0 and cached["cpu_s"] > 0
    assert "sigstore" not in version["heavy_imported"]
    assert "sigstore" not in cached["heavy_imported"]  # a cached scan verifies nothing again


def test_store_bench_records_and_queries_at_tiny_sizes() -> None:
    bench = str(BENCHMARKS / "store_bench.py")
    recorded = _run(bench, "record", "--scans", "3", "--packages", "5", "--backend", "sqlite")
    assert recorded["sqlite"]["scans_per_s"] > 0  # type: ignore[index]
    history = _run(
        bench, "history", "--repos", "2", "--days", "3", "--packages", "4", "--backend", "sqlite"
    )
    rows = history["sqlite"]["rows"]  # type: ignore[index]
    # one point per repository, day and tier (the first 20 packages are critical: one tier)
    assert rows["overview"] == 2 and rows["coverage_all_days"] == 2 * 3


def test_dashboard_bench_builds_at_tiny_sizes() -> None:
    bench = str(BENCHMARKS / "dashboard_bench.py")
    result = _run(
        bench, "--repos", "2", "--days", "8", "--packages", "4", "--runs", "1",
        "--browser-runs", "0",
    )  # fmt: skip
    assert result["pages"] == 1 + 2 + 4
    assert str(result["largest_page"]).endswith(".html")


def test_transport_cpu_measures_pyvouch_beside_a_raw_client() -> None:
    """transport_cpu.py at a tiny size: both clients at both concurrencies, every figure real."""
    measured = _run(
        str(BENCHMARKS / "transport_cpu.py"), "--requests", "60", "--runs", "1",
        "--concurrency", "4", "16",
    )  # fmt: skip
    assert measured["requests"] == 60
    for c in ("c4", "c16"):
        for key in (f"pyvouch_cpu_ms_{c}", f"raw_cpu_ms_{c}", f"ratio_{c}", f"pyvouch_wall_s_{c}"):
            value = measured[key]
            assert isinstance(value, float) and value > 0, key
