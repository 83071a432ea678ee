"""`pyvouch install --lock` end to end, with real pip and real uv into scratch venvs.

Every test that installs runs once per installer. The site is minted by the local test
authority and served on 127.0.0.1; verification is offline against the authority's trust root.
What a test asserts about "nothing installed" it reads from the venv itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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
from tests.support.policy_sites import Minter, build_site, strip_provenance
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv, quiet_pip_env

pytestmark = pytest.mark.slow

INSTALLERS = ("pip", "uv")
EVIL = "EVIL = True\n"
HONEST = '__version__ = "1.0"\n\n'


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
    other = write_wheel(
        copy.parent / "other", "gated-solo", "1.0", modules={"gated_solo/__init__.py": EVIL}
    )
    shutil.copyfile(other, copy / "files" / "gated-solo" / other.name)
    with serve_directory(copy, negotiate=True) as server:
        yield server


@pytest.fixture(scope="module")
def other_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """Another index, consistent in itself: gated-solo 1.0 is other bytes there, unsigned."""
    root = tmp_path_factory.mktemp("other-index")
    write_wheel(root / "dists", "gated-solo", "1.0", modules={"gated_solo/__init__.py": EVIL})
    with serve_directory(build_site(root / "dists", root / "site"), negotiate=True) as server:
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
    assert module_text(venv, "gated_solo") == HONEST


# ---- attacks: nothing unverified is installed ---------------------------------------------------


@pytest.mark.parametrize("installer", INSTALLERS)
@pytest.mark.parametrize(
    ("project", "status", "pins"),
    [
        ("gated-lib", "unattested", ()),
        ("gated-bad", "invalid", ()),
        ("gated-imp", "mismatch", ("--pin", "gated-imp=github:acme/gated-app:release.yml")),
    ],
)
def test_one_unverified_file_in_the_lock_installs_nothing(
    project: str,
    status: str,
    pins: tuple[str, ...],
    installer: str,
    site: Site,
    venv: Venv,
    tmp_path: Path,
) -> None:
    lock = write_lock(tmp_path, "pylock.toml", [site.wheel("gated-solo"), site.wheel(project)])
    run = gate(venv, site, lock, "--format", "json", *pins, installer=installer)
    assert run.returncode == 1, run.output
    found = {p["name"]: p["status"] for p in json.loads(run.stdout)["packages"]}
    assert found == {"gated-solo": "verified", project: status}
    assert "nothing was installed: a package is blocked" in run.stderr
    assert "installing" not in run.stderr
    assert installed(venv) == {}


@pytest.mark.parametrize("installer", INSTALLERS)
def test_an_index_that_strips_provenance_installs_nothing_and_exits_3(
    installer: str, site: Site, stripped: StaticServer, venv: Venv, tmp_path: Path
) -> None:
    lock = write_lock(tmp_path, "uv.lock", [site.wheel("gated-solo")])
    run = gate(venv, site, lock, index=stripped, installer=installer)
    assert run.returncode == 3, run.output
    assert "does not serve provenance" in run.stdout
    assert "unattested" not in run.stdout
    assert installed(venv) == {}


@pytest.mark.parametrize("installer", INSTALLERS)
def test_other_bytes_served_under_the_verified_name_are_refused_by_the_installer(
    installer: str, site: Site, swapped: StaticServer, venv: Venv, tmp_path: Path
) -> None:
    """The page and provenance are honest, so the gate verifies the locked digest; the file
    host serves other bytes. pip and uv check the pinned digest before installing anything."""
    lock = write_lock(tmp_path, "poetry.lock", [site.wheel("gated-two"), site.wheel("gated-solo")])
    run = gate(venv, site, lock, index=swapped, installer=installer)
    assert "installing 2 verified file(s)" in run.stderr
    assert run.returncode != 0, run.output
    assert "hash" in run.stderr.lower()  # pip: "do not match the hashes", uv: "Hash mismatch"
    assert installed(venv) == {}


def test_a_lock_digest_the_index_does_not_have_is_incomplete_and_installs_nothing(
    site: Site, venv: Venv, tmp_path: Path
) -> None:
    """The lock pins gated-solo's name to other bytes (gated-two's digest): the attestation the
    index lists for that name has another digest, so nothing can be told of the locked one
    (exit 3, as scan says of it)."""
    solo = site.wheel("gated-solo")
    forged = Wheel(
        solo.project, solo.version, solo.filename, site.wheel("gated-two").sha256, solo.url
    )
    lock = write_lock(tmp_path, "pylock.toml", [forged])
    run = gate(venv, site, lock, "--format", "json", installer="pip")
    assert run.returncode == 3, run.output
    (package,) = json.loads(run.stdout)["packages"]
    assert package["status"] == "unknown"
    (file,) = package["files"]
    assert file["sha256"] == forged.sha256
    assert file["reason"] == (
        f"the index lists sha256 {solo.sha256} for {solo.filename}, not the expected "
        f"{forged.sha256}"
    )
    assert installed(venv) == {}


def test_uv_configuration_cannot_redirect_the_download(
    site: Site, other_index: StaticServer, venv: Venv, tmp_path: Path
) -> None:
    """uv.toml in the project and UV_* variables all name another index (serving other bytes
    under the verified name): uv is pinned to the index that was checked, and asks no other."""
    project = tmp_path / "project"
    lock = write_lock(project, "uv.lock", [site.wheel("gated-solo")])
    evil = other_index.index_url
    (project / "uv.toml").write_text(
        f'index-url = "{evil}"\nextra-index-url = ["{evil}"]\n[pip]\nindex-url = "{evil}"\n',
        encoding="utf-8",
    )
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nversion = "0"\n[tool.uv]\nindex-url = "{evil}"\n', encoding="utf-8"
    )
    before = len(other_index.requests)
    run = gate(
        venv, site, lock, installer="uv",
        env={"UV_INDEX_URL": evil, "UV_EXTRA_INDEX_URL": evil, "UV_DEFAULT_INDEX": evil,
             "UV_INDEX": evil, "UV_FIND_LINKS": f"{other_index.url}/files/gated-solo/"},
    )  # fmt: skip
    assert run.returncode == 0, run.output
    assert installed(venv) == {"gated-solo": "1.0"}
    assert module_text(venv, "gated_solo") == HONEST
    assert other_index.requests[before:] == []


@pytest.mark.parametrize("installer", INSTALLERS)
def test_other_bytes_already_installed_or_cached_are_replaced_by_the_verified_file(
    installer: str, site: Site, other_index: StaticServer, venv: Venv, tmp_path: Path
) -> None:
    """The target already holds gated-solo 1.0 from another index (other bytes), installed by
    the same installer with the cache the gate's run uses: --lock reinstalls the verified
    digest instead of keeping what is there, and never takes the cached other file."""
    lock = write_lock(tmp_path, "uv.lock", [site.wheel("gated-solo")])
    if installer == "uv":
        uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
        bare = subprocess.run(
            [uv, "pip", "install", "--no-config", "--python", str(venv.python), "--index-url",
             other_index.index_url, "gated-solo==1.0"],
            capture_output=True, text=True, check=False, timeout=120,
            env={**quiet_pip_env(), "UV_CACHE_DIR": str(tmp_path / "uv-cache")},
        )  # fmt: skip
    else:
        bare = venv.pip_install("gated-solo==1.0", index_url=other_index.index_url)
    assert bare.returncode == 0, bare.stderr
    assert module_text(venv, "gated_solo") == EVIL + "\n"
    run = gate(venv, site, lock, installer=installer)
    assert run.returncode == 0, run.output
    assert module_text(venv, "gated_solo") == HONEST


# ---- the target decides: markers and wheel tags --------------------------------------------------


def _other_interpreter() -> str | None:
    """An interpreter of another full version than pyvouch's (Debian's python3.11 beside the
    test's own), or None."""
    for candidate in ("/usr/bin/python3.11", "/usr/bin/python3", "/usr/local/bin/python3"):
        if not Path(candidate).is_file():
            continue
        done = subprocess.run(
            [candidate, "-c", "import platform; print(platform.python_version())"],
            capture_output=True, text=True, check=False, timeout=30,
        )  # fmt: skip
        version = done.stdout.strip()
        if done.returncode == 0 and version and version != sys.version.split()[0]:
            return candidate
    return None


@pytest.mark.parametrize("installer", INSTALLERS)
def test_markers_are_evaluated_for_the_target_not_for_pyvouch(
    installer: str, site: Site, tmp_path: Path
) -> None:
    other = _other_interpreter()
    if other is None:
        pytest.skip("no interpreter of another Python version than the test's on this machine")
    venv = Venv(tmp_path / "venv")
    subprocess.run([other, "-m", "venv", "--without-pip", str(venv.root)], check=True, timeout=120)
    target_version = venv.run("-c", "import platform; print(platform.python_version())").stdout
    ours = f'python_full_version == "{sys.version.split()[0]}"'
    theirs = f'python_full_version == "{target_version.strip()}"'
    lock = write_lock(
        tmp_path / "project", "pylock.toml",
        [site.wheel("gated-lib", ours), site.wheel("gated-two", theirs)],
    )  # fmt: skip
    run = gate(venv, site, lock, "--format", "json", installer=installer)
    assert run.returncode == 0, run.output
    assert [p["name"] for p in json.loads(run.stdout)["packages"]] == ["gated-two"]
    assert installed(venv) == {"gated-two": "1.0"}


# ---- without a lock: uv resolves what uv installs ------------------------------------------------


def uv_gate(venv: Venv, site: Site, *args: str, cwd: Path, installer: str = "uv") -> Run:
    return pyvouch_install(
        "--python", venv.python, "--installer", installer, "--index-url", site.server.index_url,
        "--trust-root", site.trust, *args, cwd=cwd, env={"UV_CACHE_DIR": str(cwd / "uv-cache")},
    )  # fmt: skip


def test_uv_resolves_and_installs_only_verified_files(
    site: Site, venv: Venv, tmp_path: Path
) -> None:
    (tmp_path / "reqs.txt").write_text("gated-two\n", encoding="utf-8")
    run = uv_gate(venv, site, "--format", "json", "gated-solo", "-r", "reqs.txt", cwd=tmp_path)
    assert run.returncode == 0, run.output
    doc = json.loads(run.stdout)
    assert doc["source"] == "uv pip compile gated-solo -r reqs.txt"
    assert {p["name"]: p["status"] for p in doc["packages"]} == {
        "gated-solo": "verified",
        "gated-two": "verified",
    }
    assert "installing 2 verified file(s) with uv" in run.stderr
    assert installed(venv) == {"gated-solo": "1.0", "gated-two": "1.0"}


def test_uv_resolution_with_an_unattested_file_installs_nothing(
    site: Site, venv: Venv, tmp_path: Path
) -> None:
    run = uv_gate(venv, site, "gated-solo", "gated-lib", cwd=tmp_path)
    assert run.returncode == 1, run.output
    assert "unattested" in run.stdout
    assert installed(venv) == {}


def test_uv_resolution_refuses_pip_options_in_one_line(
    site: Site, venv: Venv, tmp_path: Path
) -> None:
    run = uv_gate(venv, site, "--pre", "gated-solo", cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert run.stderr.splitlines() == [
        "pyvouch: error: command line: pip option --pre: uv resolves here (--installer uv), and "
        "takes requirements, -r FILE and -c FILE only (or give --installer pip)"
    ]
    assert installed(venv) == {}


def test_uv_is_the_default_for_a_target_without_pip(site: Site, venv: Venv, tmp_path: Path) -> None:
    """The scratch venv has no pip: uv installs (it is found beside pyvouch's interpreter)."""
    lock = write_lock(tmp_path / "project", "requirements.txt", [site.wheel("gated-solo")])
    done = subprocess.run(
        [sys.executable, "-m", "pyvouch", "install", "--lock", str(lock), "--python",
         str(venv.python), "--index-url", site.server.index_url, "--trust-root", str(site.trust)],
        capture_output=True, text=True, check=False, timeout=300, cwd=tmp_path,
        env={**quiet_pip_env(), "UV_CACHE_DIR": str(tmp_path / "uv-cache")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installing 1 verified file(s) with uv" in done.stderr
    assert installed(venv) == {"gated-solo": "1.0"}


# ---- the Dockerfile pattern: a baked provenance cache, --offline ---------------------------------


def test_offline_with_a_baked_cache_verifies_without_asking_the_index(
    site: Site, venv: Venv, tmp_path: Path
) -> None:
    """The gate ran once with the network, its cache and data dirs kept (baked into an image);
    the --offline run verifies from them and asks the index nothing. Without the data dir that
    sealed the cache, every entry fails its MAC and the answer is exit 3."""
    lock = write_lock(tmp_path, "pdm.lock", [site.wheel("gated-solo"), site.wheel("gated-two")])
    baked = {
        "PYVOUCH_CACHE_DIR": str(tmp_path / "baked" / "cache"),
        "PYVOUCH_DATA_DIR": str(tmp_path / "baked" / "data"),
    }
    online = gate(venv, site, lock, "--dry-run", installer="pip", env=baked)
    assert online.returncode == 0, online.output
    before = len(site.server.requests)
    offline = gate(venv, site, lock, "--offline", "--dry-run", installer="pip", env=baked)
    assert offline.returncode == 0, offline.output
    assert offline.stdout.count("verified") >= 2
    assert site.server.requests[before:] == []
    other_key = {**baked, "PYVOUCH_DATA_DIR": str(tmp_path / "another-machine")}
    unsealed = gate(venv, site, lock, "--offline", "--dry-run", installer="pip", env=other_key)
    assert unsealed.returncode == 3, unsealed.output
    assert site.server.requests[before:] == []
    assert installed(venv) == {}
