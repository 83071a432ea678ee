"""Reachability of a large real codebase with its installed dependencies, cold and warm.

Default corpus: Django (155k lines of Python) installed from PyPI into a scratch venv with
some of the libraries its code imports (jinja2, pyyaml, docutils, pygments, redis, tblib), its
``django`` package copied out as the "first-party" project. Each run is a fresh process
(``--child``) that times `pyvouch.reachability.analyse` alone; the parent samples the
process's peak memory. Cold: an empty cache directory every run; warm: the cache a cold run
left. Prints one JSON line.

    python benchmarks/reachability_bench.py [--runs 5] [--workdir DIR]
    python benchmarks/reachability_bench.py --project DIR --env VENV   # any project
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PACKAGES = (
    "django==5.1.4",
    "jinja2==3.1.6",
    "pyyaml==6.0.2",
    "docutils==0.21.2",
    "pygments==2.19.1",
    "redis==5.2.1",
    "tblib==3.0.0",
)
PROJECT_PACKAGE = "django"


def _setup(workdir: Path) -> tuple[Path, Path]:
    """The venv with `PACKAGES` and the project (a copy of the django package), made once."""
    venv = workdir / "venv"
    project = workdir / "project"
    if not (project / PROJECT_PACKAGE / "__init__.py").is_file():
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
             "--quiet", "--only-binary", ":all:", *PACKAGES],
            check=True,
        )  # fmt: skip
        (site,) = venv.glob("lib/python3*/site-packages")
        shutil.copytree(site / PROJECT_PACKAGE, project / PROJECT_PACKAGE)
    return project, venv


def _lines(folder: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in folder.rglob("*.py"))


def child(source: Path, env: Path, cache: Path | None) -> None:
    start = time.perf_counter()
    from pyvouch.reachability import ReachabilityRequest
    from pyvouch.reachability.analyse import analyse_counted

    imported = time.perf_counter() - start
    request = ReachabilityRequest(
        source_dirs=(source,), environment=env, cache_dir=cache, use_cache=cache is not None
    )
    start, cpu = time.perf_counter(), time.process_time()
    report, counts = analyse_counted(request)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    exposures: dict[str, int] = {}
    for evidence in report.by_distribution.values():
        exposures[evidence.exposure.value] = exposures.get(evidence.exposure.value, 0) + 1
    print(json.dumps({
        "analysis_s": round(seconds, 3),
        "analysis_cpu_s": round(cpu, 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "import_s": round(imported, 3),
        "first_party_files": counts.first_party_files,
        "modules": counts.modules,
        "parsed": counts.parsed,
        "cached": counts.cached,
        "skipped": len(report.skipped),
        "exposures": exposures,
    }))  # fmt: skip


def _run(source: Path, env: Path, cache: Path) -> dict[str, object]:
    from _bench import run_measured  # the parent only: the child imports nothing more

    argv = [sys.executable, __file__, "--child", "--source", str(source), "--env", str(env)]
    # The machine key lives beside the cache, outside it (never the user's data dir).
    environ = {**os.environ, "PYVOUCH_DATA_DIR": str(cache.parent / "data")}
    measured = run_measured([*argv, "--cache", str(cache)], env=environ)
    if measured.returncode != 0:
        raise SystemExit(measured.stderr.decode(errors="replace")[-2000:])
    result: dict[str, object] = json.loads(measured.stdout.decode().strip().splitlines()[-1])
    result["wall_s"] = round(measured.wall_s, 3)
    return result


def _median(runs: list[dict[str, object]], key: str) -> float:
    return round(statistics.median(float(str(r[key])) for r in runs), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=OUT / "reachability-django")
    parser.add_argument("--project", type=Path, help="first-party source dir (skip the setup)")
    parser.add_argument("--env", type=Path, help="its installed environment")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.source, args.env, args.cache)
        return
    sys.path.insert(0, str(HERE))
    from _bench import machine

    if args.project is not None and args.env is not None:
        source, env = args.project, args.env
    else:
        project, env = _setup(args.workdir)
        source = project / PROJECT_PACKAGE
    with tempfile.TemporaryDirectory(prefix="reach-bench-") as scratch:
        cold = []
        for i in range(args.runs):
            cold.append(_run(source, env, Path(scratch) / f"cold-{i}"))
        warm_cache = Path(scratch) / "cold-0"
        warm = [_run(source, env, warm_cache) for _ in range(args.runs)]
    print(json.dumps({
        "benchmark": "reachability",
        "machine": machine(),
        "first_party_lines": _lines(source),
        "first_party_files": cold[0]["first_party_files"],
        "modules": cold[0]["modules"],
        "files_parsed_cold": cold[0]["parsed"],
        "files_cached_warm": warm[0]["cached"],
        "exposures": cold[0]["exposures"],
        "runs": args.runs,
        "cold_s": _median(cold, "analysis_s"),
        "cold_range_s": [min(float(str(r["analysis_s"])) for r in cold),
                         max(float(str(r["analysis_s"])) for r in cold)],
        "warm_s": _median(warm, "analysis_s"),
        "warm_range_s": [min(float(str(r["analysis_s"])) for r in warm),
                         max(float(str(r["analysis_s"])) for r in warm)],
        "cold_cpu_s": _median(cold, "analysis_cpu_s"),
        "warm_cpu_s": _median(warm, "analysis_cpu_s"),
        "cold_wall_s": _median(cold, "wall_s"),
        "warm_wall_s": _median(warm, "wall_s"),
        "import_s": _median(warm, "import_s"),
        "max_rss_mb_cold": max(float(str(r["max_rss_mb"])) for r in cold),
        "max_rss_mb_warm": max(float(str(r["max_rss_mb"])) for r in warm),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
