"""What the index client answers about one file: a `ProvenanceState` and its reason.

- SERVED: the provenance JSON was fetched (or read from the cache, keyed by the file's digest);
- NONE: the index serves PEP 740 and publishes none for this file (a `provenance` key that is
  present and null, or an integrity endpoint 404 on an index whose pages carry provenance keys);
- NOT_SERVED: this index does not serve provenance (no provenance keys on the page and the
  integrity endpoint does not answer, now or when a remembered verdict was learned); the
  reason gives the evidence;
- ERROR: the lookup failed (after retries) or could not be done offline, or the page
  contradicts itself about the file; the reason is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from pyvouch.index.simple import IndexFile, PageParseError, ProjectPage, check_provenance

OFFLINE = "offline: not in cache"
_PROVENANCE_TYPES = frozenset(
    {"", "application/json", "application/octet-stream", "binary/octet-stream", "text/plain"}
)


class ProvenanceState(StrEnum):
    SERVED = "served"
    NONE = "none"
    NOT_SERVED = "not-served"
    ERROR = "error"


@dataclass(frozen=True)
class ProvenanceLookup:
    """The answer for one file. `provenance` is the raw JSON body when SERVED, else None."""

    filename: str
    sha256: str | None
    state: ProvenanceState
    provenance: bytes | None
    reason: str
    url: str | None
    """The provenance URL asked (or that would have been asked), credentials removed."""
    warnings: tuple[str, ...] = field(default=())
    from_cache: bool = False
    project: str | None = None
    legacy_signature: bool = False
    """The index lists a (legacy) PGP signature for the file."""
    direct: bool = False
    """SERVED straight from the integrity URL, without reading the project page (see
    `IndexClient.provenance`)."""
    provenance_sha256: str | None = None
    """The sha256 (hex) of the provenance body, when it is known without reading the body: a
    SERVED answer from the cache asked for with ``defer_body`` carries this (from the sealed
    entry) and no `provenance` until `IndexClient.with_body` reads it."""

    @property
    def body_deferred(self) -> bool:
        """SERVED from the cache with the body not read yet (see `provenance_sha256`)."""
        return self.provenance is None and self.provenance_sha256 is not None


Outcome = tuple[ProvenanceState, str, str | None, bytes | None, tuple[str, ...]]
"""What one provenance fetch found: state, reason, URL asked, body, warnings."""


def noted(reason: str, warnings: Iterable[str]) -> str:
    """``reason`` with every warning not already in it appended as ``(note: ...)``: a redirect
    to another host is named in the reason of every file it touched."""
    new = [w for w in dict.fromkeys(warnings) if w not in reason]
    return f"{reason} (note: {'; '.join(new)})" if new else reason


def is_provenance_type(kind: str) -> bool:
    """Whether a media type may carry provenance JSON."""
    return kind in _PROVENANCE_TYPES or (kind.startswith("application/") and kind.endswith("+json"))


def announced(page: ProjectPage) -> str:
    """What the page announces, for reasons."""
    if page.api_version:
        return f"index announces api-version {page.api_version}"
    return "index announces no api-version"


def listing_problem(page: ProjectPage, filename: str, digest: str | None) -> str | None:
    """Why ``page`` cannot vouch for ``filename`` (with sha256 ``digest``): it does not list
    it, contradicts itself about it, or lists another digest; None when it can."""
    entry: IndexFile | None = page.file(filename)
    if entry is None:
        return f"{filename} is not listed on the index page {page.url}"
    contradiction = page.contradiction(filename)
    if contradiction is not None:  # nobody can tell which answer holds
        return contradiction
    if digest and entry.sha256 and entry.sha256.lower() != digest:
        listed = entry.sha256.lower()
        return f"the index lists sha256 {listed} for {filename}, not the expected {digest}"
    return None


def is_provenance(body: bytes) -> bool:
    """Whether ``body`` is provenance JSON (`pyvouch.index.simple.check_provenance`)."""
    try:
        check_provenance(body)
    except PageParseError:
        return False
    return True
