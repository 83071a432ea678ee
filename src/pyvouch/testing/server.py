"""HTTP front of the test authority: Fulcio, Rekor v1, OIDC discovery/JWKS and trust JSON.

Routes (all on one 127.0.0.1 port):

- ``POST /api/v2/signingCert``, ``GET /api/v2/trustBundle`` (Fulcio)
- ``POST /api/v1/log/entries``, ``GET /api/v1/log/entries?logIndex=N``,
  ``GET /api/v1/log/entries/{uuid}``, ``GET /api/v1/log`` (Rekor v1)
- ``GET /oidc/{issuer}/.well-known/openid-configuration``, ``GET /oidc/{issuer}/jwks``
- ``GET /gha/token?audience=A`` with ``Authorization: bearer REQUEST_TOKEN`` (GitHub Actions'
  ID-token request endpoint, for ``id.detect_credential``)
- ``GET /trusted_root.json``, ``/signing_config.json``, ``/trust_config.json``
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization

if TYPE_CHECKING:
    from pyvouch.testing.authority import TestAuthority

MAX_BODY = 4 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, payload: Any, content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"code": status, "message": message})

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return json.loads(self.rfile.read(length) or b"null")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        from pyvouch.testing.authority import AuthorityError

        authority = self.server.authority
        url = urlsplit(self.path)
        path = url.path.rstrip("/")
        query = parse_qs(url.query)
        try:
            with self.server.lock:
                self.server.requests.append((method, path))
            self._route(authority, method, path, query)
        except AuthorityError as err:
            self._error(err.status, err.message)
        except (ValueError, KeyError, TypeError) as err:
            self._error(400, f"bad request: {err}")

    def _route(
        self, authority: TestAuthority, method: str, path: str, query: dict[str, list[str]]
    ) -> None:
        from pyvouch.testing.authority import AuthorityError

        if method == "POST" and path == "/api/v2/signingCert":
            auth = self.headers.get("Authorization", "")
            if not auth.lower().startswith("bearer "):
                raise AuthorityError(401, "missing bearer identity token")
            self._send(201, authority.signing_cert_response(self._body(), auth[7:].strip()))
        elif method == "GET" and path == "/api/v2/trustBundle":
            chain = [
                c.public_bytes(serialization.Encoding.PEM).decode() for c in authority.ca.chain
            ]
            self._send(200, {"chains": [{"certificates": chain}]})
        elif method == "POST" and path == "/api/v1/log/entries":
            self._send(201, authority.submit_entry(self._body()))
        elif method == "GET" and path == "/api/v1/log":
            self._send(200, authority.log.info())
        elif method == "GET" and path == "/api/v1/log/entries":
            index = int(query["logIndex"][0])
            if not 0 <= index < len(authority.log.entries):
                raise AuthorityError(404, "log entry not found")
            self._send(200, authority.log.response(authority.log.entries[index]))
        elif method == "GET" and path.startswith("/api/v1/log/entries/"):
            wanted = path.rsplit("/", 1)[1]
            for entry in authority.log.entries:
                if authority.log.uuid(entry) == wanted:
                    self._send(200, authority.log.response(entry))
                    return
            raise AuthorityError(404, "log entry not found")
        elif method == "GET" and path.startswith("/oidc/"):
            parts = path.split("/")
            issuer = authority.issuers.get(parts[2])
            if issuer is None:
                raise AuthorityError(404, "no such issuer")
            rest = "/".join(parts[3:])
            if rest == ".well-known/openid-configuration":
                self._send(200, issuer.discovery())
            elif rest == "jwks":
                self._send(200, issuer.jwks())
            else:
                raise AuthorityError(404, "not found")
        elif method == "GET" and path == "/gha/token":
            auth = self.headers.get("Authorization", "")
            if not auth.lower().startswith("bearer "):
                raise AuthorityError(401, "missing bearer request token")
            audience = query.get("audience", ["sigstore"])[0]
            self._send(200, {"value": authority.ambient_token(auth[7:].strip(), audience)})
        elif method == "GET" and path == "/trusted_root.json":
            self._send(200, authority.trusted_root())
        elif method == "GET" and path == "/signing_config.json":
            self._send(200, authority.signing_config())
        elif method == "GET" and path == "/trust_config.json":
            self._send(200, authority.client_trust_config())
        else:
            raise AuthorityError(404, f"no route for {method} {path}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, authority: TestAuthority) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.authority = authority
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []


@contextmanager
def serve(authority: TestAuthority) -> Iterator[_Server]:
    """Bind 127.0.0.1 on an ephemeral port, point the authority's URLs at it, serve, stop."""
    server = _Server(authority)
    host, port = server.server_address[:2]
    previous = authority.base_url
    authority.set_base_url(f"http://{host!s}:{port}")
    authority.server_requests = server.requests
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="test-authority",
        daemon=True,
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        authority.set_base_url(previous)
