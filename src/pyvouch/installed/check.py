"""One installed distribution: its RECORD checked, the wheel it came from, and the verdict.

`inspect_installation` does everything local (no network). The scan then finds the index's
wheel with the installation's tags, verifies its provenance as for any file and, when that
verifies, downloads the wheel (`pyvouch.wheel_fetch.fetch.verified_wheel`, digest checked)
and compares (`compare.compare`). `judge` turns the outcome into the file's finding:

- a difference: ``invalid``, naming the files;
- nothing to compare (no checkable RECORD, no index wheel with these tags, the wheel could not
  be fetched or read): a ``verified`` wheel becomes ``unknown`` with the reason; any other
  status is kept, with the reason added;
- the same files: the status is kept (``verified``), and the reason says so.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

from packaging.tags import Tag

from pyvouch.dist_names import dist_name
from pyvouch.installed.files import Difference, Listing, LocalCheck, check_files, listed_in
from pyvouch.installed.record import RecordUnavailable, read_record, wheel_tags
from pyvouch.model import Finding, Status

MAX_NAMED = 5


class Named(Protocol):
    """A file of a release as an index lists it (`pyvouch.index.simple.IndexFile`)."""

    @property
    def filename(self) -> str: ...


F = TypeVar("F", bound=Named)


class SiteListings:
    """Every RECORD-listed location per site directory, computed once (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sites: dict[Path, Listing] = {}

    def get(self, site: Path) -> Listing:
        with self._lock:
            listed = self._sites.get(site)
            if listed is None:
                listed = self._sites[site] = listed_in(site)
            return listed


@dataclass(frozen=True)
class InstallState:
    dist_info: Path
    tags: frozenset[Tag]
    build: str | None
    local: LocalCheck | None
    unavailable: str | None
    """Why RECORD cannot be checked (then ``local`` is None)."""


def inspect_installation(dist_info: Path, listings: SiteListings) -> InstallState:
    """Read the installation at ``dist_info`` and check its files against its RECORD."""
    tags, build = wheel_tags(dist_info)
    try:
        record = read_record(dist_info)
    except RecordUnavailable as err:
        return InstallState(dist_info, tags, build, None, err.reason)
    local = check_files(record, listings.get(record.site))
    return InstallState(dist_info, tags, build, local, None)


def matching_wheel(files: Sequence[F], tags: frozenset[Tag], build: str | None) -> F | None:
    """The index's wheel the installation came from: the one whose filename's tags (and build
    tag) are exactly the installed ``WHEEL``'s, else the only one sharing a tag with it."""
    if not tags:
        return None
    parsed: list[tuple[F, frozenset[Tag], str | None]] = []
    for file in files:
        name = dist_name(file.filename)
        if name is None or name.kind != "wheel":
            continue
        built = "".join(str(part) for part in name.build) if name.build else None
        parsed.append((file, name.tags, built))
    exact = [f for f, t, b in parsed if t == tags and b == build]
    if len(exact) == 1:
        return exact[0]
    sharing = [f for f, t, b in parsed if t & tags and b == build]
    return sharing[0] if len(sharing) == 1 else None


class Outcome(StrEnum):
    SAME = "same"
    DIFFERS = "differs"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class InstalledVerdict:
    outcome: Outcome
    reason: str


def name_differences(differences: Sequence[Difference]) -> str:
    shown = "; ".join(str(d) for d in differences[:MAX_NAMED])
    more = len(differences) - MAX_NAMED
    return shown + (f"; and {more} more" if more > 0 else "")


def differs(against: str, differences: Sequence[Difference]) -> InstalledVerdict:
    files = "file differs" if len(differences) == 1 else f"{len(differences)} files differ"
    return InstalledVerdict(
        Outcome.DIFFERS, f"installed {files} from {against}: {name_differences(differences)}"
    )


def unchecked(reason: str) -> InstalledVerdict:
    return InstalledVerdict(Outcome.UNCHECKED, reason)


def judge(finding: Finding, verdict: InstalledVerdict) -> Finding:
    """``finding`` (for the index's file) after comparing the installation with it."""
    if verdict.outcome is Outcome.DIFFERS:
        return replace(
            finding,
            status=Status.INVALID,
            reason=f"{verdict.reason} (the index's file: {finding.reason})",
            publisher=None,
            identity_checked=False,
        )
    if verdict.outcome is Outcome.SAME:
        return replace(finding, reason=f"{finding.reason}; {verdict.reason}")
    if finding.status is Status.VERIFIED:
        return replace(
            finding,
            status=Status.UNKNOWN,
            reason=(
                f"the installed files could not be compared with what was verified: "
                f"{verdict.reason} (the index's file: {finding.reason})"
            ),
            publisher=None,
            identity_checked=False,
        )
    return replace(
        finding, reason=f"{finding.reason}; installed files not compared: {verdict.reason}"
    )
