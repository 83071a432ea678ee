"""End to end: build a real package, sign it with `pyvouch sign` against the local authority,
verify with the real sigstore Verifier and with `pyvouch verify --trust-root`; and the ways it
must fail, each with its own reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypi_attestations import Attestation, GitHubPublisher

from pyvouch.testing import TestAuthority, github_claims
from tests.support.cli_runs import Run, invoke, run_process
from tests.support.sigstore_checks import trusted_root_of, verify_attestation

pytestmark = pytest.mark.slow

PUBLISHER = "github:octo-org/octo-repo:release.yml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist + wheel of a small real package, built with `python -m build --no-isolation`."""
    project = tmp_path_factory.mktemp("octodemo")
    (project / "src" / "octodemo").mkdir(parents=True)
    (project / "src" / "octodemo" / "__init__.py").write_text('__version__ = "1.0.0"\n')
    (project / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n'
        "[project]\n"
        'name = "octodemo"\n'
        'version = "1.0.0"\n'
    )
    out = project / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(project)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == ["octodemo-1.0.0-py3-none-any.whl", "octodemo-1.0.0.tar.gz"]
    return out


@pytest.fixture
def dists(built: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    shutil.copytree(built, folder)
    return folder


@pytest.fixture
def served(
    authority: TestAuthority, tmp_path: Path
) -> Iterator[tuple[TestAuthority, dict[str, Path]]]:
    with authority.serve():
        yield authority, authority.write_trust_files(tmp_path / "trust")


def pyvouch(*args: str | Path, process: bool = False) -> Run:
    """``pyvouch ARGS`` in this process (``process``: through ``python -m pyvouch``), with no
    ambient CI credential."""
    env: dict[str, str | None] = {"GITHUB_ACTIONS": None, "SIGSTORE_ID_TOKEN": None}
    return run_process(args, env=env, timeout=180) if process else invoke(args, env=env)


def sign(dists: Path, token: str, trust: dict[str, Path], out: Path, process: bool = False) -> Run:
    out.mkdir(parents=True, exist_ok=True)  # pyvouch creates no --output-dir
    return pyvouch(
        "sign", dists, "--identity-token", token, "--trust-config", trust["trust_config"],
        "--output-dir", out, process=process,
    )  # fmt: skip


def verify(
    dist: Path, out: Path, trust: dict[str, Path], process: bool = False
) -> tuple[int, list[dict[str, object]]]:
    proc = pyvouch(
        "verify", dist, "--attestation", out / f"{dist.name}.publish.attestation",
        "--trust-root", trust["trusted_root"], "--publisher", PUBLISHER, "--format", "json",
        process=process,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.code, json.loads(proc.stdout)["results"]


def test_build_sign_verify_round_trip(
    served: tuple[TestAuthority, dict[str, Path]], dists: Path, tmp_path: Path
) -> None:
    authority, trust = served
    out = tmp_path / "attestations"
    # The smoke tests of sign and verify: through `python -m pyvouch`, as a user runs them.
    proc = sign(dists, authority.github.mint(github_claims()), trust, out, process=True)
    assert proc.code == 0, proc.stderr

    root = trusted_root_of(authority)
    policy = GitHubPublisher(repository="octo-org/octo-repo", workflow="release.yml")
    for dist in sorted(dists.iterdir()):
        attestation = Attestation.model_validate_json(
            (out / f"{dist.name}.publish.attestation").read_text()
        )
        verify_attestation(attestation, dist, root, policy._as_policy())  # real Verifier
        code, results = verify(dist, out, trust, process=True)  # and through the CLI
        assert code == 0, results
        assert results[0]["status"] == "verified"
        assert results[0]["identity_checked"] is True


def test_expired_token_is_refused(
    served: tuple[TestAuthority, dict[str, Path]], dists: Path, tmp_path: Path
) -> None:
    authority, trust = served
    out = tmp_path / "out"
    proc = sign(dists, authority.github.mint(github_claims(), lifetime=-600), trust, out)
    assert proc.code == 1
    assert "identity token refused" in proc.stderr
    assert list(out.iterdir()) == []  # made by sign(); nothing written


def _sign_and_verify_wheel(
    authority: TestAuthority,
    trust: dict[str, Path],
    dists: Path,
    out: Path,
    claims: dict[str, object] | None = None,
) -> tuple[int, dict[str, object]]:
    proc = sign(dists, authority.github.mint(claims or github_claims()), trust, out)
    assert proc.code == 0, proc.stderr
    wheel = next(dists.glob("*.whl"))
    code, results = verify(wheel, out, trust)
    return code, results[0]


def test_negative_cases_each_refused_with_its_own_reason(
    served: tuple[TestAuthority, dict[str, Path]], dists: Path, tmp_path: Path
) -> None:
    authority, trust = served
    reasons: dict[str, str] = {}

    # A token for another repository: the signature is fine, the identity is not the expected.
    code, result = _sign_and_verify_wheel(
        authority, trust, dists, tmp_path / "other-repo", github_claims("mallory/octo-repo")
    )
    assert (code, result["status"]) == (1, "mismatch")
    assert "mallory/octo-repo" in str(result["reason"])
    reasons["other repository"] = str(result["reason"])

    # The dist changed after signing.
    out = tmp_path / "changed"
    proc = sign(dists, authority.github.mint(github_claims()), trust, out)
    assert proc.code == 0, proc.stderr
    wheel = next(dists.glob("*.whl"))
    original = wheel.read_bytes()
    wheel.write_bytes(original + b"\0")
    code, results = verify(wheel, out, trust)
    wheel.write_bytes(original)
    assert (code, results[0]["status"]) == (1, "invalid")
    assert "digest" in str(results[0]["reason"])
    reasons["dist changed"] = str(results[0]["reason"])

    # The log recorded another body than the one signed (valid proofs for the wrong entry).
    authority.faults.entry_for_other_body = True
    code, result = _sign_and_verify_wheel(authority, trust, dists, tmp_path / "other-body")
    authority.faults.entry_for_other_body = False
    assert (code, result["status"]) == (1, "invalid")
    # The signature itself is good: it is the log entry that records another statement.
    assert "transparency log entry is for another statement" in str(result["reason"])
    assert "changed after signing" not in str(result["reason"])
    reasons["other body"] = str(result["reason"])

    # A certificate from a CA that the trusted root does not name.
    authority.faults.rogue_ca = True
    code, result = _sign_and_verify_wheel(authority, trust, dists, tmp_path / "rogue-ca")
    authority.faults.rogue_ca = False
    assert (code, result["status"]) == (1, "invalid")
    assert "does not chain to" in str(result["reason"]), result["reason"]
    reasons["untrusted CA"] = str(result["reason"])

    # A checkpoint signed by a key the trusted root does not name.
    authority.faults.unknown_checkpoint_key = True
    code, result = _sign_and_verify_wheel(authority, trust, dists, tmp_path / "checkpoint")
    authority.faults.unknown_checkpoint_key = False
    assert (code, result["status"]) == (1, "invalid")
    assert "checkpoint" in str(result["reason"])
    reasons["unknown checkpoint key"] = str(result["reason"])

    # Each failure says something different.
    assert len(set(reasons.values())) == len(reasons), reasons


def test_attestation_from_another_authority_is_invalid(
    served: tuple[TestAuthority, dict[str, Path]], dists: Path, tmp_path: Path
) -> None:
    _, trust = served
    other = TestAuthority("other-instance")
    with other.serve():
        other_trust = other.write_trust_files(tmp_path / "other-trust")
        proc = sign(dists, other.github.mint(github_claims()), other_trust, tmp_path / "out")
        assert proc.code == 0, proc.stderr
    wheel = next(dists.glob("*.whl"))
    code, results = verify(wheel, tmp_path / "out", trust)
    assert (code, results[0]["status"]) == (1, "invalid")


def test_signed_release_through_index_scan_and_pip(
    served: tuple[TestAuthority, dict[str, Path]], dists: Path, tmp_path: Path
) -> None:
    """sign -> index build -> serve -> verify from the index -> scan -> pip install."""
    from tests.support.static_server import serve_directory
    from tests.support.venvs import make_venv

    authority, trust = served
    # A private index is where test-instance attestations may sit beside their dists.
    release = tmp_path / "release"
    shutil.copytree(dists, release)
    proc = pyvouch(
        "sign", release, "--identity-token", authority.github.mint(github_claims()),
        "--trust-config", trust["trust_config"], "--allow-test-signature-beside-dists",
    )  # fmt: skip
    assert proc.code == 0, proc.stderr
    site = tmp_path / "site"
    proc = pyvouch("index", "build", release, "--out", site)
    assert proc.code == 0, proc.stderr

    with serve_directory(site, negotiate=True) as server:
        wheel = next(dists.glob("*.whl"))
        proc = pyvouch(
            "verify", wheel, "--index-url", server.index_url, "--trust-root",
            trust["trusted_root"], "--publisher", PUBLISHER, "--format", "json",
        )  # fmt: skip
        assert proc.code == 0, proc.stdout + proc.stderr
        assert json.loads(proc.stdout)["results"][0]["status"] == "verified"

        requirements = tmp_path / "requirements.txt"
        requirements.write_text("octodemo==1.0.0\n")
        proc = pyvouch(
            "scan", requirements, "--index-url", server.index_url, "--trust-root",
            trust["trusted_root"], "--format", "json", "--retries", "0",
        )  # fmt: skip
        assert proc.code == 0, proc.stdout + proc.stderr
        (package,) = json.loads(proc.stdout)["packages"]
        assert (package["name"], package["status"], package["coverage"]) == (
            "octodemo",
            "verified",
            "all",
        )

        venv = make_venv(tmp_path / "venv")
        pip = venv.pip_install("octodemo==1.0.0", index_url=server.index_url)
        assert pip.returncode == 0, pip.stderr
        assert venv.run("-c", "import octodemo; print(octodemo.__version__)").stdout.strip() == (
            "1.0.0"
        )
