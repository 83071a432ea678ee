"""Which repository, commit and branch a scan belongs to: ``--repo`` (and ``--commit``,
``--branch``), else what git says of the folder (its ``origin`` remote, HEAD, the branch).

A remote URL is shown as ``host/owner/name``: no scheme, no credentials, no ``.git``; ssh's
``git@host:owner/name`` becomes the same. Outside a git work tree the repository is
``local:<folder>``.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyvouch.urls import strip_credentials

GIT_TIMEOUT = 15.0
_SCP = re.compile(r"^[\w.-]+@([\w.-]+):(.+)$")


@dataclass(frozen=True, slots=True)
class RepoContext:
    repository: str
    commit: str | None = None
    branch: str | None = None


def _git(folder: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out else None


def repository_name(remote: str) -> str:
    """``https://tok@github.com/o/r.git`` and ``git@github.com:o/r.git`` -> ``github.com/o/r``."""
    remote = remote.strip()
    scp = _SCP.match(remote)
    if scp is not None and "://" not in remote:
        name = f"{scp[1]}/{scp[2]}"
    else:
        name = strip_credentials(remote).split("://", 1)[-1]
    name = name.rstrip("/")
    return name.removesuffix(".git")


def detect(
    folder: Path,
    *,
    repository: str | None = None,
    commit: str | None = None,
    branch: str | None = None,
) -> RepoContext:
    """The context of a scan of a file in ``folder``; given values win over git's."""
    if repository is None:
        remote = _git(folder, "remote", "get-url", "origin")
        if remote is not None:
            repository = repository_name(remote)
        else:
            top = _git(folder, "rev-parse", "--show-toplevel")
            repository = f"local:{top or folder.resolve()}"
    if commit is None:
        commit = _git(folder, "rev-parse", "HEAD")
    if branch is None:
        branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
        if branch == "HEAD":
            branch = None
    return RepoContext(repository, commit, branch)
