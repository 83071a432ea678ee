"""`pyvouch dashboard` over a year of daily scans: build time and peak memory of the command,
and the load time of its largest page in headless Chromium.

    python benchmarks/dashboard_bench.py [--repos 50 --days 365 --packages 60] [--runs 5]
        [--browser-runs 5] [--store PATH]

Without ``--store`` the store (SQLite) is generated first with
`pyvouch.testing.history_store` (its load time is reported, not measured as the dashboard's);
``--store`` reuses one (e.g. from an earlier run with ``--keep PATH``). Each build is a fresh
``pyvouch dashboard`` process; each page load a fresh navigation in one browser. Prints one
JSON line: medians and every run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _bench
from pyvouch.store.engine import open_store
from pyvouch.store.location import resolve_store
from pyvouch.testing.history_store import HistoryPlan, fill_store

ROOT = Path(__file__).resolve().parents[1]


def _make_store(path: Path, args: argparse.Namespace) -> float:
    plan = HistoryPlan(repositories=args.repos, days=args.days, packages=args.packages)
    start = time.perf_counter()
    with open_store(resolve_store(str(path))) as store:
        fill_store(store, plan, bulk=True)
    return time.perf_counter() - start


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _builds(store: Path, work: Path, runs: int) -> tuple[list[tuple[_bench.Run, float]], Path]:
    """Each build: the process's wall time and peak memory, and the CPU time it used (on a
    shared machine the wall time also counts the time other processes held the cores)."""
    out: list[tuple[_bench.Run, float]] = []
    site = work / "site"
    for _ in range(runs):
        cpu = _cpu_children()
        run = _bench.run_measured(
            [*_bench.PYVOUCH, "dashboard", "--store", str(store), "--out", str(site)]
        )
        if run.returncode != 0:
            raise SystemExit(run.stderr.decode(errors="replace")[-2000:])
        out.append((run, _cpu_children() - cpu))
    return out, site


def _page_loads(page: Path, runs: int) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from tests.support.browser import chromium

    loads = []
    with chromium() as driver:
        driver.get(page.as_uri())  # the first load warms the browser, not measured
        for _ in range(runs):
            driver.get("about:blank")
            driver.get(page.as_uri())
            load_ms = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return n.loadEventEnd - n.startTime;"
            )
            loads.append(float(load_ms) / 1000)
    return loads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--packages", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--store", type=Path, help="an existing store to build from")
    parser.add_argument("--keep", type=Path, help="keep the generated store at this path")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"what": "dashboard"}
    with tempfile.TemporaryDirectory(prefix="pyvouch-dashboard-bench-") as tmp:
        work = Path(tmp)
        store = args.store
        if store is None:
            store = work / "history.sqlite3"
            result.update(repos=args.repos, days=args.days, packages=args.packages)
            result["store_load_s"] = round(_make_store(store, args), 1)
            if args.keep:
                shutil.copyfile(store, args.keep)
        result["store_mb"] = round(store.stat().st_size / 1e6, 1)
        builds, site = _builds(store, work, args.runs)
        walls = [b.wall_s for b, _ in builds]
        cpus = [cpu for _, cpu in builds]
        result["build_s"] = round(statistics.median(walls), 2)
        result["build_all_s"] = [round(w, 2) for w in walls]
        result["build_cpu_s"] = round(statistics.median(cpus), 2)
        result["build_cpu_all_s"] = [round(c, 2) for c in cpus]
        result["peak_rss_mb"] = max(b.peak_rss_mb for b, _ in builds)
        pages = sorted(site.rglob("*.html"), key=lambda p: p.stat().st_size)
        largest = pages[-1]
        result["pages"] = len(pages)
        result["largest_page"] = str(largest.relative_to(site))
        result["largest_page_kb"] = round(largest.stat().st_size / 1024, 1)
        if args.browser_runs:
            loads = _page_loads(largest, args.browser_runs)
            result["largest_page_load_s"] = round(statistics.median(loads), 3)
            result["largest_page_load_all_s"] = [round(x, 3) for x in loads]
    print(json.dumps({**result, **_bench.machine()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
