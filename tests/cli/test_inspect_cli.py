"""`pyvouch inspect` on the GitHub, GitLab and Google fixtures (network cut; the first through
``python -m pyvouch``, the smoke test of the command)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.verify_helpers import asset, run_cli, run_cli_process


def test_github_attestation_text(tmp_path: Path) -> None:
    run = run_cli_process(
        ["inspect", str(asset("pypi_attestations-0.0.19.tar.gz.publish.attestation"))], tmp_path
    )
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "subject: pypi_attestations-0.0.19.tar.gz  sha256:9bb1add04b1b4e18" in out
    assert "predicate: publish/v1" in out
    assert "publisher (from certificate): github:trailofbits/pypi-attestations:release.yml" in out
    assert "repository: https://github.com/trailofbits/pypi-attestations" in out
    assert "ref: refs/tags/v0.0.19" in out
    assert "commit: 08802efe1f8e5fec4ad842d6b8ce97656092ee72" in out
    assert "trigger: release" in out
    assert "run: https://github.com/trailofbits/pypi-attestations/actions/runs/12169989787" in out
    assert "issuer: https://token.actions.githubusercontent.com" in out
    assert "log index: " in out and "integrated time: 2024-12-04" in out
    assert "not verified" in out


def test_gitlab_attestation_json(tmp_path: Path) -> None:
    run = run_cli(
        [
            "inspect",
            str(asset("gitlab_oidc_project-0.0.3.tar.gz.publish.attestation")),
            "--format",
            "json",
        ],
        tmp_path,
    )
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["kind"] == "attestation"
    assert doc["verified"] is False
    (item,) = doc["attestations"]
    assert item["publisher"]["kind"] == "GitLab"
    assert item["publisher"]["repository"] == "facutuesca/gitlab-oidc-project"
    assert item["publisher"]["workflow"] == ".gitlab-ci.yml"
    assert item["claims"]["build_config_uri"].endswith("//.gitlab-ci.yml@refs/heads/main")
    assert item["claims"]["build_trigger"] == "push"
    assert item["subjects"] == [
        {
            "name": "gitlab_oidc_project-0.0.3.tar.gz",
            "sha256": "c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8",
        }
    ]
    assert isinstance(item["log_index"], int)


def test_google_dist_with_sibling_attestation(tmp_path: Path) -> None:
    run = run_cli(
        ["inspect", str(asset("sampleproject-3.0.0.tar.gz")), "--format", "json"], tmp_path
    )
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["kind"] == "dist"
    assert doc["sha256"].startswith("117ed88e")
    assert doc["sources"] == [str(asset("sampleproject-3.0.0.tar.gz.publish.attestation"))]
    (item,) = doc["attestations"]
    assert item["publisher_spec"] == "google:919436158236-compute@developer.gserviceaccount.com"
    assert item["issuer"] == "https://accounts.google.com"
    assert item["digest_matches_file"] is True


def test_provenance_shows_the_label_as_a_hint(tmp_path: Path) -> None:
    run = run_cli(["inspect", str(asset("pep740-sampleproject-1.0.0.tar.gz.provenance"))], tmp_path)
    assert run.code == 0, run.stderr
    assert "publisher (from certificate): gitlab:pep740-example/sampleproject" in run.stdout
    assert "publisher label (index hint, unsigned):" in run.stdout


def test_bundle_and_dist_without_attestations(tmp_path: Path) -> None:
    bundle = run_cli(
        ["inspect", str(asset("pypi_attestation_models-0.0.4a2.tar.gz.sigstore"))], tmp_path
    )
    assert bundle.code == 0
    assert "(sigstore-bundle)" in bundle.stdout
    lonely = tmp_path / "pypi_attestations-0.0.19-py3-none-any.whl"
    shutil.copy(asset(lonely.name), lonely)
    run = run_cli(["inspect", str(lonely)], tmp_path)
    assert run.code == 0
    assert "no attestation files found next to it" in run.stdout
