"""The transport's HTTP engine (aiohttp) against real servers on 127.0.0.1: proxies from the
environment, credentials that aiohttp must not add on its own, decoding, URLs sent as given,
the lazy import and the session's closing."""

from __future__ import annotations

import asyncio
import base64
import gc
import gzip
import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyvouch.index.transport import ClientStats, FetchError, Response, Transport
from tests.support.index_servers import IndexServer, Reply, serve

pytestmark = pytest.mark.timeout(30)

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def index() -> Iterator[IndexServer]:
    with serve() as s:
        yield s


@pytest.fixture
def proxy() -> Iterator[IndexServer]:
    """A second server that plays the proxy: a proxied request arrives at it in absolute form
    (``GET http://host:port/path``), recorded as such and answered from its own routes."""
    with serve() as s:
        yield s


@pytest.fixture(autouse=True)
def no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def fetch(index_url: str, *urls: str, **settings: Any) -> list[Response | FetchError]:
    """GET each URL through one transport (closed afterwards); a FetchError is returned."""

    async def run() -> list[Response | FetchError]:
        options: dict[str, Any] = {"timeout": 2.0, "retries": 0, "backoff": 0.01, **settings}
        transport = Transport(index_url=index_url, stats=ClientStats(), **options)
        out: list[Response | FetchError] = []
        try:
            for url in urls:
                try:
                    out.append(await transport.get(url, accept="*/*", limit=1 << 20, kind="page"))
                except FetchError as err:
                    out.append(err)
        finally:
            await transport.aclose()
        return out

    return asyncio.run(run())


def body(result: Response | FetchError) -> bytes:
    assert isinstance(result, Response), result
    return result.body


# -- proxies -------------------------------------------------------------------------------


def proxied_route(proxy: IndexServer, index: IndexServer, path: str) -> str:
    target = index.url(path)
    proxy.route(target, Reply(body=b"through the proxy", content_type="text/plain"))
    return target


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_from_the_environment_carries_the_request(
    index: IndexServer, proxy: IndexServer, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    index.route("/simple/", Reply(body=b"direct", content_type="text/plain"))
    target = proxied_route(proxy, index, "/simple/")
    monkeypatch.setenv(variable, f"127.0.0.1:{proxy.port}")  # no scheme: an http:// proxy
    [result] = fetch(index.url("/simple/"), target)
    assert body(result) == b"through the proxy"
    assert [r.path for r in proxy.requests] == [target]
    assert index.requests == []


def test_the_proxy_for_https_is_not_used_for_http(
    index: IndexServer, proxy: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.route("/simple/", Reply(body=b"direct", content_type="text/plain"))
    proxied_route(proxy, index, "/simple/")
    monkeypatch.setenv("HTTPS_PROXY", proxy.url())
    [result] = fetch(index.url("/simple/"), index.url("/simple/"))
    assert body(result) == b"direct"
    assert proxy.requests == []


@pytest.mark.parametrize(
    "no_proxy", ["127.0.0.1", "*", "other.example, 127.0.0.1", "127.0.0.1:{port}"]
)
def test_no_proxy_bypasses_the_proxy(
    index: IndexServer, proxy: IndexServer, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    index.route("/simple/", Reply(body=b"direct", content_type="text/plain"))
    proxied_route(proxy, index, "/simple/")
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    monkeypatch.setenv("NO_PROXY", no_proxy.format(port=index.port))
    [result] = fetch(index.url("/simple/"), index.url("/simple/"))
    assert body(result) == b"direct"
    assert proxy.requests == []


@pytest.mark.parametrize("no_proxy", ["localhost", "127.0.0.2", "27.0.0.1", "127.0.0.1:1"])
def test_no_proxy_naming_another_host_leaves_the_proxy_in_use(
    index: IndexServer, proxy: IndexServer, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    target = proxied_route(proxy, index, "/simple/")
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    monkeypatch.setenv("NO_PROXY", no_proxy)
    [result] = fetch(index.url("/simple/"), target)
    assert body(result) == b"through the proxy"
    assert index.requests == []


def test_proxy_credentials_go_to_the_proxy_and_stay_out_of_messages(
    index: IndexServer, proxy: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = proxied_route(proxy, index, "/simple/")
    monkeypatch.setenv("HTTP_PROXY", f"http://pu:proxy-pw@127.0.0.1:{proxy.port}")
    [result] = fetch(index.url("/simple/"), target)
    assert body(result) == b"through the proxy"
    sent = proxy.requests[0].headers["proxy-authorization"]
    assert sent == "Basic " + base64.b64encode(b"pu:proxy-pw").decode()
    assert "authorization" not in proxy.requests[0].headers


# -- credentials only where pyvouch sends them ---------------------------------------------


def test_netrc_of_another_host_is_never_read_by_the_http_client(
    index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiohttp, trusting the environment, would send ~/.netrc's login for any host it talks
    to. pyvouch reads netrc only for the index's own host: a redirect to another host, and a
    URL on that host asked directly, carry no Authorization even when netrc names that host."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine localhost login eve password stolen-pw\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".netrc").write_text(netrc.read_text())
    (tmp_path / ".netrc").chmod(0o600)
    index.route("/simple/", Reply(status=302, headers={"Location": index.other_host_url("/m/")}))
    index.route("/m/", Reply(body=b"moved", content_type="text/plain"))
    first, direct = fetch(index.url("/simple/"), index.url("/simple/"), index.other_host_url("/m/"))
    assert body(first) == b"moved" and body(direct) == b"moved"
    assert [r.path for r in index.requests] == ["/simple/", "/m/", "/m/"]
    assert all("authorization" not in r.headers for r in index.requests)


def test_index_credentials_stay_on_the_index_origin(index: IndexServer) -> None:
    """The index's own credentials go to its origin only: not to the same host on another
    port, nor to another host name for the same address."""
    with serve() as other_port:
        other_port.route("/x", Reply(body=b"x", content_type="text/plain"))
        index.route("/simple/", Reply(body=b"page", content_type="text/plain"))
        index.route("/x", Reply(body=b"x", content_type="text/plain"))
        credentialed = f"http://alice:pw-1@127.0.0.1:{index.port}/simple/"
        results = fetch(
            credentialed, index.url("/simple/"), other_port.url("/x"), index.other_host_url("/x")
        )
    assert [body(r) for r in results] == [b"page", b"x", b"x"]
    expected = "Basic " + base64.b64encode(b"alice:pw-1").decode()
    assert index.requests[0].headers["authorization"] == expected
    assert "authorization" not in other_port.requests[0].headers
    assert "authorization" not in index.requests[1].headers


# -- what is sent, what is read ------------------------------------------------------------


def test_urls_are_sent_exactly_as_given_with_the_user_agent(index: IndexServer) -> None:
    path = "/files/a%2Bb/c%2fd/%7Euser/x-1.0.tar.gz?q=%20&r=a+b"
    index.route(path, Reply(body=b"ok", content_type="text/plain"))
    [result] = fetch(index.url("/simple/"), index.url(path))
    assert body(result) == b"ok"
    assert index.requests[0].path == path
    assert index.requests[0].headers["user-agent"].startswith("pyvouch/")
    assert "cookie" not in index.requests[0].headers


def test_gzip_body_is_decoded_and_its_decoded_size_is_limited(index: IndexServer) -> None:
    index.route(
        "/small",
        Reply(body=gzip.compress(b'{"ok": 1}'), headers={"Content-Encoding": "gzip"}),
    )
    bomb = gzip.compress(b"0" * (3 << 20))  # ~3 kB on the wire, 3 MB decoded
    index.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    small, big = fetch(index.url("/simple/"), index.url("/small"), index.url("/bomb"))
    assert body(small) == b'{"ok": 1}'
    assert isinstance(big, FetchError)
    assert "exceeds the limit of 1048576 bytes" in big.reason


def test_a_body_that_does_not_decode_is_refused_without_retry(index: IndexServer) -> None:
    index.route("/bad", Reply(body=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    [result] = fetch(index.url("/simple/"), index.url("/bad"), retries=2)
    assert isinstance(result, FetchError)
    assert "cannot decode the body from" in result.reason
    assert index.count("/bad") == 1


def test_set_cookie_is_not_sent_back(index: IndexServer) -> None:
    index.route("/a", Reply(body=b"a", headers={"Set-Cookie": "session=abc; Path=/"}))
    index.route("/b", Reply(body=b"b"))
    fetch(index.url("/simple/"), index.url("/a"), index.url("/b"))
    assert "cookie" not in index.requests[1].headers


def test_headers_are_case_insensitive(index: IndexServer) -> None:
    index.route("/h", Reply(body=b"h", headers={"ETag": '"v1"'}))
    [result] = fetch(index.url("/simple/"), index.url("/h"))
    assert isinstance(result, Response)
    assert result.headers["etag"] == result.headers["ETAG"] == '"v1"'
    assert result.content_type == "application/json"


# -- the session's life --------------------------------------------------------------------


def test_the_session_is_closed_and_nothing_warns(index: IndexServer) -> None:
    index.route("/a", Reply(body=b"a"))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fetch(index.url("/simple/"), index.url("/a"))
        fetch(index.url("/simple/"))  # a transport that asked nothing
        gc.collect()
    assert [str(w.message) for w in seen] == []


def test_aiohttp_is_imported_only_when_a_request_is_made(index: IndexServer) -> None:
    index.route("/a", Reply(body=b"a"))
    code = (
        "import asyncio, sys\n"
        "from pyvouch.index.client import IndexClient\n"
        "async def quiet():\n"
        "    async with IndexClient(sys.argv[1], use_cache=False):\n"
        "        pass\n"
        "asyncio.run(quiet())\n"
        "print('aiohttp' in sys.modules)\n"
        "from pyvouch.index.transport import ClientStats, Transport\n"
        "async def ask():\n"
        "    t = Transport(index_url=sys.argv[1], stats=ClientStats())\n"
        "    await t.get(sys.argv[2], accept='*/*', limit=100, kind='page')\n"
        "    await t.aclose()\n"
        "asyncio.run(ask())\n"
        "print('aiohttp' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code, index.url("/simple/"), index.url("/a")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("injected", ["/a\r\nX-Injected: 1", "/a\nb", "/a\tb", "/a\x00b"])
def test_a_url_with_a_control_character_is_refused_before_sending(
    index: IndexServer, injected: str
) -> None:
    """urllib drops tabs and newlines from a URL silently; sent as given they would split the
    request line (a hostile page's URL injecting a header). Refused, nothing sent."""
    [result] = fetch(index.url("/simple/"), index.url(injected))
    assert isinstance(result, FetchError)
    assert "invalid URL" in result.reason and "control character" in result.reason
    assert "\n" not in result.reason and "\r" not in result.reason
    assert index.requests == []


def test_a_non_ascii_url_is_percent_encoded(index: IndexServer) -> None:
    index.route("/files/caf%C3%A9%20x.whl", Reply(body=b"ok", content_type="text/plain"))
    [result] = fetch(index.url("/simple/"), index.url("/files/café x.whl"))
    assert body(result) == b"ok"
    assert index.requests[0].path == "/files/caf%C3%A9%20x.whl"


def test_header_bytes_that_are_not_utf8_read_as_latin1(index: IndexServer) -> None:
    """A hostile server's raw bytes in headers (the test server writes them as latin-1): read
    as latin-1, never as lone surrogates that no encoder takes back (the cache's JSON, the next
    request's If-None-Match); a Location so written is followed, percent-encoded."""
    index.route("/e", Reply(body=b"e", headers={"ETag": '"\xff\xfe"', "X-Odd": "\xe9"}))
    index.route("/r", Reply(status=302, headers={"Location": "/caf\xe9"}))
    index.route("/caf%C3%A9", Reply(body=b"moved", content_type="text/plain"))
    etag, moved = fetch(index.url("/simple/"), index.url("/e"), index.url("/r"))
    assert isinstance(etag, Response)
    assert etag.headers["etag"] == '"\xff\xfe"' and etag.headers["x-odd"] == "\xe9"
    assert json.dumps(dict(etag.headers), ensure_ascii=False).encode()  # encodable
    assert body(moved) == b"moved"
    assert [r.path for r in index.requests] == ["/e", "/r", "/caf%C3%A9"]


def test_a_page_with_a_hostile_etag_is_cached_and_revalidated(
    index: IndexServer, tmp_path: Path
) -> None:
    """The ETag goes into the sealed cache; bytes that cannot be sent back exactly make the
    next request unconditional (with httpx that page then failed to load at all)."""
    from pyvouch.index.client import IndexClient

    page = b'{"meta": {"api-version": "1.1"}, "name": "p", "files": []}'
    index.route(
        "/simple/p/",
        Reply(body=page, content_type="application/vnd.pypi.simple.v1+json",
              headers={"ETag": '"\xff1"'}),
    )  # fmt: skip

    async def read() -> None:
        async with IndexClient(index.url("/simple/"), cache_dir=tmp_path, retries=0) as client:
            await client.project("p")

    asyncio.run(read())
    asyncio.run(read())
    assert [r.path for r in index.requests] == ["/simple/p/", "/simple/p/"]
    assert "if-none-match" not in index.requests[1].headers


# -- TLS -----------------------------------------------------------------------------------


def _tls_files(tmp: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate it issues for 127.0.0.1: (CA pem, leaf pem, leaf key pem)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def cert(
        subject: str, key: ec.EllipticCurvePrivateKey, issuer: str, signer: Any, ca: bool
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = cert("pyvouch test CA", ca_key, "pyvouch test CA", ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = cert("127.0.0.1", leaf_key, "pyvouch test CA", ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = (tmp / "ca.pem", tmp / "leaf.pem", tmp / "leaf.key")
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(leaf.public_bytes(pem))
    paths[2].write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture
def tls_index(tmp_path: Path) -> Iterator[tuple[IndexServer, Path]]:
    import ssl

    ca, leaf, key = _tls_files(tmp_path)
    server = IndexServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf, key)
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    server.start()
    server.route("/simple/", Reply(body=b"over TLS", content_type="text/plain"))
    try:
        yield server, ca
    finally:
        server.stop()


@pytest.fixture
def fresh_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """The TLS context is made once per process: let this test's environment make it."""
    import pyvouch.index.transport as transport_module

    monkeypatch.setattr(transport_module, "_SSL_CONTEXT", None)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def test_tls_is_verified_against_ssl_cert_file(
    tls_index: tuple[IndexServer, Path], fresh_tls_context: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca = tls_index
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    url = f"https://127.0.0.1:{server.port}/simple/"
    [result] = fetch(url, url)
    assert body(result) == b"over TLS"


def test_a_certificate_from_an_unknown_authority_is_refused(
    tls_index: tuple[IndexServer, Path], fresh_tls_context: None
) -> None:
    """Without SSL_CERT_FILE the bundle is certifi's, which does not know the test CA."""
    server, _ = tls_index
    url = f"https://127.0.0.1:{server.port}/simple/"
    [result] = fetch(url, url)
    assert isinstance(result, FetchError)
    assert "connection error" in result.reason and "certificate" in result.reason.lower()
    assert server.requests == []


def test_an_http_index_builds_no_tls_context(index: IndexServer, fresh_tls_context: None) -> None:
    """Start-up: the verifying context (certifi's bundle, ~20-50 ms) is made on the first
    request that speaks TLS, so a scan of an http:// index never pays for it."""
    import pyvouch.index.transport as transport_module

    index.route("/simple/", Reply(body=b"plain", content_type="text/plain"))
    url = index.url("/simple/")
    [result] = fetch(url, url)
    assert body(result) == b"plain"
    assert transport_module._SSL_CONTEXT is None


def test_a_redirect_from_http_to_https_is_verified_with_the_same_context(
    index: IndexServer,
    tls_index: tuple[IndexServer, Path],
    fresh_tls_context: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The context is chosen per request: an https hop after an http one still gets the
    transport's (SSL_CERT_FILE here; aiohttp's own context would not know the test CA), and
    without SSL_CERT_FILE the same hop is refused."""
    server, ca = tls_index
    secure = f"https://127.0.0.1:{server.port}/simple/"
    index.route("/simple/", Reply(status=302, headers={"Location": secure}))
    url = index.url("/simple/")
    [refused] = fetch(url, url)
    assert isinstance(refused, FetchError) and "certificate" in refused.reason.lower()
    monkeypatch.setattr("pyvouch.index.transport._SSL_CONTEXT", None)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    [result] = fetch(url, url)
    assert body(result) == b"over TLS"
