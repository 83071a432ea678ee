"""Scan benchmark: `pyvouch scan` of a 500-package lock against a loopback index with latency.

    python benchmarks/scan.py [--packages 500] [--latency-ms 50] [--jobs 64] [--runs 3]
        [--corpus-packages 2500] [--seed 740] [--format json]

The site is the benchmark corpus (`pyvouch.testing.corpus`, seed 740, 2,500 packages: about
2,100 attested projects, generated once into benchmarks/out/ and reused), served on
127.0.0.1 by a threaded HTTP/1.1 server that sleeps ``--latency-ms`` before answering every
request (a thread per connection, so it serves as many requests at once as the client opens)
and negotiates PEP 691 JSON like the nginx setup in docs/static-index.md.

The lock is a hash-pinned requirements file (what ``pip-compile --generate-hashes`` writes:
``name==version --hash=sha256:<wheel> --hash=sha256:<sdist>``) for ``--packages`` projects
picked from the site with the seed (attested, unattested, invalid and identity-changed ones
alike, in the corpus's shares). Each scan looks up both files of each package.

Runs, as subprocesses, ``pyvouch scan LOCK --index-url URL --trust-root ROOT --jobs J
--format F --output FILE`` cold (empty cache dir) then warm (same cache), ``--runs`` times,
and prints one JSON line with the medians: ``cold_s``, ``warm_s``, ``requests`` (server-side
count in a cold run), ``warm_requests``, ``peak_rss_mb`` (peak of the RSS summed over the
scan process and its verification workers, the larger of cold and warm; shared pages counted
in each process, an upper bound) and ``peak_pss_mb`` (shared pages split). The reports are
checked against the corpus manifest: every file's status must be what it was minted to be.
``cold_cpu_s`` / ``warm_cpu_s``: CPU (user + system) of the scan and its workers.

The floor, measured in the same run against the same server: the requests the first cold and
warm scans made (recorded by the server as path and Accept) fetched again by raw_fetch.py, a
minimal asyncio HTTP/1.1 keep-alive client at the same ``--jobs`` (``*_transport_floor_s``,
``*_transport_floor_cpu_s``), plus for a cold run the cryptography: bare sigstore
``verify_dsse`` of every attestation the lock's files have, one after the other
(``crypto_floor_s`` wall, ``crypto_floor_cpu_s``), divided by ``cores``. ``*_ratio_to_floor``
is pyvouch's wall time over that floor; ``*_cpu_ratio_to_floor`` its CPU over the floor's CPU
(the figure a loaded machine does not inflate). ``--no-floor`` skips it.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench

PEP691_JSON = "application/vnd.pypi.simple.v1+json"
FILES_URL = "https://files.example.invalid/packages"


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real indexes do

    def __init__(
        self, *args: Any, latency: float, counter: list[tuple[str, str]], **kw: Any
    ) -> None:
        self.latency = latency
        self.counter = counter
        super().__init__(*args, **kw)

    def setup(self) -> None:
        super().setup()
        # As nginx does on keep-alive connections (tcp_nodelay on): without it, Nagle's
        # algorithm and the client's delayed ACK stall each response by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        # Every request, as (path, Accept), for the transport floor to repeat. list.append is
        # atomic under the GIL.
        self.counter.append((self.path, self.headers.get("Accept", "")))
        time.sleep(self.latency)
        path = unquote(urlsplit(self.path).path)
        if path.startswith("/simple/") and path.endswith("/"):
            candidate = Path(self.translate_path(path)) / "index.json"
            if PEP691_JSON in self.headers.get("Accept", "") and candidate.is_file():
                body = candidate.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", PEP691_JSON)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Vary", "Accept")
                self.end_headers()
                self.wfile.write(body)
                return
        super().do_GET()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512


@contextmanager
def serve(site: Path, latency_ms: float) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    counter: list[tuple[str, str]] = []
    handler = partial(_Handler, directory=str(site), latency=latency_ms / 1000, counter=counter)
    server = _Server(("127.0.0.1", 0), handler)
    host, port = server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host!s}:{port}/simple/", counter
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def pick_latest(corpus: Path, packages: int, seed: int) -> list[list[dict[str, Any]]]:
    """The files of the latest release of ``packages`` corpus projects, picked with the seed."""
    files = _bench.manifest(corpus)["files"]
    assert isinstance(files, list)
    latest: dict[str, list[dict[str, Any]]] = {}
    for f in files:  # manifest files are sorted; the last version of a project wins
        group = latest.setdefault(f["project"], [])
        if group and group[0]["version"] != f["version"]:
            group.clear()
        group.append(f)
    names = sorted(latest)
    if packages > len(names):
        raise SystemExit(f"the corpus has {len(names)} projects, fewer than {packages}")
    chosen = sorted(random.Random(seed).sample(names, packages))
    return [latest[name] for name in chosen]


def write_lock(corpus: Path, packages: int, seed: int, out: Path, kind: str) -> dict[str, str]:
    """A lock for ``packages`` corpus projects; filename -> the status it must get."""
    releases = pick_latest(corpus, packages, seed)
    if kind == "requirements":  # pip-compile --generate-hashes: digests, no filenames
        lines = [
            f"{g[0]['project']}=={g[0]['version']} "
            + " ".join(f"--hash=sha256:{f['sha256']}" for f in g)
            for g in releases
        ]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:  # PEP 751 pylock.toml: filenames, URLs and digests
        parts = ['lock-version = "1.0"\ncreated-by = "pyvouch-benchmark"\n']
        for g in releases:
            block = f'\n[[packages]]\nname = "{g[0]["project"]}"\nversion = "{g[0]["version"]}"\n'
            for f in g:
                entry = (
                    f'{{ name = "{f["filename"]}", url = "{FILES_URL}/{f["filename"]}", '
                    f'hashes = {{ sha256 = "{f["sha256"]}" }} }}'
                )
                if f["filename"].endswith(".whl"):
                    block += f"wheels = [{entry}]\n"
                else:
                    block += f"sdist = {entry}\n"
            parts.append(block)
        out.write_text("".join(parts), encoding="utf-8")
    return {f["filename"]: f["expected"] for g in releases for f in g}


def check_report(report: Path, expected: dict[str, str]) -> None:
    data = json.loads(report.read_text())
    seen = {
        f["filename"]: f["status"] for p in data["packages"] for f in p["files"] if f["filename"]
    }
    wrong = {k: (v, seen.get(k)) for k, v in expected.items() if seen.get(k) != v}
    if wrong:
        sample = list(wrong.items())[:5]
        raise SystemExit(f"{len(wrong)} files have unexpected statuses, e.g. {sample}")


def transport_floor(index_url: str, requests: list[tuple[str, str]], jobs: int) -> dict[str, Any]:
    """``requests`` fetched again by raw_fetch.py (minimal asyncio HTTP/1.1 keep-alive client)."""
    parts = urlsplit(index_url)
    argv = [sys.executable, str(_bench.HERE / "raw_fetch.py"), "--host", str(parts.hostname)]
    argv += ["--port", str(parts.port), "--jobs", str(jobs)]
    done = subprocess.run(
        argv, input=json.dumps(requests).encode(), capture_output=True, check=True, timeout=600
    )
    result: dict[str, Any] = json.loads(done.stdout)
    if result["requests"] != len(requests):
        raise SystemExit(f"the floor client fetched {result['requests']} of {len(requests)}")
    return result


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--jobs", type=int, default=64, help="pyvouch scan --jobs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", default="json", help="report format (json, table, ...)")
    parser.add_argument(
        "--lock",
        choices=["pylock", "requirements"],
        default="pylock",
        help="pylock.toml (names files) or a hash-pinned requirements file (digests only)",
    )
    parser.add_argument("--corpus-packages", type=int, default=_bench.DEFAULT_PACKAGES)
    parser.add_argument("--seed", type=int, default=_bench.DEFAULT_SEED)
    parser.add_argument("--corpus", type=Path, help="use this corpus instead of the cached one")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the transport and cryptography floors"
    )
    args = parser.parse_args(argv)
    corpus = args.corpus or _bench.corpus(args.corpus_packages, args.seed)
    _bench.precompile()

    runs: dict[str, dict[str, list[Any]]] = {
        label: {"wall": [], "cpu": [], "load": [], "requests": []} for label in ("cold", "warm")
    }
    fetched: dict[str, list[tuple[str, str]]] = {}
    floors: dict[str, dict[str, list[float]]] = {
        label: {"wall": [], "cpu": []} for label in ("cold", "warm")
    }
    rss, pss = [], []
    with tempfile.TemporaryDirectory(prefix="pyvouch-scan-bench-") as tmp:
        work = Path(tmp)
        lock = work / ("requirements.txt" if args.lock == "requirements" else "pylock.toml")
        expected = write_lock(corpus, args.packages, args.seed, lock, args.lock)
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160"}
        env.pop("PIP_INDEX_URL", None)
        with serve(corpus / "site", args.latency_ms) as (index_url, counter):
            for n in range(args.runs):
                cache = work / f"cache-{n}"
                report = work / f"report-{n}"
                argv_ = [
                    *_bench.PYVOUCH, "scan", str(lock), "--index-url", index_url,
                    "--trust-root", str(corpus / "trusted_root.json"),
                    "--cache-dir", str(cache), "--jobs", str(args.jobs),
                    "--format", args.format, "--output", str(report),
                ]  # fmt: skip
                for label in ("cold", "warm"):
                    before = len(counter)
                    run = _bench.run_measured(argv_, env=env)
                    if run.returncode not in (0, 1, 3):
                        sys.stderr.write(run.stderr.decode(errors="replace")[-3000:])
                        raise SystemExit(f"pyvouch scan ({label}) exited {run.returncode}")
                    if args.format == "json":
                        check_report(report, expected)
                    fetched.setdefault(label, counter[before:])
                    runs[label]["wall"].append(run.wall_s)
                    runs[label]["cpu"].append(run.cpu_s)
                    runs[label]["load"].append(run.load_1m)
                    runs[label]["requests"].append(len(counter) - before)
                    rss.append(run.peak_rss_mb)
                    pss.append(run.peak_pss_mb)
            if not args.no_floor:  # the same URLs, same concurrency, same server and latency
                for _ in range(args.runs):
                    for label in ("cold", "warm"):
                        floor = transport_floor(index_url, fetched[label], args.jobs)
                        floors[label]["wall"].append(floor["wall_s"])
                        floors[label]["cpu"].append(floor["cpu_s"])
    result: dict[str, Any] = {
        "packages": args.packages,
        "files": len(expected),
        "latency_ms": args.latency_ms,
        "jobs": args.jobs,
        "format": args.format,
        "lock": args.lock,
    }
    for label in ("cold", "warm"):
        result[f"{label}_s"] = _median(runs[label]["wall"])
        result[f"{label}_cpu_s"] = _median(runs[label]["cpu"])
    result["requests"] = int(statistics.median(runs["cold"]["requests"]))
    result["warm_requests"] = int(statistics.median(runs["warm"]["requests"]))
    if not args.no_floor:
        cores = _bench.machine()["cpus"]
        assert isinstance(cores, int)
        crypto = [_bench.crypto_floor_s(corpus, sorted(expected)) for _ in range(args.runs)]
        crypto_wall = statistics.median(c[0] for c in crypto)
        crypto_cpu = statistics.median(c[1] for c in crypto)
        result["crypto_floor_s"] = round(crypto_wall, 3)
        result["crypto_floor_cpu_s"] = round(crypto_cpu, 3)
        result["cores"] = cores
        for label in ("cold", "warm"):
            # A warm run verifies nothing (its verdicts are cached): its floor is the transport.
            verifies = label == "cold"
            transport = _median(floors[label]["wall"])
            floor = transport + (crypto_wall / cores if verifies else 0)
            result[f"{label}_transport_floor_s"] = transport
            result[f"{label}_floor_s"] = round(floor, 3)
            result[f"{label}_ratio_to_floor"] = round(result[f"{label}_s"] / floor, 2)
            # CPU against CPU: what the load average does not inflate (the server's excluded).
            floor_cpu = _median(floors[label]["cpu"]) + (crypto_cpu if verifies else 0)
            result[f"{label}_transport_floor_cpu_s"] = _median(floors[label]["cpu"])
            result[f"{label}_floor_cpu_s"] = round(floor_cpu, 3)
            result[f"{label}_cpu_ratio_to_floor"] = round(result[f"{label}_cpu_s"] / floor_cpu, 2)
    result.update(
        {
            "peak_rss_mb": max(rss),
            "peak_pss_mb": max(pss),
            "runs": args.runs,
            "cold_all_s": [round(x, 3) for x in runs["cold"]["wall"]],
            "warm_all_s": [round(x, 3) for x in runs["warm"]["wall"]],
            "load_1m_runs": runs["cold"]["load"] + runs["warm"]["load"],
            "corpus": str(corpus),
            **_bench.machine(),
        }
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
