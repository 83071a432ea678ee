"""Files as they are at one git revision (`pyvouch diff --base`).

The revision is resolved to a commit once, so every file is read from the same commit even if
the ref moves meanwhile. A path is read with ``git ls-tree`` (to tell "absent" from "present")
and ``git cat-file blob``; a symlink or a folder at the revision is an error, never followed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import InputError, UsageError
from pyvouch.limits import MAX_GIT_BLOB_BYTES

GIT_TIMEOUT = 30.0


def run_git(
    folder: Path, *args: str, what: object, timeout: float = GIT_TIMEOUT, needs: str = "--base"
) -> subprocess.CompletedProcess[bytes]:
    """``git -C folder ARGS`` (pathspecs literal); `UsageError` without git (``needs``: what
    needed it), `InputError` naming ``what`` when it takes longer than ``timeout``."""
    try:
        return subprocess.run(
            ["git", "--literal-pathspecs", "-C", str(folder), *args],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError(f"{needs} needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise InputError(what, f"git {args[0]} took longer than {timeout:.0f}s") from None


_git = run_git


def _last_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else f"exit {proc.returncode}"


@dataclass(frozen=True, slots=True)
class Revision:
    """One commit of the repository that holds a work-tree folder."""

    ref: str
    """The revision as the user named it (for messages)."""
    commit: str
    toplevel: Path
    """The work tree's root (resolved)."""

    def relative(self, path: Path) -> str | None:
        """``path`` (in the work tree) as a path in the repository; None when it is outside.
        The folder is resolved, the file name is not (a symlinked file is not followed)."""
        try:
            rel = (path.parent.resolve() / path.name).relative_to(self.toplevel)
        except ValueError:
            return None
        return rel.as_posix()

    def label(self, path: Path) -> str:
        """``REF:path/in/repo`` for messages."""
        rel = self.relative(path)
        return f"{self.ref}:{rel if rel is not None else path}"

    def read(self, path: Path) -> str | None:
        """The text of ``path`` at this revision; None when the revision has no such file.

        Raises `InputError` when ``path`` is outside the repository, is a symlink or a folder
        at the revision, or is not UTF-8 text.
        """
        rel = self.relative(path)
        if rel is None:
            raise InputError(path, f"outside the git repository of --base {self.ref!r}")
        where = f"{self.ref}:{rel}"
        listed = _git(self.toplevel, "ls-tree", "-z", self.commit, "--", rel, what=where)
        if listed.returncode != 0:
            raise InputError(where, f"git ls-tree failed: {_last_line(listed)}")
        entry = listed.stdout.split(b"\0", 1)[0].decode("utf-8", "replace")
        info, _, listed_path = entry.partition("\t")
        if not entry or listed_path != rel:
            return None
        mode, kind, obj = info.split(" ")
        if kind != "blob" or mode == "120000":
            what = "a symlink" if mode == "120000" else f"a {kind}"
            raise InputError(where, f"is {what} at this revision, not a file; not followed")
        blob = _git(self.toplevel, "cat-file", "blob", obj, what=where)
        if blob.returncode != 0:
            raise InputError(where, f"git cat-file failed: {_last_line(blob)}")
        if len(blob.stdout) > MAX_GIT_BLOB_BYTES:
            raise InputError(where, f"larger than {MAX_GIT_BLOB_BYTES} bytes")
        try:
            return blob.stdout.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(where, f"not UTF-8 text (byte {err.start})") from None

    def is_checked_out(self) -> bool:
        """Whether this revision is the commit checked out (HEAD) in the work tree."""
        proc = _git(self.toplevel, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", what="HEAD")
        return proc.returncode == 0 and proc.stdout.decode().strip() == self.commit


def open_revision(path: Path, ref: str) -> Revision:
    """``ref`` (e.g. ``origin/main``) in the git repository that holds the file ``path``.

    Raises `UsageError` for an option-like ref, `InputError` when ``path`` is not in a git
    work tree or ``ref`` names no commit.
    """
    if ref.startswith("-") or not ref.strip():
        raise UsageError(f"--base {ref!r}: not a git revision")
    folder = path.parent.resolve()
    top = _git(folder, "rev-parse", "--show-toplevel", what=path)
    if top.returncode != 0:
        raise InputError(path, f"not in a git work tree: {_last_line(top)}")
    toplevel = Path(top.stdout.decode("utf-8", "replace").strip()).resolve()
    found = _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", what=path)
    commit = found.stdout.decode("utf-8", "replace").strip()
    if found.returncode != 0 or not commit:
        raise InputError(path, f"cannot read it at {ref!r}: git knows no such commit")
    return Revision(ref=ref, commit=commit, toplevel=toplevel)
