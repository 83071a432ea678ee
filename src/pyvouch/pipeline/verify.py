"""`run_verify`: distribution files in, one finding per file out (`pyvouch verify`).

Attestations come either from files the user gives (`--attestation`, `--provenance`; see
`pyvouch.verify.run.verify_with_files`) or from an index, through the same `Pipeline` as a
scan (verdict cache, verification pool, an index client with backoff). The index route always
reads the project page: `verify` checks a handful of files, and the page is what tells "not
listed" or "listed with another digest" apart from a bad attestation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyvouch.errors import InputError
from pyvouch.model import Publisher
from pyvouch.verify.dist import DistFile, digest_file
from pyvouch.verify.run import VerifyOutcome, project_name, verify_with_files
from pyvouch.verify.signature_policy import SignaturePolicy

if TYPE_CHECKING:  # the index's modules: imported when the index is asked
    from pyvouch.pipeline.options import ScanOptions
    from pyvouch.pipeline.releases import Release
    from pyvouch.verify.attestations import AttestationVerifier
    from pyvouch.verify.trust import TrustRoot


@dataclass(frozen=True, slots=True)
class VerifyRequest:
    """What `pyvouch verify` was asked."""

    files: tuple[Path, ...]
    expected: Publisher | None = None
    """The expected publisher; without it the identity is recorded, not checked."""
    attestations: tuple[Path, ...] = ()
    """Attestation, bundle or provenance files; none: ask the index."""
    staging: bool = False
    trust_root: Path | None = None
    index_url: str | None = None
    offline: bool = False
    releases: tuple[Release, ...] = ()
    """``--package NAME==VERSION``: every file of these releases, as the index lists them."""
    key: Path | None = None
    """``--key``: the public key signatures beside files must be made with."""
    allow_no_tlog: bool = False


@dataclass(frozen=True)
class VerifyReport:
    outcome: VerifyOutcome
    root: TrustRoot
    """The trust root the files were verified against."""


def run_verify(request: VerifyRequest) -> VerifyReport:
    """Verify every file of ``request`` against its attestations."""
    from pyvouch.verify.attestations import AttestationVerifier
    from pyvouch.verify.trust import load_trust_root

    signatures = _signatures(request)  # a bad --key is refused before any work
    root = load_trust_root(staging=request.staging, trust_root_file=request.trust_root)
    verifier = AttestationVerifier(root)
    files = list(request.files)
    if request.attestations:  # the workers start at once: nothing of the index is imported
        outcome = verify_with_files(files, list(request.attestations), verifier, request.expected)
    else:
        options = _options(request, signatures)
        outcome = verify_from_index(files, verifier, request.expected, options)
    if request.releases:
        import asyncio

        from pyvouch.pipeline.releases import verify_releases

        options = _options(request, signatures)
        findings, warnings = asyncio.run(
            verify_releases(request.releases, verifier, request.expected, options)
        )
        outcome = VerifyOutcome(
            [*outcome.findings, *findings],
            list(dict.fromkeys([*outcome.warnings, *warnings])),
        )
    return VerifyReport(outcome, root)


def _signatures(request: VerifyRequest) -> SignaturePolicy:
    """``--key`` / ``--allow-no-tlog``; the policy's modules imported only when given."""
    if request.key is None and not request.allow_no_tlog:
        return SignaturePolicy()
    from pyvouch.pipeline.signatures import signature_policy
    from pyvouch.policy.schema import Policy

    return signature_policy(Policy(signature_key=request.key, allow_no_tlog=request.allow_no_tlog))


def _options(request: VerifyRequest, signatures: SignaturePolicy) -> ScanOptions:
    """The index client's options (its modules imported here, on the routes that ask it)."""
    from pyvouch.pipeline.options import ScanOptions

    return ScanOptions(index_url=request.index_url, offline=request.offline, signatures=signatures)


async def _from_index(
    dists: Sequence[DistFile],
    projects: Sequence[str],
    verifier: AttestationVerifier,
    expected: Publisher | None,
    options: ScanOptions,
) -> VerifyOutcome:
    import asyncio

    from pyvouch.pipeline.service import Pipeline

    async with Pipeline(verifier, options, len(dists)) as pipe:
        lookups = await asyncio.gather(
            *(
                pipe.lookup(project, dist.filename, dist.sha256, direct=False)
                for project, dist in zip(projects, dists, strict=True)
            )
        )
        checked = await asyncio.gather(
            *(
                pipe.check(dist, lookup, expected)
                for dist, lookup in zip(dists, lookups, strict=True)
            )
        )
    # Each reason names its lookup's warnings already; the outcome lists them once each too.
    warnings = dict.fromkeys(w for _, lookup in checked for w in lookup.warnings)
    return VerifyOutcome([finding for finding, _ in checked], list(warnings))


def verify_from_index(
    paths: Sequence[Path],
    verifier: AttestationVerifier,
    expected: Publisher | None,
    options: ScanOptions,
) -> VerifyOutcome:
    """Verify ``paths`` against the provenance the index serves for each."""
    if not paths:
        return VerifyOutcome([], [])
    dists = [digest_file(path) for path in paths]
    projects = []
    for path, dist in zip(paths, dists, strict=True):
        project = project_name(dist.filename)
        if project is None:
            raise InputError(
                path,
                "not a wheel or sdist filename, so the project to look up is unknown "
                "(give --attestation or --provenance instead)",
            )
        projects.append(project)
    import asyncio

    return asyncio.run(_from_index(dists, projects, verifier, expected, options))
