"""``scan --vulns``: the scanned packages against the advisories, ranked by exposure.

`assess` asks the advisory sources (``--vuln-db``, else the policy's ``vuln-db``, else the OSV
API at ``--osv-url``), runs the reachability analysis over ``--source`` directories when
given, and ranks every finding beside the scan's attestation status. `decide` lets the policy
decide on the findings; `combined_exit` joins the two exit codes (1 wins over 3 over 0).
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

from packaging.utils import canonicalize_name

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, UsageError
from pyvouch.model import Package, ScanResult
from pyvouch.pipeline.options import VulnRequest
from pyvouch.pipeline.settings import LookupFlags
from pyvouch.policy.schema import Policy
from pyvouch.policy.vulns import decide_vulns
from pyvouch.reachability.model import (
    LockedDistribution,
    ReachabilityReport,
    ReachabilityRequest,
)
from pyvouch.vulns.check import VulnSources, check_packages
from pyvouch.vulns.model import VulnAssessment
from pyvouch.vulns.osv_api import OsvSettings
from pyvouch.vulns.priority import rank


def _reachability(
    request: VulnRequest,
    packages: list[Package],
    lookup: LookupFlags,
    symbols: tuple[tuple[str, str], ...],
) -> ReachabilityReport | None:
    if not request.source_dirs:
        return None
    module = importlib.import_module("pyvouch.reachability")
    analyse = getattr(module, "analyse", None)
    if analyse is None:
        raise UsageError("--source: this pyvouch has no reachability analysis")
    locked = tuple(
        LockedDistribution(str(canonicalize_name(p.name)), p.version, p.files) for p in packages
    )
    report = analyse(
        ReachabilityRequest(
            source_dirs=request.source_dirs,
            locked=locked,
            test_dirs=request.test_dirs,
            environment=request.environment,
            symbols=symbols,
            cache_dir=lookup.cache_dir,
            offline=lookup.offline,
        )
    )
    if not isinstance(report, ReachabilityReport):
        raise TypeError("the reachability analysis returned no ReachabilityReport")
    return report


def assess(
    packages: list[Package],
    result: ScanResult,
    request: VulnRequest,
    policy: Policy,
    lookup: LookupFlags,
    index_url: str | None = None,
) -> VulnAssessment:
    """The vulnerability findings of ``packages`` in priority order (undecided); the index
    at ``index_url`` is asked (its JSON API) for what the OSV API could not answer."""
    db = request.db
    if db is None and policy.vulns.db is not None:
        db = Path(policy.vulns.db)
    sources = VulnSources(
        db=db,
        osv=OsvSettings(
            url=request.osv_url,
            timeout=lookup.timeout,
            retries=lookup.retries,
            jobs=lookup.jobs,
            cache_dir=lookup.cache_dir,
        ),
        offline=lookup.offline,
        index_url=index_url,
    )
    report = check_packages(packages, sources)
    symbols = tuple(
        dict.fromkeys(
            (module, attribute)
            for pkg in report.packages
            for finding in pkg.findings
            for module, attribute in finding.symbols
            if attribute is not None
        )
    )
    reachability = _reachability(request, packages, lookup, symbols)
    attestation = {str(canonicalize_name(p.package.name)): p.status for p in result.packages}
    if reachability is None:
        how = "not analysed (no --source): every finding's exposure is unknown"
    else:
        how = "analysed: " + ", ".join(str(d) for d in request.source_dirs)
    return VulnAssessment(
        report,
        rank(report, reachability, attestation),
        how,
        reachability.skipped if reachability is not None else (),
    )


def decide(assessment: VulnAssessment, policy: Policy, today: date) -> tuple[VulnAssessment, int]:
    return decide_vulns(assessment, policy, today)


def combined_exit(*codes: int) -> int:
    """1 when any code is 1, else 3 when any is 3, else 0."""
    if EXIT_FINDINGS in codes:
        return EXIT_FINDINGS
    if EXIT_INCOMPLETE in codes:
        return EXIT_INCOMPLETE
    return EXIT_OK
