"""A small corpus shared by the tests of the generator and of parallel verification."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.testing.corpus import CorpusConfig, Manifest, generate

# 16 packages: 3 unattested, 3 invalid (bad signature and altered statement), 2 identity-changed.
SMALL = CorpusConfig(packages=16, seed=11, unattested=0.2, invalid=0.2, identity_changed=0.125)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("corpus") / "c"
    manifest = generate(SMALL, out, jobs=2)  # the forked-workers path, one authority
    return out, manifest
