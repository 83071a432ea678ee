"""Start-up: `pyvouch --version` and a fully cached scan of a small lock, wall and CPU time.

    python benchmarks/startup.py [--runs 7] [--packages 20] [--latency-ms 0]

``--version``: ``--runs`` fresh processes. Cached scan: a pylock.toml of ``--packages`` corpus
projects (as scan.py writes it) scanned once cold against the corpus site on 127.0.0.1 (as
scan.py serves it), then ``--runs`` times warm with the same cache. Prints one JSON line with
medians of wall and CPU time (user + system of the process and its children), the requests a
warm scan still makes, and, from one ``python -X importtime`` run of each, the import time the
interpreter reports (cumulative, top-level modules) and which heavy libraries were imported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench
import scan

HEAVY = ("sigstore", "pypi_attestations", "cryptography", "pydantic", "rich", "aiohttp", "click")


def imports(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Import time (s, summed over top-level imports) and the heavy libraries imported."""
    python, rest = argv[0], argv[1:]
    done = subprocess.run(
        [python, "-X", "importtime", *rest], env=env, capture_output=True, check=False, timeout=300
    )
    total, seen = 0, set()
    for line in done.stderr.decode(errors="replace").splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        module = name.rstrip()
        if module.strip() in HEAVY or module.strip().split(".")[0] in HEAVY:
            seen.add(module.strip().split(".")[0])
        if not module.startswith("  ") and cumulative.strip().isdigit():
            total += int(cumulative)  # a top-level import (no indentation)
    return {"import_s": round(total / 1e6, 3), "heavy_imported": sorted(seen)}


def measure(argv: list[str], env: dict[str, str], runs: int) -> dict[str, Any]:
    walls, cpus, loads = [], [], []
    for _ in range(runs):
        run = _bench.run_measured(argv, env=env)
        if run.returncode not in (0, 1, 3):
            sys.stderr.write(run.stderr.decode(errors="replace")[-3000:])
            raise SystemExit(f"{argv[2:4]} exited {run.returncode}")
        walls.append(run.wall_s)
        cpus.append(run.cpu_s)
        loads.append(run.load_1m)
    return {
        "wall_s": round(statistics.median(walls), 3),
        "cpu_s": round(statistics.median(cpus), 3),
        "wall_all_s": [round(w, 3) for w in walls],
        "load_1m_runs": loads,
        **imports(argv, env),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--packages", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--corpus", type=Path, help="use this corpus instead of the cached one")
    args = parser.parse_args(argv)
    corpus = args.corpus or _bench.corpus()
    _bench.precompile()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160"}
    env.pop("PIP_INDEX_URL", None)
    result: dict[str, Any] = {"version": measure([*_bench.PYVOUCH, "--version"], env, args.runs)}
    with tempfile.TemporaryDirectory(prefix="pyvouch-startup-bench-") as tmp:
        work = Path(tmp)
        lock = work / "pylock.toml"
        expected = scan.write_lock(corpus, args.packages, _bench.DEFAULT_SEED, lock, "pylock")
        with scan.serve(corpus / "site", args.latency_ms) as (index_url, counter):
            report = work / "report.json"
            argv_ = [
                *_bench.PYVOUCH, "scan", str(lock), "--index-url", index_url,
                "--trust-root", str(corpus / "trusted_root.json"),
                "--cache-dir", str(work / "cache"), "--format", "json", "--output", str(report),
            ]  # fmt: skip
            cold = _bench.run_measured(argv_, env=env)
            if cold.returncode not in (0, 1, 3):
                raise SystemExit(f"the cold scan exited {cold.returncode}")
            scan.check_report(report, expected)
            before = len(counter)
            warm = measure(argv_, env, args.runs)
            scan.check_report(report, expected)
            warm["requests"] = (len(counter) - before) // (args.runs + 1)
    result["cached_scan"] = {"packages": args.packages, "files": len(expected), **warm}
    result.update({"runs": args.runs, **_bench.machine()})
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
