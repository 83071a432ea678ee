"""The verdict of `pyvouch index check` and the plain sentence that says it.

`judge` turns the projects a check looked at into a `CheckResult`: it counts the files, picks
the verdict (passes, drops, undetermined) and writes a summary in which every number comes
from the `Counts` it states. When nothing can be compared, the reason is worked out from the
counts (no upstream, the upstream is the index, cannot be reached, attests none of the files,
or its lookups failed) and the index is judged alone. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyvouch.index.check_outcomes import (
    LISTED_NOT_SERVED,
    LOOKUP_FAILURES,
    CheckResult,
    Counts,
    FileCheck,
    Outcome,
    ProjectCheck,
    Verdict,
    count,
)
from pyvouch.index.client import ProvenanceState


def _announced(projects: Sequence[ProjectCheck]) -> str:
    versions = sorted({p.index_api_version or "none" for p in projects if p.index_error is None})
    if not versions:
        return "announces nothing (no page could be fetched)"
    return f"announces api-version {' / '.join(versions)}"


def _integrity(projects: Sequence[ProjectCheck]) -> str | None:
    answers = [p.integrity.rsplit(" for ", 1)[0] for p in projects if p.integrity]
    if not answers:
        return None
    common = sorted(set(answers))
    return f"its integrity endpoint answers {' / '.join(common)}"


def _first(files: Sequence[FileCheck], states: frozenset[str] | set[str]) -> str:
    """The index's reason for the first file in one of ``states`` (an example for a count)."""
    return next((f.index.reason for f in files if f.index.state in states), "")


def _first_upstream_error(files: Sequence[FileCheck]) -> str:
    return next(
        (
            f.upstream.reason
            for f in files
            if f.upstream is not None and f.upstream.state == ProvenanceState.ERROR
        ),
        "",
    )


def _failures(c: Counts, files: Sequence[FileCheck]) -> str:
    """``; N lookups failed on this index (first reason)`` when any did, else ``""``."""
    if not c.errors:
        return ""
    plural = "s" if c.errors != 1 else ""
    return f"; {c.errors} lookup{plural} failed on this index ({_first(files, LOOKUP_FAILURES)})"


def _without_here(dropped: Sequence[FileCheck]) -> str:
    """What the dropped files have here, counted by kind."""
    parts = []
    listed = sum(f.index.state == LISTED_NOT_SERVED for f in dropped)
    none = sum(f.index.state == ProvenanceState.NONE for f in dropped)
    not_served = sum(f.index.state == ProvenanceState.NOT_SERVED for f in dropped)
    if listed:
        example = _first(dropped, {LISTED_NOT_SERVED})
        parts.append(f"{listed} listed with a provenance URL that does not serve it ({example})")
    if none:
        parts.append(f"{none} said to have none")
    if not_served:
        parts.append(f"{not_served} with no provenance served")
    return "; ".join(parts)


def _why_not_compared(
    upstream_note: str | None,
    c: Counts,
    files: Sequence[FileCheck],
    projects: Sequence[ProjectCheck],
) -> str:
    """Why no file could be compared, from the counts (never a sentence they contradict)."""
    if upstream_note:
        return upstream_note
    if not c.sampled:
        errors = [e for p in projects for e in (p.upstream_error, p.index_error) if e]
        return "no file could be sampled" + (
            f" ({errors[0]})" if errors else ": the pages list no files with a version"
        )
    if c.sampled == c.upstream_not_asked:
        return "the upstream lists none of the sampled projects"
    if c.upstream_served == 0:
        if c.upstream_errors == 0 and c.upstream_not_asked == 0:
            return f"the upstream attests none of the {c.sampled} sampled files"
        said = [
            f"the upstream attests none of the {c.upstream_without} sampled files it answered for"
        ]
        if c.upstream_errors:
            said.append(
                f"its lookup failed for {c.upstream_errors} ({_first_upstream_error(files)})"
            )
        if c.upstream_not_asked:
            said.append(f"it does not list the projects of {c.upstream_not_asked}")
        return ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
    # The upstream attests some files, and none of them could be compared here.
    said = []
    if c.failed:
        example = _first(files, LOOKUP_FAILURES)
        said.append(f"the lookup on this index failed for {c.failed} of them ({example})")
    unlisted = c.upstream_served - c.failed
    if unlisted:
        said.append(f"this index does not list {unlisted} of them")
    return f"the upstream attests {c.upstream_served} of the {c.sampled} sampled files, but " + (
        " and ".join(said)
    )


def judge(
    index_url: str,
    upstream_url: str | None,
    upstream_note: str | None,
    projects: tuple[ProjectCheck, ...],
) -> CheckResult:
    """The verdict and the plain sentence that says it, built from the counts."""
    files = [f for p in projects for f in p.files]
    c = count(files)
    dropped = [f for f in files if f.outcome is Outcome.DROPPED]
    announced = _announced(projects)
    integrity = _integrity(projects)
    pages = [p.index_provenance_keys for p in projects if p.index_provenance_keys is not None]
    with_keys = sum(pages)
    if with_keys and with_keys == len(pages):
        listing = "lists provenance keys"
    elif with_keys:
        listing = f"lists provenance keys on {with_keys} of its {len(pages)} project pages"
    else:
        listing = "lists no provenance keys"
    evidence = f"it {announced}, {listing}" + (f", and {integrity}" if integrity else "")
    failures = _failures(c, files)
    details: list[str] = []

    def result(verdict: Verdict, summary: str) -> CheckResult:
        return CheckResult(
            index_url,
            upstream_url,
            upstream_note,
            projects,
            verdict,
            summary,
            tuple(details),
            c,
        )

    upstream_attests = "sampled files the upstream attests"
    attested = f"{c.upstream_served} {upstream_attests}"
    if c.dropped:
        if not c.passed:
            only_not_served = not c.served and all(
                f.index.state == ProvenanceState.NOT_SERVED for f in dropped
            )
            what = (
                "does not serve PEP 740 provenance"
                if only_not_served
                else "drops PEP 740 provenance"
            )
            return result(
                Verdict.DROPS,
                f"this index {what}: {evidence}; it has no provenance for {c.dropped} of the "
                f"{attested} ({_without_here(dropped)}){failures}",
            )
        return result(
            Verdict.DROPS,
            f"this index drops PEP 740 provenance for some files: {c.dropped} of the {attested} "
            f"have no provenance here ({_without_here(dropped)}), {c.passed} do; "
            f"{evidence}{failures}",
        )
    if c.listed_not_served:
        # Whatever the upstream says, a provenance URL that serves nothing drops provenance.
        example = _first(files, {LISTED_NOT_SERVED})
        why = _why_not_compared(upstream_note, c, files, projects) if not c.compared else None
        return result(
            Verdict.DROPS,
            f"this index lists provenance it does not serve: {c.listed_not_served} of the "
            f"{c.looked_up} files looked up on it list a provenance URL that answers without "
            f"provenance ({example}){failures}"
            + (f"; cannot compare with the upstream: {why}" if why else ""),
        )
    if c.failed:
        return result(
            Verdict.UNDETERMINED,
            f"cannot tell whether this index passes PEP 740 provenance through: of the "
            f"{attested}, it served provenance for {c.passed} and the lookup failed for "
            f"{c.failed} ({_first(files, LOOKUP_FAILURES)})",
        )
    if c.passed:
        # Not dropped, not failed: the upstream's other attested files are not listed here.
        unlisted = c.upstream_served - c.passed
        which = (
            f"{c.passed} of the {attested} (the other {unlisted} are not listed here)"
            if unlisted
            else f"{c.passed} {upstream_attests}"
        )
        up_failed = (
            f"; the upstream's lookup failed for {c.upstream_errors} other file(s) (not compared: "
            f"{_first_upstream_error(files)})"
            if c.upstream_errors
            else ""
        )
        return result(
            Verdict.PASSES,
            f"this index passes PEP 740 provenance through: it serves provenance for all "
            f"{which} ({announced}){failures}{up_failed}",
        )
    why = _why_not_compared(upstream_note, c, files, projects)
    if not c.sampled:
        nothing = _why_not_compared(None, c, files, projects)
        return result(
            Verdict.UNDETERMINED,
            f"cannot tell whether this index passes PEP 740 provenance through: {nothing}"
            + (f"; {upstream_note}" if upstream_note else ""),
        )
    details.append(f"cannot compare with the upstream: {why}; judging the index alone")
    looked_up = f"{c.looked_up} files looked up on it"
    if c.served:
        return result(
            Verdict.PASSES,
            f"this index serves PEP 740 provenance ({c.served} of the {looked_up} have it)"
            f"{failures}; cannot compare with the upstream: {why}",
        )
    if c.looked_up and c.not_served == c.looked_up:
        return result(
            Verdict.DROPS,
            f"this index does not serve PEP 740 provenance: {evidence} ({c.not_served} of the "
            f"{looked_up}){failures}; cannot compare with the upstream: {why}",
        )
    if c.looked_up and c.none == c.looked_up:
        return result(
            Verdict.UNDETERMINED,
            f"cannot tell: this index serves PEP 740 ({evidence}) but publishes no "
            f"provenance for any of the {looked_up}{failures}; cannot compare with the "
            f"upstream: {why}",
        )
    seen = [
        f"{n} {label}"
        for n, label in (
            (c.none, "said to have none"),
            (c.not_served, "with no provenance served"),
            (c.errors, "failed"),
            (c.not_listed, "not listed"),
        )
        if n
    ]
    first_error = f" (first failure: {_first(files, LOOKUP_FAILURES)})" if c.errors else ""
    return result(
        Verdict.UNDETERMINED,
        f"cannot tell whether this index passes PEP 740 provenance through: of the "
        f"{c.sampled} sampled files, {', '.join(seen)}"
        f"{first_error}; cannot compare with the upstream: {why}",
    )
