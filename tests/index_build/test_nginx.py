"""The nginx configuration in docs/static-index.md, run as written against a built site.

Skipped (saying why) where nginx is not installed: `apt-get install nginx-light` provides it.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from pyvouch.registry.static_site import build_site
from tests.index_build.conftest import copy_attested
from tests.support.static_server import PEP691_JSON

DOC = Path(__file__).resolve().parents[2] / "docs" / "static-index.md"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
)

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


def documented_config() -> str:
    match = re.search(r"```nginx\n(.*?)```", DOC.read_text(), re.S)
    assert match, "docs/static-index.md has no nginx block"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_documented_nginx_config_negotiates(tmp_path: Path) -> None:
    assert NGINX is not None
    site = tmp_path / "site"
    build_site(copy_attested(tmp_path / "in", ("rfc8785-0.1.2-py3-none-any.whl",)), site)
    port = free_port()
    snippet = documented_config()
    assert "listen 8080;" in snippet and "root /srv/pyvouch-site;" in snippet
    snippet = snippet.replace("listen 8080;", f"listen 127.0.0.1:{port};").replace(
        "root /srv/pyvouch-site;", f"root {site};"
    )
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    temps = " ".join(
        f"{kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    # pytest's tmp folders are private to this user: let the workers run as this user too.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}daemon off;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'logs/error.log'};\n"
        f"events {{}}\nhttp {{\naccess_log off;\n{temps}\n{snippet}\n}}\n"
    )
    proc = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(prefix)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(timeout=5) as http:
            for _ in range(50):  # up to ~5 s for nginx to listen
                try:
                    http.get(f"{base}/simple/")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    time.sleep(0.1)
            page = f"{base}/simple/rfc8785/"
            as_json = http.get(page, headers={"Accept": PEP691_JSON})
            assert as_json.status_code == 200
            assert as_json.headers["content-type"] == PEP691_JSON
            assert as_json.headers["vary"] == "Accept"
            entry = as_json.json()["files"][0]
            as_html = http.get(page, headers={"Accept": "text/html"})
            assert as_html.headers["content-type"].startswith("text/html")
            assert f'data-provenance="{entry["provenance"]}"' in as_html.text
            provenance = http.get(httpx.URL(page).join(entry["provenance"]))
            assert provenance.status_code == 200
            assert provenance.headers["content-type"] == "application/json"
            assert provenance.json()["version"] == 1
            wheel = http.get(httpx.URL(page).join(entry["url"]))
            assert wheel.headers["content-type"] == "application/octet-stream"
            assert http.get(f"{base}/.pyvouch-site").status_code == 404
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
