"""Turn what an index answered about one file into a finding.

One place maps the index client's provenance states onto DESIGN.md's statuses, for `verify`
and `scan` alike: SERVED is verified, NONE is `unattested`, NOT_SERVED and ERROR are
`unknown` (never `unattested`: nobody can tell).

Only SERVED needs cryptography; `finding_without_provenance` answers the other states without
importing sigstore or pypi-attestations.

Whatever the status, what the lookup warned about (a redirect to another host) is named in the
finding's reason (`with_notes`): a verified file fetched through another host says so too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pyvouch.errors import InputError
from pyvouch.index.client import ProvenanceLookup, ProvenanceState, noted
from pyvouch.model import Finding, Publisher, Status
from pyvouch.verify.dist import DistFile

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier


def needs_verification(lookup: ProvenanceLookup) -> bool:
    """Whether the answer carries provenance to verify."""
    return lookup.state is ProvenanceState.SERVED and lookup.provenance is not None


def with_notes(finding: Finding, lookup: ProvenanceLookup) -> Finding:
    """``finding`` whose reason names each of the lookup's warnings (once)."""
    reason = noted(finding.reason, lookup.warnings)
    return finding if reason == finding.reason else replace(finding, reason=reason)


def finding_without_provenance(dist: DistFile, lookup: ProvenanceLookup) -> Finding:
    """The finding for an answer that carries no provenance (NONE, NOT_SERVED, ERROR)."""
    return with_notes(_without_provenance(dist, lookup), lookup)


def _without_provenance(dist: DistFile, lookup: ProvenanceLookup) -> Finding:
    if lookup.state is ProvenanceState.NONE:
        if lookup.legacy_signature:
            return Finding(
                dist.ref(),
                Status.LEGACY_SIGNED,
                f"{lookup.reason}; only a legacy PGP signature is listed (not checked; counts "
                "as unattested)",
            )
        return Finding(dist.ref(), Status.UNATTESTED, lookup.reason)
    return Finding(dist.ref(), Status.UNKNOWN, lookup.reason)


def finding_for_lookup(
    dist: DistFile,
    lookup: ProvenanceLookup,
    verifier: AttestationVerifier,
    expected: Publisher | None,
) -> Finding:
    """The finding for ``dist`` given the index's answer ``lookup`` about it."""
    if not needs_verification(lookup):
        return finding_without_provenance(dist, lookup)
    return with_notes(verify_lookup(dist, lookup, verifier, expected), lookup)


def verify_lookup(
    dist: DistFile,
    lookup: ProvenanceLookup,
    verifier: AttestationVerifier,
    expected: Publisher | None,
) -> Finding:
    """The verdict on served provenance alone, without the lookup's notes (what the verdict
    cache keeps: the notes belong to each run's lookup, see `with_notes`)."""
    from pyvouch.verify.load import parse_attestations

    assert lookup.provenance is not None
    where = f"provenance from {lookup.url or 'the index'}"
    try:
        parsed = parse_attestations(lookup.provenance, where)
    except InputError as err:
        return Finding(dist.ref(), Status.INVALID, f"the index served unusable provenance: {err}")
    return verifier.verify_file(dist, parsed.attestations, expected)
