"""The nouns of vulnerability checking: advisories as matched, findings, statuses, priorities.

Plain immutable values, no I/O. A package's vulnerability status is `VulnStatus.UNKNOWN` with
its reason whenever no source could answer for it: never "no known vulnerabilities".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pyvouch.model import Action, Status
from pyvouch.reachability.model import Evidence, Exposure
from pyvouch.redact import redact_text
from pyvouch.vulns.level import Level as Level  # one of the model's nouns, kept apart (level.py)


class VulnStatus(StrEnum):
    """What the advisory sources said about one locked package."""

    AFFECTED = "affected"
    """At least one advisory that is not withdrawn affects this exact version."""
    NO_KNOWN = "no-known"
    """A source answered for this package and no advisory affects this version."""
    UNKNOWN = "unknown"
    """No source could answer (the reason is kept): never shown as "no known"."""


@dataclass(frozen=True, slots=True)
class Rating:
    """A finding's severity and where it comes from."""

    level: Level
    score: float | None = None
    vector: str | None = None
    source: str = ""
    """e.g. ``CVSS_V3 base score``, ``the database's own rating``, ``no CVSS vector``."""


@dataclass(frozen=True, slots=True)
class VulnFinding:
    """One vulnerability of one locked package: advisories that alias each other, merged."""

    package: str
    """PEP 503-normalized name."""
    version: str
    id: str
    """The id shown first (PYSEC, then GHSA, then any other advisory id)."""
    aliases: tuple[str, ...]
    """Every other id of the same vulnerability (GHSA, CVE, PYSEC, ...), sorted."""
    summary: str
    rating: Rating
    fixed: tuple[str, ...]
    """Versions above the locked one that fix it, lowest first (empty: no fix known)."""
    matched: str
    """Why this version is affected (the range or the version list that matched)."""
    symbols: tuple[tuple[str, str | None], ...] = ()
    """Affected (module, attribute) pairs the advisory names (``ecosystem_specific.imports``)."""
    urls: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    """Where the advisories came from (a file of the database, an API URL)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", redact_text(self.summary))

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def fix_available(self) -> bool:
        return bool(self.fixed)


@dataclass(frozen=True, slots=True)
class PackageVulns:
    """The vulnerability status of one locked package."""

    name: str
    """PEP 503-normalized name."""
    version: str | None
    status: VulnStatus
    findings: tuple[VulnFinding, ...] = ()
    reason: str = ""
    """Why the status is unknown; which source answered otherwise."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", redact_text(self.reason))


@dataclass(frozen=True, slots=True)
class VulnReport:
    """What the advisory sources said about every locked package."""

    packages: tuple[PackageVulns, ...]
    sources: tuple[str, ...] = ()
    """The sources asked (a database path, an API URL)."""
    warnings: tuple[str, ...] = ()
    """Advisories skipped (malformed, unreadable) with their reasons, inconsistent answers."""

    def count(self, status: VulnStatus) -> int:
        return sum(p.status is status for p in self.packages)


class Priority(StrEnum):
    """The ordering bucket of a finding (see `pyvouch.vulns.priority`)."""

    P1 = "P1"
    """Reachable (direct or transitive) and high or critical."""
    P2 = "P2"
    """Reachable with another severity, or reachability unknown and high or critical."""
    P3 = "P3"
    """Reachability unknown otherwise, or used only from tests."""
    P4 = "P4"
    """Installed and never imported."""


@dataclass(frozen=True, slots=True)
class VulnVerdict:
    """The policy's decision on one finding (`pyvouch.policy.vulns`)."""

    action: Action
    rule: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RankedFinding:
    """A finding with its exposure, the package's attestation status and its priority."""

    finding: VulnFinding
    exposure: Exposure
    evidence: Evidence | None
    attestation: Status | None
    """The package's attestation status from the scan (shown beside; never decides exposure)."""
    priority: Priority
    reasons: tuple[str, ...]
    """Why it ranks where it does, in words."""
    symbol_uses: tuple[tuple[str, int], ...] = ()
    """First-party (file, line) references to the affected symbols the advisory names."""
    verdict: VulnVerdict | None = None

    @property
    def reachable(self) -> bool:
        return self.exposure in (Exposure.DIRECT, Exposure.TRANSITIVE)


@dataclass(frozen=True, slots=True)
class VulnAssessment:
    """Everything `scan --vulns` adds to a scan: rendered beside the `ScanResult`."""

    report: VulnReport
    findings: tuple[RankedFinding, ...]
    """In priority order."""
    reachability: str
    """How exposure was told: the source dirs analysed, or why it was not analysed."""
    skipped: tuple[str, ...] = ()
    """What the reachability analysis skipped and why."""

    def blocked(self) -> int:
        return sum(
            f.verdict is not None and f.verdict.action is Action.BLOCK for f in self.findings
        )
