"""Everything the dashboard shows, read from the store in a fixed number of queries (not one
per repository or package) and arranged per page as plain dataclasses."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pyvouch.store import queries, rollups
from pyvouch.store.engine import Store
from pyvouch.store.queries import CoveragePoint, NewUnsigned, RegressionEntry, ScanSummary
from pyvouch.store.rollups import PackageState, PublisherSeen, SampledScan, ScannedPackage

REGRESSION_WINDOW = timedelta(days=90)
NEW_UNSIGNED_WINDOW = timedelta(days=30)
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def slug(name: str) -> str:
    """A file name for a page about ``name`` (hostile text): safe characters only, and a
    digest so two names that clean up alike still get two pages."""
    cleaned = _UNSAFE.sub("-", name.lower()).strip("-.")[:60] or "x"
    return f"{cleaned}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


@dataclass(frozen=True, slots=True)
class TierDay:
    day: date
    tier: str
    packages: int
    verified: int

    @property
    def share(self) -> float:
        return self.verified / self.packages if self.packages else 0.0


@dataclass(frozen=True, slots=True)
class RepositoryPage:
    repository: str
    slug: str
    scan_count: int
    latest: ScanSummary
    critical: int
    critical_verified: int
    packages: list[ScannedPackage]
    """The latest scan's packages and decisions."""
    scans: list[ScanSummary]
    """Newest first."""
    trend: list[TierDay]


@dataclass(frozen=True, slots=True)
class Release:
    version: str | None
    first_seen: datetime
    last_seen: datetime
    observations: int
    """Sampled scans that had this version."""
    statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Regression:
    """One regression as a person reads it: a package of a repository that regressed for one
    reason, over the scans that recorded it (a daily scan records it every day)."""

    repository: str
    name: str
    reason: str
    first_seen: datetime
    last_seen: datetime
    scans: int
    versions: tuple[str, ...]
    evidence: tuple[str, ...]


def group_regressions(entries: list[RegressionEntry]) -> list[Regression]:
    """Grouped by (repository, package, reason), the most recently seen first."""
    groups: dict[tuple[str, str, str], list[RegressionEntry]] = defaultdict(list)
    for entry in entries:
        groups[(entry.repository, entry.name, entry.reason)].append(entry)
    out = [
        Regression(
            repository,
            name,
            reason,
            min(e.scanned_at for e in found),
            max(e.scanned_at for e in found),
            len(found),
            tuple(sorted({e.version for e in found if e.version is not None})),
            tuple(sorted({e.evidence for e in found})),
        )
        for (repository, name, reason), found in groups.items()
    ]
    return sorted(out, key=lambda r: (r.last_seen, r.repository, r.name), reverse=True)


@dataclass(frozen=True, slots=True)
class PackagePage:
    name: str
    slug: str
    publishers: list[PublisherSeen]
    releases: list[Release]
    weeks: list[tuple[date, dict[str, int]]]
    """Per week (its Monday), how many repositories' last scan of the week had each status."""
    repositories: list[tuple[str, str, str | None, str]]
    """Repositories whose latest scan has it: (repository, its slug, version, status)."""
    regressions: list[Regression]


@dataclass(frozen=True, slots=True)
class Dashboard:
    generated_at: datetime
    repositories: list[RepositoryPage]
    critical: int
    critical_verified: int
    trend: list[TierDay]
    regressions: list[Regression]
    """Seen in the last `REGRESSION_WINDOW`."""
    new_unsigned: list[NewUnsigned]
    packages: list[PackagePage] = field(default_factory=list)

    @property
    def critical_share(self) -> float:
        return self.critical_verified / self.critical if self.critical else 0.0

    def repository_slug(self, repository: str) -> str | None:
        return next((r.slug for r in self.repositories if r.repository == repository), None)

    def package_slugs(self) -> dict[str, str]:
        return {p.name: p.slug for p in self.packages}


def _tier_days(points: list[CoveragePoint]) -> list[TierDay]:
    sums: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    for point in points:
        bucket = sums[(point.day, point.tier)]
        bucket[0] += point.packages
        bucket[1] += point.verified
    return [TierDay(day, tier, n, ok) for (day, tier), (n, ok) in sorted(sums.items())]


def _releases(states: list[tuple[SampledScan, PackageState]]) -> list[Release]:
    seen: dict[str | None, list[SampledScan]] = defaultdict(list)
    statuses: dict[str | None, set[str]] = defaultdict(set)
    for scan, state in states:
        seen[state.version].append(scan)
        statuses[state.version].add(state.status)
    out = [
        Release(
            version,
            min(s.scanned_at for s in scans),
            max(s.scanned_at for s in scans),
            len(scans),
            tuple(sorted(statuses[version])),
        )
        for version, scans in seen.items()
    ]
    return sorted(out, key=lambda r: (r.first_seen, r.version or ""))


def _status_weeks(
    states: list[tuple[SampledScan, PackageState]],
) -> list[tuple[date, dict[str, int]]]:
    per: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for scan, state in states:
        if scan.week_end:
            per[scan.week][state.status] += 1
    return [(week, dict(counts)) for week, counts in sorted(per.items())]


def gather(store: Store, now: datetime) -> Dashboard:
    """Read the store once for every page."""
    latest = queries.overview(store)
    all_scans = queries.scans_of(store, limit=10_000_000)
    coverage = queries.coverage_over_time(store)
    every_regression = queries.regressions(store)
    recent_regressions = [r for r in every_regression if r.scanned_at >= now - REGRESSION_WINDOW]
    unsigned = queries.new_unsigned(store, now - NEW_UNSIGNED_WINDOW)

    scans_by_repo: dict[str, list[ScanSummary]] = defaultdict(list)
    for summary in all_scans:
        scans_by_repo[summary.repository].append(summary)
    points_by_repo: dict[str, list[CoveragePoint]] = defaultdict(list)
    for point in coverage:
        points_by_repo[point.repository].append(point)

    repositories = [
        RepositoryPage(
            repository=o.repository,
            slug=slug(o.repository),
            scan_count=o.scans,
            latest=o.latest,
            critical=o.critical,
            critical_verified=o.critical_verified,
            packages=rollups.scan_packages_of(store, o.latest.scan_id),
            scans=scans_by_repo[o.repository],
            trend=_tier_days(points_by_repo[o.repository]),
        )
        for o in latest
    ]
    in_use: dict[str, list[tuple[str, str, str | None, str]]] = defaultdict(list)
    for repo in repositories:
        for pkg in repo.packages:
            in_use[pkg.name].append((repo.repository, repo.slug, pkg.version, pkg.status))
    names = sorted({*in_use, *(r.name for r in recent_regressions), *(n.name for n in unsigned)})
    wanted = set(names)
    sample = rollups.sample_scans(store)
    by_id = {scan.scan_id: scan for scan in sample}
    states_by_name: dict[str, list[tuple[SampledScan, PackageState]]] = defaultdict(list)
    for state in rollups.package_states(store, list(by_id)):
        if state.name in wanted:
            states_by_name[state.name].append((by_id[state.scan_id], state))
    publishers_by_name: dict[str, list[PublisherSeen]] = defaultdict(list)
    for seen in rollups.publishers_seen(store, {i: s.scanned_at for i, s in by_id.items()}):
        if seen.name in wanted:
            publishers_by_name[seen.name].append(seen)
    regressions_by_name: dict[str, list[RegressionEntry]] = defaultdict(list)
    for regression in every_regression:
        regressions_by_name[regression.name].append(regression)

    packages = [
        PackagePage(
            name=name,
            slug=slug(name),
            publishers=publishers_by_name[name],
            releases=_releases(states_by_name[name]),
            weeks=_status_weeks(states_by_name[name]),
            repositories=in_use[name],
            regressions=group_regressions(regressions_by_name[name]),
        )
        for name in names
    ]
    return Dashboard(
        generated_at=now,
        repositories=repositories,
        critical=sum(o.critical for o in latest),
        critical_verified=sum(o.critical_verified for o in latest),
        trend=_tier_days(coverage),
        regressions=group_regressions(recent_regressions),
        new_unsigned=unsigned,
        packages=packages,
    )
