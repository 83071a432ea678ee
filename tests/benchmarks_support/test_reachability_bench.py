"""benchmarks/reachability_bench.py still runs (a tiny project and environment; no timings
asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "reachability_bench.py"


def test_the_reachability_benchmark_runs_on_a_given_project(tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "main.py").write_text("import helper\n", encoding="utf-8")
    site = tmp_path / "site-packages"
    (site / "helper").mkdir(parents=True)
    (site / "helper" / "__init__.py").write_text("import json\n", encoding="utf-8")
    info = site / "helper-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: helper\nVersion: 1.0\n")
    (info / "RECORD").write_text("helper/__init__.py,,\nhelper-1.0.dist-info/METADATA,,\n")
    done = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--project", str(project), "--env", str(site)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["exposures"] == {"direct": 1}
    assert (result["files_parsed_cold"], result["files_cached_warm"]) == (2, 2)
    assert result["first_party_lines"] == 1
    for key in ("cold_s", "warm_s", "cold_cpu_s", "max_rss_mb_cold"):
        assert isinstance(result[key], float) and result[key] > 0, key
