"""Signatures beside files on an index without PEP 740: each attack refused with its status
and a one-line reason, the honest cases verified (`pyvouch verify --package`, through the
pipeline every command uses)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.testing import TestAuthority
from tests.support.beside_signatures import (
    PROJECT,
    Dist,
    base64_pem,
    classic_key,
    classic_keyless,
    keyless,
    logged_key,
    pem_public,
    publish_page,
    serve_beside,
    verify_package,
)
from tests.support.index_servers import IndexServer, Reply, serve
from tests.support.policy_sites import write_sdist, write_wheel

HONEST = "acme/privpkg"
ATTACKER = "mallory/privpkg"


@pytest.fixture(scope="module")
def module_authority() -> TestAuthority:
    return TestAuthority()


@pytest.fixture(scope="module")
def root(module_authority: TestAuthority, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return module_authority.write_trust_files(tmp_path_factory.mktemp("trust"))["trusted_root"]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dist, Dist]:
    folder = tmp_path_factory.mktemp("dists")
    wheel, sdist = write_wheel(folder, PROJECT, "1.0"), write_sdist(folder, PROJECT, "1.0")
    return Dist(wheel.name, wheel.read_bytes()), Dist(sdist.name, sdist.read_bytes())


@pytest.fixture(scope="module")
def keys(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[ec.EllipticCurvePrivateKey, Path]]:
    folder = tmp_path_factory.mktemp("keys")
    out = {}
    for name in ("ours", "other"):
        key = ec.generate_private_key(ec.SECP256R1())
        out[name] = (key, pem_public(key, folder / f"{name}.pub"))
    return out


@pytest.fixture
def server(
    dists: tuple[Dist, Dist], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[IndexServer]:
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))  # nothing carried over
    with serve() as srv:
        publish_page(srv, [dists[0]])
        yield srv


def _one(findings: dict[str, dict[str, object]], dist: Dist) -> dict[str, object]:
    finding = findings[dist.filename]
    assert "\n" not in str(finding["reason"])
    return finding


# -- a key ----------------------------------------------------------------------------------


def test_a_key_signed_package_passes(server, root, dists, keys, module_authority) -> None:
    wheel = dists[0]
    key, pub = keys["ours"]
    serve_beside(server, wheel, ".sigstore.json", logged_key(module_authority, key, wheel.data))
    result, findings = verify_package(server, root, "--key", str(pub))
    finding = _one(findings, wheel)
    assert finding["status"] == "verified", finding["reason"]
    assert finding["signature_kind"] == "sigstore-bundle"
    assert finding["identity_checked"] is True
    assert result.exit_code == 0


def test_a_tampered_signature_is_invalid(server, root, dists, keys, module_authority) -> None:
    wheel = dists[0]
    key, pub = keys["ours"]
    bundle = json.loads(logged_key(module_authority, key, wheel.data))
    sig = bytearray(base64.b64decode(bundle["messageSignature"]["signature"]))
    sig[-1] ^= 1
    bundle["messageSignature"]["signature"] = base64.b64encode(bytes(sig)).decode()
    serve_beside(server, wheel, ".sigstore.json", json.dumps(bundle))
    result, findings = verify_package(server, root, "--key", str(pub))
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "does not verify" in str(finding["reason"])
    assert result.exit_code == 1


def test_another_key_is_invalid(server, root, dists, keys, module_authority) -> None:
    wheel = dists[0]
    other, _ = keys["other"]
    _, ours = keys["ours"]
    serve_beside(server, wheel, ".sigstore.json", logged_key(module_authority, other, wheel.data))
    result, findings = verify_package(server, root, "--key", str(ours))
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "key hint" in str(finding["reason"])
    assert result.exit_code == 1


def test_a_signature_over_another_file_is_invalid(
    server, root, dists, keys, module_authority
) -> None:
    wheel, sdist = dists
    key, pub = keys["ours"]
    serve_beside(server, wheel, ".sigstore.json", logged_key(module_authority, key, sdist.data))
    _, findings = verify_package(server, root, "--key", str(pub))
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "message digest is not this file's sha256" in str(finding["reason"])


def test_a_key_bundle_without_log_entry_needs_the_allowance(server, root, dists, keys) -> None:
    from pyvouch.sign.blob import key_bundle

    wheel = dists[0]
    key, pub = keys["ours"]
    serve_beside(server, wheel, ".sigstore.json", key_bundle(wheel.data, key))
    _, refused = verify_package(server, root, "--key", str(pub))
    assert _one(refused, wheel)["status"] == "invalid"
    assert "no transparency log entry" in str(_one(refused, wheel)["reason"])
    _, allowed = verify_package(server, root, "--key", str(pub), "--allow-no-tlog")
    assert _one(allowed, wheel)["status"] == "verified"


# -- keyless bundles --------------------------------------------------------------------------


def test_a_keyless_bundle_for_the_publisher_passes(server, root, dists, module_authority) -> None:
    wheel = dists[0]
    serve_beside(server, wheel, ".sigstore.json", keyless(module_authority, HONEST, wheel.data))
    result, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    finding = _one(findings, wheel)
    assert finding["status"] == "verified", finding["reason"]
    assert finding["signature_kind"] == "sigstore-bundle"
    assert finding["publisher"]["repository"] == HONEST
    assert result.exit_code == 0


def test_a_bundle_minted_for_an_attacker_is_mismatch(server, root, dists, module_authority) -> None:
    wheel = dists[0]
    serve_beside(server, wheel, ".sigstore.json", keyless(module_authority, ATTACKER, wheel.data))
    result, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    finding = _one(findings, wheel)
    assert finding["status"] == "mismatch"
    assert ATTACKER in str(finding["reason"])
    assert result.exit_code == 1


def test_a_keyless_bundle_is_not_a_key_signature(
    server, root, dists, keys, module_authority
) -> None:
    wheel = dists[0]
    serve_beside(server, wheel, ".sigstore.json", keyless(module_authority, ATTACKER, wheel.data))
    _, findings = verify_package(server, root, "--key", str(keys["ours"][1]))
    assert _one(findings, wheel)["status"] == "invalid"


# -- cosign's classic .sig + .crt ---------------------------------------------------------------


def test_a_sig_crt_pair_is_refused_unless_allowed(server, root, dists, module_authority) -> None:
    wheel = dists[0]
    sig, crt = classic_keyless(module_authority, HONEST, wheel.data)
    serve_beside(server, wheel, ".sig", sig)
    serve_beside(server, wheel, ".crt", crt)
    spec = f"github:{HONEST}"
    result, refused = verify_package(server, root, "--publisher", spec)
    finding = _one(refused, wheel)
    assert finding["status"] == "invalid"
    assert finding["signature_kind"] == "cosign-sig"
    assert "no transparency log entry" in str(finding["reason"])
    assert "allow-no-tlog" in str(finding["reason"])
    assert result.exit_code == 1
    result, allowed = verify_package(server, root, "--publisher", spec, "--allow-no-tlog")
    finding = _one(allowed, wheel)
    assert finding["status"] == "verified", finding["reason"]
    assert "no transparency log entry" in str(finding["reason"])  # said even when accepted
    assert result.exit_code == 0


def test_a_base64_crt_as_older_cosign_wrote_it(server, root, dists, module_authority) -> None:
    wheel = dists[0]
    sig, crt = classic_keyless(module_authority, HONEST, wheel.data)
    serve_beside(server, wheel, ".sig", sig)
    serve_beside(server, wheel, ".crt", base64_pem(crt))
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}", "--allow-no-tlog")
    assert _one(findings, wheel)["status"] == "verified"


def test_a_sig_crt_pair_for_an_attacker_is_mismatch(server, root, dists, module_authority) -> None:
    wheel = dists[0]
    sig, crt = classic_keyless(module_authority, ATTACKER, wheel.data)
    serve_beside(server, wheel, ".sig", sig)
    serve_beside(server, wheel, ".crt", crt)
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}", "--allow-no-tlog")
    assert _one(findings, wheel)["status"] == "mismatch"


def test_a_crt_from_another_authority_is_invalid(server, root, dists) -> None:
    wheel = dists[0]
    rogue = TestAuthority()  # a CA the trust root does not name
    sig, crt = classic_keyless(rogue, HONEST, wheel.data)
    serve_beside(server, wheel, ".sig", sig)
    serve_beside(server, wheel, ".crt", crt)
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}", "--allow-no-tlog")
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "does not chain to the trust root" in str(finding["reason"])


def test_a_key_sig_passes_with_the_key_and_allowance(server, root, dists, keys) -> None:
    wheel = dists[0]
    key, pub = keys["ours"]
    serve_beside(server, wheel, ".sig", classic_key(key, wheel.data))
    _, allowed = verify_package(server, root, "--key", str(pub), "--allow-no-tlog")
    assert _one(allowed, wheel)["status"] == "verified"
    assert _one(allowed, wheel)["signature_kind"] == "cosign-sig"
    _, other = verify_package(server, root, "--key", str(keys["other"][1]), "--allow-no-tlog")
    assert _one(other, wheel)["status"] == "invalid"


# -- a hostile server ---------------------------------------------------------------------------


def test_a_bundle_redirected_to_another_host_is_refused(
    server, root, dists, module_authority
) -> None:
    wheel = dists[0]
    elsewhere = "/elsewhere/bundle.json"
    server.route(
        elsewhere,
        Reply(body=keyless(module_authority, HONEST, wheel.data).encode()),
    )
    server.route(
        wheel.path + ".sigstore.json",
        Reply(status=302, headers={"Location": server.other_host_url(elsewhere)}),
    )
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "another host" in str(finding["reason"])


def test_a_huge_signature_file_is_refused(server, root, dists) -> None:
    wheel = dists[0]
    server.route(wheel.path + ".sigstore.json", Reply(generate=2 * 1024 * 1024))
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "limit" in str(finding["reason"])


def test_json_that_is_not_a_bundle_is_invalid(server, root, dists) -> None:
    wheel = dists[0]
    serve_beside(server, wheel, ".sigstore.json", json.dumps({"signature": "x"}))
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "not a Sigstore bundle" in str(finding["reason"])


def test_an_html_error_page_as_sig_is_invalid(server, root, dists) -> None:
    wheel = dists[0]
    page = b"<html><body><h1>500 Internal error</h1></body></html>"
    server.route(wheel.path + ".sig", Reply(body=page, content_type="text/html"))
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}", "--allow-no-tlog")
    finding = _one(findings, wheel)
    assert finding["status"] == "invalid"
    assert "not a base64 signature" in str(finding["reason"])


def test_a_failing_signature_url_is_unknown(server, root, dists) -> None:
    wheel = dists[0]
    server.route(wheel.path + ".sigstore.json", Reply(status=503))
    result, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    finding = _one(findings, wheel)
    assert finding["status"] == "unknown"
    assert result.exit_code == 3


def test_nothing_beside_the_file_stays_unknown(server, root, dists) -> None:
    wheel = dists[0]
    result, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    finding = _one(findings, wheel)
    assert finding["status"] == "unknown"
    assert finding["signature_kind"] is None
    assert result.exit_code == 3


# -- the cache -------------------------------------------------------------------------------


def _plant(cache: Path, server: IndexServer, wheel: Dist, bundle: str, secret: bytes) -> None:
    """A signature entry for ``wheel`` sealed with ``secret`` (not this machine's key)."""
    import hashlib

    from pyvouch.index.beside import BesideFile, BesideSignatures, SignatureCache

    file_url = server.url(wheel.path)
    found = BesideSignatures(
        file_url, bundle=BesideFile(file_url + ".sigstore.json", body=bundle.encode())
    )
    SignatureCache(cache / "index-v2", secret, None).put(
        server.url("/simple/"), hashlib.sha256(wheel.data).hexdigest(), found
    )


@pytest.mark.parametrize("secret", [b"\0" * 32, b"another machine's key, 32 bytes!"])
def test_a_planted_signature_in_the_cache_does_not_count(
    server, root, dists, module_authority, tmp_path, secret
) -> None:
    wheel = dists[0]
    _plant(
        tmp_path / "cache", server, wheel, keyless(module_authority, ATTACKER, wheel.data), secret
    )
    _, findings = verify_package(server, root)  # nothing beside the file on the index
    assert _one(findings, wheel)["status"] == "unknown"
    _, offline = verify_package(server, root, "--offline")
    assert _one(offline, wheel)["status"] == "unknown"
    assert list((tmp_path / "cache").rglob("*.json")), "the planted entry was where it is read"


def test_a_verified_signature_is_cached_sealed_and_used_offline(
    server, root, dists, module_authority
) -> None:
    wheel = dists[0]
    serve_beside(server, wheel, ".sigstore.json", keyless(module_authority, HONEST, wheel.data))
    spec = ("--publisher", f"github:{HONEST}")
    _, online = verify_package(server, root, *spec)
    assert _one(online, wheel)["status"] == "verified"
    _, offline = verify_package(server, root, *spec, "--offline")
    assert _one(offline, wheel)["status"] == "verified", _one(offline, wheel)["reason"]
    _, other = verify_package(server, root, "--publisher", f"github:{ATTACKER}", "--offline")
    assert _one(other, wheel)["status"] == "mismatch"  # re-verified, never a cached verdict


# -- sign-blob writes the classic pair ----------------------------------------------------------


def test_sign_blob_writes_a_sig_the_index_serves(server, root, dists, keys, tmp_path) -> None:
    from click.testing import CliRunner

    from pyvouch.cli.main import cli
    from tests.support.blob_signing import write_keypair

    wheel = dists[0]
    local = tmp_path / wheel.filename
    local.write_bytes(wheel.data)
    private, public = write_keypair(tmp_path)
    sig = tmp_path / f"{wheel.filename}.sig"
    result = CliRunner().invoke(
        cli, ["sign-blob", str(local), "--key", str(private), "--output-signature", str(sig)]
    )
    assert result.exit_code == 0, result.output
    assert "no transparency log entry" in result.output
    serve_beside(server, wheel, ".sig", sig.read_bytes())
    _, findings = verify_package(server, root, "--key", str(public), "--allow-no-tlog")
    assert (_one(findings, wheel)["status"], _one(findings, wheel)["signature_kind"]) == (
        "verified",
        "cosign-sig",
    )
    refused = CliRunner().invoke(
        cli,
        ["sign-blob", str(local), "--key", str(private), "--output-certificate", str(sig)],
    )
    assert refused.exit_code == 2 and "no certificate" in refused.output


def test_sign_blob_keyless_writes_sig_and_crt(
    served_authority, trust_files, dists, tmp_path, monkeypatch
) -> None:
    from click.testing import CliRunner

    from pyvouch.cli.main import cli
    from pyvouch.testing import github_claims

    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    wheel = dists[0]
    local = tmp_path / wheel.filename
    local.write_bytes(wheel.data)
    token = served_authority.github.mint(github_claims(HONEST, "release.yml"))
    sig, crt = tmp_path / "out.sig", tmp_path / "out.crt"
    result = CliRunner().invoke(
        cli,
        [
            "sign-blob", str(local), "--identity-token", token,
            "--trust-config", str(trust_files["trust_config"]),
            "--output-signature", str(sig), "--output-certificate", str(crt),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert crt.read_text().startswith("-----BEGIN CERTIFICATE-----")
    with serve() as srv:
        from tests.support.beside_signatures import publish_page

        publish_page(srv, [wheel])
        serve_beside(srv, wheel, ".sig", sig.read_bytes())
        serve_beside(srv, wheel, ".crt", crt.read_bytes())
        _, findings = verify_package(
            srv, trust_files["trusted_root"], "--publisher", f"github:{HONEST}", "--allow-no-tlog"
        )
    assert _one(findings, wheel)["status"] == "verified"


def test_sign_blob_classic_outputs_name_one_file(tmp_path) -> None:
    from click.testing import CliRunner

    from pyvouch.cli.main import cli
    from tests.support.blob_signing import write_keypair

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a")
    b.write_text("b")
    private, _ = write_keypair(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "sign-blob",
            str(a),
            str(b),
            "--key",
            str(private),
            "--output-signature",
            str(tmp_path / "x.sig"),
        ],
    )
    assert result.exit_code == 2 and "one FILE" in result.output
    assert not (tmp_path / "a.txt.sigstore.json").exists()


def test_nothing_beside_is_remembered_for_an_hour_and_only_sealed(
    server, root, dists, tmp_path
) -> None:
    import hashlib

    from pyvouch.index.beside import ABSENT_LIFETIME, SignatureCache

    wheel = dists[0]
    verify_package(server, root)
    asked = server.count(wheel.path + ".")
    assert asked == 2  # .sigstore.json, then .sig
    verify_package(server, root)
    assert server.count(wheel.path + ".") == asked  # remembered: not asked again
    # The memory holds for ABSENT_LIFETIME from when it was seen, and --refresh ignores it.
    args = (server.url("/simple/"), hashlib.sha256(wheel.data).hexdigest(), server.url(wheel.path))
    later = SignatureCache(
        tmp_path / "cache" / "index-v2", b"x" * 32, None, clock=lambda: 4e9 + ABSENT_LIFETIME
    )
    cache_now = SignatureCache(tmp_path / "cache" / "index-v2", b"x" * 32, None, clock=lambda: 4e9)
    cache_now.put_absent(*args)
    assert cache_now.absent(*args) and not later.absent(*args)
    assert not SignatureCache(
        tmp_path / "cache" / "index-v2", b"x" * 32, None, refresh=True, clock=lambda: 4e9
    ).absent(*args)


def test_a_planted_absence_hides_no_signature(
    server, root, dists, module_authority, tmp_path
) -> None:
    import hashlib

    from pyvouch.index.beside import SignatureCache

    wheel = dists[0]
    args = (server.url("/simple/"), hashlib.sha256(wheel.data).hexdigest(), server.url(wheel.path))
    SignatureCache(tmp_path / "cache" / "index-v2", b"y" * 32, None).put_absent(*args)
    serve_beside(server, wheel, ".sigstore.json", keyless(module_authority, HONEST, wheel.data))
    _, findings = verify_package(server, root, "--publisher", f"github:{HONEST}")
    assert _one(findings, wheel)["status"] == "verified"
