"""Sixteen CI jobs recording into one PostgreSQL at once: every scan is there exactly once,
and a run recorded by several of them (a retried job) is one scan."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from pyvouch.store.engine import open_store
from pyvouch.store.location import resolve_store
from pyvouch.store.tables import scan_files, scan_packages, scans
from pyvouch.testing.postgres import Cluster
from tests.store.concurrent_writer import run_id

WRITERS = 16
SCANS = 50
SHARED = 5
ROOT = Path(__file__).resolve().parents[2]


def test_sixteen_writers_lose_and_duplicate_nothing(pg_cluster: Cluster, tmp_path: Path) -> None:
    url = pg_cluster.create_database("concurrency")
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.store.concurrent_writer",
                url,
                str(w),
                str(SCANS),
                str(SHARED),
                str(go),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    go.touch()
    failures = []
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        if proc.returncode != 0:
            failures.append(err[-2000:])
    assert not failures, failures[0]
    with open_store(resolve_store(url)) as store, store.begin() as conn:
        runs = list(conn.execute(select(scans.c.run_id, scans.c.id)))
        packages = conn.execute(select(func.count()).select_from(scan_packages)).scalar_one()
        files = conn.execute(select(func.count()).select_from(scan_files)).scalar_one()
    expected = {run_id(f"w{w}-{i}") for w in range(WRITERS) for i in range(SCANS)}
    expected |= {run_id(f"shared-{i}") for i in range(SHARED)}
    ids = [r for r, _ in runs]
    assert len(ids) == len(set(ids)) == len(expected)
    assert set(ids) == expected
    # every scan has all its rows: none half-written, none written twice
    assert packages == files == len(expected) * 5
