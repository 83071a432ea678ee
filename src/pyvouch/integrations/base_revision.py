"""The base a pull request is reviewed against, checked against the repository.

`pyvouch diff` reads every trust input (policy, pins, index) at the base, so the base must be
one the pull request cannot choose. The payload's ``pull_request.base.sha`` is accepted only
when it is a commit of the base branch as the remote has it (fetched into
``refs/remotes/origin/BRANCH``, which a pull request cannot write), is not the commit under
review, and is an ancestor of it. A payload naming a commit of the pull request's own branch,
the head itself, or a commit from elsewhere is refused (exit 2) before anything is read.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from pyvouch.errors import InputError
from pyvouch.git_revision import run_git
from pyvouch.integrations.github_event import PullRequestBase

GIT_TIMEOUT = 120.0
REMOTE = "origin"


def _git(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = run_git(
        workspace, *args, what=workspace, timeout=GIT_TIMEOUT, needs="reviewing a pull request"
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def _last(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    return lines[-1][:200] if lines else f"exit {proc.returncode}"


def _commit(workspace: Path, rev: str) -> str | None:
    proc = _git(workspace, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def _is_ancestor(workspace: Path, older: str, newer: str) -> bool:
    return _git(workspace, "merge-base", "--is-ancestor", older, newer).returncode == 0


def _check_branch(workspace: Path, ref: str) -> None:
    ok = _git(workspace, "check-ref-format", "--branch", ref)
    if ref.startswith("-") or ok.returncode != 0 or ok.stdout.strip() != ref:
        raise InputError(
            "$GITHUB_EVENT_PATH", f"pull_request.base.ref {ref[:80]!r} is not a branch"
        )


def fetch_base_branch(workspace: Path, ref: str) -> str:
    """Fetch the base branch from the remote into its remote-tracking ref (and the history
    a shallow checkout lacks); returns that ref. A failed fetch keeps a ref fetched before."""
    _check_branch(workspace, ref)
    tracking = f"refs/remotes/{REMOTE}/{ref}"
    shallow = _git(workspace, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    args = ["fetch", "--no-tags", "--quiet"]
    if shallow:
        args.append("--unshallow")
    fetched = _git(workspace, *args, REMOTE, f"+refs/heads/{ref}:{tracking}")
    if fetched.returncode != 0 and _commit(workspace, tracking) is None:
        raise InputError(
            workspace, f"cannot fetch the base branch {ref!r} from {REMOTE}: {_last(fetched)}"
        )
    return tracking


def trusted_base(workspace: Path, base: PullRequestBase) -> str:
    """The base commit to read trust inputs at, once the repository confirms it."""
    head = _commit(workspace, "HEAD")
    if head is None:
        raise InputError(workspace, "not a git checkout with a commit (actions/checkout first)")
    tracking = fetch_base_branch(workspace, base.ref)
    commit = _commit(workspace, base.sha)
    if commit is None:
        raise InputError(
            "$GITHUB_EVENT_PATH",
            f"pull_request.base.sha {base.sha} is not a commit of this repository (a shallow "
            "checkout? use actions/checkout with fetch-depth: 0)",
        )
    if commit == head:
        raise InputError(
            "$GITHUB_EVENT_PATH",
            f"pull_request.base.sha {base.sha} is the commit under review: a pull request "
            "cannot be its own base (on pull_request_target, check out the pull request's head)",
        )
    if not _is_ancestor(workspace, commit, tracking):
        raise InputError(
            "$GITHUB_EVENT_PATH",
            f"pull_request.base.sha {base.sha} is not on the base branch {base.ref!r} as "
            f"{REMOTE} has it: its policy and pins are not trusted",
        )
    if not _is_ancestor(workspace, commit, head):
        raise InputError(
            "$GITHUB_EVENT_PATH",
            f"pull_request.base.sha {base.sha} is not an ancestor of the commit under review",
        )
    return commit
