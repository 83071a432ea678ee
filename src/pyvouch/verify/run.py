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
from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, InputError
from pyvouch.model import Finding, Publisher, Status
from pyvouch.verify import parallel
from pyvouch.verify.attestations import AttestationVerifier, Checked, DistFile, digest_file, judge
from pyvouch.verify.check_pool import CheckPool, ParseFailed
from pyvouch.verify.load import load_attestation_file
from pyvouch.verify.raw import read_raw


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


def verify_with_files(
    paths: Sequence[Path],
    attestation_paths: Sequence[Path],
    verifier: AttestationVerifier,
    expected: Publisher | None,
) -> VerifyOutcome:
    """Verify ``paths`` against attestations read from ``attestation_paths``.

    The pool (`pyvouch.verify.check_pool`) starts first. Then each attestation file is read
    (its bytes, see `pyvouch.verify.raw`) and each attestation handed in with the file its
    subject names (with one file: that file), digested when first named. Malformed input
    raises the `InputError` that reading every attestation file, then digesting every file,
    one after the other, raises first (found again that way, a cost only on that path).
    """
    count = max(len(paths), len(attestation_paths))
    try:
        with CheckPool(verifier, parallel.pool_workers(count), count) as pool:
            dists, handed, warnings = _hand_in(paths, attestation_paths, pool)
            results = pool.results()
    except InputError:
        _raise_first_input_error(paths, attestation_paths)
        raise
    checked: list[list[Checked]] = []
    for mine in handed:
        results_of = [results[n] for n in mine]
        failed = next((r for r in results_of if isinstance(r, ParseFailed)), None)
        if failed is not None:
            _raise_first_input_error(paths, attestation_paths)
            raise failed.error()
        checked.append([r for r in results_of if not isinstance(r, ParseFailed)])
    findings = [
        judge(dist, mine, expected)
        if mine
        else Finding(
            dist.ref(), Status.UNATTESTED, "none of the given attestations names this file"
        )
        for dist, mine in zip(dists, checked, strict=True)
    ]
    return VerifyOutcome(findings, warnings)


def _hand_in(
    paths: Sequence[Path], attestation_paths: Sequence[Path], pool: CheckPool
) -> tuple[list[DistFile], list[list[int]], list[str]]:
    """Read, route and hand in every attestation; (the files digested, which results are each
    file's, warnings)."""
    digested: list[DistFile | None] = [None] * len(paths)
    handed: list[list[int]] = [[] for _ in paths]
    warnings: list[str] = []
    by_key: dict[object, list[int]] = {}
    key_of = {path.name: _dist_key(path.name) for path in paths}  # a subject is usually one
    for n, path in enumerate(paths):
        by_key.setdefault(key_of[path.name], []).append(n)
    for attestation_path in attestation_paths:
        for raw in read_raw(attestation_path):
            if len(paths) == 1:
                targets = [0]
            else:
                subject = raw.subject_name
                key = (key_of.get(subject) or _dist_key(subject)) if subject else None
                targets = by_key.get(key, []) if key is not None else []
            if not targets:
                warnings.append(
                    f"{raw.source}: its subject {raw.subject_name or '(unreadable)'} is none "
                    "of the files given; not used"
                )
            for n in targets:
                dist = digested[n]
                if dist is None:
                    dist = digested[n] = digest_file(paths[n])
                handed[n].append(pool.submit(dist, raw))
    dists = [dist or digest_file(path) for dist, path in zip(digested, paths, strict=True)]
    return dists, handed, warnings


def _raise_first_input_error(paths: Sequence[Path], attestation_paths: Sequence[Path]) -> None:
    """Raise the `InputError` reading every attestation file, then digesting every file, one
    after the other raises first, if any."""
    for path in attestation_paths:
        load_attestation_file(path)
    for path in paths:
        digest_file(path)
