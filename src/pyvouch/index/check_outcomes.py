"""What `pyvouch index check` saw, file by file, and the counts its verdict is built from.

Each sampled file gets a `Side` per index (the index's answer, the upstream's answer) and an
`Outcome` from the two (`FileCheck.outcome`): passed, dropped, failed on the index, or not
compared. `count` adds them up into `Counts`; `CheckResult` holds the projects, the counts and
the verdict. Pure data: no I/O. See docs/scan.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from pyvouch.index.client import ProvenanceState


class Verdict(StrEnum):
    PASSES = "passes"
    DROPS = "drops"
    UNDETERMINED = "undetermined"

    @property
    def exit_code(self) -> int:
        return {
            Verdict.PASSES: EXIT_OK,
            Verdict.DROPS: EXIT_FINDINGS,
            Verdict.UNDETERMINED: EXIT_INCOMPLETE,
        }[self]


class Outcome(StrEnum):
    PASSED = "passed"
    """The upstream serves provenance for the file and so does the index."""
    DROPPED = "dropped"
    """The upstream serves provenance for the file; the index has none, serves none, or lists
    a provenance URL that does not serve it."""
    FAILED = "failed"
    """The upstream serves provenance for the file; the lookup on the index failed."""
    NOT_COMPARED = "not-compared"


LISTED_NOT_SERVED = "listed-not-served"
"""The index's page lists a provenance URL for the file that answers without provenance."""
NOT_LISTED = "not-listed"
UNREACHABLE = "unreachable"
WITHOUT_PROVENANCE = frozenset({ProvenanceState.NONE.value, ProvenanceState.NOT_SERVED.value})
LOOKUP_FAILURES = frozenset({ProvenanceState.ERROR.value, UNREACHABLE})


@dataclass(frozen=True)
class Side:
    """What one index said about one file."""

    state: str
    """A `ProvenanceState` value, or ``listed-not-served`` / ``not-listed`` / ``unreachable``."""
    reason: str


@dataclass(frozen=True)
class FileCheck:
    project: str
    filename: str
    index: Side
    upstream: Side | None
    """None when the upstream was not asked (unreachable, or the index itself)."""

    @property
    def outcome(self) -> Outcome:
        if self.upstream is None or self.upstream.state != ProvenanceState.SERVED:
            return Outcome.NOT_COMPARED
        if self.index.state == ProvenanceState.SERVED:
            return Outcome.PASSED
        if self.index.state in WITHOUT_PROVENANCE or self.index.state == LISTED_NOT_SERVED:
            return Outcome.DROPPED
        if self.index.state in LOOKUP_FAILURES:
            return Outcome.FAILED
        return Outcome.NOT_COMPARED


@dataclass(frozen=True)
class ProjectCheck:
    name: str
    index_api_version: str | None = None
    upstream_api_version: str | None = None
    index_provenance_keys: bool | None = None
    """Whether the index's page carried provenance keys (None: page not fetched)."""
    integrity: str | None = None
    """How the index's integrity endpoint answered for one sampled file."""
    index_error: str | None = None
    upstream_error: str | None = None
    files: tuple[FileCheck, ...] = ()
    warnings: tuple[str, ...] = ()
    """What the clients warned about on either side (redirects to another host)."""


@dataclass(frozen=True)
class Counts:
    """What was seen, file by file: the numbers every verdict sentence is built from."""

    sampled: int = 0
    served: int = 0
    """Files the index served provenance for."""
    none: int = 0
    """Files the index says have no provenance."""
    not_served: int = 0
    """Files for which the index serves no provenance at all (no keys, no integrity answer)."""
    listed_not_served: int = 0
    """Files whose listed provenance URL answered without provenance (404, 410, not JSON)."""
    errors: int = 0
    """Files whose lookup on the index failed (or whose page could not be fetched)."""
    not_listed: int = 0
    """Files the index does not list."""
    upstream_served: int = 0
    """Files the upstream attests (serves provenance for)."""
    upstream_without: int = 0
    """Files the upstream has no provenance for (none published, or not served)."""
    upstream_errors: int = 0
    upstream_not_asked: int = 0
    passed: int = 0
    dropped: int = 0
    failed: int = 0
    """Files the upstream attests whose lookup on the index failed."""

    @property
    def looked_up(self) -> int:
        """Files the index gave an answer for (failed lookups are not counted here)."""
        return self.served + self.none + self.not_served + self.listed_not_served

    @property
    def compared(self) -> int:
        return self.passed + self.dropped

    def as_dict(self) -> dict[str, int]:
        names = (
            "sampled",
            "served",
            "none",
            "not_served",
            "listed_not_served",
            "errors",
            "not_listed",
            "upstream_served",
            "upstream_without",
            "upstream_errors",
            "upstream_not_asked",
            "passed",
            "dropped",
            "failed",
        )
        return {
            **{n: int(getattr(self, n)) for n in names},
            "looked_up": self.looked_up,
            "compared": self.compared,
        }


def count(files: Sequence[FileCheck]) -> Counts:
    index = [f.index.state for f in files]
    upstream = [f.upstream.state if f.upstream else None for f in files]
    outcomes = [f.outcome for f in files]
    return Counts(
        sampled=len(files),
        served=index.count(ProvenanceState.SERVED.value),
        none=index.count(ProvenanceState.NONE.value),
        not_served=index.count(ProvenanceState.NOT_SERVED.value),
        listed_not_served=index.count(LISTED_NOT_SERVED),
        errors=sum(s in LOOKUP_FAILURES for s in index),
        not_listed=index.count(NOT_LISTED),
        upstream_served=upstream.count(ProvenanceState.SERVED.value),
        upstream_without=sum(s in WITHOUT_PROVENANCE for s in upstream),
        upstream_errors=upstream.count(ProvenanceState.ERROR.value),
        upstream_not_asked=upstream.count(None),
        passed=outcomes.count(Outcome.PASSED),
        dropped=outcomes.count(Outcome.DROPPED),
        failed=outcomes.count(Outcome.FAILED),
    )


@dataclass(frozen=True)
class CheckResult:
    index_url: str
    upstream_url: str | None
    upstream_note: str | None
    """Why the upstream could not be compared with, when it could not."""
    projects: tuple[ProjectCheck, ...]
    verdict: Verdict
    summary: str
    details: tuple[str, ...] = field(default=())
    counts: Counts = field(default_factory=Counts)

    @property
    def files(self) -> list[FileCheck]:
        return [f for p in self.projects for f in p.files]

    @property
    def warnings(self) -> list[str]:
        return list(dict.fromkeys(w for p in self.projects for w in p.warnings))
