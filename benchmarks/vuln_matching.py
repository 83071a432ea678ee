"""Match a lock of N real packages against a whole OSV database, cold and warm.

The lock: N distinct package names of the database (sorted, every k-th so the spread is even)
with, for each, a version its first advisory lists (so most are affected) or ``0.0.1`` when it
lists none. Each run is a fresh interpreter (``--inner``): it times `check_packages` alone
(reading the database, matching, merging, rating) and prints it; the outer process also takes
the wall time and the peak memory of the whole process. Cold: a new, empty cache directory
each run (every advisory file parsed). Warm: the same cache directory, primed by one run first
(the sealed parsed database is read). Medians of ``--runs`` runs; one JSON line.

    python benchmarks/vuln_matching.py [--db ../shared/fixtures/osv/pypa-advisory-database]
        [--packages 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DEFAULT_DB = HERE.parent.parent / "shared" / "fixtures" / "osv" / "pypa-advisory-database"


def _lock(db: Path, count: int) -> list[tuple[str, str]]:
    import yaml

    folders = sorted(p for p in (db / "vulns").iterdir() if p.is_dir())
    if len(folders) < count:
        raise SystemExit(f"{db} names {len(folders)} packages, fewer than {count}")
    step = len(folders) / count
    chosen = [folders[int(i * step)] for i in range(count)]
    pins = []
    for folder in chosen:
        version = "0.0.1"
        first = next(iter(sorted(folder.glob("*.yaml"))), None)
        if first is not None:
            doc = yaml.safe_load(first.read_text("utf-8"))
            listed = [v for a in doc.get("affected", []) for v in a.get("versions", [])]
            if listed:
                version = str(listed[len(listed) // 2])
        pins.append((folder.name, version))
    return pins


def _inner(db: Path, cache: Path, lock: Path) -> None:
    start = time.perf_counter()
    from pyvouch.model import Package
    from pyvouch.vulns.check import VulnSources, check_packages
    from pyvouch.vulns.osv_api import OsvSettings

    imported = time.perf_counter()
    cpu = time.process_time()
    pins = json.loads(lock.read_text("utf-8"))
    packages = [Package(name, version) for name, version in pins]
    report = check_packages(packages, VulnSources(db=db, osv=OsvSettings(cache_dir=cache)))
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    findings = sum(len(p.findings) for p in report.packages)
    affected = sum(p.status.value == "affected" for p in report.packages)
    print(
        json.dumps(
            {
                "match_s": round(done - imported, 4),
                "match_cpu_s": round(cpu, 4),
                "import_s": round(imported - start, 4),
                "findings": findings,
                "affected": affected,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--inner", nargs=3, metavar=("DB", "CACHE", "LOCK"))
    args = parser.parse_args()
    if args.inner:
        _inner(*(Path(a) for a in args.inner))
        return
    from _bench import machine, run_measured

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        lock = root / "lock.json"
        lock.write_text(json.dumps(_lock(args.db, args.packages)), "utf-8")
        env = {**os.environ, "PYVOUCH_DATA_DIR": str(root / "data")}

        def once(cache: Path) -> tuple[dict[str, float], float, float]:
            argv = [sys.executable, __file__, "--inner", str(args.db), str(cache), str(lock)]
            run = run_measured(argv, env=env)
            if run.returncode != 0:
                raise SystemExit(run.stderr.decode(errors="replace")[-2000:])
            inner: dict[str, float] = json.loads(run.stdout.decode().strip().splitlines()[-1])
            return inner, run.wall_s, run.peak_rss_mb

        cold = [once(root / f"cold-{i}") for i in range(args.runs)]
        once(root / "warm")
        warm = [once(root / "warm") for _ in range(args.runs)]

    def summary(runs: list[tuple[dict[str, float], float, float]]) -> dict[str, float]:
        return {
            "match_s": round(statistics.median(r[0]["match_s"] for r in runs), 3),
            "match_cpu_s": round(statistics.median(r[0]["match_cpu_s"] for r in runs), 3),
            "process_s": round(statistics.median(r[1] for r in runs), 3),
            "peak_rss_mb": round(statistics.median(r[2] for r in runs), 1),
        }

    print(
        json.dumps(
            {
                "benchmark": "vuln_matching",
                "packages": args.packages,
                "runs": args.runs,
                "affected": cold[0][0]["affected"],
                "findings": cold[0][0]["findings"],
                "cold": summary(cold),
                "warm": summary(warm),
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
