"""A small loopback index for the application functions of `pyvouch.pipeline`, called
directly (plain data in, plain data out): wheels signed by the local test authority as the
real publisher and as an attacker, and one published without an attestation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyvouch.pipeline.settings import LookupFlags
from pyvouch.testing import TestAuthority
from pyvouch.verify.attestations import AttestationVerifier
from pyvouch.verify.deferred import DeferredVerifier
from tests.support.policy_sites import Minter, Release, Signer, build_site, publish
from tests.support.static_server import StaticServer, serve_directory

REAL = Signer("octo/alpha", "release.yml")
ATTACKER = Signer("mallory/alpha", "release.yml")

RELEASES = (
    Release("alpha", "1.0", REAL),
    Release("alpha", "1.1", REAL),
    Release("beta", "1.0", None),
    Release("gamma", "2.0", ATTACKER),
)


@dataclass(frozen=True)
class Site:
    server: StaticServer
    dists: dict[str, Path]
    """filename -> the wheel on disk."""
    trust_root: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    minter = Minter(TestAuthority())
    root = tmp_path_factory.mktemp("pipeline-site")
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    dists = publish(minter, root / "dists", RELEASES)
    with serve_directory(build_site(root / "dists", root / "site"), negotiate=True) as server:
        yield Site(server, dists, trust)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no policy file) with the caches and the machine key in
    tmp_path."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return work


def lookup_flags(site: Site, cache: Path, **changes: object) -> LookupFlags:
    values: dict[str, object] = {
        "index_url": site.server.index_url,
        "offline": False,
        "jobs": 4,
        "timeout": 30.0,
        "retries": 1,
        "staging": False,
        "trust_root": site.trust_root,
        "cache_dir": cache,
        "config_path": None,
    }
    values.update(changes)
    return LookupFlags(**values)  # type: ignore[arg-type]


class _MustNotVerify(DeferredVerifier):
    def get(self) -> AttestationVerifier:
        raise AssertionError("verified again: the verdict cache was not used")


def must_not_verify(verifier: DeferredVerifier) -> DeferredVerifier:
    """A verifier for the same trust root (so the same verdict-cache keys) that fails the test
    if anything has to be verified."""
    strict = _MustNotVerify.__new__(_MustNotVerify)
    for name in ("_root", "_verifier", "trust_root_sha256", "trust_root_source"):
        setattr(strict, name, getattr(verifier, name))
    strict._verifier = None
    return strict
