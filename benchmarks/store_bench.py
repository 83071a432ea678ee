"""History store benchmark: recording, history queries, and what recording adds to a scan.

    python benchmarks/store_bench.py record   [--scans 1000] [--packages 500] [--backend both]
    python benchmarks/store_bench.py history  [--repos 50] [--days 365] [--packages 60]
                                              [--backend both]
    python benchmarks/store_bench.py overhead [--packages 500] [--runs 5] [--latency-ms 50]

``record``: ``--scans`` synthetic scans of ``--packages`` packages (two files each: 85 %
verified with a publisher identity, 10 % unattested, 5 % unknown; the first 20 critical)
recorded one by one with `pyvouch.store.write.record_scan` (one transaction each, as
``scan --record`` does) into a new SQLite file and into a new database of a private
PostgreSQL 15 cluster (`pyvouch.testing.postgres`; or ``--postgres URL``); scans per second.

``history``: a store holding ``--repos`` repositories x ``--days`` days of daily scans of
``--packages`` packages (loaded in bulk; a few packages change publisher or lose their
attestation on the way, a few unsigned ones are added), then each query of the read API
(`pyvouch.store.queries`) timed: overview, coverage per tier over the whole period, package
history, regressions, new unsigned (30 days), consistently signing (180 days); seconds, and
the peak RSS of the process.

``overhead``: `pyvouch scan` of a ``--packages`` lock of the benchmark corpus (as scan.py),
warm, ``--runs`` times each without and with ``--record --store FILE`` (SQLite), interleaved;
the medians and the difference in percent.

Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench
from pyvouch.store import queries
from pyvouch.store.engine import Store, open_store
from pyvouch.store.location import resolve_store
from pyvouch.store.records import Evidence, FileRecord, PackageRecord, RunInfo, ScanRecord
from pyvouch.store.write import (
    load_scans,
    record_scan,
)

PREDICATE = "https://docs.pypi.org/attestations/publish/v1"


def _identity(name: str, owner: str = "octo") -> str:
    return json.dumps(
        {"kind": "GitHub", "repository": f"{owner}/{name}", "workflow": "release.yml"}
    )


def package(name: str, version: str, status: str, tier: str, owner: str = "octo") -> PackageRecord:
    verified = status == "verified"
    files = tuple(
        FileRecord(
            filename=f"{name}-{version}{suffix}",
            sha256=uuid.uuid4().hex * 2,
            status=status,
            reason="bench",
            publisher=f"github:{owner}/{name}:release.yml" if verified else None,
            publisher_json=_identity(name, owner) if verified else None,
            predicate_types=(PREDICATE,) if verified else (),
            log_index=123456 if verified else None,
            identity_checked=False,
        )
        for suffix in ("-py3-none-any.whl", ".tar.gz")
    )
    return PackageRecord(
        name=name,
        version=version,
        status=status,
        coverage="all" if verified else ("unknown" if status == "unknown" else "none"),
        tier=tier,
        action="allow",
        rule=f"{tier}:verified",
        reasons=("bench",),
        files=files,
    )


def synthetic_packages(count: int, version: str = "1.0") -> tuple[PackageRecord, ...]:
    out = []
    for i in range(count):
        status = "unattested" if i % 10 == 3 else "unknown" if i % 20 == 7 else "verified"
        out.append(package(f"pkg-{i:04d}", version, status, "critical" if i < 20 else "long-tail"))
    return tuple(out)


def record(packages: tuple[PackageRecord, ...], repository: str, when: datetime) -> ScanRecord:
    return ScanRecord(
        run=RunInfo(str(uuid.uuid4()), when, "0.1.0", "4.5.1"),
        repository=repository,
        commit="0" * 40,
        branch="main",
        lock_path="pylock.toml",
        lock_format="pylock",
        index_url="https://pypi.org/simple",
        mode="collect",
        evidence=Evidence.VERIFIED,
        packages=packages,
    )


@contextmanager
def stores(backend: str, postgres: str | None) -> Iterator[list[tuple[str, str]]]:
    """``(backend, location)`` of new, empty stores."""
    with tempfile.TemporaryDirectory(prefix="pyvouch-store-bench-") as tmp:
        out: list[tuple[str, str]] = []
        if backend in ("sqlite", "both"):
            out.append(("sqlite", str(Path(tmp) / "history.sqlite3")))
        if backend not in ("postgresql", "both"):
            yield out
            return
        if postgres:
            out.append(("postgresql", postgres))
            yield out
            return
        from pyvouch.testing.postgres import start_cluster

        with start_cluster() as cluster:
            out.append(("postgresql", cluster.create_database(f"b_{uuid.uuid4().hex[:12]}")))
            yield out


def bench_record(args: argparse.Namespace) -> dict[str, Any]:
    packages = synthetic_packages(args.packages)
    result: dict[str, Any] = {"scans": args.scans, "packages": args.packages}
    with stores(args.backend, args.postgres) as targets:
        for backend, location in targets:
            with open_store(resolve_store(location)) as store:
                start = time.perf_counter()
                for _ in range(args.scans):
                    record_scan(store, record(packages, "github.com/org/app", datetime.now(UTC)))
                elapsed = time.perf_counter() - start
            result[backend] = {
                "seconds": round(elapsed, 2),
                "scans_per_s": round(args.scans / elapsed, 1),
                "ms_per_scan": round(elapsed / args.scans * 1000, 2),
            }
    return result


def history_records(
    repos: int, days: int, count: int, start: datetime
) -> Iterator[list[ScanRecord]]:
    """Per day, one scan per repository; packages drift: a few change publisher or lose their
    attestation (recorded as regressions), unsigned ones are added."""
    base = list(synthetic_packages(count))
    for day in range(days):
        when = start + timedelta(days=day)
        batch = []
        for r in range(repos):
            pkgs = list(base)
            if day > days // 2 and r % 10 == 0 and len(pkgs) > 5:
                changed = package(pkgs[5].name, "2.0", "mismatch", "critical", owner="mallory")
                pkgs[5] = replace(changed, regression="publisher changed", action="block")
            if day % 30 == 29 and r % 5 == 0:
                pkgs.append(package(f"new-{day}-{r}", "0.1", "unattested", "long-tail"))
            batch.append(
                record(tuple(pkgs), f"github.com/org/repo-{r:02d}", when + timedelta(minutes=r))
            )
        yield batch


def _timed(fn: Callable[[], Any]) -> tuple[float, int]:
    start = time.perf_counter()
    rows = fn()
    return round(time.perf_counter() - start, 3), len(rows)


def _query_timings(store: Store, repos: int) -> dict[str, tuple[float, int]]:
    month = datetime.now(UTC) - timedelta(days=30)
    half_year = datetime.now(UTC) - timedelta(days=180)
    one_repo = f"github.com/org/repo-{min(7, repos - 1):02d}"
    return {
        "overview": _timed(lambda: queries.overview(store)),
        "coverage_all_days": _timed(lambda: queries.coverage_over_time(store)),
        "package_history": _timed(lambda: queries.package_history(store, "pkg-0005")),
        "regressions": _timed(lambda: queries.regressions(store)),
        "new_unsigned_30d": _timed(lambda: queries.new_unsigned(store, month)),
        "signing_180d": _timed(lambda: queries.consistently_signing(store, half_year)),
        "scans_of_one_repo": _timed(lambda: queries.scans_of(store, one_repo)),
    }


def bench_history(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"repos": args.repos, "days": args.days, "packages": args.packages}
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=args.days)
    with stores(args.backend, args.postgres) as targets:
        for backend, location in targets:
            with open_store(resolve_store(location)) as store:
                t0 = time.perf_counter()
                for batch in history_records(args.repos, args.days, args.packages, start):
                    load_scans(store, batch)
                load_s = time.perf_counter() - t0
                timings = _query_timings(store, args.repos)
            result[backend] = {
                "load_s": round(load_s, 1),
                "queries_s": {k: v[0] for k, v in timings.items()},
                "rows": {k: v[1] for k, v in timings.items()},
            }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


_COST = """
import sys, time, uuid
from datetime import UTC, datetime
import pyvouch.cli.scan_cmd, pyvouch.pipeline.scan, pyvouch.report.json_report  # a scan's own
t0 = time.perf_counter()
from pyvouch.pipeline import recording
from pyvouch.store.engine import open_store
from pyvouch.store.location import resolve_store
from pyvouch.store.write import record_scan
t1 = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from store_bench import record, synthetic_packages
packages = synthetic_packages(int(sys.argv[3]))
t2 = time.perf_counter()
with open_store(resolve_store(sys.argv[1])) as store:
    t3 = time.perf_counter()
    recording.observations(store, [p.name for p in packages],
                           index_url="https://pypi.org/simple", repository="github.com/org/bench")
    t4 = time.perf_counter()
    record_scan(store, record(packages, "github.com/org/bench", datetime.now(UTC)))
    t5 = time.perf_counter()
print({"import_ms": (t1 - t0) * 1000, "open_ms": (t3 - t2) * 1000,
       "history_ms": (t4 - t3) * 1000, "record_ms": (t5 - t4) * 1000})
"""


def recording_cost(store: Path, packages: int, runs: int) -> dict[str, float]:
    """What --record does besides the scan, in a fresh interpreter that has imported what a scan
    imports anyway (medians over ``runs``): the store's imports (SQLAlchemy, psycopg's dialect),
    opening a current store, the history lookup for every package, and writing the scan."""
    import ast
    import subprocess

    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _COST, str(store), str(Path(__file__).parent), str(packages)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        for key, value in ast.literal_eval(done.stdout.strip()).items():
            samples.setdefault(key, []).append(value)
    cost = {key: round(statistics.median(values), 1) for key, values in samples.items()}
    cost["total_ms"] = round(sum(cost.values()), 1)
    return cost


def bench_overhead(args: argparse.Namespace) -> dict[str, Any]:
    import scan as scan_bench

    corpus = args.corpus or _bench.corpus(args.corpus_packages, _bench.DEFAULT_SEED)
    plain: list[float] = []
    recorded: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pyvouch-store-overhead-") as tmp:
        work = Path(tmp)
        lock = work / "pylock.toml"
        scan_bench.write_lock(corpus, args.packages, _bench.DEFAULT_SEED, lock, "pylock")
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("PIP_INDEX_URL", None)
        env.pop("PYVOUCH_STORE", None)
        with scan_bench.serve(corpus / "site", args.latency_ms) as (index_url, _counter):
            base = [
                *_bench.PYVOUCH, "scan", str(lock), "--index-url", index_url,
                "--trust-root", str(corpus / "trusted_root.json"),
                "--cache-dir", str(work / "cache"), "--format", "json",
                "--output", str(work / "report.json"), "--repo", "github.com/org/bench",
            ]  # fmt: skip
            store = ["--record", "--store", str(work / "history.sqlite3")]
            _bench.run_measured(base, env=env)  # cold: fills the cache
            _bench.run_measured([*base, *store], env=env)  # creates the store
            for _ in range(args.runs):
                for argv, out in ((base, plain), ([*base, *store], recorded)):
                    run = _bench.run_measured(argv, env=env)
                    if run.returncode not in (0, 1, 3):
                        raise SystemExit(run.stderr.decode(errors="replace")[-2000:])
                    out.append(run.wall_s)
        cost = recording_cost(work / "history.sqlite3", args.packages, args.runs)
    warm, with_record = statistics.median(plain), statistics.median(recorded)
    return {
        "packages": args.packages,
        "runs": args.runs,
        "warm_s": round(warm, 3),
        "warm_record_s": round(with_record, 3),
        "overhead_pct": round((with_record - warm) / warm * 100, 1),
        "recording_cost_ms": cost,
        "recording_cost_pct_of_warm": round(cost["total_ms"] / 1000 / warm * 100, 1),
        "warm_all_s": [round(x, 3) for x in plain],
        "warm_record_all_s": [round(x, 3) for x in recorded],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--scans", type=int, default=1000)
    rec.add_argument("--packages", type=int, default=500)
    hist = sub.add_parser("history")
    hist.add_argument("--repos", type=int, default=50)
    hist.add_argument("--days", type=int, default=365)
    hist.add_argument("--packages", type=int, default=60)
    for p in (rec, hist):
        p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
        p.add_argument(
            "--postgres", metavar="URL", help="a database to use instead of a private cluster"
        )
    over = sub.add_parser("overhead")
    over.add_argument("--packages", type=int, default=500)
    over.add_argument("--runs", type=int, default=5)
    over.add_argument("--latency-ms", type=float, default=50)
    over.add_argument("--corpus-packages", type=int, default=_bench.DEFAULT_PACKAGES)
    over.add_argument("--corpus", type=Path)
    args = parser.parse_args(argv)
    bench = {"record": bench_record, "history": bench_history, "overhead": bench_overhead}
    print(json.dumps({"what": args.what, **bench[args.what](args), **_bench.machine()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
