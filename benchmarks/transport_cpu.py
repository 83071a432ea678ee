"""CPU per request of pyvouch's HTTP transport, beside a raw asyncio keep-alive client.

    python benchmarks/transport_cpu.py [--requests 2000] [--concurrency 16 64] [--runs 5]
        [--body-bytes 2000]

Starts a fast loopback HTTP/1.1 server in a child process (asyncio, keep-alive, one canned
JSON answer of ``--body-bytes`` with Content-Length: it costs the client nothing to wait for),
then, in this process, for each concurrency and ``--runs`` times: ``--requests`` GETs through
`pyvouch.index.transport.Transport` (``get`` with its limits, retries and redirect policy, as
the index client calls it), and the same GETs through ``raw_fetch.py``'s minimal keep-alive
client (the floor: status line, Content-Length, the body read in full; nothing else). A warm-up
of 50 requests opens the connections first. CPU is this process's user + system time
(`resource.getrusage`) during the fetches alone.

Prints one JSON line with the medians: ``pyvouch_cpu_ms_cN`` and ``raw_cpu_ms_cN`` (CPU ms per
request at concurrency N), ``ratio_cN`` (pyvouch over raw), ``pyvouch_wall_s_cN``,
``raw_wall_s_cN``, and each run's figures in ``*_all``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench
import raw_fetch

WARMUP = 50


async def _serve(port_out: int, body_bytes: int) -> None:
    body = b'{"x": "' + b"a" * max(0, body_bytes - 9) + b'"}'
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(
        body
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(head + body)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    os.write(port_out, f"{server.sockets[0].getsockname()[1]}\n".encode())
    async with server:
        await server.serve_forever()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _pyvouch(port: int, requests: int, concurrency: int) -> tuple[float, float]:
    from pyvouch.index.transport import ClientStats, Transport

    base = f"http://127.0.0.1:{port}"
    transport = Transport(index_url=f"{base}/simple/", stats=ClientStats(), concurrency=concurrency)
    urls = [f"{base}/simple/p{i}/" for i in range(requests)]

    async def one(url: str) -> None:
        await transport.get(url, accept="application/json", limit=1 << 20, kind="page")

    try:
        await asyncio.gather(*(one(u) for u in urls[:WARMUP]))
        cpu, wall = _cpu(), time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return _cpu() - cpu, time.perf_counter() - wall
    finally:
        await transport.aclose()


async def _raw(port: int, requests: int, concurrency: int) -> tuple[float, float]:
    wanted = [(f"/simple/p{i}/", "application/json") for i in range(requests)]
    await raw_fetch.fetch_all("127.0.0.1", port, wanted[:WARMUP], concurrency)
    cpu, wall = _cpu(), time.perf_counter()
    totals = await raw_fetch.fetch_all("127.0.0.1", port, wanted, concurrency)
    assert totals[0] == requests, totals
    return _cpu() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--body-bytes", type=int, default=2000)
    parser.add_argument("--serve-fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_fd is not None:
        asyncio.run(_serve(args.serve_fd, args.body_bytes))
        return 0

    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve-fd", str(write_end), "--body-bytes",
         str(args.body_bytes)],
        pass_fds=(write_end,),
    )  # fmt: skip
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            port = int(pipe.readline())
        result: dict[str, object] = {
            "requests": args.requests,
            "runs": args.runs,
            "body_bytes": args.body_bytes,
        }
        for concurrency in args.concurrency:
            figures: dict[str, list[float]] = {
                "pyvouch_cpu": [], "pyvouch_wall": [], "raw_cpu": [], "raw_wall": [],
            }  # fmt: skip
            for _ in range(args.runs):
                for name, run in (("pyvouch", _pyvouch), ("raw", _raw)):
                    cpu, wall = asyncio.run(run(port, args.requests, concurrency))
                    figures[f"{name}_cpu"].append(round(cpu * 1000 / args.requests, 4))
                    figures[f"{name}_wall"].append(round(wall, 3))
            pyvouch_ms = statistics.median(figures["pyvouch_cpu"])
            raw_ms = statistics.median(figures["raw_cpu"])
            c = f"c{concurrency}"
            result[f"pyvouch_cpu_ms_{c}"] = round(pyvouch_ms, 4)
            result[f"raw_cpu_ms_{c}"] = round(raw_ms, 4)
            result[f"ratio_{c}"] = round(pyvouch_ms / raw_ms, 2) if raw_ms > 0 else None
            result[f"pyvouch_wall_s_{c}"] = statistics.median(figures["pyvouch_wall"])
            result[f"raw_wall_s_{c}"] = statistics.median(figures["raw_wall"])
            result[f"pyvouch_cpu_ms_{c}_all"] = figures["pyvouch_cpu"]
            result[f"raw_cpu_ms_{c}_all"] = figures["raw_cpu"]
        result.update(_bench.machine())
        print(json.dumps(result))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
