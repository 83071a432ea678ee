"""Benchmark: `pyvouch scan` of the shared lock files through a loopback stripping mirror.

Every lock file under ``../shared/fixtures/lockfiles`` (27 when this was written; the same
locks `tests/scan/test_scan_corpus.py` sweeps) is scanned through its own loopback mirror
that lists each file the scan will ask for the way a mirror that strips provenance does:
api-version 1.1, no provenance keys, the integrity endpoint 404; pages carry an ETag, so a
warm run revalidates them (304). Each run scans every lock twice with one cache directory:
cold (empty cache), then warm; then once more `--offline`. Prints one JSON line with the
requests made and the wall time of each pass, median of ``--runs`` runs, and what every file
said (statuses), so a faster run that says something else would show.

Run from the repository root: .venv/bin/python benchmarks/stripping_sweep.py [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402
from tests.support.index_servers import PEP691_JSON, IndexServer, Reply, serve  # noqa: E402

from pyvouch.cli.main import cli  # noqa: E402
from pyvouch.sources import load_packages  # noqa: E402

LOCKFILES = ROOT.parent / "shared" / "fixtures" / "lockfiles"


def stripped_pages(lock: Path) -> dict[str, list[dict[str, object]]]:
    """Project pages naming every file the scan asks for, without provenance keys (as in
    tests/scan/test_scan_corpus.py)."""
    pages: dict[str, list[dict[str, object]]] = {}
    for package in load_packages(lock, resolve=False).packages:
        if package.origin is not None:
            continue
        name = canonicalize_name(package.name)
        files = pages.setdefault(name, [])
        dist = name.replace("-", "_")
        version = package.version or "0"
        named = [(f.filename, f.sha256) for f in package.files if f.filename]
        if not named and package.hashes:
            named = [
                (f"{dist}-{version}-{i}-py3-none-any.whl", digest)
                for i, digest in enumerate(dict.fromkeys(package.hashes), start=1)
            ]
        if not named:
            named = [(f"{dist}-{version}.tar.gz", None)]
        for filename, digest in named:
            if any(f["filename"] == filename for f in files):
                continue
            fake = hashlib.sha256(filename.encode()).hexdigest()
            files.append(
                {
                    "filename": filename,
                    "url": f"/files/{filename}",
                    "hashes": {"sha256": digest or fake},
                }
            )
    return pages


def mirror(stack: ExitStack, lock: Path) -> IndexServer:
    server = stack.enter_context(serve())
    for name, files in stripped_pages(lock).items():
        doc = {"meta": {"api-version": "1.1"}, "name": name, "files": files}
        body = json.dumps(doc).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        reply = Reply(body=body, content_type=PEP691_JSON, headers={"ETag": etag})
        server.route(f"/simple/{name}/", reply)
    return server


def scan(lock: Path, server: IndexServer, cache: Path, *extra: str) -> dict[str, Any]:
    args = [
        "scan",
        str(lock),
        "--index-url",
        server.url("/simple/"),
        "--no-resolve",
        "--timeout",
        "10",
        "--retries",
        "1",
        "--jobs",
        "4",
        "--format",
        "json",
        *extra,
    ]
    env = {"PYVOUCH_CACHE_DIR": str(cache), "PIP_INDEX_URL": None, "NO_COLOR": "1"}
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def one_run(locks: list[Path]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        os.environ["PYVOUCH_DATA_DIR"] = str(Path(tmp) / "data")
        servers = {lock: mirror(stack, lock) for lock in locks}
        caches = {lock: Path(tmp) / f"cache-{i}" for i, lock in enumerate(locks)}
        for label, extra in (("cold", ()), ("warm", ()), ("offline", ("--offline",))):
            before = sum(len(s.requests) for s in servers.values())
            integrity_before = sum(s.count("/integrity/") for s in servers.values())
            statuses: Counter[str] = Counter()
            reasons: Counter[str] = Counter()
            start = time.perf_counter()
            for lock in locks:
                doc = scan(lock, servers[lock], caches[lock], *extra)
                for package in doc["packages"]:
                    for f in package["files"]:
                        statuses[f["status"]] += 1
                        reasons["does not serve provenance" in f["reason"]] += 1
            seconds = time.perf_counter() - start
            print(f"bench: {label}: {seconds:.1f} s", file=sys.stderr, flush=True)
            out[label] = {
                "seconds": round(seconds, 2),
                "requests": sum(len(s.requests) for s in servers.values()) - before,
                "integrity_requests": sum(s.count("/integrity/") for s in servers.values())
                - integrity_before,
                "statuses": dict(statuses),
                "reason_says_not_served": reasons[True],
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    locks = sorted(p for p in LOCKFILES.rglob("*") if p.is_file())
    if not locks:
        sys.exit(f"no lock files at {LOCKFILES}")
    runs = [one_run(locks) for _ in range(args.runs)]
    summary: dict[str, Any] = {"locks": len(locks), "runs": args.runs}
    for label in ("cold", "warm", "offline"):
        summary[label] = {
            "seconds_median": statistics.median(r[label]["seconds"] for r in runs),
            "seconds_each": [r[label]["seconds"] for r in runs],
            "requests_median": statistics.median(r[label]["requests"] for r in runs),
            "integrity_requests_median": statistics.median(
                r[label]["integrity_requests"] for r in runs
            ),
            "statuses": runs[-1][label]["statuses"],
            "reason_says_not_served": runs[-1][label]["reason_says_not_served"],
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
