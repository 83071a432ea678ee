"""`pyvouch verify --package NAME==VERSION`: every file of a release, verified by the digests
the index page lists, without downloading them; bad NAME==VERSION is one line and exit 2."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.registry.serve import make_server
from pyvouch.testing import TestAuthority
from tests.support.beside_signatures import verify_package
from tests.support.policy_sites import (
    Minter,
    Signer,
    build_site,
    sha256_of,
    strip_provenance,
    write_sdist,
    write_wheel,
)

HONEST = Signer("acme/relpkg")
ATTACKER = Signer("mallory/relpkg")
WHEEL, SDIST = "relpkg-1.0-py3-none-any.whl", "relpkg-1.0.tar.gz"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """relpkg 1.0: the wheel attested by acme, the sdist by mallory; the trusted root."""
    authority = TestAuthority()
    base = tmp_path_factory.mktemp("release")
    dists = base / "dists"
    wheel, sdist = write_wheel(dists, "relpkg", "1.0"), write_sdist(dists, "relpkg", "1.0")
    minter = Minter(authority)
    minter.sign([wheel], HONEST)
    minter.sign([sdist], ATTACKER)
    return dists, authority.write_trust_files(base / "trust")["trusted_root"]


@pytest.fixture
def site(release: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    return build_site(release[0], tmp_path / "site")


def _serve(site: Path) -> Iterator[str]:
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    yield from _serve(site)


def test_every_file_is_verified_by_the_page_digest(
    served: str, site: Path, release: tuple[Path, Path]
) -> None:
    result, findings = verify_package(
        served, release[1], "--publisher", f"github:{HONEST.repository}", release="relpkg==1.0"
    )
    assert set(findings) == {WHEEL, SDIST}
    wheel, sdist = findings[WHEEL], findings[SDIST]
    assert (wheel["status"], wheel["signature_kind"]) == ("verified", "pep740")
    assert wheel["sha256"] == sha256_of(site / "files" / "relpkg" / WHEEL)
    # the attacker-identity attestation for one file of the release: that file is mismatch
    assert (sdist["status"], sdist["signature_kind"]) == ("mismatch", "pep740")
    assert ATTACKER.repository in sdist["reason"]
    assert result.exit_code == 1


def test_the_page_digest_is_what_is_checked(site: Path, release: tuple[Path, Path]) -> None:
    """The page lists another digest for the wheel than the attestation covers: no download,
    so the attestation is judged against the page's digest, and fails."""
    page = site / "simple" / "relpkg" / "index.json"
    doc = json.loads(page.read_text())
    for entry in doc["files"]:
        if entry["filename"] == WHEEL:
            entry["hashes"]["sha256"] = "ab" * 32
    page.write_text(json.dumps(doc))
    for served in _serve(site):
        _, findings = verify_package(
            served, release[1], "--publisher", f"github:{HONEST.repository}", release="relpkg==1.0"
        )
    assert findings[WHEEL]["sha256"] == "ab" * 32
    assert findings[WHEEL]["status"] == "invalid"


def test_an_index_without_pep740_says_unknown_for_each_file(
    site: Path, release: tuple[Path, Path]
) -> None:
    strip_provenance(site)
    for served in _serve(site):
        result, findings = verify_package(
            served, release[1], "--publisher", f"github:{HONEST.repository}", release="relpkg==1.0"
        )
    assert {name: f["status"] for name, f in findings.items()} == {
        WHEEL: "unknown",
        SDIST: "unknown",
    }
    assert result.exit_code == 3


def test_a_release_the_index_does_not_list_is_unknown(
    served: str, release: tuple[Path, Path]
) -> None:
    result, findings = verify_package(served, release[1], release="relpkg==9.9")
    assert [f["status"] for f in findings.values()] == ["unknown"]
    assert "lists no files of relpkg==9.9" in next(iter(findings.values()))["reason"]
    assert result.exit_code == 3


@pytest.mark.parametrize(
    "given",
    [
        "relpkg",
        "relpkg==",
        "==1.0",
        "relpkg>=1.0",
        "relpkg==1.*",
        "rel pkg==1.0",
        "relpkg==1.0==2",
        "relpkg===1.0",
    ],
)
def test_a_bad_release_is_one_line_and_exit_2(given: str) -> None:
    result = CliRunner().invoke(cli, ["verify", "--package", given])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--package" in lines[0] and "Traceback" not in result.output


def test_package_takes_no_attestation_files(tmp_path: Path) -> None:
    bundle = tmp_path / "a.json"
    bundle.write_text("{}")
    result = CliRunner().invoke(
        cli, ["verify", "--package", "relpkg==1.0", "--attestation", str(bundle)]
    )
    assert result.exit_code == 2 and "--package" in result.output
