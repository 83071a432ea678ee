"""`run_scan`: a lock file (or environment) in, a decided `ScanResult` and an exit code out.

Two steps, so a caller can show what was loaded (warnings, a dry run, a progress bar sized to
the packages) before anything is looked up: `prepare_scan` chooses the trust root, reads the
policy (with the command line's overrides and the pin file next to the lock) and loads the
packages; `run_scan` looks every file up, verifies it (`Pipeline`) and lets the policy decide.
Without a policy file or ``--mode`` the exit code is `exit_code_without_policy` of the statuses
as reported (pins applied: a file signed by another identity than pinned is `mismatch`, exit 1)
and the decisions are left out of the result.

`scan` is the spine alone (packages in, undecided `ScanResult` out), for pin, diff, the install
gate and benchmarks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pyvouch.model import Package, PackageResult, ScanResult
from pyvouch.pipeline.options import FileChoice, Progress, ScanOptions, VulnRequest
from pyvouch.pipeline.packages import PackageChecks, each_bounded, package_limit
from pyvouch.pipeline.service import Pipeline
from pyvouch.pipeline.settings import LookupFlags, with_pin_file
from pyvouch.pipeline.store_request import StoreRequest, new_run
from pyvouch.policy.decide import decide_all, exit_code_without_policy, without_decisions
from pyvouch.policy.overrides import Overrides, apply_overrides
from pyvouch.policy.schema import Policy
from pyvouch.policy_files.config_file import discover
from pyvouch.sources import SourceResult, load_packages
from pyvouch.verify.deferred import DeferredVerifier

if TYPE_CHECKING:  # sigstore is imported only when something must really be verified
    from pyvouch.store.write import Recorded
    from pyvouch.verify.attestations import AttestationVerifier
    from pyvouch.vulns.model import VulnAssessment


async def scan_packages_async(
    packages: Sequence[Package],
    verifier: AttestationVerifier | DeferredVerifier,
    options: ScanOptions,
    progress: Progress | None = None,
) -> tuple[list[PackageResult], str, tuple[str, ...]]:
    """Results for ``packages`` in their order, the index URL used (without credentials), and
    what the index client warned about (redirects to another host), once each."""
    async with Pipeline(verifier, options, len(packages)) as pipe:
        checks = PackageChecks(pipe, options.files, progress, len(packages))
        results = await each_bounded(packages, checks.package, package_limit(options.jobs))
        return results, pipe.index_url, pipe.warnings


def scan(
    packages: Sequence[Package],
    verifier: AttestationVerifier | DeferredVerifier,
    options: ScanOptions,
    *,
    source: str,
    source_format: str,
    warnings: Sequence[str] = (),
    progress: Progress | None = None,
) -> ScanResult:
    """Run the spine over ``packages`` and return one result for every report format."""
    results, index_url, index_warnings = asyncio.run(
        scan_packages_async(packages, verifier, options, progress)
    )
    return ScanResult(
        source=source,
        source_format=source_format,
        index_url=index_url,
        packages=tuple(results),
        warnings=tuple(dict.fromkeys((*warnings, *index_warnings))),
    )


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What `pyvouch scan` was asked."""

    lock: Path | None
    """A lock file, SBOM, requirements file or environment directory; None: found in workdir."""
    lookup: LookupFlags
    overrides: Overrides
    """The command line's policy flags, laid over the policy file."""
    files: FileChoice = FileChoice.BEST
    python_version: str | None = None
    platform: str | None = None
    resolve: bool = True
    """Resolve unpinned requirements with pip (else refuse them)."""
    workdir: Path | None = None
    """Where the policy file is looked for (default: the current directory)."""
    vulns: VulnRequest | None = None
    """``--vulns``: also match the packages against advisories (None: not asked)."""
    store: StoreRequest = field(default_factory=StoreRequest)
    """The history store: read for trust on first use when one is in use, written with
    ``record``."""


@dataclass(frozen=True)
class PreparedScan:
    """A scan ready to run: the packages loaded, the policy read, the trust root chosen."""

    request: ScanRequest
    loaded: SourceResult
    policy: Policy
    has_policy: bool
    """A policy file was found or ``--mode`` given: its mode decides the exit code."""
    verifier: DeferredVerifier

    @property
    def packages(self) -> list[Package]:
        return self.loaded.packages

    @property
    def warnings(self) -> list[str]:
        """What loading the input warned about."""
        return self.loaded.warnings


@dataclass(frozen=True)
class ScanOutcome:
    result: ScanResult
    """Decided by the policy (without decisions when there is no policy)."""
    exit_code: int
    vulns: VulnAssessment | None = None
    """The vulnerability findings (``--vulns``), decided when a policy decides."""
    recorded: Recorded | None = None
    """The scan as the history store has it (``--record``)."""
    regressions: int = 0
    """Packages that regressed against the store's history."""


def prepare_scan(request: ScanRequest) -> PreparedScan:
    """Choose the trust root, read the policy and load the packages; nothing is looked up.

    The trust root is chosen first (only bytes are read; nothing is imported), so a bad
    trust-root flag is refused before any other work; the verifier is built on the first
    verdict that is not cached (a warm scan imports no sigstore)."""
    verifier = request.lookup.deferred_verifier()
    policy = discover(request.workdir or Path.cwd(), request.lookup.config_path)
    policy = apply_overrides(policy, request.overrides)
    has_policy = policy.source is not None or request.overrides.mode is not None
    loaded = load_packages(
        request.lock,
        python_version=request.python_version,
        platform=request.platform,
        resolve=request.resolve,
        index_url=policy.index_url,
    )
    policy = with_pin_file(policy, loaded.path)
    return PreparedScan(request, loaded, policy, has_policy, verifier)


def run_scan(
    prepared: PreparedScan, *, progress: Progress | None = None, today: date | None = None
) -> ScanOutcome:
    """Look up and verify every file of the prepared packages; the policy decides.

    With a history store in use, it is opened first (a bad store fails before any lookup),
    the identities its history saw verify hold the packages (trust on first use, after every
    pin a person wrote), and with ``record`` the decided scan is written into it."""
    loaded = prepared.loaded
    request = prepared.request
    policy = prepared.policy
    with ExitStack() as stack:
        store = None
        if request.store.in_use(policy):  # the store's libraries load only now
            from pyvouch.pipeline import recording

            store = stack.enter_context(recording.scan_store(request.store, policy))
        options = request.lookup.scan_options(policy, loaded.index_urls, request.files)
        started = new_run()
        result = scan(
            loaded.packages,
            prepared.verifier,
            options,
            source=str(loaded.path) if loaded.path is not None else "<environment>",
            source_format=loaded.format,
            warnings=loaded.warnings,
            progress=progress,
        )
        result = replace(result, run=started)
        context = None
        if store is not None:
            folder = loaded.path.parent if loaded.path is not None else Path.cwd()
            context = recording.repo_context(request.store, folder)
            if request.store.history:
                policy = recording.policy_with_history(
                    store, policy, result, context, request.store.org
                )
        decided, code = decide_all(result, policy, today or date.today())
        found = recording.regressions(decided, policy) if store is not None else {}
        if not prepared.has_policy:
            # Judged on the statuses as reported: a pin (``--pin``, the lock's own identities,
            # pyvouch.lock.toml, the store's history) that the signer does not match made the
            # file `mismatch`.
            code = exit_code_without_policy(decided)
            decided = without_decisions(decided)
        recorded = None
        if store is not None and context is not None and request.store.record:
            # what the report shows is what the store keeps
            recorded = recording.record_decided(store, decided, policy, context, found)
    vulns_asked = request.vulns
    if vulns_asked is None:
        return ScanOutcome(decided, code, recorded=recorded, regressions=len(found))
    from pyvouch.pipeline.vulns import assess, combined_exit, decide  # the advisories load now

    vulns = assess(loaded.packages, result, vulns_asked, prepared.policy, request.lookup)
    if prepared.has_policy:
        vulns, vuln_code = decide(vulns, prepared.policy, today or date.today())
        code = combined_exit(code, vuln_code)
    return ScanOutcome(decided, code, vulns, recorded, len(found))
