"""Turn what an index answered about one file into a finding.

One place maps the index client's provenance states onto DESIGN.md's statuses, for `verify`
and `scan` alike: SERVED is verified, NONE is `unattested`, NOT_SERVED and ERROR are
`unknown` (never `unattested`: nobody can tell).
"""

from __future__ import annotations

from pyvouch.errors import InputError
from pyvouch.index.client import ProvenanceLookup, ProvenanceState
from pyvouch.model import Finding, Publisher, Status
from pyvouch.verify.attestations import AttestationVerifier, DistFile
from pyvouch.verify.load import parse_attestations


def finding_for_lookup(
    dist: DistFile,
    lookup: ProvenanceLookup,
    verifier: AttestationVerifier,
    expected: Publisher | None,
) -> Finding:
    """The finding for ``dist`` given the index's answer ``lookup`` about it."""
    if lookup.state is ProvenanceState.SERVED and lookup.provenance is not None:
        where = f"provenance from {lookup.url or 'the index'}"
        try:
            parsed = parse_attestations(lookup.provenance, where)
        except InputError as err:
            return Finding(
                dist.ref(), Status.INVALID, f"the index served unusable provenance: {err}"
            )
        return verifier.verify_file(dist, parsed.attestations, expected)
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
