"""The one status style: how every terminal view and table colours a status word.

Statuses of files and packages (``model.Status``), severities of findings (``error``,
``warning``, ``info``), policy actions (``allow``, ``warn``, ``block``), readiness verdicts
and index-check outcomes all map here, so the same word has the same colour in every
command. Green is proven good, red a definite failure, yellow a gap, magenta "could not be
told", dim "nothing to check".
"""

from __future__ import annotations

from collections.abc import Mapping

from pyvouch.model import Status

GOOD = "green"
FAILED = "bold red"
GAP = "yellow"
UNTOLD = "magenta"
QUIET = "dim"

STATUS_STYLES: Mapping[str, str] = {
    Status.VERIFIED.value: GOOD,
    Status.MISMATCH.value: FAILED,
    Status.INVALID.value: FAILED,
    Status.UNATTESTED.value: GAP,
    Status.LEGACY_SIGNED.value: GAP,
    Status.UNKNOWN.value: UNTOLD,
    Status.NOT_INDEXED.value: QUIET,
    # severities of findings (workflow lint, check)
    "error": FAILED,
    "warning": GAP,
    "info": QUIET,
    "note": QUIET,
    # policy actions
    "allow": GOOD,
    "warn": GAP,
    "block": FAILED,
    # readiness verdicts
    "ready": GOOD,
    "close": GAP,
    "not-ready": GAP,
    "never-signs": FAILED,
    "cannot-tell": UNTOLD,
    # index check: per file and the verdict
    "passed": GOOD,
    "dropped": FAILED,
    "failed": UNTOLD,
    "not-compared": QUIET,
    "passes": GOOD,
    "drops": FAILED,
    "undetermined": UNTOLD,
}
"""Status word -> rich style. A word not listed is shown unstyled."""


def style_of(word: str | None) -> str:
    """The style of a status word ("" for None or a word without one)."""
    if word is None:
        return ""
    word = word.strip().rstrip(":")
    return STATUS_STYLES.get(word, STATUS_STYLES.get(word.split(" ", 1)[0], ""))
