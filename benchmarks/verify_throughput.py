"""Verification throughput: N distinct corpus attestations through ONE `pyvouch verify` run.

    python benchmarks/verify_throughput.py [--count 1000] [--corpus DIR] [--repeat 1]
        [--corpus-packages N]

Takes the first ``--count`` files of the corpus (manifest order) whose attestation must
verify, and runs, with the corpus's dists folder as the working directory::

    pyvouch verify --trust-root trusted_root.json --format json \
        --attestation F1.publish.attestation ... F1 ...

The files route (`--attestation`) measures verification itself: no index, no HTTP, and the
command line holds ~2,000 names (well under ARG_MAX; ~20,000 at ``--count 10000``, ~1 MB, still
under it); ``--count`` above 4,000 uses the 10,000-package corpus (made once, ~100 s). The
result is checked: every file must come back `verified`.

Prints one JSON line: ``ms_per_attestation`` = wall time of the whole process (interpreter
start-up and imports included) / count; ``floor_ms_per_attestation`` = the same attestations
through bare sigstore ``Verifier.verify_dsse`` in this process, one after the other (bundles
converted beforehand, so the floor is the cryptography alone); ``peak_rss_mb`` = peak of the RSS
summed over the pyvouch process and its workers (shared pages counted in each: an upper
bound), ``peak_pss_mb`` the same with shared pages split (the fair figure); ``cpu_s`` the CPU
(user + system) of the pyvouch process and its workers, and ``cpu_ratio_to_floor`` that CPU
per attestation over the floor (on a shared machine, the figure the load does not inflate).
Without ``--corpus``, the shared benchmark corpus under benchmarks/out/ is used (generated once).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench

SUFFIX = _bench.ATTESTATION_SUFFIX


def pick(corpus: Path, count: int) -> list[str]:
    files = _bench.manifest(corpus)["files"]
    assert isinstance(files, list)
    chosen = [f["filename"] for f in files if f["expected"] == "verified"][:count]
    if len(chosen) < count:
        raise SystemExit(f"the corpus at {corpus} has only {len(chosen)} verifiable attestations")
    return chosen


def floor_ms(corpus: Path, names: list[str]) -> tuple[float, float]:
    """(wall, CPU) ms per attestation of bare ``verify_dsse``, one core."""
    wall, cpu = _bench.crypto_floor_s(corpus, names)
    return wall * 1000 / len(names), cpu * 1000 / len(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, help="a corpus made by make_corpus.py")
    parser.add_argument(
        "--corpus-packages",
        type=int,
        help="use (or make) the cached corpus of this many packages; default: the smallest "
        "of 2,500 and 10,000 with --count verifiable attestations",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs; medians are printed")
    args = parser.parse_args(argv)
    packages = args.corpus_packages or (
        _bench.DEFAULT_PACKAGES if args.count <= 4000 else _bench.MAX_PACKAGES
    )
    corpus = args.corpus or _bench.corpus(packages)
    _bench.precompile()
    names = pick(corpus, args.count)
    argv_ = [*_bench.PYVOUCH, "verify", "--trust-root", str(corpus / "trusted_root.json")]
    argv_ += ["--format", "json"]
    for name in names:
        argv_ += ["--attestation", name + SUFFIX]
    argv_ += names

    walls, cpus, loads, floors, floor_cpus, rss, pss = [], [], [], [], [], [], []
    for _ in range(args.repeat):
        run = _bench.run_measured(argv_, cwd=corpus / "dists")
        if run.returncode != 0:
            sys.stderr.write(run.stderr.decode(errors="replace")[-2000:])
            raise SystemExit(f"pyvouch verify exited {run.returncode}")
        results = json.loads(run.stdout)["results"]
        statuses = {r["status"] for r in results}
        if len(results) != len(names) or statuses != {"verified"}:
            raise SystemExit(f"unexpected results: {len(results)} files, statuses {statuses}")
        walls.append(run.wall_s)
        cpus.append(run.cpu_s)
        loads.append(run.load_1m)
        rss.append(run.peak_rss_mb)
        pss.append(run.peak_pss_mb)
        floor_wall, floor_cpu = floor_ms(corpus, names)
        floors.append(floor_wall)
        floor_cpus.append(floor_cpu)
    wall = statistics.median(walls)
    floor = statistics.median(floors)
    ms = wall * 1000 / len(names)
    print(
        json.dumps(
            {
                "count": len(names),
                "ms_per_attestation": round(ms, 3),
                "floor_ms_per_attestation": round(floor, 3),
                "ratio_to_floor": round(ms / floor, 2),
                "wall_s": round(wall, 3),
                "cpu_s": round(statistics.median(cpus), 3),
                "floor_cpu_ms_per_attestation": round(statistics.median(floor_cpus), 3),
                "cpu_ratio_to_floor": round(
                    statistics.median(cpus) * 1000 / len(names) / statistics.median(floor_cpus), 2
                ),
                "load_1m_runs": loads,
                "walls_s": [round(w, 3) for w in walls],
                "peak_rss_mb": statistics.median(rss),
                "peak_pss_mb": statistics.median(pss),
                "runs": args.repeat,
                "corpus": str(corpus),
                **_bench.machine(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
