"""Benchmark: index client provenance lookups against a loopback PEP 740 index.

Serves one JSON project page (api-version 1.3) listing N files, each with a provenance URL
whose body is a real PyPI provenance object (~11 KB), from a threaded server on 127.0.0.1.
Measures, median of several runs:

- cold: empty cache, one page request + N provenance requests (concurrency 16);
- warm: same cache, digests known: no requests at all;
- revalidate: same cache, digests unknown: one page request answered 304, no provenance.

Run: .venv/bin/python benchmarks/index_client_bench.py [--files 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.index_servers import (  # noqa: E402
    PEP691_JSON,
    PageFile,
    Reply,
    asset,
    json_page,
    serve,
)

from pyvouch.index.client import IndexClient, ProvenanceState  # noqa: E402


def run_once(
    index: str, cache: Path, wanted: list[tuple[str, str, str | None]]
) -> tuple[float, int]:
    async def go() -> tuple[float, int]:
        start = time.perf_counter()
        async with IndexClient(index, cache_dir=cache) as client:
            results = await client.provenance_many(wanted)
        elapsed = time.perf_counter() - start
        assert all(r.state is ProvenanceState.SERVED for r in results), results[0].reason
        return elapsed, client.stats.requests

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    body = asset("pypi_attestations-0.0.19.tar.gz.provenance")
    names = [f"bench-{i}.0.tar.gz" for i in range(args.files)]
    digests = {n: hashlib.sha256(n.encode()).hexdigest() for n in names}
    files = [PageFile(n, f"/files/{n}", digests[n], provenance=f"/p/{n}") for n in names]
    with serve() as server:
        server.route(
            "/simple/bench/",
            Reply(body=json_page("bench", files), content_type=PEP691_JSON,
                  headers={"ETag": '"v1"'}),
        )  # fmt: skip
        for n in names:
            server.route(f"/p/{n}", Reply(body=body))
        index = server.url("/simple/")
        with_digest = [("bench", n, digests[n]) for n in names]
        without_digest: list[tuple[str, str, str | None]] = [("bench", n, None) for n in names]
        figures: dict[str, list[float]] = {"cold": [], "warm": [], "revalidate": []}
        requests: dict[str, int] = {}
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                cache = Path(tmp)
                for label, wanted in (
                    ("cold", without_digest),
                    ("warm", with_digest),
                    ("revalidate", without_digest),
                ):
                    elapsed, count = run_once(index, cache, wanted)
                    figures[label].append(elapsed)
                    requests[label] = count
    print(f"index client, {args.files} files, median of {args.runs} runs (loopback, 1 page)")
    for label, times in figures.items():
        median = statistics.median(times)
        print(
            f"  {label:<10} {median * 1000:8.1f} ms total  "
            f"{median * 1000 / args.files:6.3f} ms/file  {requests[label]} requests"
        )


if __name__ == "__main__":
    main()
