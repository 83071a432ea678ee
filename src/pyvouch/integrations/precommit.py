"""The pre-commit lock-change hook: each staged lock file reviewed with `diff` against the
commit it will sit on (``HEAD``), trust inputs read there.

pre-commit stashes what is not staged before a hook runs, so the work tree holds exactly what
the commit will. The hook is offline-tolerant: a review that could not look everything up
(exit 3: the index is unreachable, or offline without a cached answer) does not stop the
commit; it says so, and the pull request check (the GitHub Action) decides later. A change the
base policy blocks (exit 1) stops it. Without a first commit there is no base: nothing to
compare, the hook passes with a note.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from pyvouch.pipeline.diff import DiffRequest, run_diff
from pyvouch.pipeline.settings import LookupFlags
from pyvouch.policy.diff import DiffReport

BASE = "HEAD"


@dataclass(frozen=True, slots=True)
class LockReview:
    path: Path
    report: DiffReport | None
    """None: not reviewed (see ``note``)."""
    note: str = ""

    @property
    def exit_code(self) -> int:
        if self.report is None or self.report.exit_code == EXIT_INCOMPLETE:
            return EXIT_OK  # offline-tolerant: the pull request check decides
        return self.report.exit_code


def _has_base(folder: Path) -> bool:
    proc = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--verify", "--quiet", f"{BASE}^{{commit}}"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return proc.returncode == 0


def review_locks(
    paths: list[Path], lookup: LookupFlags, *, no_lookup: bool = False
) -> list[LockReview]:
    """Review each lock against ``HEAD``; `UsageError`/`InputError` for bad input."""
    out: list[LockReview] = []
    for path in paths:
        if not _has_base(path.parent):
            out.append(LockReview(path, None, "no commit yet: nothing to compare with"))
            continue
        report = run_diff(DiffRequest((path,), lookup, base_ref=BASE, no_lookup=no_lookup))
        note = ""
        if report.exit_code == EXIT_INCOMPLETE:
            note = (
                "some files could not be looked up (offline, or the index did not answer): "
                "not blocking the commit; the pull request check will decide"
            )
        out.append(LockReview(path, report, note))
    return out


def exit_code(reviews: list[LockReview]) -> int:
    return EXIT_FINDINGS if any(r.exit_code == EXIT_FINDINGS for r in reviews) else EXIT_OK
