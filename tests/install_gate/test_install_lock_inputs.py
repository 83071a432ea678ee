"""`pyvouch install --lock` on bad input: one line, exit 2, nothing looked up, nothing installed.

The target is a real scratch venv (the gate asks it for its markers and tags); the index is a
recording loopback server that must see no request, since bad input is refused first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv

pytestmark = pytest.mark.slow

DIGEST = "ab" * 32
CP313 = "gated_solo-1.0-cp313-cp313-manylinux_2_17_x86_64.whl"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    with serve_directory(tmp_path_factory.mktemp("empty-index")) as server:
        yield server


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return make_venv(tmp_path_factory.mktemp("target") / "venv")


def _pylock(entry: str) -> str:
    return f'lock-version = "1.0"\ncreated-by = "t"\n\n[[packages]]\n{entry}\n'


CASES = {
    "malformed": (
        "pylock.toml",
        'lock-version = "1.0"\n[[packages]\nname = "x"\n',
        "pylock.toml:",
    ),
    "another-interpreter": (
        "pylock.toml",
        _pylock(
            'name = "gated-solo"\nversion = "1.0"\n'
            f'wheels = [{{ name = "{CP313}", url = "https://files.example/{CP313}", '
            f'hashes = {{ sha256 = "{DIGEST}" }} }}]'
        ),
        "gated-solo 1.0: none of its files installs on",
    ),
    "no-hash": ("requirements.txt", "gated-solo==1.0\n", "the lock pins no sha256 for it"),
    "no-sha256": (
        "pylock.toml",
        _pylock(
            'name = "gated-solo"\nversion = "1.0"\n'
            'wheels = [{ name = "gated_solo-1.0-py3-none-any.whl", '
            'url = "https://files.example/gated_solo-1.0-py3-none-any.whl", '
            f'hashes = {{ sha512 = "{"cd" * 64}" }} }}]'
        ),
        "the lock records no sha256 for gated_solo-1.0-py3-none-any.whl",
    ),
    "unpinned": ("requirements.txt", "gated-solo>=1.0\n", "'gated-solo>=1.0' is not pinned (==)"),
    "vcs": (
        "pylock.toml",
        _pylock(
            'name = "gated-solo"\nversion = "1.0"\n'
            'vcs = { type = "git", url = "https://git.example/solo.git", commit-id = "c0ffee" }'
        ),
        "cannot be pinned by an index file's hash",
    ),
    "sdist-only": (
        "pylock.toml",
        _pylock(
            'name = "gated-solo"\nversion = "1.0"\n'
            'sdist = { name = "gated_solo-1.0.tar.gz", '
            'url = "https://files.example/gated_solo-1.0.tar.gz", '
            f'hashes = {{ sha256 = "{DIGEST}" }} }}'
        ),
        "only an sdist fits, and the gate installs wheels only",
    ),
}


def _run(venv: Venv, index: StaticServer, *args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["install", "--python", str(venv.python), "--index-url", index.index_url,
         "--installer", "pip", *(str(a) for a in args)],
    )  # fmt: skip
    return result.exit_code, result.stderr


def _assert_refused(code: int, err: str, problem: str, venv: Venv, index: StaticServer) -> None:
    assert code == 2, err
    (line,) = err.rstrip("\n").splitlines()
    assert line.startswith("pyvouch: error: "), line
    assert problem in line, line
    assert index.requests == []
    assert not list((venv.root / "lib").glob("python*/site-packages/*.dist-info"))


@pytest.mark.parametrize("case", CASES)
def test_bad_lock_is_one_line_exit_2_and_nothing_happens(
    case: str, venv: Venv, index: StaticServer, tmp_path: Path
) -> None:
    name, text, problem = CASES[case]
    lock = tmp_path / name
    lock.write_text(text, encoding="utf-8")
    code, err = _run(venv, index, "--lock", lock)
    _assert_refused(code, err, problem, venv, index)


def test_a_missing_lock_is_one_line_exit_2(venv: Venv, index: StaticServer, tmp_path: Path) -> None:
    code, err = _run(venv, index, "--lock", tmp_path / "pylock.toml")
    _assert_refused(code, err, "pylock.toml: no such file", venv, index)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("requests",), "'requests' is a requirement: name no requirements with --lock"),
        (("--pre",), "pip option --pre: with --lock pip resolves nothing"),
        (("--installer", "uv", "--no-compile"), "pip option --no-compile is for pip; uv takes"),
    ],
)
def test_lock_with_what_only_a_resolution_takes_is_refused(
    args: tuple[str, ...], problem: str, venv: Venv, index: StaticServer, tmp_path: Path
) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text(f"gated-solo==1.0 --hash=sha256:{DIGEST}\n", encoding="utf-8")
    code, err = _run(venv, index, "--lock", lock, *args)
    _assert_refused(code, err, problem, venv, index)
