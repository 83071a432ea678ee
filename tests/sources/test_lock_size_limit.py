"""A lock larger than `MAX_LOCK_BYTES` is refused in one line, exit 2, before it is read whole
or parsed: as a file, as an ``-r`` include, and on standard input."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.limits import MAX_LOCK_BYTES
from tests.support.cli_runs import invoke

HEAD = b"requests==2.32.3 --hash=sha256:" + b"a" * 64 + b"\n"


def _oversized(path: Path) -> Path:
    with path.open("wb") as fh:
        fh.write(HEAD)
        fh.write(b"#" * (MAX_LOCK_BYTES - len(HEAD)) + b"\n")
    return path


def _one_line_refusal(stderr: str, name: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr[:500]
    assert name in lines[0]
    assert "larger than 64 MiB, the limit for a lock" in lines[0]


@pytest.mark.parametrize("fmt", ["requirements.txt", "pylock.toml", "uv.lock"])
def test_an_oversized_lock_file_is_refused(tmp_path: Path, fmt: str) -> None:
    lock = _oversized(tmp_path / fmt)
    run = invoke(["scan", lock, "--offline"])
    assert run.code == 2
    assert run.stdout == ""
    _one_line_refusal(run.stderr, fmt)


def test_an_oversized_include_is_refused_by_its_own_name(tmp_path: Path) -> None:
    _oversized(tmp_path / "big.txt")
    top = tmp_path / "requirements.txt"
    top.write_text("-r big.txt\n", "utf-8")
    run = invoke(["scan", top, "--offline"])
    assert run.code == 2
    _one_line_refusal(run.stderr, "big.txt")


def test_an_oversized_stdin_is_refused(tmp_path: Path) -> None:
    data = _oversized(tmp_path / "r.txt").read_bytes()
    run = invoke(["scan", "-", "--offline"], input=data)
    assert run.code == 2
    _one_line_refusal(run.stderr, "<stdin>")


def test_a_lock_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    with path.open("wb") as fh:
        fh.write(HEAD)
        fh.write(b"#" * (MAX_LOCK_BYTES - len(HEAD) - 1) + b"\n")
    assert path.stat().st_size == MAX_LOCK_BYTES
    run = invoke(["scan", path, "--offline", "--format", "json"])
    assert "limit for a lock" not in run.stderr
    assert [p["name"] for p in run.json()["packages"]] == ["requests"]
