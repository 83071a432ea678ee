"""Serve a folder over HTTP on 127.0.0.1 (ephemeral port), as `python -m http.server` does.

`serve_directory(root)` is the plain static server: `/simple/<project>/` answers the HTML
`index.html` whatever the client's Accept header says. With `negotiate=True` it behaves like
the nginx configuration in docs/static-index.md: a request under `/simple/` whose Accept names
`application/vnd.pypi.simple.v1+json` gets the folder's `index.json` with that content type.

Every request is recorded (method, path, Accept) so tests can bound and inspect traffic.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PEP691_JSON = "application/vnd.pypi.simple.v1+json"


@dataclass
class StaticServer:
    root: Path
    url: str
    """``http://127.0.0.1:PORT`` (no trailing slash)."""
    requests: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def index_url(self) -> str:
        return f"{self.url}/simple/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    server_record: StaticServer
    negotiate: bool

    def __init__(self, *args: Any, record: StaticServer, negotiate: bool, **kw: Any) -> None:
        self.server_record = record
        self.negotiate = negotiate
        super().__init__(*args, **kw)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `requests` instead

    def _record(self) -> None:
        self.server_record.requests.append(
            (self.command, self.path, self.headers.get("Accept", ""))
        )

    def _json_index(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        if not path.startswith("/simple/") or not path.endswith("/"):
            return None
        if PEP691_JSON not in self.headers.get("Accept", ""):
            return None
        candidate = Path(self.translate_path(path)) / "index.json"
        return candidate if candidate.is_file() else None

    def do_GET(self) -> None:
        self._record()
        if self.negotiate and (json_index := self._json_index()) is not None:
            body = json_index.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", PEP691_JSON)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        self._record()
        super().do_HEAD()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's default of 5 stalls concurrent clients
    allow_reuse_address = False


@contextmanager
def serve_directory(root: Path, *, negotiate: bool = False) -> Iterator[StaticServer]:
    """Serve ``root`` on 127.0.0.1 at an ephemeral port until the block ends."""
    record = StaticServer(root=root, url="")
    handler = partial(_Handler, directory=str(root), record=record, negotiate=negotiate)
    server = _Server(("127.0.0.1", 0), handler)
    host, port = server.server_address[:2]
    record.url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, name="static-server", daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
