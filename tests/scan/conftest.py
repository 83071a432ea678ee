"""Fixtures for the `pyvouch scan` tests: a site built once, served on 127.0.0.1, and a runner
that runs the CLI in-process with its cache in tmp_path and its working directory there too
(so no policy file of the repository is picked up)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from tests.support.index_servers import IndexServer, serve
from tests.support.scan_sites import build_site, mirror_site
from tests.support.static_server import StaticServer, serve_directory


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("scan-site"))


@pytest.fixture
def served(site: Path) -> Iterator[StaticServer]:
    """The built site, served with PEP 691 JSON negotiation (as docs/static-index.md says)."""
    with serve_directory(site, negotiate=True) as server:
        yield server


@pytest.fixture
def mirror(site: Path) -> Iterator[IndexServer]:
    """A faithful scripted copy of the site (tests add faults to its routes)."""
    with serve() as server:
        mirror_site(server, site)
        yield server


@pytest.fixture
def stripping(site: Path) -> Iterator[IndexServer]:
    """A mirror that strips provenance: api-version 1.1, no keys, integrity endpoint 404."""
    with serve() as server:
        mirror_site(server, site, strip=True)
        yield server


@dataclass
class Scan:
    """Runs `pyvouch scan` in-process."""

    workdir: Path
    cache: Path

    def __call__(self, *args: str, cache: Path | None = None) -> Result:
        env = {
            "PYVOUCH_CACHE_DIR": str(cache or self.cache),
            "PIP_INDEX_URL": None,
            "NO_COLOR": "1",
        }
        return CliRunner().invoke(cli, ["scan", *args], env=env, catch_exceptions=False)

    def json(self, *args: str, cache: Path | None = None) -> tuple[int, dict[str, Any]]:
        result = self(*args, "--format", "json", cache=cache)
        return result.exit_code, json.loads(result.stdout)

    def write(self, name: str, text: str) -> Path:
        path = self.workdir / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scan:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return Scan(work, tmp_path / "cache")


def files_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every file of a JSON report, by filename."""
    return {f["filename"]: f for p in doc["packages"] for f in p["files"]}


def packages_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in doc["packages"]}
