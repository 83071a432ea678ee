"""The transport floor: a minimal HTTP/1.1 keep-alive client over asyncio streams.

    python benchmarks/raw_fetch.py --host 127.0.0.1 --port P --jobs J < requests.json

Reads a JSON list of ``[path, accept]`` pairs (the requests a pyvouch run made, recorded by the
benchmark server), fetches them all over ``--jobs`` keep-alive connections (each connection
takes the next request when its previous answer is read; the same concurrency as
``pyvouch scan --jobs``), reads every body in full, and prints one JSON line: ``wall_s`` (the
fetches alone, start-up excluded), ``cpu_s`` (this process's CPU during the fetches),
``requests`` and ``bytes``. No TLS, no redirects followed, no retries, no parsing beyond the
status line, ``Content-Length`` and chunked framing: what any client must at least do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time


async def _read_body(reader: asyncio.StreamReader, head: bytes) -> tuple[int, bool]:
    """Read the body that ``head`` announces; (its size, whether the server keeps the line)."""
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    keep = headers.get("connection") != "close"
    if "content-length" in headers:
        size = int(headers["content-length"])
        await reader.readexactly(size)
        return size, keep
    if headers.get("transfer-encoding") == "chunked":
        size = 0
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(chunk + 2)
            size += chunk
            if chunk == 0:
                return size, keep
    return len(await reader.read()), False  # body until close


async def _worker(host: str, port: int, queue: list[tuple[str, str]], totals: list[int]) -> None:
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while queue:
        path, accept = queue.pop()
        if conn is None:
            conn = await asyncio.open_connection(host, port)
        reader, writer = conn
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        if accept:
            request += f"Accept: {accept}\r\n"
        writer.write((request + "\r\n").encode("latin-1"))
        head = await reader.readuntil(b"\r\n\r\n")
        size, keep = await _read_body(reader, head)
        totals[0] += 1
        totals[1] += size
        if not keep:
            writer.close()
            conn = None
    if conn is not None:
        conn[1].close()


async def fetch_all(host: str, port: int, requests: list[tuple[str, str]], jobs: int) -> list[int]:
    queue = list(reversed(requests))
    totals = [0, 0]
    workers = [_worker(host, port, queue, totals) for _ in range(max(1, min(jobs, len(queue))))]
    await asyncio.gather(*workers)
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=16)
    args = parser.parse_args(argv)
    requests = [(str(p), str(a)) for p, a in json.load(sys.stdin)]
    cpu, start = time.process_time(), time.perf_counter()
    count, size = asyncio.run(fetch_all(args.host, args.port, requests, args.jobs))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "requests": count, "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
