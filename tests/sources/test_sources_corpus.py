"""The real lock files in ../shared/fixtures/lockfiles, read in place (skipped when absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from pyvouch.model import Package
from pyvouch.sources import load_packages

LOCKS = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "lockfiles"
HEX64 = re.compile(r"^[0-9a-f]{64}$")

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not LOCKS.is_dir(), reason=f"shared lock file corpus absent ({LOCKS})"),
]

# Folder → the format detection must find, and whether every index package pins digests.
FOLDERS = {
    "pylock": ("pylock", True),
    "uv": ("uv", True),
    "poetry": ("poetry", True),
    "pipfile": ("pipfile", True),
    "pdm": ("pdm", True),
    "requirements-hashed": ("requirements", True),
    "requirements-plain": ("requirements", False),
    "cyclonedx": ("cyclonedx", False),
}


def corpus_files() -> list[Path]:
    if not LOCKS.is_dir():
        return []
    return sorted(p for p in LOCKS.glob("*/*") if p.is_file())


def load(rel: str) -> dict[str, Package]:
    result = load_packages(LOCKS / rel, resolve=False)
    return {p.name: p for p in result.packages}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_is_sane(path: Path) -> None:
    fmt, pinned = FOLDERS[path.parent.name]
    result = load_packages(path, resolve=False)
    assert result.format == fmt
    assert len(result.packages) > 0
    for pkg in result.packages:
        assert pkg.name == canonicalize_name(pkg.name)
        assert pkg.source is not None
        for f in pkg.files:
            assert f.filename and "/" not in f.filename
            assert f.sha256 is None or HEX64.match(f.sha256)
        assert all(HEX64.match(h) for h in pkg.hashes)
        if pinned and pkg.origin is None:
            assert pkg.hashes or (pkg.files and all(f.sha256 for f in pkg.files)), pkg.name
    # narrowing never adds packages
    narrowed = load_packages(path, resolve=False, python_version="3.11", platform="linux")
    assert len(narrowed.packages) <= len(result.packages)


def test_spot_checks_uv_and_pylock() -> None:
    uv = load("uv/sigstore-python.uv.lock")
    assert len(uv) == 89
    ann = uv["annotated-types"]
    assert ann.version == "0.7.0" and ann.origin is None and ann.index_url is None
    assert (ann.files[0].filename, ann.files[0].sha256, ann.files[0].size) == (
        "annotated_types-0.7.0.tar.gz",
        "aff07c09a53a08bc8cfccb9c85b05f1aa9a2a6f23728d790723543408344ce89",
        16081,
    )
    assert ann.files[1].sha256 == "1f02e8b43a8fbbc3f3e0d4f0f4bfc8131bcb4eebe8849b8e5c773f3a1c582a53"
    assert uv["sigstore"].origin == "editable:."

    audit = load("pylock/pip-audit.test.pylock.basic.toml")
    assert sorted(audit) == ["attrs", "cattrs", "numpy"]
    assert audit["attrs"].attestation_identities == (
        {
            "environment": "release-pypi",
            "kind": "GitHub",
            "repository": "python-attrs/attrs",
            "workflow": "pypi-package.yml",
        },
    )
    assert len(audit["numpy"].files) == 2


def test_cross_format_pair_agrees() -> None:
    """comfy-cli's pylock.toml and uv.lock (same commit): where they lock the same version,
    they record the same digests (the pair is not fully in sync: gitpython differs)."""
    pylock = load("pylock/comfy-cli.pylock.toml")
    uv = load("uv/comfy-cli.uv.lock")
    assert set(pylock) <= set(uv)
    same = [n for n, p in pylock.items() if not p.origin and p.version == uv[n].version]
    assert len(same) >= 40
    for name in same:
        assert {f.sha256 for f in pylock[name].files} <= {f.sha256 for f in uv[name].files}, name


def test_spot_checks_poetry_pdm_pipfile() -> None:
    poetry = load("poetry/poetry.poetry.lock")
    assert len(poetry) == 78
    anyio = {f.filename: f.sha256 for f in poetry["anyio"].files}
    assert anyio == {
        "anyio-4.13.0-py3-none-any.whl": (
            "08b310f9e24a9594186fd75b4f73f4a4152069e3853f1ed8bfbf58369f4ad708"
        ),
        "anyio-4.13.0.tar.gz": "334b70e641fd2221c1505b3890c69882fe4a2df910cba14d97019b90b24439dc",
    }
    assert poetry["poetry-core"].origin == (
        "vcs:git+https://github.com/python-poetry/poetry-core.git"
        "@e3998b0e111dc03e4aa721fd054c48e5c7de6fc5"
    )
    # the same release locked by PDM carries the same digests
    pdm = load("pdm/pdm.pdm.lock")
    assert {f.filename: f.sha256 for f in pdm["anyio"].files} == anyio
    assert len(load("pdm/bentoml.pdm.lock")) == 198  # 203 entries, extras repeats merged

    assert len(load("poetry/cyclonedx-python.regression-issue702.lock11.poetry.lock")) == 60
    lock21 = load("poetry/cyclonedx-python.regression-issue702.lock21.poetry.lock")
    sbom = load("cyclonedx/cyclonedx-python.poetry-regression-issue702.cdx.json")
    assert set(sbom) == set(lock21)
    assert {f.sha256 for f in sbom["aiohappyeyeballs"].files} == {
        f.sha256 for f in lock21["aiohappyeyeballs"].files
    }

    pipfile = load("pipfile/pipenv.examples.Pipfile.lock")
    assert len(pipfile) == 10
    assert pipfile["certifi"].version == "2026.2.25"
    assert pipfile["certifi"].hashes == (
        "027692e4402ad994f1c42e52a4997a9763c646b73e4096e4d5d6db8af1d6f0fa",
        "e887ab5cee78ea814d3472169153c2d12cd43b14bd03329a39a9c6e2e80bfba7",
    )


def test_spot_checks_requirements() -> None:
    edge = load("requirements-hashed/uv.test-data.poetry-with-hashes.txt")
    assert sorted(edge) == ["ansicon", "psycopg2", "requests-oauthlib", "urllib3", "werkzeug"]
    assert len(edge["psycopg2"].hashes) == 4
    assert edge["urllib3"].hashes == (
        "8a388717b9476f934a21484e8c8e61875ab60644d29b9b39e11e4b9dc1c6b305",
    )  # the "--hash sha256:" space form
    assert edge["werkzeug"].hashes == (
        "2e1ccc9417d4da358b9de6f174e3ac094391ea1d4fbef2d667865d819dfd0afe",
    )  # hash on the same line as the marker
    linux = load_packages(
        LOCKS / "requirements-hashed/uv.test-data.poetry-with-hashes.txt", platform="linux"
    )
    assert "ansicon" not in {p.name for p in linux.packages}  # platform_system == "Windows"

    plain = load("requirements-plain/gh-action-pypi-publish.runtime.txt")
    assert len(plain) == 31
    assert plain["annotated-types"].version == "0.6.0"
    assert all(p.hashes == () and p.files == () for p in plain.values())

    warehouse = load("requirements-hashed/warehouse.requirements.main.txt")
    assert len(warehouse) == 184
