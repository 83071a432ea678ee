"""`pyvouch sign` against the served test authority: in process, and once as a user runs it
(``python -m pyvouch``, the first test)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypi_attestations import Attestation, GitHubPublisher

from pyvouch.testing import TestAuthority, github_claims
from tests.support.cli_runs import Run, invoke, run_process
from tests.support.sigstore_checks import trusted_root_of, verify_attestation

WHEEL = "demo-1.0-py3-none-any.whl"
SDIST = "demo-1.0.tar.gz"
GITHUB = GitHubPublisher(repository="octo-org/octo-repo", workflow="release.yml")

# CI variables the `id` package reads; cleared so the host's own CI never leaks in.
_AMBIENT = (
    "GITHUB_ACTIONS",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "SIGSTORE_ID_TOKEN",
    "CIRCLECI",
    "GOOGLE_SERVICE_ACCOUNT_NAME",
    "BUILDKITE",
    "PYVOUCH_IDENTITY_TOKEN",
)


def run(*args: str | Path, env: dict[str, str] | None = None, process: bool = False) -> Run:
    """``pyvouch sign ARGS`` in this process (``process``: through ``python -m pyvouch``), with
    no ambient CI credential."""
    environ: dict[str, str | None] = {key: None for key in _AMBIENT}
    environ.update(env or {})
    argv = ["sign", *map(str, args)]
    return run_process(argv, env=environ) if process else invoke(argv, env=environ)


@pytest.fixture
def dists(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / WHEEL).write_bytes(b"wheel bytes")
    (folder / SDIST).write_bytes(b"sdist bytes")
    return folder


def outdir(tmp_path: Path, name: str = "out") -> Path:
    """An --output-dir that exists (pyvouch creates none)."""
    out = tmp_path / name
    out.mkdir(exist_ok=True)
    return out


def attestations_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.publish.attestation"))


def test_signs_every_dist_and_each_verifies(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    out = outdir(tmp_path, "attestations")
    token = served_authority.github.mint(github_claims())
    proc = run(
        dists / WHEEL,
        dists / SDIST,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        out,
        process=True,
    )
    assert proc.code == 0, proc.stderr
    assert "signed 2 file(s)" in proc.stdout
    assert "github:octo-org/octo-repo:release.yml" in proc.stdout
    assert attestations_in(out) == sorted(f"{n}.publish.attestation" for n in (WHEEL, SDIST))
    assert attestations_in(dists) == []
    root = trusted_root_of(served_authority)
    for name in (WHEEL, SDIST):
        attestation = Attestation.model_validate_json(
            (out / f"{name}.publish.attestation").read_text()
        )
        verify_attestation(attestation, dists / name, root, GITHUB._as_policy())
    # One certificate for the release, one log entry per file.
    assert served_authority.server_requests.count(("POST", "/api/v2/signingCert")) == 1
    assert served_authority.server_requests.count(("POST", "/api/v1/log/entries")) == 2


def test_directory_means_every_dist_inside(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    (dists / "README.txt").write_text("ignored")
    out = outdir(tmp_path)
    proc = run(
        dists,
        "--identity-token",
        served_authority.github.mint(github_claims()),
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        out,
    )
    assert proc.code == 0, proc.stderr
    assert len(attestations_in(out)) == 2


def test_non_dist_is_refused_with_exit_2(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    other = dists / "notes.txt"
    other.write_text("x")
    proc = run(
        dists / WHEEL,
        other,
        "--identity-token",
        served_authority.github.mint(github_claims()),
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        outdir(tmp_path),
    )
    assert proc.code == 2
    assert "notes.txt" in proc.stderr and "not a wheel or sdist" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert list((tmp_path / "out").iterdir()) == []
    assert served_authority.server_requests == []


def test_test_signature_is_not_written_beside_dists_without_the_flag(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path
) -> None:
    token = served_authority.github.mint(github_claims())
    proc = run(dists, "--identity-token", token, "--trust-config", trust_files["trust_config"])
    assert proc.code == 2
    assert "refusing to write" in proc.stderr and "--output-dir" in proc.stderr
    assert attestations_in(dists) == []
    assert served_authority.server_requests == []

    # --output-dir pointing at the dists' own folder is the same thing.
    proc = run(
        dists,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        dists,
    )
    assert proc.code == 2

    proc = run(
        dists,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--allow-test-signature-beside-dists",
    )
    assert proc.code == 0, proc.stderr
    assert len(attestations_in(dists)) == 2


def test_dry_run_names_files_and_identity_and_writes_nothing(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    token = served_authority.github.mint(github_claims("acme/widgets", environment="pypi"))
    proc = run(
        dists,
        "--dry-run",
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        outdir(tmp_path),
    )
    assert proc.code == 0, proc.stderr
    assert "would sign 2 file(s)" in proc.stdout
    assert "github:acme/widgets:release.yml@pypi" in proc.stdout
    assert WHEEL in proc.stdout and SDIST in proc.stdout
    assert list((tmp_path / "out").iterdir()) == []
    assert served_authority.server_requests == []


def test_expired_token_is_refused_and_nothing_written(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    token = served_authority.github.mint(github_claims(), lifetime=-300)
    proc = run(
        dists,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        outdir(tmp_path),
    )
    assert proc.code == 1
    assert "identity token refused" in proc.stderr
    assert list((tmp_path / "out").iterdir()) == []  # the test made it; nothing written


def test_forged_token_refused_by_the_ca(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    token = served_authority.github.mint(
        github_claims(), key=ec.generate_private_key(ec.SECP256R1())
    )
    proc = run(
        dists,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        outdir(tmp_path),
    )
    assert proc.code == 1
    assert "certificate authority refused" in proc.stderr
    assert "signature does not verify" in proc.stderr


def test_all_or_nothing_when_the_log_fails_midway(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    served_authority.faults.log_refuses_after = 1  # the first dist is logged, the second not
    out = outdir(tmp_path)
    proc = run(
        dists,
        "--identity-token",
        served_authority.github.mint(github_claims()),
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        out,
    )
    assert proc.code == 1
    assert "transparency log refused" in proc.stderr
    assert len(served_authority.log.entries) == 1  # really signed one before failing
    assert list(out.iterdir()) == []  # the test made it; nothing kept


def test_ambient_github_actions_credential(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    served_authority.register_ambient_token(
        "request-secret", served_authority.github, github_claims()
    )
    env = {
        "GITHUB_ACTIONS": "true",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-secret",
        "ACTIONS_ID_TOKEN_REQUEST_URL": f"{served_authority.base_url}/gha/token",
    }
    out = outdir(tmp_path)
    proc = run(dists, "--trust-config", trust_files["trust_config"], "--output-dir", out, env=env)
    assert proc.code == 0, proc.stderr
    assert len(attestations_in(out)) == 2


def test_no_identity_is_a_usage_error(
    trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    proc = run(dists, "--trust-config", trust_files["trust_config"], "--output-dir", tmp_path)
    assert proc.code == 2
    assert "no identity" in proc.stderr and "--identity-token" in proc.stderr


def test_dry_run_outside_ci_shows_the_plan_and_says_no_identity(
    dists: Path, tmp_path: Path
) -> None:
    proc = run(dists, "--dry-run", "--output-dir", outdir(tmp_path))
    assert proc.code == 0, proc.stderr
    assert "would sign 2 file(s) with Sigstore production" in proc.stdout
    assert "identity: none here (no identity" in proc.stdout
    assert WHEEL in proc.stdout and SDIST in proc.stdout
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("token", ["", "   "])
def test_an_empty_identity_token_says_so(dists: Path, tmp_path: Path, token: str) -> None:
    proc = run(dists, "--identity-token", token, "--output-dir", outdir(tmp_path))
    assert proc.code == 2
    assert "--identity-token is empty" in proc.stderr
    assert "ambient" in proc.stderr  # how to do without it
    assert list((tmp_path / "out").iterdir()) == []


def test_a_missing_trust_config_is_named_before_anything_else(dists: Path) -> None:
    # next to the dists, where a test signature would also be refused: the missing file is
    # the first thing to fix, so it is what the message says
    proc = run(dists, "--trust-config", "missing.json")
    assert proc.code == 2
    assert "missing.json" in proc.stderr and "does not exist" in proc.stderr
    assert "refusing" not in proc.stderr


def test_trusted_root_alone_is_not_a_signing_config(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    proc = run(
        dists,
        "--identity-token",
        served_authority.github.mint(github_claims()),
        "--trust-config",
        trust_files["trusted_root"],
        "--output-dir",
        outdir(tmp_path),
    )
    assert proc.code == 2
    assert "not a ClientTrustConfig" in proc.stderr


def test_staging_and_trust_config_exclude_each_other(
    trust_files: dict[str, Path], dists: Path
) -> None:
    proc = run(dists, "--staging", "--trust-config", trust_files["trust_config"])
    assert proc.code == 2
    assert "exclude each other" in proc.stderr


def test_a_test_signature_is_refused_next_to_a_copy_of_the_dist_in_the_output_dir(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    """Signing build/x.whl into dist/ where dist/x.whl also lies puts the attestation exactly
    where an upload tool picks it up: refused like signing in place."""
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / WHEEL).write_bytes((dists / WHEEL).read_bytes())
    token = served_authority.github.mint(github_claims())
    proc = run(
        dists / WHEEL,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        upload,
        "--dry-run",
    )
    assert proc.code == 2
    assert "refusing to write" in proc.stderr
    assert attestations_in(upload) == []


def test_two_dists_with_one_name_are_refused(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / WHEEL).write_bytes(b"other wheel bytes")
    token = served_authority.github.mint(github_claims())
    out = outdir(tmp_path)
    proc = run(
        dists / WHEEL,
        other / WHEEL,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        out,
    )
    assert proc.code == 2
    assert "would both write" in proc.stderr
    assert list(out.iterdir()) == []  # the test made it; nothing written
    assert served_authority.server_requests == []


def test_written_attestations_are_readable_by_others(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    out = outdir(tmp_path)
    token = served_authority.github.mint(github_claims())
    proc = run(
        dists / WHEEL,
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        out,
        env={},
    )
    assert proc.code == 0, proc.stderr
    mode = (out / f"{WHEEL}.publish.attestation").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_an_absurd_token_expiry_is_shown_not_a_traceback(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    token = served_authority.github.mint({**github_claims(), "exp": 1e300})
    proc = run(
        dists,
        "--dry-run",
        "--identity-token",
        token,
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        outdir(tmp_path),
    )
    assert "Traceback" not in proc.stderr
    assert proc.code == 0, proc.stderr
    assert "token expires 1e+300" in proc.stdout


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_missing_output_dir_is_refused_before_anything_is_signed(
    served_authority: TestAuthority,
    trust_files: dict[str, Path],
    dists: Path,
    tmp_path: Path,
    dry_run: bool,
) -> None:
    """pyvouch creates no directory the user names (as scan --output): a mistyped
    --output-dir is one line, exit 2, before the CA or the log is asked."""
    missing = tmp_path / "no" / "such"
    proc = run(
        dists,
        *(["--dry-run"] if dry_run else []),
        "--identity-token",
        served_authority.github.mint(github_claims()),
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        missing,
    )
    assert proc.code == 2, proc.stderr
    assert f"{missing}: cannot write: no such directory" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "no").exists()
    assert served_authority.server_requests == []


def test_an_output_dir_that_is_a_file_is_refused(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    proc = run(
        dists,
        "--identity-token",
        served_authority.github.mint(github_claims()),
        "--trust-config",
        trust_files["trust_config"],
        "--output-dir",
        afile,
    )
    assert proc.code == 2, proc.stderr
    assert afile.read_text() == "keep me"
    assert served_authority.server_requests == []


def test_sign_and_sign_blob_report_a_refusing_authority_alike(
    served_authority: TestAuthority, trust_files: dict[str, Path], dists: Path, tmp_path: Path
) -> None:
    """One signing session (`pyvouch.sign.session`) for both commands: the same line, with the
    authority's reason, and nothing written by either."""
    from cryptography.hazmat.primitives.asymmetric import ec

    forged = served_authority.github.mint(
        github_claims(), key=ec.generate_private_key(ec.SECP256R1())
    )
    lines = []
    for command in ("sign", "sign-blob"):
        out = outdir(tmp_path, command)
        done = invoke(
            [command, dists / WHEEL, "--identity-token", forged,
             "--trust-config", trust_files["trust_config"], "--output-dir", out],
            env={key: None for key in _AMBIENT},
        )  # fmt: skip
        assert done.code == 1, done.stderr
        assert done.stdout == ""
        assert list(out.iterdir()) == []
        lines.append(done.stderr)
    assert lines[0] == lines[1]
    assert lines[0].startswith(
        "pyvouch: error: the certificate authority refused to issue a certificate: "
    )
    assert "signature does not verify" in lines[0]
    assert served_authority.log.entries == []
