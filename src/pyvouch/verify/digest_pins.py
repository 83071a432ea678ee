"""What a lock's digests in other algorithms than sha256 do to a finding.

A PEP 740 attestation's subject is a sha256 digest: verification ties the signed bytes to the
sha256 the lock records (or, when the lock records none, the index's). A lock that also, or
only, records a sha512 (sha384, blake2b, md5...) lets an installer accept any bytes with that
digest; nothing the scan has seen ties those bytes to the signed ones. The index may list a
sha512 beside its sha256, but that is the index's word, and a hostile index would list the
signed file's sha256 beside the sha512 of the bytes it serves. So:

- a file the lock records with any digest besides sha256 is never `verified`: at best
  `unknown`, with the reason (the install gate, which has the bytes, pins the verified
  sha256 and pip checks the bytes against it);
- a digest that disagrees with the index's in the same algorithm says the index serves other
  bytes under that name: `unknown` with both digests (as a sha256 disagreement is);
- a pin with no file name and no sha256 cannot be matched to any file: `unknown`, naming the
  files the index says carry that digest.

Pure functions: no I/O.
"""

from __future__ import annotations

from dataclasses import replace

from pyvouch.digests import WEAK, describe, disagreements, known
from pyvouch.index.simple import IndexFile, ProjectPage
from pyvouch.model import FileRef, Finding, Status

_NOT_TIED = (
    "an attestation covers a sha256 digest only, and pyvouch does not take an index's word "
    "that two digests name the same bytes"
)


def _caveats(digests: tuple[tuple[str, str], ...]) -> str:
    notes = []
    unknown = [a for a, _ in digests if not known(a)]
    if unknown:
        notes.append(f"pyvouch cannot compute {', '.join(unknown)}")
    weak = [a for a, _ in digests if a in WEAK]
    if weak:
        notes.append(f"{', '.join(weak)} is broken: bytes can be made to match it")
    return f" ({'; '.join(notes)})" if notes else ""


def other_digests_problem(ref: FileRef, entry: IndexFile | None) -> str:
    """Why ``ref``'s digests besides sha256 keep it from being verified (it has some)."""
    others = ref.other_digests
    name = ref.filename or "the file"
    differ = disagreements(dict(others), entry.digest_map()) if entry is not None else []
    if differ:
        return (
            f"the lock's digests of {name} disagree with the index's ({'; '.join(differ)}, "
            "lock vs index): the index serves other bytes under that name"
        )
    pins = f"also pins {name} by" if ref.sha256 else f"pins {name} only by"
    return (
        f"the lock {pins} {describe(others)}{_caveats(others)}, which nothing "
        f"checked against the signed bytes: {_NOT_TIED}; an installer that checks "
        f"{others[0][0]} could install other bytes"
    )


def account_for_other_digests(finding: Finding, ref: FileRef, entry: IndexFile | None) -> Finding:
    """``finding`` for ``ref`` once the lock's other digests are accounted for: a verified
    file becomes `unknown` with the reason; a worse status keeps its own, with a note."""
    if not ref.other_digests:
        return finding
    problem = other_digests_problem(ref, entry)
    if finding.status is Status.VERIFIED:
        return replace(
            finding,
            status=Status.UNKNOWN,
            reason=f"{problem} (the index's file: {finding.reason})",
            publisher=None,
            identity_checked=False,
        )
    return replace(finding, reason=f"{finding.reason}; note: {problem}")


def unchecked_pin(pin: FileRef, page: ProjectPage) -> Finding:
    """The finding for a pin with neither a file name nor a sha256 (e.g. requirements
    ``--hash=sha512:...``): `unknown`, naming what the index says carries that digest."""
    others = pin.other_digests
    listed = [
        f.filename
        for f in page.files
        if any(f.digest_map().get(algorithm) == value for algorithm, value in others)
    ]
    if listed:
        where = f"the index lists {', '.join(listed)} with that digest, but {_NOT_TIED}"
    else:
        where = f"no file at {page.url} lists that digest; {_NOT_TIED}"
    reason = (
        f"the lock pins a file only by {describe(others)}{_caveats(others)}: {where}; cannot "
        "tell whether the bytes it allows are the signed ones"
    )
    file = FileRef(filename=listed[0] if len(listed) == 1 else "", other_digests=others)
    return Finding(file, Status.UNKNOWN, reason)
