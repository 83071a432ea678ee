"""Shared pieces for the static index builder tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli_runs import Run, invoke, run_process

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "attestations"

# Dists and the attestation-carrying files next to them, as they are in tests/assets.
ATTESTED: dict[str, tuple[str, ...]] = {
    "pypi_attestations-0.0.19.tar.gz": (
        "pypi_attestations-0.0.19.tar.gz.publish.attestation",
        "pypi_attestations-0.0.19.tar.gz.slsa.attestation",
        "pypi_attestations-0.0.19.tar.gz.provenance",
    ),
    "pypi_attestation_models-0.0.4a2.tar.gz": (
        "pypi_attestation_models-0.0.4a2.tar.gz.attestation",
        "pypi_attestation_models-0.0.4a2.tar.gz.sigstore",
    ),
    "gitlab_oidc_project-0.0.3.tar.gz": ("gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",),
    "rfc8785-0.1.2-py3-none-any.whl": ("rfc8785-0.1.2-py3-none-any.whl.publish.attestation",),
    "sampleproject-3.0.0.tar.gz": ("sampleproject-3.0.0.tar.gz.publish.attestation",),
    "sampleproject-4.0.0.tar.gz": ("sampleproject-4.0.0.tar.gz.provenance",),
    "pypi_attestations-0.0.19-py3-none-any.whl": (),
}


def copy_assets(dst: Path, *names: str) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(ASSETS / name, dst / name)
    return dst


def copy_attested(dst: Path, dists: tuple[str, ...] | None = None) -> Path:
    """Copy dists (all of ATTESTED by default) with their attestation files into ``dst``."""
    for dist in dists if dists is not None else tuple(ATTESTED):
        copy_assets(dst, dist, *ATTESTED[dist])
    return dst


def run_cli(*args: str) -> Run:
    """``pyvouch ARGS`` in this process."""
    return invoke(args)


def run_cli_process(*args: str) -> Run:
    """``python -m pyvouch ARGS``: the smoke test of `index build`."""
    return run_process(args)


def site_bytes(root: Path) -> dict[str, bytes]:
    """Every file of a site, by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def attested_dir(tmp_path: Path) -> Path:
    return copy_attested(tmp_path / "dists")
