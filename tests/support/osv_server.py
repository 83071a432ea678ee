"""A loopback OSV-compatible API (``POST /v1/querybatch``, ``GET /v1/vulns/{id}``) serving OSV
documents, with scripted faults.

It answers a query the way the OSV API does for PyPI, but by its own simple rule, independent
of pyvouch's matcher: an advisory is cited for (name, version) when it names the package and
lists that exact version in ``versions`` (the PyPA database enumerates every affected
release). Withdrawn advisories are still cited (as the real API may), so the client must leave
them out itself.

Faults: ``fail(route, *faults)`` queues what the next requests to ``querybatch`` or ``vulns``
get instead of the honest answer (a status, a delay, a truncated or huge body, a body of the
test's choosing). Every request is recorded.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pyvouch.vulns.local_db import decode


@dataclass
class Fault:
    status: int = 200
    delay: float = 0.0
    body: bytes | None = None
    """Answer this instead of the honest body."""
    truncate: bool = False
    """Announce the honest body's length, send half of it, close."""
    huge: int | None = None
    """Send this many bytes of JSON-looking filler."""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class OsvServer:
    advisories: dict[str, dict[str, Any]]
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, route: str, *faults: Fault) -> None:
        """Queue ``faults`` for ``route`` (``querybatch`` or ``vulns``), one per request."""
        with self._lock:
            self.faults.setdefault(route, []).extend(faults)

    def next_fault(self, route: str) -> Fault | None:
        with self._lock:
            queued = self.faults.get(route)
            return queued.pop(0) if queued else None

    def cited(self, name: str, version: str) -> list[dict[str, str]]:
        wanted = canonicalize_name(name)
        out = []
        for ident, doc in self.advisories.items():
            for entry in doc.get("affected", []):
                package = entry.get("package", {})
                if package.get("ecosystem") != "PyPI":
                    continue
                if canonicalize_name(package.get("name", "")) != wanted:
                    continue
                if version in [str(v) for v in entry.get("versions", [])]:
                    out.append({"id": ident, "modified": str(doc.get("modified", ""))})
                    break
        return out

    def count(self, route: str) -> int:
        return sum(route in path for _method, path in self.requests)


def load_documents(folders: list[Path]) -> dict[str, dict[str, Any]]:
    """Every OSV document in ``folders`` (YAML or JSON), by id, as plain JSON data."""
    docs: dict[str, dict[str, Any]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".yaml", ".json"):
                doc = decode(path.read_bytes(), path.name)
                docs[doc["id"]] = json.loads(json.dumps(doc, default=str))
    return docs


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, fault: Fault | None) -> None:
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.body is not None:
            body = fault.body
        if fault is not None and fault.huge is not None:
            body = b'{"results": [' + b" " * fault.huge + b"]}"
        self.send_response(fault.status if fault is not None else status)
        self.send_header("Content-Type", "application/json")
        for name, value in fault.headers.items() if fault is not None else ():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if fault is not None and fault.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_POST(self) -> None:
        owner = self.server.owner
        owner.requests.append(("POST", self.path))
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/v1/querybatch":
            self._send(404, b'{"message": "not found"}', None)
            return
        fault = owner.next_fault("querybatch")
        results = []
        for query in request.get("queries", []):
            vulns = owner.cited(query["package"]["name"], query["version"])
            results.append({"vulns": vulns} if vulns else {})
        self._send(200, json.dumps({"results": results}).encode(), fault)

    def do_GET(self) -> None:
        owner = self.server.owner
        owner.requests.append(("GET", self.path))
        prefix = "/v1/vulns/"
        doc = (
            owner.advisories.get(self.path[len(prefix) :]) if self.path.startswith(prefix) else None
        )
        fault = owner.next_fault("vulns")
        if doc is None:
            self._send(404, b'{"code": 5, "message": "Bug not found."}', fault)
            return
        self._send(200, json.dumps(doc).encode(), fault)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: OsvServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextmanager
def serve_osv(advisories: Mapping[str, dict[str, Any]]) -> Iterator[OsvServer]:
    owner = OsvServer(dict(advisories))
    server = _Server(("127.0.0.1", 0), _Handler)
    server.owner = owner
    owner.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield owner
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["Fault", "OsvServer", "load_documents", "serve_osv"]
