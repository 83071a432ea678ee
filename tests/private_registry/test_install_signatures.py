"""`pyvouch install` from a private index whose packages carry signatures beside their files
(real pip into scratch venvs): a key-signed package installs; another key or a tampered
signature installs nothing; a .sig/.crt pair installs only when the policy allows signatures
without a log entry."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.registry.serve import make_server
from pyvouch.sign.blob import key_bundle
from pyvouch.testing import TestAuthority
from tests.support.beside_signatures import classic_keyless, pem_public
from tests.support.install_sites import installed, pyvouch_install
from tests.support.policy_sites import build_site, write_wheel
from tests.support.venvs import Venv, make_venv

pytestmark = pytest.mark.slow

HONEST = "acme/classic"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    authority = TestAuthority()
    base = tmp_path_factory.mktemp("install-signatures")
    dists = base / "dists"
    ours, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    keyed = write_wheel(dists, "keyed", "1.0")
    (dists / f"{keyed.name}.sigstore.json").write_text(key_bundle(keyed.read_bytes(), ours))
    tampered = write_wheel(dists, "tampered", "1.0")
    bundle = json.loads(key_bundle(tampered.read_bytes(), ours))
    sig = bytearray(base64.b64decode(bundle["messageSignature"]["signature"]))
    sig[10] ^= 0x01
    bundle["messageSignature"]["signature"] = base64.b64encode(bytes(sig)).decode()
    (dists / f"{tampered.name}.sigstore.json").write_text(json.dumps(bundle))
    classic = write_wheel(dists, "classic", "1.0")
    sig_text, crt = classic_keyless(authority, HONEST, classic.read_bytes())
    (dists / f"{classic.name}.sig").write_text(sig_text)
    (dists / f"{classic.name}.crt").write_text(crt)
    site = build_site(dists, base / "site")
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "url": f"http://127.0.0.1:{server.server_address[1]}/simple/",
            "root": authority.write_trust_files(base / "trust")["trusted_root"],
            "ours": pem_public(ours, base / "ours.pub"),
            "other": pem_public(other, base / "other.pub"),
        }
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def venv(tmp_path: Path) -> Venv:
    return make_venv(tmp_path / "venv")


def _install(index: dict, venv: Venv, tmp_path: Path, *args: str) -> tuple[int, dict, str]:
    run = pyvouch_install(
        "--python", venv.python, "--index-url", index["url"], "--trust-root", index["root"],
        "--format", "json", "--no-cache-dir", "--retries", "0", "--timeout", "30", *args,
        cwd=tmp_path,
    )  # fmt: skip
    doc = json.loads(run.stdout) if run.stdout.strip() else {}
    return run.returncode, doc, run.output


def test_a_key_signed_package_installs(index: dict, venv: Venv, tmp_path: Path) -> None:
    code, doc, output = _install(
        index, venv, tmp_path, "--key", str(index["ours"]), "--allow-no-tlog", "keyed"
    )
    assert code == 0, output
    (package,) = doc["packages"]
    assert package["files"][0]["signature_kind"] == "sigstore-bundle"
    assert installed(venv).get("keyed") == "1.0"


@pytest.mark.parametrize("package, key", [("keyed", "other"), ("tampered", "ours")])
def test_another_key_or_a_tampered_signature_installs_nothing(
    index: dict, venv: Venv, tmp_path: Path, package: str, key: str
) -> None:
    code, doc, output = _install(
        index, venv, tmp_path, "--key", str(index[key]), "--allow-no-tlog", package
    )
    assert code == 1, output
    assert doc["packages"][0]["status"] == "invalid"
    assert installed(venv) == {}


def test_a_sig_crt_pair_installs_only_when_allowed(index: dict, venv: Venv, tmp_path: Path) -> None:
    pin = ("--pin", f"classic=github:{HONEST}")
    code, doc, output = _install(index, venv, tmp_path, *pin, "classic")
    assert code == 1, output
    assert "no transparency log entry" in doc["packages"][0]["files"][0]["reason"]
    assert installed(venv) == {}
    code, doc, output = _install(index, venv, tmp_path, *pin, "--allow-no-tlog", "classic")
    assert code == 0, output
    assert doc["packages"][0]["files"][0]["signature_kind"] == "cosign-sig"
    assert installed(venv).get("classic") == "1.0"
