"""Benchmark: `pyvouch readiness` and `pyvouch pin` against a loopback index.

    python benchmarks/policy_cmds_bench.py [--packages 20] [--releases 10] [--repeat 5]

Builds a site with ``--packages`` projects of ``--releases`` releases each (one wheel per
release; every other project signs all releases, the rest sign none), attestations minted by
the local test authority and the site built with `pyvouch index build`, served on 127.0.0.1.
Then runs, as separate processes with a fresh cache each time (so every page and provenance is
fetched and every attestation verified): `readiness` over all projects (packages x releases
files) and `pin` over a requirements lock of the newest releases. Reports the median wall time
of ``--repeat`` runs, per command, as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.policy_sites import Minter, Release, Signer, build_site, publish
from tests.support.static_server import serve_directory

from pyvouch.testing import TestAuthority


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=20)
    parser.add_argument("--releases", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="pyvouch-policy-bench-"))
    minter = Minter(TestAuthority())
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    releases = []
    for i in range(args.packages):
        signer = Signer(f"octo/p{i}", "release.yml") if i % 2 == 0 else None
        releases += [Release(f"p{i}", f"1.{r}", signer) for r in range(args.releases)]
    start = time.perf_counter()
    publish(minter, root / "dists", releases)
    site = build_site(root / "dists", root / "site")
    setup = time.perf_counter() - start
    lock = root / "requirements.txt"
    lock.write_text(
        "".join(f"p{i}==1.{args.releases - 1}\n" for i in range(args.packages)), encoding="utf-8"
    )
    timings: dict[str, list[float]] = {"readiness": [], "pin": []}
    with serve_directory(site, negotiate=True) as server:
        for run in range(args.repeat):
            for command in timings:
                cmd = [
                    sys.executable, "-m", "pyvouch", command, str(lock),
                    "--index-url", server.index_url, "--trust-root", str(trust),
                    "--cache-dir", str(root / f"cache-{command}-{run}"),
                ]  # fmt: skip
                if command == "pin":
                    cmd.append("--dry-run")
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                timings[command].append(time.perf_counter() - t0)
                if proc.returncode != 0:
                    raise SystemExit(f"{command} failed: {proc.stderr}")
    print(
        json.dumps(
            {
                "packages": args.packages,
                "releases": args.releases,
                "files_verified_by_readiness": args.packages * args.releases,
                "setup_s": round(setup, 2),
                **{f"{k}_median_s": round(statistics.median(v), 3) for k, v in timings.items()},
                "repeat": args.repeat,
            }
        )
    )


if __name__ == "__main__":
    main()
