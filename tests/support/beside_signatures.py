"""Signatures beside files on a loopback index, for the private-registry tests: keyless
bundles and cosign's classic ``.sig`` + ``.crt`` minted by the local test authority for any
GitHub identity, key bundles (with or without a log entry), and `pyvouch verify` run against
a scripted index (`tests.support.index_servers.IndexServer`)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.cli.main import cli
from pyvouch.sign.blob import classic_pair, key_bundle
from pyvouch.testing import TestAuthority
from tests.support.blob_signing import keyless_bundle, logged_key_bundle
from tests.support.index_servers import PEP691_JSON, IndexServer, PageFile, Reply, json_page

PROJECT = "privpkg"


@dataclass
class Dist:
    filename: str
    data: bytes

    @property
    def path(self) -> str:
        return f"/files/{self.filename}"


def publish_page(server: IndexServer, dists: list[Dist], **kw: Any) -> None:
    """A PEP 691 page without provenance keys (a private index without PEP 740); the dists
    served at /files/NAME."""
    import hashlib

    files = [PageFile(d.filename, d.path, hashlib.sha256(d.data).hexdigest(), **kw) for d in dists]
    server.route(
        f"/simple/{PROJECT}/", Reply(body=json_page(PROJECT, files), content_type=PEP691_JSON)
    )
    for d in dists:
        server.route(d.path, Reply(body=d.data, content_type="application/octet-stream"))


def serve_beside(server: IndexServer, dist: Dist, suffix: str, body: bytes | str) -> None:
    data = body.encode() if isinstance(body, str) else body
    server.route(dist.path + suffix, Reply(body=data, content_type="application/octet-stream"))


def keyless(authority: TestAuthority, repository: str, data: bytes) -> str:
    return keyless_bundle(authority, repository, data=data)


def classic_keyless(authority: TestAuthority, repository: str, data: bytes) -> tuple[str, str]:
    """cosign's ``.sig`` (base64) and ``.crt`` (PEM), signed as ``github:repository``."""
    sig, crt = classic_pair(keyless(authority, repository, data))
    assert crt is not None
    return sig, crt


def classic_key(key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    return classic_pair(key_bundle(data, key))[0]


def logged_key(authority: TestAuthority, key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    return json.dumps(logged_key_bundle(authority, data, key))


def pem_public(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def base64_pem(pem: str) -> str:
    """The certificate as older cosign wrote it: base64 of the PEM."""
    x509.load_pem_x509_certificate(pem.encode())
    return base64.b64encode(pem.encode()).decode()


def verify_package(
    server: IndexServer | str, root: Path, *args: str, release: str = f"{PROJECT}==1.0"
) -> tuple[Result, dict[str, dict[str, Any]]]:
    """``pyvouch verify --package RELEASE --format json`` against ``server`` (or an index
    URL); the findings by file name."""
    index_url = server if isinstance(server, str) else server.url("/simple/")
    result = CliRunner().invoke(
        cli,
        [
            "verify",
            "--package",
            release,
            "--index-url",
            index_url,
            "--trust-root",
            str(root),
            "--format",
            "json",
            *args,
        ],
    )
    try:
        doc = json.loads(result.stdout)
    except ValueError:
        return result, {}
    return result, {f["file"]: f for f in doc["results"]}
