"""`pyvouch install` end to end: real pip, scratch venvs, loopback indexes, real attestations.

Nothing reaches the network: pip is given the loopback index only, with no configuration and
no cache; verification is offline (the staging root shipped in sigstore for the real wheel,
the test authority's root for the minted ones).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.testing import TestAuthority
from tests.support.install_sites import (
    APP,
    ASSETS,
    ATTESTED_WHEEL,
    UNATTESTED_WHEEL,
    installed,
    minted_site,
    pyvouch_install,
    real_dists,
)
from tests.support.policy_sites import Minter, build_site
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv

pytestmark = pytest.mark.slow

PIP_QUIET = ("--no-cache-dir", "--retries", "0", "--timeout", "30")


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    root = tmp_path_factory.mktemp("real")
    site = build_site(real_dists(root / "dists"), root / "site")
    with serve_directory(site, negotiate=True) as server:
        yield server


@pytest.fixture(scope="module")
def stripped_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The same wheels on an index that serves no provenance at all (HTML pages only)."""
    root = tmp_path_factory.mktemp("stripped")
    site = build_site(real_dists(root / "dists", attestations=False), root / "site")
    with serve_directory(site) as server:
        yield server


@pytest.fixture(scope="module")
def minted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StaticServer, Path]]:
    minter = Minter(TestAuthority())
    root = tmp_path_factory.mktemp("minted")
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    with serve_directory(minted_site(minter, root), negotiate=True) as server:
        yield server, trust


@pytest.fixture
def venv(tmp_path: Path) -> Venv:
    return make_venv(tmp_path / "venv")


def gate(venv: Venv, index: StaticServer, *args: str | Path, cwd: Path) -> tuple[int, str, str]:
    run = pyvouch_install(
        "--python", venv.python, "--index-url", index.index_url, *args, *PIP_QUIET, cwd=cwd
    )
    return run.returncode, run.stdout, run.stderr


def sha256(name: str) -> str:
    return hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()


def test_attested_wheel_installs_and_imports(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    code, out, err = gate(venv, real_index, "--staging", "rfc8785", cwd=tmp_path)
    assert code == 0, out + err
    assert "verified" in out
    assert "Successfully installed rfc8785-0.1.2" in out
    assert installed(venv) == {"rfc8785": "0.1.2"}
    imported = venv.run("-c", "import rfc8785; print(rfc8785.dumps({'b': 1, 'a': 2}).decode())")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == '{"a":2,"b":1}'


def test_unattested_wheel_is_refused_and_not_installed(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    # --no-deps: the real wheel's dependencies are not on the loopback index.
    code, out, err = gate(
        venv, real_index, "--staging", "--format", "json", "pypi-attestations", "--no-deps",
        cwd=tmp_path,
    )  # fmt: skip
    assert code == 1, out + err
    doc = json.loads(out)
    (package,) = doc["packages"]
    assert package["name"] == "pypi-attestations"
    assert package["status"] == "unattested"
    assert package["decision"]["action"] == "block"
    assert "nothing was installed" in err
    assert installed(venv) == {}


def test_one_unverified_file_keeps_the_verified_one_out_too(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    code, out, err = gate(
        venv, real_index, "--staging", "rfc8785", "pypi-attestations", "--no-deps", cwd=tmp_path
    )
    assert code == 1, out + err
    assert "pypi-attestations" in out and "unattested" in out
    assert installed(venv) == {}


def test_a_pin_to_another_publisher_blocks(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    code, out, err = gate(
        venv,
        real_index,
        "--staging",
        "--pin",
        "rfc8785=github:trailofbits/rfc8785.py:release.yml",
        "--format",
        "json",
        "rfc8785",
        cwd=tmp_path,
    )
    assert code == 1, out + err
    (package,) = json.loads(out)["packages"]
    assert package["decision"]["action"] == "block"
    (reason,) = package["decision"]["reasons"]
    assert reason.startswith("publisher changed from github:trailofbits/rfc8785.py:release.yml")
    assert "william@yossarian.net" in reason
    assert installed(venv) == {}


def test_an_index_without_provenance_is_incomplete_and_installs_nothing(
    venv: Venv, stripped_index: StaticServer, tmp_path: Path
) -> None:
    code, out, err = gate(venv, stripped_index, "--staging", "rfc8785", cwd=tmp_path)
    assert code == 3, out + err
    assert "does not serve provenance" in out
    assert "unattested" not in out
    assert installed(venv) == {}


def test_dry_run_prints_the_hash_pinned_requirements_and_installs_nothing(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    code, out, err = gate(venv, real_index, "--staging", "--dry-run", "rfc8785", cwd=tmp_path)
    assert code == 0, out + err
    assert f"rfc8785==0.1.2 \\\n    --hash=sha256:{sha256(ATTESTED_WHEEL)}\n" in out
    assert "nothing was installed" in err
    assert installed(venv) == {}


def test_an_unknown_pip_option_exits_2_naming_it(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    code, out, err = gate(
        venv, real_index, "--staging", "--no-such-pip-option", "rfc8785", cwd=tmp_path
    )
    assert code == 2, out + err
    assert err.rstrip().splitlines() == [
        "pyvouch: error: command line: pip option error: no such option: --no-such-pip-option"
    ]
    assert installed(venv) == {}


def test_pips_own_errors_are_shown_with_the_argument_they_came_from(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    (tmp_path / "reqs.txt").write_text("rfc8785\nno-such-project==1.0\n", encoding="utf-8")
    code, out, err = gate(venv, real_index, "--staging", "-r", "reqs.txt", cwd=tmp_path)
    assert code == 2, out + err
    assert "no-such-project==1.0 (from versions: none) [given at reqs.txt:2]" in err
    assert err.rstrip().splitlines()[-1].startswith("pyvouch: error: pip could not resolve")
    assert installed(venv) == {}


def test_machine_report_stays_clean_while_pip_installs(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    code, out, err = gate(
        venv, real_index, "--staging", "--format", "json", "rfc8785", cwd=tmp_path
    )
    assert code == 0, out + err
    assert json.loads(out)["packages"][0]["status"] == "verified"
    assert "Successfully installed rfc8785-0.1.2" in err
    assert installed(venv) == {"rfc8785": "0.1.2"}


def test_a_signed_package_with_an_unattested_dependency_installs_nothing(
    venv: Venv, minted: tuple[StaticServer, Path], tmp_path: Path
) -> None:
    index, trust = minted
    code, out, err = gate(
        venv, index, "--trust-root", trust, "--format", "json", "gated-app", cwd=tmp_path
    )
    assert code == 1, out + err
    actions = {
        p["name"]: (p["status"], p["decision"]["action"]) for p in json.loads(out)["packages"]
    }
    assert actions == {"gated-app": ("verified", "allow"), "gated-lib": ("unattested", "block")}
    assert installed(venv) == {}


def test_a_signed_package_pinned_to_its_publisher_installs(
    venv: Venv, minted: tuple[StaticServer, Path], tmp_path: Path
) -> None:
    index, trust = minted
    code, out, err = gate(
        venv, index, "--trust-root", trust, "--pin", f"gated-solo={APP.spec}", "gated-solo",
        cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, out + err
    assert installed(venv) == {"gated-solo": "1.0"}


def test_a_policy_exception_lets_a_named_unattested_package_through(
    venv: Venv, minted: tuple[StaticServer, Path], tmp_path: Path
) -> None:
    index, trust = minted
    (tmp_path / "pyvouch.toml").write_text(
        'mode = "collect"\n\n[[exceptions]]\npackage = "gated-lib"\nreason = "vendored, reviewed"\n'
        'owner = "security@acme.example"\nexpires = 2999-01-01\n',
        encoding="utf-8",
    )
    code, out, err = gate(venv, index, "--trust-root", trust, "gated-app", cwd=tmp_path)
    assert code == 0, out + err
    assert installed(venv) == {"gated-app": "1.0", "gated-lib": "1.0"}


def test_a_local_wheel_is_refused_unless_allowed_then_pinned_by_hash(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    wheel = ASSETS / ATTESTED_WHEEL
    code, out, err = gate(venv, real_index, "--staging", wheel, cwd=tmp_path)
    assert code == 2, out + err
    assert "not the index" in err and "--allow-not-indexed" in err
    assert installed(venv) == {}

    code, out, err = gate(
        venv, real_index, "--staging", "--allow-not-indexed", "--dry-run", wheel, cwd=tmp_path
    )
    assert code == 0, out + err
    assert f"rfc8785 @ {wheel.as_uri()} \\\n    --hash=sha256:{sha256(ATTESTED_WHEEL)}" in out
    assert UNATTESTED_WHEEL not in out
