"""A tiny PEP 691 JSON index on 127.0.0.1 for `pyvouch verify` tests.

`serve_index(files)` serves ``/simple/<project>/`` as PEP 691 JSON (api-version 1.3 by default)
and each file's provenance at ``/provenance/<filename>``. A file whose provenance is None is
listed with ``"provenance": null`` (none published); with ``strip=True`` the page announces
api-version 1.1 and has no provenance keys, as a stripping mirror does.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

PEP691 = "application/vnd.pypi.simple.v1+json"


@dataclass
class IndexedFile:
    project: str
    filename: str
    data: bytes
    provenance: bytes | None


@dataclass
class VerifyIndex:
    url: str
    requests: list[str] = field(default_factory=list)

    @property
    def index_url(self) -> str:
        return f"{self.url}/simple/"


def indexed(path: Path, project: str, provenance: Path | None) -> IndexedFile:
    return IndexedFile(
        project, path.name, path.read_bytes(), provenance.read_bytes() if provenance else None
    )


@contextmanager
def serve_index(files: list[IndexedFile], *, strip: bool = False) -> Iterator[VerifyIndex]:
    by_project: dict[str, list[IndexedFile]] = {}
    for item in files:
        by_project.setdefault(str(canonicalize_name(item.project)), []).append(item)
    by_name = {item.filename: item for item in files}
    record = VerifyIndex(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            record.requests.append(path)
            parts = [p for p in path.split("/") if p]
            if len(parts) == 2 and parts[0] == "simple" and parts[1] in by_project:
                listed = []
                for item in by_project[parts[1]]:
                    entry: dict[str, Any] = {
                        "filename": item.filename,
                        "url": f"{record.url}/files/{item.filename}",
                        "hashes": {"sha256": hashlib.sha256(item.data).hexdigest()},
                    }
                    if not strip:
                        entry["provenance"] = (
                            f"{record.url}/provenance/{item.filename}"
                            if item.provenance is not None
                            else None
                        )
                    listed.append(entry)
                page = {
                    "meta": {"api-version": "1.1" if strip else "1.3"},
                    "name": parts[1],
                    "files": listed,
                }
                self._send(200, json.dumps(page).encode(), PEP691)
            elif len(parts) == 2 and parts[0] == "provenance" and parts[1] in by_name:
                body = by_name[parts[1]].provenance
                if body is None:
                    self._send(404, b"not found", "text/plain")
                else:
                    self._send(200, body, "application/vnd.pypi.integrity.v1+json")
            else:
                self._send(404, b"not found", "text/plain")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
