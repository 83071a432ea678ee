"""`pyvouch install --lock` end to end, with real pip and real uv into scratch venvs.

Every test that installs runs once per installer. The site is minted by the local test
authority and served on 127.0.0.1; verification is offline against the authority's trust root.
What a test asserts about "nothing installed" it reads from the venv itself.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyvouch.testing import TestAuthority
from tests.support.install_sites import Run, installed, pyvouch_install, write_wheel
from tests.support.lock_installs import (
    LOCK_FORMATS,
    Wheel,
    lock_site,
    wheel,
    write_lock,
)
from tests.support.policy_sites import Minter, strip_provenance
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv

pytestmark = pytest.mark.slow

INSTALLERS = ("pip", "uv")


@dataclass(frozen=True)
class Site:
    server: StaticServer
    dists: Path
    trust: Path

    def wheel(self, project: str, marker: str | None = None) -> Wheel:
        return wheel(self.server.url, self.dists, project, marker)


@pytest.fixture(scope="module")
def minter() -> Minter:
    return Minter(TestAuthority())


@pytest.fixture(scope="module")
def site(minter: Minter, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("lock-site")
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    with serve_directory(lock_site(minter, root), negotiate=True) as server:
        yield Site(server, root / "dists", trust)


@pytest.fixture(scope="module")
def stripped(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The same files on a mirror that strips provenance."""
    copy = tmp_path_factory.mktemp("stripped") / "site"
    shutil.copytree(site.server.root, copy)
    strip_provenance(copy)
    with serve_directory(copy, negotiate=True) as server:
        yield server


@pytest.fixture(scope="module")
def swapped(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The same pages and provenance, but gated-solo's file is other bytes under its name (a
    compromised file host): the gate verifies what the page says, the installer gets this."""
    copy = tmp_path_factory.mktemp("swapped") / "site"
    shutil.copytree(site.server.root, copy)
    other = write_wheel(copy.parent / "other", "gated-solo", "1.0", ("evil",))
    shutil.copyfile(other, copy / "files" / "gated-solo" / other.name)
    with serve_directory(copy, negotiate=True) as server:
        yield server


@pytest.fixture
def venv(tmp_path: Path) -> Venv:
    return make_venv(tmp_path / "venv")


def gate(
    venv: Venv,
    site: Site,
    lock: Path,
    *args: str,
    installer: str,
    index: StaticServer | None = None,
    env: dict[str, str | None] | None = None,
) -> Run:
    index_url = (index or site.server).index_url
    return pyvouch_install(
        "--lock", lock, "--python", venv.python, "--installer", installer,
        "--index-url", index_url, "--trust-root", site.trust, *args,
        cwd=lock.parent, env={"UV_CACHE_DIR": str(lock.parent / "uv-cache"), **(env or {})},
    )  # fmt: skip


def module_text(venv: Venv, module: str) -> str:
    done = venv.run(
        "-c", f"import {module}, pathlib; print(pathlib.Path({module}.__file__).read_text())"
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# ---- the honest lock installs exactly its digests, in every format, with both installers --------


@pytest.mark.parametrize("installer", INSTALLERS)
@pytest.mark.parametrize("fmt", LOCK_FORMATS)
def test_every_lock_format_installs_its_verified_files(
    fmt: str, installer: str, site: Site, venv: Venv, tmp_path: Path
) -> None:
    wheels = [site.wheel("gated-solo"), site.wheel("gated-two")]
    lock = write_lock(tmp_path / "project", fmt, wheels)
    run = gate(venv, site, lock, "--format", "json", installer=installer)
    assert run.returncode == 0, run.output
    doc = json.loads(run.stdout)
    statuses = {
        p["name"]: (p["status"], [f["sha256"] for f in p["files"]]) for p in doc["packages"]
    }
    assert statuses == {w.project: ("verified", [w.sha256]) for w in wheels}
    assert f"installing 2 verified file(s) with {installer}" in run.stderr
    assert installed(venv) == {"gated-solo": "1.0", "gated-two": "1.0"}
    assert module_text(venv, "gated_solo") == '__version__ = "1.0"\n\n'
