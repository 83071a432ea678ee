"""The pre-commit hooks (.pre-commit-hooks.yaml) run by the real pre-commit in a scratch git
repository: `pre-commit try-repo` against a snapshot of this work tree (its python hooks
install pyvouch from it, with its dependencies from PyPI: slow, once per module), and
`pre-commit run` with a config naming the same snapshot where a hook needs arguments (the test
authority's trust root for the lock-change hook)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integrations.action_world import GOOD, World, pins, policy, pylock
from tests.integrations.conftest import venv_tool
from tests.support.policy_sites import (
    write_sdist,
    write_wheel,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BAD_WORKFLOW = """\
name: release
on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - run: twine upload -p ${{ secrets.PYPI_TOKEN }} dist/*
"""


def pre_commit_bin() -> str:
    return venv_tool("pre-commit")


def git(where: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(where), "-c", "user.name=t", "-c", "user.email=t@example.org",
         "-c", "commit.gpgsign=false", *args],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip


@dataclass(frozen=True)
class Hooks:
    snapshot: Path
    rev: str
    home: Path


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Hooks:
    """This work tree as a committed repository (what `try-repo` and `repo:` would clone)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    snapshot = tmp_path_factory.mktemp("pyvouch-snapshot")
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        if (REPO / rel).is_file() and not rel.startswith(("tests/", "benchmarks/")):
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, snapshot / rel)
    git(snapshot, "init", "-q", "-b", "main")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return Hooks(snapshot, git(snapshot, "rev-parse", "HEAD"), tmp_path_factory.mktemp("pc-home"))


def scratch(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q", "-b", "main")
    return project


def pre_commit(hooks: Hooks, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PRE_COMMIT_HOME": str(hooks.home), "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    return subprocess.run(
        [pre_commit_bin(), *args], cwd=project, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip


def try_repo(
    hooks: Hooks, project: Path, hook: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return pre_commit(
        hooks, project, "try-repo", str(hooks.snapshot), hook, "--ref", hooks.rev, *extra
    )


def lock_project(world: World, tmp_path: Path, index: str) -> Path:
    project = scratch(tmp_path)
    files = {
        "pyvouch.toml": policy(index),
        "app/pylock.toml": pylock(world, ("vault", "1.0"), ("helper", "1.0")),
        "app/pyvouch.lock.toml": pins(vault=GOOD),
    }
    for rel, text in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, "utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    return project


def test_try_repo_runs_the_hooks_on_staged_files(
    hooks: Hooks, world: World, tmp_path: Path
) -> None:
    """`pre-commit try-repo` (its own scratch environment): the workflow hook fails a token
    upload; the lock hook, with the policy's index unreachable, passes and says why."""
    project = lock_project(world, tmp_path, "http://127.0.0.1:9/simple/")  # a closed port
    workflows = project / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text(BAD_WORKFLOW, "utf-8")
    (project / "app" / "pylock.toml").write_text(
        pylock(world, ("vault", "1.1"), ("helper", "1.0")), "utf-8"
    )
    git(project, "add", "-A")
    result = try_repo(hooks, project, "--verbose")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    lint_at = out.index("pyvouch workflow lint....")  # the status lines, after the config
    lock_at = out.index("pyvouch lock change review....")
    lint_part, lock_part = (out[lint_at:lock_at], out[lock_at:]) if lint_at < lock_at else (
        out[lint_at:], out[lock_at:lint_at])  # fmt: skip
    assert "Failed" in lint_part.splitlines()[0] and "PYV-W002" in lint_part
    assert "Passed" in lock_part.splitlines()[0]
    assert "could not be looked up" in lock_part  # said, not silently passed
    assert "unknown" in lock_part


def config(hooks: Hooks, world: World) -> str:
    return (
        f"repos:\n  - repo: {hooks.snapshot}\n    rev: {hooks.rev}\n    hooks:\n"
        f"      - id: pyvouch-lock-diff\n        args: [--trust-root, {world.trust_root}]\n"
        "      - id: pyvouch-workflow-lint\n"
        "      - id: pyvouch-check-dist\n"
    )


def test_lock_diff_hook_blocks_a_swapped_publisher_and_passes_an_honest_bump(
    hooks: Hooks, world: World, tmp_path: Path
) -> None:
    project = lock_project(world, tmp_path, world.index)
    (project / ".pre-commit-config.yaml").write_text(config(hooks, world), "utf-8")
    lock = project / "app" / "pylock.toml"
    lock.write_text(pylock(world, ("vault", "1.0"), ("helper", "2.0")), "utf-8")
    git(project, "add", "-A")
    honest = pre_commit(hooks, project, "run")
    assert honest.returncode == 0, honest.stdout + honest.stderr
    lock.write_text(pylock(world, ("vault", "1.1"), ("helper", "2.0")), "utf-8")
    git(project, "add", "app/pylock.toml")
    swapped = pre_commit(hooks, project, "run")
    assert swapped.returncode == 1, swapped.stdout + swapped.stderr
    assert "vault" in swapped.stdout and "mismatch" in swapped.stdout
    # unstaged edits are not what is reviewed: pre-commit stashes them
    git(project, "reset", "-q", "app/pylock.toml")
    lock.write_text(pylock(world, ("vault", "1.1"), ("helper", "1.0")), "utf-8")
    (project / "README").write_text("x\n", "utf-8")
    git(project, "add", "README")
    unstaged = pre_commit(hooks, project, "run")
    assert unstaged.returncode == 0, unstaged.stdout + unstaged.stderr


def test_workflow_lint_hook_passes_the_generated_workflow(
    hooks: Hooks, world: World, tmp_path: Path
) -> None:
    project = scratch(tmp_path)
    (project / ".pre-commit-config.yaml").write_text(config(hooks, world), "utf-8")
    workflows = project / ".github" / "workflows"
    workflows.mkdir(parents=True)
    init = subprocess.run(
        [sys.executable, "-m", "pyvouch", "workflow", "init", "--output", "-"],
        capture_output=True, text=True, timeout=60, check=True, cwd=project,
    ).stdout  # fmt: skip
    (workflows / "release.yml").write_text(init, "utf-8")
    git(project, "add", "-A")
    good = pre_commit(hooks, project, "run")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "pyvouch workflow lint" in good.stdout and "Passed" in good.stdout


def test_check_dist_hook_refuses_a_stale_dist_folder(
    hooks: Hooks, world: World, tmp_path: Path
) -> None:
    project = scratch(tmp_path)
    (project / ".pre-commit-config.yaml").write_text(config(hooks, world), "utf-8")
    git(project, "add", "-A")
    dist = project / "dist"
    write_wheel(dist, "demo", "1.0")
    write_sdist(dist, "demo", "1.0")
    ok = pre_commit(hooks, project, "run", "--hook-stage", "manual")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    write_wheel(dist, "demo", "0.9")  # a stale file from an older build
    stale = pre_commit(hooks, project, "run", "--hook-stage", "manual", "--verbose")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "0.9" in stale.stdout
