"""`pyvouch install` with a poisoned cache directory (issue 8, rule 1): provenance for an
unattested dependency, signed by a valid attacker identity and planted in the cache (unsealed,
or sealed with another machine's key), does not get it installed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.testing import TestAuthority
from tests.support.cache_plants import (
    FOREIGN_KEY,
    MALLORY,
    Corpus,
    plant_route,
    plant_sealed_provenance,
    plant_unsealed_provenance,
)
from tests.support.install_sites import installed, minted_site, pyvouch_install
from tests.support.policy_sites import Minter, build_site
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv

pytestmark = pytest.mark.slow

LIB = "gated_lib-1.0-py3-none-any.whl"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StaticServer, Path, bytes]]:
    """The minted site (gated-lib unattested), its trust root, and mallory's provenance for
    exactly gated-lib's wheel."""
    minter = Minter(TestAuthority())
    root = tmp_path_factory.mktemp("poisoned")
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    served = minted_site(minter, root)
    evil_dists = root / "evil-dists"
    evil_dists.mkdir()
    lib = Path(shutil.copy2(root / "dists" / LIB, evil_dists / LIB))
    minter.sign([lib], MALLORY)
    evil = Corpus.provenance(build_site(evil_dists, root / "evil-site"), lib)
    with serve_directory(served, negotiate=True) as server:
        yield server, trust, evil


@pytest.fixture
def venv(tmp_path: Path) -> Venv:
    return make_venv(tmp_path / "venv")


def test_planted_provenance_does_not_get_an_unattested_package_installed(
    venv: Venv, site: tuple[StaticServer, Path, bytes], tmp_path: Path
) -> None:
    server, trust, evil = site
    cache = tmp_path / "cache"  # PYVOUCH_CACHE_DIR (tests/install_gate/conftest.py)
    wheel = server.root.parent / "dists" / LIB
    plant_unsealed_provenance(cache, server.index_url, wheel, evil)
    plant_unsealed_provenance(cache, server.index_url, wheel, evil, layout="index-v1")
    plant_sealed_provenance(cache, server.index_url, wheel, evil, FOREIGN_KEY)
    plant_route(cache, server.index_url, FOREIGN_KEY)
    run = pyvouch_install(
        "--python", venv.python, "--index-url", server.index_url, "--trust-root", trust,
        "--format", "json", "gated-lib", "--no-cache-dir", "--retries", "0", "--timeout", "30",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 1, run.output
    (package,) = json.loads(run.stdout)["packages"]
    assert (package["name"], package["status"]) == ("gated-lib", "unattested")
    assert package["decision"]["action"] == "block"
    assert MALLORY.repository not in run.output
    assert installed(venv) == {}
