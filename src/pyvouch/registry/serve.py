"""`pyvouch index serve SITE`: serve a site `pyvouch index build` wrote, with PEP 691 content
negotiation, as the nginx block in docs/static-index.md does.

A plain static server answers ``/simple/<project>/`` with the HTML page whatever the client
asks, and HTML cannot say "this file has no provenance": its unattested files read as
`unknown`. This server answers a client whose ``Accept`` names
``application/vnd.pypi.simple.v1+json`` with the page's ``index.json`` (that content type),
everyone else with ``index.html``; ``Vary: Accept`` on both. ``/integrity/`` is served as JSON,
``/files/`` as octet streams (the dists and the signatures beside them), and the site marker is
not served. It serves only what is under SITE (the standard library's handler refuses paths
out of it), binds 127.0.0.1 unless told otherwise, and is meant for a team's private index
or CI, not the open internet (no TLS: put a proxy in front for that).
"""

from __future__ import annotations

import http.server
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pyvouch.errors import InputError
from pyvouch.registry.static_site import SITE_MARKER

PEP691_JSON = "application/vnd.pypi.simple.v1+json"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """The standard library's file handler, with the site's content types."""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: a CI log needs no line per request

    def _path(self) -> str:
        return unquote(urlsplit(self.path).path)

    def send_head(self) -> Any:
        path = self._path()
        if path.lstrip("/") == SITE_MARKER:
            self.send_error(404)
            return None
        if path.startswith("/simple/") and path.endswith("/"):
            folder = Path(self.translate_path(path))
            wants_json = PEP691_JSON in self.headers.get("Accept", "")
            name = "index.json" if wants_json else "index.html"
            page = folder / name
            if not page.is_file():
                self.send_error(404)
                return None
            body = page.open("rb")
            self.send_response(200)
            self.send_header("Content-Type", PEP691_JSON if wants_json else "text/html")
            self.send_header("Content-Length", str(page.stat().st_size))
            self.send_header("Vary", "Accept")
            self.end_headers()
            return body
        return super().send_head()

    def guess_type(self, path: str | Any) -> str:
        text = str(path)
        if "/integrity/" in text.replace("\\", "/"):
            return "application/json"
        if "/files/" in text.replace("\\", "/"):
            return "application/octet-stream"
        return super().guess_type(path)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def check_site(site: Path) -> None:
    if not (site / SITE_MARKER).is_file() or not (site / "simple").is_dir():
        raise InputError(site, f"not a site pyvouch index build wrote (no {SITE_MARKER})")


def make_server(site: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> _Server:
    """The server for ``site`` (not started); `OSError` when the address cannot be bound."""
    check_site(site)
    handler: Callable[..., SiteHandler] = partial(SiteHandler, directory=str(site))
    return _Server((host, port), handler)


def serve_site(site: Path, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve ``site`` until interrupted; ``ready`` gets the index URL once it listens."""
    try:
        server = make_server(site, host, port)
    except OSError as err:
        raise InputError(site, f"cannot listen on {host}:{port} ({err.strerror or err})") from None
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host!s}]" if ":" in str(bound_host) else str(bound_host)
    ready(f"http://{shown}:{bound_port}/simple/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
