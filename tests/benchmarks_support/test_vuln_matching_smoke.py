"""benchmarks/vuln_matching.py still runs (5 packages of the real snapshot; no timings
asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vulns.conftest import SNAPSHOT, needs_snapshot

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.corpus
@needs_snapshot
def test_vuln_matching_runs_cold_and_warm(tmp_path: Path) -> None:
    db = tmp_path / "db"
    for name in ("jinja2", "urllib3", "requests", "pyyaml", "redis", "py"):
        shutil.copytree(SNAPSHOT / "vulns" / name, db / "vulns" / name)
    argv = [sys.executable, str(BENCHMARKS / "vuln_matching.py"), "--db", str(db)]
    done = subprocess.run(
        [*argv, "--packages", "5", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["packages"] == 5 and result["affected"] >= 1
    assert result["cold"]["match_s"] > 0 and result["warm"]["match_s"] > 0
