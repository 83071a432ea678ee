"""Scan at growing lock sizes: is the cost linear in the packages, and is memory flat?

    python benchmarks/scan_scale.py [--sizes 500,1000,2500,5000] [--runs 3] \
        [--corpus-packages 10000] [--latency-ms 50] [--no-floor]

Runs ``scan.py`` once per size (each a fresh server, lock and cache; ``--runs`` cold and warm
scans each, the floor measured in the same run unless ``--no-floor``) against one corpus, and
prints one JSON line: per size the medians scan.py reports, plus CPU per package cold and warm;
then ``cpu_per_package_growth``: each size's CPU per package over the smallest size's (1.0 at
every size means linear; above 1 means a size costs more per package than a small lock does),
and the peak PSS at the largest size. The 10,000-package corpus (seed 740) is made once on
first use (see README: ~100 s idle) and reused.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEPT = (
    "cold_s",
    "cold_cpu_s",
    "warm_s",
    "warm_cpu_s",
    "requests",
    "warm_requests",
    "cold_floor_cpu_s",
    "warm_floor_cpu_s",
    "cold_cpu_ratio_to_floor",
    "warm_cpu_ratio_to_floor",
    "cold_ratio_to_floor",
    "warm_ratio_to_floor",
    "peak_pss_mb",
    "peak_rss_mb",
    "load_1m",
)


def one_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    argv = [
        sys.executable, str(HERE / "scan.py"), "--packages", str(size),
        "--runs", str(args.runs), "--latency-ms", str(args.latency_ms),
        "--jobs", str(args.jobs),
    ]  # fmt: skip
    argv += ["--corpus", str(args.corpus)] if args.corpus else []
    argv += ["--corpus-packages", str(args.corpus_packages)] if not args.corpus else []
    argv += ["--no-floor"] if args.no_floor else []
    done = subprocess.run(argv, capture_output=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace")[-3000:])
        raise SystemExit(f"scan.py --packages {size} exited {done.returncode}")
    measured = json.loads(done.stdout.decode().strip().splitlines()[-1])
    row = {"packages": size, **{k: measured[k] for k in KEPT if k in measured}}
    row["cold_cpu_ms_per_package"] = round(1000 * measured["cold_cpu_s"] / size, 3)
    row["warm_cpu_ms_per_package"] = round(1000 * measured["warm_cpu_s"] / size, 3)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2500,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--jobs", type=int, default=64)
    parser.add_argument("--corpus-packages", type=int, default=10000)
    parser.add_argument("--corpus", type=Path, help="use this corpus instead of the cached one")
    parser.add_argument("--no-floor", action="store_true")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        parser.error("--sizes needs positive package counts, e.g. 500,1000")
    rows = [one_size(size, args) for size in sizes]
    first = rows[0]
    growth = {
        label: [
            round(r[f"{label}_cpu_ms_per_package"] / first[f"{label}_cpu_ms_per_package"], 2)
            for r in rows
        ]
        for label in ("cold", "warm")
    }
    print(
        json.dumps(
            {
                "sizes": sizes,
                "rows": rows,
                "cpu_per_package_growth": growth,
                "peak_pss_mb_at_largest": rows[-1].get("peak_pss_mb"),
                "runs": args.runs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
