"""`pyvouch.git_revision`: files read at one commit, never through patterns or links."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pyvouch.errors import InputError, UsageError
from pyvouch.git_revision import open_revision


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
         "-c", "commit.gpgsign=false", *args],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "sub" / "a.txt").write_text("at base\n", encoding="utf-8")
    (root / "sub" / "link.txt").symlink_to("a.txt")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    (root / "sub" / "a.txt").write_text("in the work tree\n", encoding="utf-8")
    git(root, "commit", "-q", "-a", "-m", "next")
    return root


def test_reads_the_file_at_the_commit_the_ref_named(repo: Path) -> None:
    lock = repo / "sub" / "a.txt"
    git(repo, "branch", "base", "main~1")
    base = open_revision(lock, "base")
    git(repo, "branch", "-f", "base", "main")  # the ref moves: the commit read does not
    assert base.read(lock) == "at base\n"
    assert base.label(lock) == "base:sub/a.txt"
    assert not base.is_checked_out()
    assert open_revision(lock, "HEAD").is_checked_out()


def test_patterns_are_not_expanded_and_absent_files_are_none(repo: Path) -> None:
    base = open_revision(repo / "sub" / "a.txt", "main")
    assert base.read(repo / "sub" / "*.txt") is None
    assert base.read(repo / "sub" / "?.txt") is None
    assert base.read(repo / "sub" / "missing.txt") is None
    with pytest.raises(InputError, match="is a tree at this revision"):
        base.read(repo / "sub")
    with pytest.raises(InputError, match="is a symlink at this revision, not a file"):
        base.read(repo / "sub" / "link.txt")
    with pytest.raises(InputError, match="outside the git repository"):
        base.read(repo.parent / "elsewhere.txt")


def test_bad_refs_and_folders_are_errors(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        open_revision(repo / "sub" / "a.txt", "--output=/tmp/x")
    with pytest.raises(InputError, match="git knows no such commit"):
        open_revision(repo / "sub" / "a.txt", "no-such-branch")
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(InputError, match="not in a git work tree"):
        open_revision(outside / "a.txt", "main")
