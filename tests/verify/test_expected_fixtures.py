"""Every row of tests/assets/attestations/EXPECTED.tsv verifies (or fails) as it says.

Run through the CLI with the network cut (every proxy points at a closed port on 127.0.0.1), so
nothing can reach Sigstore, TUF or PyPI: in process, and once through ``python -m pyvouch`` (all
fixtures in one invocation). pytest's timeout bounds each run: a hang on the network fails it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.support.verify_helpers import ASSETS, asset, run_cli, run_cli_process

# The expected publisher for each verifiable row, as a --publisher spec. Derived by hand from
# the row's "publisher" column; a new row without an entry here fails test_every_row_is_covered.
SPECS = {
    "pypi_attestations-0.0.19.tar.gz.publish.attestation": (
        "github:trailofbits/pypi-attestations:release.yml"
    ),
    "pypi_attestations-0.0.19.tar.gz.slsa.attestation": (
        "github:trailofbits/pypi-attestations:release.yml"
    ),
    "pypi_attestations-0.0.19.tar.gz.provenance": (
        "github:trailofbits/pypi-attestations:release.yml"
    ),
    "pypi_attestation_models-0.0.4a2.tar.gz.attestation": (
        "github:trailofbits/pypi-attestation-models:release.yml"
    ),
    "pypi_attestation_models-0.0.4a2.tar.gz.sigstore": (
        "github:trailofbits/pypi-attestation-models:release.yml"
    ),
    "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation": (
        "gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml"
    ),
    "sampleproject-4.0.0.tar.gz.provenance": "github:pypa/sampleproject:release.yml",
    "sampleproject-3.0.0.tar.gz.publish.attestation": (
        "google:919436158236-compute@developer.gserviceaccount.com"
    ),
}
STAGING = {
    "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
    "rfc8785-0.1.2-py3-none-any.whl.sigstore",
}


def rows() -> list[dict[str, str]]:
    with (ASSETS / "EXPECTED.tsv").open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_row_is_covered() -> None:
    seen = set()
    for row in rows():
        name = row["attestation_file"]
        if row["dist"] == "(not available)" or name == "(none)":
            continue
        seen.add(name)
        assert name in SPECS or name in STAGING, f"EXPECTED.tsv row not tested: {name}"
    assert seen == set(SPECS) | STAGING


@pytest.mark.parametrize("name", sorted(SPECS))
def test_verified_row(name: str, tmp_path: Path) -> None:
    row = next(r for r in rows() if r["attestation_file"] == name)
    assert row["expected_result"] == "verified"
    option = "--provenance" if name.endswith(".provenance") else "--attestation"
    run = run_cli(
        [
            "verify",
            str(asset(row["dist"])),
            option,
            str(asset(name)),
            "--publisher",
            SPECS[name],
            "--format",
            "json",
        ],
        tmp_path,
    )
    assert run.code == 0, run.stderr
    (result,) = run.json()["results"]
    assert result["status"] == "verified"
    assert result["identity_checked"] is True
    assert result["file"] == row["dist"]
    assert all(a["verified"] and a["error"] is None for a in result["attestations"])
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("name", sorted(STAGING))
def test_staging_row_fails_on_production_and_verifies_on_staging(name: str, tmp_path: Path) -> None:
    row = next(r for r in rows() if r["attestation_file"] == name)
    assert row["sigstore_instance"] == "staging"
    base = ["verify", str(asset(row["dist"])), "--attestation", str(asset(name))]
    production = run_cli([*base, "--format", "json"], tmp_path)
    assert production.code == 1
    (result,) = production.json()["results"]
    assert result["status"] == "invalid"
    assert "does not chain to the production trust root" in result["reason"]

    staging = run_cli([*base, "--staging", "--format", "json"], tmp_path)
    assert staging.code == 0, staging.stderr
    (result,) = staging.json()["results"]
    assert result["status"] == "verified"
    assert result["identity_checked"] is False
    assert "identity NOT checked" in result["reason"]
    assert result["publisher"]["subject"] == "william@yossarian.net"
    assert result["publisher"]["issuer"] == "https://github.com/login/oauth"


def test_wheel_paired_with_the_sdist_attestation_fails(tmp_path: Path) -> None:
    row = next(r for r in rows() if r["dist"] == "pypi_attestations-0.0.19-py3-none-any.whl")
    assert "must fail" in row["expected_result"]
    run = run_cli(
        [
            "verify",
            str(asset(row["dist"])),
            "--attestation",
            str(asset("pypi_attestations-0.0.19.tar.gz.publish.attestation")),
            "--format",
            "json",
        ],
        tmp_path,
    )
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["status"] == "invalid"
    assert "is for another file" in result["reason"]
    assert "pypi_attestations-0.0.19.tar.gz" in result["reason"]


def test_all_fixtures_in_one_invocation(tmp_path: Path) -> None:
    """Several files at once: attestations are routed to their files by subject (through the
    real entry point: the verify command's smoke test)."""
    names = [n for n in SPECS if not n.startswith("pypi_attestation_models")]
    dists = sorted({next(r["dist"] for r in rows() if r["attestation_file"] == n) for n in names})
    args = ["verify", *(str(asset(d)) for d in dists), "--format", "json"]
    for name in names:
        args += ["--attestation", str(asset(name))]
    run = run_cli_process(args, tmp_path)
    assert run.code == 0, run.stderr
    results = {r["file"]: r for r in run.json()["results"]}
    assert set(results) == set(dists)
    assert all(r["status"] == "verified" for r in results.values())
    # The sdist has publish + SLSA attestations (+ the provenance's copy): all are listed.
    assert len(results["pypi_attestations-0.0.19.tar.gz"]["attestations"]) == 3
    assert "identity NOT checked" in run.stderr
