"""`pyvouch verify` with given attestations: digest the files, route the attestations, verify.

Attestations come either from files the user gives (`--attestation`, `--provenance`), here,
or from an index (the default; `pyvouch.pipeline.verify`, through the scan's pipeline). With
given attestations and several files, each attestation goes to the file its (unverified)
subject names; verification then checks that subject for real.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyvouch.compat.sigstore_private import check_dist_filename
from pyvouch.dist_names import dist_name
from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from pyvouch.model import Finding, Publisher, Status
from pyvouch.verify.attestations import AttestationVerifier, DistFile, digest_file
from pyvouch.verify.load import LoadedAttestation, load_attestation_file
from pyvouch.verify.parallel import VerifyJob, verify_many


@dataclass
class VerifyOutcome:
    findings: list[Finding]
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all verified; 1 any definite failure; else 3 if any could not be determined."""
        statuses = {finding.status for finding in self.findings}
        if statuses - {Status.VERIFIED, Status.UNKNOWN}:
            return EXIT_FINDINGS
        if Status.UNKNOWN in statuses:
            return EXIT_INCOMPLETE
        return EXIT_OK


def project_name(filename: str) -> str | None:
    """The project a distribution filename belongs to, or None if it is not one."""
    parsed = dist_name(filename)
    return str(parsed.project) if parsed is not None else None


def _dist_key(filename: str) -> object:
    """What makes two names the same dist (parsed name, version, tags); the name if unparsable."""
    try:
        return check_dist_filename(filename)
    except ValueError:
        return ("unparsable", filename)


def route(
    dists: Sequence[DistFile], attestations: Sequence[LoadedAttestation]
) -> tuple[list[list[LoadedAttestation]], list[str]]:
    """Which attestations go to which file (by subject name), and warnings for the rest.

    With one file, every attestation is checked against it (so an attestation for another
    file fails there, with that reason, instead of being set aside).
    """
    if len(dists) == 1:
        return [list(attestations)], []
    routed: list[list[LoadedAttestation]] = [[] for _ in dists]
    warnings: list[str] = []
    by_key: dict[object, list[int]] = {}
    for n, dist in enumerate(dists):
        by_key.setdefault(_dist_key(dist.filename), []).append(n)
    for loaded in attestations:
        subject = loaded.subject_name
        targets = by_key.get(_dist_key(subject), []) if subject else []
        if not targets:
            warnings.append(
                f"{loaded.source}: its subject {subject or '(unreadable)'} is none of the "
                "files given; not used"
            )
        for n in targets:
            routed[n].append(loaded)
    return routed, warnings


def verify_with_files(
    paths: Sequence[Path],
    attestation_paths: Sequence[Path],
    verifier: AttestationVerifier,
    expected: Publisher | None,
) -> VerifyOutcome:
    """Verify ``paths`` against attestations read from ``attestation_paths``."""
    loaded: list[LoadedAttestation] = []
    for path in attestation_paths:
        loaded.extend(load_attestation_file(path).attestations)
    dists = [digest_file(path) for path in paths]
    routed, warnings = route(dists, loaded)
    jobs = [
        VerifyJob(dist, tuple(mine), expected) for dist, mine in zip(dists, routed, strict=True)
    ]
    verified = iter(verify_many(verifier, [job for job in jobs if job.attestations]))
    findings = [
        next(verified)
        if job.attestations
        else Finding(
            job.dist.ref(), Status.UNATTESTED, "none of the given attestations names this file"
        )
        for job in jobs
    ]
    return VerifyOutcome(findings, warnings)
