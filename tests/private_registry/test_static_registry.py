"""`index build` copies signatures beside the dists, `index serve` negotiates PEP 691 JSON,
and scan / verify read the signatures there against the policy's key or identity."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.cli.main import cli
from pyvouch.registry.serve import make_server
from pyvouch.sign.blob import key_bundle
from pyvouch.testing import TestAuthority
from tests.support.beside_signatures import classic_keyless, pem_public
from tests.support.policy_sites import Minter, Signer, write_sdist, write_wheel

PROJECT = "privpkg"
HONEST = "acme/privpkg"


@pytest.fixture(scope="module")
def module_authority() -> TestAuthority:
    return TestAuthority()


@pytest.fixture(scope="module")
def root(module_authority: TestAuthority, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return module_authority.write_trust_files(tmp_path_factory.mktemp("trust"))["trusted_root"]


@pytest.fixture(scope="module")
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def release(
    tmp_path_factory: pytest.TempPathFactory,
    module_authority: TestAuthority,
    signing_key: ec.EllipticCurvePrivateKey,
) -> Path:
    """privpkg 1.0: the wheel key-signed (a bundle without log entry), the sdist with a
    keyless .sig/.crt pair; otherpkg 1.0 unsigned."""
    folder = tmp_path_factory.mktemp("dists")
    wheel = write_wheel(folder, PROJECT, "1.0")
    sdist = write_sdist(folder, PROJECT, "1.0")
    write_wheel(folder, "otherpkg", "1.0")
    attested = write_wheel(folder, "attpkg", "1.0")
    Minter(module_authority).sign([attested], Signer("mallory/attpkg"))
    (folder / f"{wheel.name}.sigstore.json").write_text(key_bundle(wheel.read_bytes(), signing_key))
    sig, crt = classic_keyless(module_authority, HONEST, sdist.read_bytes())
    (folder / f"{sdist.name}.sig").write_text(sig)
    (folder / f"{sdist.name}.crt").write_text(crt)
    return folder


@pytest.fixture(scope="module")
def site(release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = CliRunner().invoke(cli, ["index", "build", str(release), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 signature files beside them" in result.output
    assert "1 with provenance" in result.output
    return out


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))


def test_build_copies_the_signatures_beside_the_dists(site: Path, release: Path) -> None:
    files = site / "files" / PROJECT
    for name in (
        f"{PROJECT}-1.0-py3-none-any.whl.sigstore.json",
        f"{PROJECT}-1.0.tar.gz.sig",
        f"{PROJECT}-1.0.tar.gz.crt",
    ):
        assert (files / name).read_bytes() == (release / name).read_bytes()
    page = json.loads((site / "simple" / PROJECT / "index.json").read_text())
    assert all(f["provenance"] is None for f in page["files"])  # not PEP 740: beside


def test_build_refuses_a_signature_of_another_file(
    tmp_path: Path, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    wheel = write_wheel(tmp_path / "in", PROJECT, "1.0")
    sdist = write_sdist(tmp_path / "in", PROJECT, "1.0")
    (tmp_path / "in" / f"{wheel.name}.sigstore.json").write_text(
        key_bundle(sdist.read_bytes(), signing_key)
    )
    result = CliRunner().invoke(
        cli, ["index", "build", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "signs sha256" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_build_refuses_an_error_page_as_sig(tmp_path: Path) -> None:
    wheel = write_wheel(tmp_path / "in", PROJECT, "1.0")
    (tmp_path / "in" / f"{wheel.name}.sig").write_text("<html>404</html>")
    result = CliRunner().invoke(
        cli, ["index", "build", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "not a base64 signature" in result.output


def _get(url: str, accept: str | None = None) -> tuple[str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.headers["Content-Type"], resp.read()


def test_serve_negotiates_json_as_the_nginx_block_does(served: str) -> None:
    kind, body = _get(served + f"{PROJECT}/", "application/vnd.pypi.simple.v1+json")
    assert kind == "application/vnd.pypi.simple.v1+json" and json.loads(body)["name"] == PROJECT
    kind, body = _get(served + f"{PROJECT}/")
    assert kind == "text/html" and b"<a " in body
    with pytest.raises(urllib.error.HTTPError) as marker:
        _get(served.replace("/simple/", "/.pyvouch-site"))
    assert marker.value.code == 404


def test_serve_refuses_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["index", "serve", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a site" in result.output


def _scan(served: str, root: Path, tmp_path: Path, policy: str, *args: str) -> dict:
    wheel = f"{PROJECT}-1.0-py3-none-any.whl"
    lock = tmp_path / "requirements.txt"
    digests = _digests(served)
    lock.write_text(
        f"{PROJECT}==1.0 --hash=sha256:{digests[wheel]} "
        f"--hash=sha256:{digests[f'{PROJECT}-1.0.tar.gz']}\n"
        f"otherpkg==1.0 --hash=sha256:{digests['otherpkg-1.0-py3-none-any.whl']}\n"
        f"attpkg==1.0 --hash=sha256:{digests['attpkg-1.0-py3-none-any.whl']}\n"
    )
    (tmp_path / "pyvouch.toml").write_text(policy)
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            str(lock),
            "--index-url",
            served,
            "--trust-root",
            str(root),
            "--config",
            str(tmp_path / "pyvouch.toml"),
            "--files",
            "all",
            "--format",
            "json",
            *args,
        ],
    )
    assert result.exit_code in (0, 1, 3), result.output
    return json.loads(result.stdout)


def _digests(served: str) -> dict[str, str]:
    out = {}
    for project in (PROJECT, "otherpkg", "attpkg"):
        _, body = _get(served + f"{project}/", "application/vnd.pypi.simple.v1+json")
        out.update({f["filename"]: f["hashes"]["sha256"] for f in json.loads(body)["files"]})
    return out


def _files(doc: dict) -> dict[str, dict]:
    return {f["filename"]: f for p in doc["packages"] for f in p["files"]}


def test_scan_checks_signatures_against_the_policy(
    served: str, root: Path, tmp_path: Path, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    pem_public(signing_key, tmp_path / "cosign.pub")
    policy = (
        f'[packages.{PROJECT}]\nkey = "cosign.pub"\nallow-no-tlog = true\n'
        f'[publishers]\n{PROJECT} = "github:{HONEST}"\n'
    )
    files = _files(_scan(served, root, tmp_path, policy))
    wheel = files[f"{PROJECT}-1.0-py3-none-any.whl"]
    assert (wheel["status"], wheel["signature_kind"]) == ("verified", "sigstore-bundle")
    sdist = files[f"{PROJECT}-1.0.tar.gz"]
    # the sdist's .sig/.crt is keyless, but the policy names a key for the package
    assert (sdist["status"], sdist["signature_kind"]) == ("invalid", "cosign-sig")
    other = files["otherpkg-1.0-py3-none-any.whl"]
    assert (other["status"], other["signature_kind"]) == ("unattested", None)  # JSON: told


def test_scan_without_the_allowance_refuses_signatures_without_a_log(
    served: str, root: Path, tmp_path: Path, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    pem_public(signing_key, tmp_path / "cosign.pub")
    files = _files(_scan(served, root, tmp_path, f'[packages.{PROJECT}]\nkey = "cosign.pub"\n'))
    wheel = files[f"{PROJECT}-1.0-py3-none-any.whl"]
    assert wheel["status"] == "invalid" and "no transparency log entry" in wheel["reason"]


def test_a_keyless_pair_pinned_to_another_publisher_is_mismatch(
    served: str, root: Path, tmp_path: Path
) -> None:
    policy = (
        f"[packages.{PROJECT}]\nallow-no-tlog = true\n"
        f'[publishers]\n{PROJECT} = "github:mallory/privpkg"\n'
    )
    files = _files(_scan(served, root, tmp_path, policy))
    assert files[f"{PROJECT}-1.0.tar.gz"]["status"] == "mismatch"
    files = _files(_scan(served, root, tmp_path, policy.replace("mallory", "acme")))
    assert files[f"{PROJECT}-1.0.tar.gz"]["status"] == "verified"


def test_a_bad_policy_key_is_one_line(served: str, root: Path, tmp_path: Path) -> None:
    (tmp_path / "pyvouch.toml").write_text(f'[packages.{PROJECT}]\nallow-no-tlog = "yes"\n')
    result = CliRunner().invoke(
        cli, ["scan", "--config", str(tmp_path / "pyvouch.toml"), str(tmp_path / "nothing.txt")]
    )
    assert result.exit_code == 2
    assert "packages.privpkg.allow-no-tlog: must be true or false" in result.output


def test_the_index_serve_command_serves_the_site(site: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "pyvouch", "index", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(f"serving {site} at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split()[0]
        kind, _ = _get(url + f"{PROJECT}/", "application/vnd.pypi.simple.v1+json")
        assert kind == "application/vnd.pypi.simple.v1+json"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_package_with_a_key_is_not_satisfied_by_an_attestation(
    served: str, root: Path, tmp_path: Path, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    """The index serves a PEP 740 attestation for attpkg, by mallory: without a policy it
    verifies (trust on first use); with a key for attpkg it is mismatch."""
    files = _files(_scan(served, root, tmp_path, ""))
    assert files["attpkg-1.0-py3-none-any.whl"]["status"] == "verified"
    pem_public(signing_key, tmp_path / "cosign.pub")
    files = _files(_scan(served, root, tmp_path, '[packages.attpkg]\nkey = "cosign.pub"\n'))
    attested = files["attpkg-1.0-py3-none-any.whl"]
    assert (attested["status"], attested["signature_kind"]) == ("mismatch", "pep740")
    assert "cosign.pub" in attested["reason"] and "mallory/attpkg" in attested["reason"]


@pytest.mark.parametrize(
    "policy, needle",
    [
        (f'[packages.{PROJECT}]\nkey = "missing.pub"\n', "missing.pub: cannot read"),
        (f'[packages.{PROJECT}]\nkey = "pyvouch.toml"\n', "not a PEM public key"),
        (f'[packages.{PROJECT}]\nkey = ""\n', "must not be empty"),
        (f'[packages.{PROJECT}]\nkye = "cosign.pub"\n', "unknown key"),
        ('[packages."not a name"]\nkey = "cosign.pub"\n', "packages"),
    ],
)
def test_a_bad_key_setting_is_one_line_before_any_lookup(
    served: str, root: Path, tmp_path: Path, policy: str, needle: str
) -> None:
    (tmp_path / "pyvouch.toml").write_text(policy)
    lock = tmp_path / "requirements.txt"
    lock.write_text(f"{PROJECT}==1.0\n")
    result = CliRunner().invoke(
        cli,
        ["scan", str(lock), "--index-url", served, "--trust-root", str(root), "--no-resolve",
         "--config", str(tmp_path / "pyvouch.toml")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], lines


def test_verify_a_local_file_against_the_signature_beside_it_on_the_index(
    served: str, root: Path, release: Path, tmp_path: Path, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    key = pem_public(signing_key, tmp_path / "cosign.pub")
    wheel = release / f"{PROJECT}-1.0-py3-none-any.whl"
    args = [
        "verify",
        str(wheel),
        "--index-url",
        served,
        "--trust-root",
        str(root),
        "--key",
        str(key),
    ]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1 and "no transparency log entry" in refused.output
    result = CliRunner().invoke(cli, [*args, "--allow-no-tlog"])
    assert result.exit_code == 0, result.output
    assert "[sigstore-bundle]" in result.output
