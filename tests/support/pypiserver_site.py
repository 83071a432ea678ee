"""A real pypiserver (from PyPI) on 127.0.0.1 serving a folder, and the front a team puts
before it so the signatures beside the dists are served too.

pypiserver (2.4) serves only distribution archives (and PGP ``.asc``) under ``/packages/``:
``X.whl.sig``, ``.crt`` and ``.sigstore.json`` in its folder answer 404. The documented
deployment (docs/private-registries.md) serves them from the same folder in front of it, as
nginx's ``try_files $uri @pypiserver`` does; `front` is that, in a few lines.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

SIGNATURE_SUFFIXES = (".sigstore.json", ".sig", ".crt")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def pypiserver(folder: Path) -> Iterator[str]:
    """``pypi-server run`` on ``folder``; yields its root URL (no trailing slash)."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pypiserver",
            "run",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "--disable-fallback",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/simple/", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read() if proc.stderr else b""
                    raise RuntimeError(f"pypiserver did not start: {err!r}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class _Front(http.server.BaseHTTPRequestHandler):
    def __init__(self, *args: Any, folder: Path, upstream: str, **kw: Any) -> None:
        self.folder = folder
        self.upstream = upstream
        super().__init__(*args, **kw)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        if self.path.startswith("/packages/") and name.endswith(SIGNATURE_SUFFIXES):
            local = self.folder / name
            if "/" in name or not local.is_file():
                self.send_error(404)
                return
            self._answer(200, local.read_bytes(), "application/octet-stream")
            return
        request = urllib.request.Request(
            self.upstream + self.path, headers={"Accept": self.headers.get("Accept", "*/*")}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                self._answer(resp.status, resp.read(), resp.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as err:
            self._answer(err.code, err.read(), err.headers.get("Content-Type", ""))

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def front(folder: Path, upstream: str) -> Iterator[str]:
    """Serve the signatures in ``folder`` at ``/packages/NAME``, the rest from ``upstream``."""
    handler = partial(_Front, folder=folder, upstream=upstream)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
