"""The install gate and issue 8's rules 3 and 4, end to end with real pip.

Rule 3: the gate has the bytes. pip checks the requirement's own ``--hash`` values (any
algorithm) against the downloaded file while it resolves, and the gate installs only the file
whose sha256 the attestation covers (``--require-hashes`` with that one digest): a sha512 of
other bytes stops the run, the right sha512 installs the verified file.

Rule 4: ``--allow-not-indexed`` admits an archive from outside the index only for an unpinned
long-tail package; a critical or pinned one blocks (exit 1) unless a policy exception names it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.install_sites import (
    ASSETS,
    ATTESTED_WHEEL,
    installed,
    pyvouch_install,
    real_dists,
)
from tests.support.policy_sites import build_site
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv

pytestmark = pytest.mark.slow

PIP_QUIET = ("--no-cache-dir", "--retries", "0", "--timeout", "30")
PROJECT, VERSION = "rfc8785", "0.1.2"
OTHER = b"other bytes under the same name\n"


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    root = tmp_path_factory.mktemp("real")
    site = build_site(real_dists(root / "dists"), root / "site")
    with serve_directory(site, negotiate=True) as server:
        yield server


@pytest.fixture
def venv(tmp_path: Path) -> Venv:
    return make_venv(tmp_path / "venv")


def gate(venv: Venv, index: StaticServer, *args: str | Path, cwd: Path) -> tuple[int, str, str]:
    run = pyvouch_install(
        "--python",
        venv.python,
        "--index-url",
        index.index_url,
        "--staging",
        *args,
        *PIP_QUIET,
        cwd=cwd,
    )
    return run.returncode, run.stdout, run.stderr


def digest(algorithm: str, data: bytes | None = None) -> str:
    body = (ASSETS / ATTESTED_WHEEL).read_bytes() if data is None else data
    return hashlib.new(algorithm, body).hexdigest()


def test_a_sha512_of_other_bytes_installs_nothing(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text(f"{PROJECT}=={VERSION} --hash=sha512:{digest('sha512', OTHER)}\n")
    code, out, err = gate(venv, real_index, "-r", req, cwd=tmp_path)
    assert code != 0, out + err
    assert "hash" in err.lower(), err
    assert installed(venv) == {}


def test_the_right_sha512_installs_the_verified_file_pinned_by_sha256(
    venv: Venv, real_index: StaticServer, tmp_path: Path
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text(f"{PROJECT}=={VERSION} --hash=sha512:{digest('sha512')}\n")
    code, out, err = gate(venv, real_index, "--dry-run", "-r", req, cwd=tmp_path)
    assert code == 0, out + err
    assert f"{PROJECT}=={VERSION} \\\n    --hash=sha256:{digest('sha256')}" in out
    assert installed(venv) == {}


@pytest.mark.parametrize("policy", ["--critical", "--pin"])
def test_allow_not_indexed_does_not_escape_a_pin_or_the_critical_tier(
    venv: Venv, real_index: StaticServer, tmp_path: Path, policy: str
) -> None:
    wheel = ASSETS / ATTESTED_WHEEL
    extra = (
        ("--critical", PROJECT)
        if policy == "--critical"
        else ("--pin", f"{PROJECT}=github:trailofbits/rfc8785.py")
    )
    code, out, err = gate(venv, real_index, "--allow-not-indexed", *extra, wheel, cwd=tmp_path)
    assert code == 1, out + err
    assert "not-indexed (" in out and "nothing was installed" in err
    assert installed(venv) == {}

    # A named, owned, unexpired exception admits it; an expired one does not.
    policy_file = tmp_path / "pyvouch.toml"
    exception = (
        f'[[exceptions]]\npackage = "{PROJECT}"\nreason = "vendored wheel, reviewed"\n'
        'owner = "security@example.com"\nexpires = {expires}\n'
    )
    policy_file.write_text(exception.replace("{expires}", "2999-01-01"))
    code, out, err = gate(
        venv, real_index, "--allow-not-indexed", "--dry-run", *extra, wheel, cwd=tmp_path
    )
    assert code == 0, out + err
    assert f"{PROJECT} @ {wheel.as_uri()}" in out
    policy_file.write_text(exception.replace("{expires}", "2020-01-01"))
    code, out, err = gate(
        venv, real_index, "--allow-not-indexed", "--dry-run", *extra, wheel, cwd=tmp_path
    )
    assert code == 1, out + err
    assert installed(venv) == {}
