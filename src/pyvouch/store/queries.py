"""The read API of the history store: plain dataclasses out, for `pyvouch history`, readiness
and the dashboard. No query here writes; every function takes an open `Store`.

- `scans`: the scans of one repository (or all), newest first, with their counts;
- `overview`: per repository, its latest scan and the share of critical packages verified;
- `coverage_over_time`: per day, repository and tier, packages and verified packages;
- `package_history`: one package's versions, statuses and publishers as observed;
- `regressions`: packages that regressed against history, as recorded;
- `new_unsigned`: packages new to a repository's scan that carry no attestation;
- `consistently_signing`: per package of a tier, whether every observation in a window
  verified, with one identity (the evidence for moving it into enforcement).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from pyvouch.store.engine import Store
from pyvouch.store.tables import scan_files, scan_packages, scans

_LOST = ("unattested", "legacy-signed")
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ScanSummary:
    scan_id: int
    run_id: str
    repository: str
    commit: str | None
    branch: str | None
    scanned_at: datetime
    lock_path: str
    mode: str
    evidence: str
    packages: int
    verified: int
    regressions: int
    blocked: int

    @property
    def share_verified(self) -> float:
        return self.verified / self.packages if self.packages else 0.0


@dataclass(frozen=True, slots=True)
class RepositoryOverview:
    repository: str
    scans: int
    latest: ScanSummary
    critical: int
    """Critical packages in the latest scan."""
    critical_verified: int


@dataclass(frozen=True, slots=True)
class CoveragePoint:
    day: date
    repository: str
    tier: str
    packages: int
    verified: int

    @property
    def share_verified(self) -> float:
        return self.verified / self.packages if self.packages else 0.0


@dataclass(frozen=True, slots=True)
class PackageObservation:
    scanned_at: datetime
    repository: str
    version: str | None
    status: str
    publishers: tuple[str, ...]
    evidence: str
    regression: str | None


@dataclass(frozen=True, slots=True)
class RegressionEntry:
    scanned_at: datetime
    repository: str
    name: str
    version: str | None
    reason: str
    evidence: str


@dataclass(frozen=True, slots=True)
class NewUnsigned:
    scanned_at: datetime
    repository: str
    name: str
    version: str | None
    status: str


@dataclass(frozen=True, slots=True)
class SigningRecord:
    name: str
    observations: int
    verified: int
    identities: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime

    @property
    def consistent(self) -> bool:
        """Every observation verified, always as one identity."""
        return (
            self.observations > 0
            and self.verified == self.observations
            and (len(self.identities) == 1)
        )


def aware(when: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were written in UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _summary_query(*where: ColumnElement[bool]) -> Select[tuple[object, ...]]:
    """Scan rows with their counts; ``where`` (on `scans`) narrows the counting too."""
    counts = (
        select(
            scan_packages.c.scan_id,
            func.sum(case((scan_packages.c.status == "verified", 1), else_=0)).label("verified"),
            func.sum(case((scan_packages.c.regression.is_not(None), 1), else_=0)).label("regr"),
            func.sum(case((scan_packages.c.action == "block", 1), else_=0)).label("blocked"),
        )
        .select_from(scan_packages.join(scans, scans.c.id == scan_packages.c.scan_id))
        .where(*where)
        .group_by(scan_packages.c.scan_id)
        .subquery()
    )
    return (
        select(
            scans.c.id,
            scans.c.run_id,
            scans.c.repository,
            scans.c.commit,
            scans.c.branch,
            scans.c.scanned_at,
            scans.c.lock_path,
            scans.c.mode,
            scans.c.evidence,
            scans.c.package_count,
            func.coalesce(counts.c.verified, 0),
            func.coalesce(counts.c.regr, 0),
            func.coalesce(counts.c.blocked, 0),
        )
        .select_from(scans.outerjoin(counts, counts.c.scan_id == scans.c.id))
        .where(*where)
    )


def _summary(row: tuple[object, ...]) -> ScanSummary:
    (sid, run, repo, commit, branch, when, lock, mode, evidence, n, ver, regr, blocked) = row
    assert isinstance(when, datetime)
    return ScanSummary(
        int(str(sid)),
        str(run),
        str(repo),
        commit if isinstance(commit, str) else None,
        branch if isinstance(branch, str) else None,
        aware(when),
        str(lock),
        str(mode),
        str(evidence),
        int(str(n)),
        int(str(ver)),
        int(str(regr)),
        int(str(blocked)),
    )


def scans_of(
    store: Store, repository: str | None = None, since: datetime | None = None, limit: int = 1000
) -> list[ScanSummary]:
    """Scans, newest first."""
    where: list[ColumnElement[bool]] = []
    if repository is not None:
        where.append(scans.c.repository == repository)
    if since is not None:
        where.append(scans.c.scanned_at >= since)
    query = (
        _summary_query(*where).order_by(scans.c.scanned_at.desc(), scans.c.id.desc()).limit(limit)
    )
    with store.begin("cannot read history") as conn:
        return [_summary(tuple(row)) for row in conn.execute(query)]


def overview(store: Store) -> list[RepositoryOverview]:
    """Per repository (by name), its latest scan and the critical packages in it."""
    latest = (
        select(scans.c.repository, func.max(scans.c.id).label("last"), func.count().label("n"))
        .group_by(scans.c.repository)
        .subquery()
    )
    critical = (
        select(
            scan_packages.c.scan_id,
            func.count().label("critical"),
            func.sum(case((scan_packages.c.status == "verified", 1), else_=0)).label("ok"),
        )
        .where(scan_packages.c.tier == "critical")
        .group_by(scan_packages.c.scan_id)
        .subquery()
    )
    with store.begin("cannot read history") as conn:
        last = {row[1]: (row[0], int(row[2])) for row in conn.execute(select(latest))}
        if not last:
            return []
        summaries = {
            s.scan_id: s
            for s in (
                _summary(tuple(row))
                for row in conn.execute(_summary_query(scans.c.id.in_(list(last))))
            )
        }
        crit = {
            row[0]: (int(row[1]), int(row[2] or 0))
            for row in conn.execute(select(critical).where(critical.c.scan_id.in_(list(last))))
        }
    out = []
    for scan_id, (repo, count) in last.items():
        c, ok = crit.get(scan_id, (0, 0))
        out.append(RepositoryOverview(str(repo), count, summaries[scan_id], c, ok))
    return sorted(out, key=lambda o: o.repository)


def coverage_over_time(
    store: Store, since: datetime | None = None, repository: str | None = None
) -> list[CoveragePoint]:
    """Per day, repository and tier: packages and verified packages (the day's scans summed)."""
    query = (
        select(
            scans.c.scanned_at,
            scans.c.repository,
            func.coalesce(scan_packages.c.tier, "untiered"),
            func.count(),
            func.sum(case((scan_packages.c.status == "verified", 1), else_=0)),
        )
        .select_from(scan_packages.join(scans, scans.c.id == scan_packages.c.scan_id))
        .group_by(scans.c.id, scans.c.scanned_at, scans.c.repository, scan_packages.c.tier)
    )
    if since is not None:
        query = query.where(scans.c.scanned_at >= since)
    if repository is not None:
        query = query.where(scans.c.repository == repository)
    buckets: dict[tuple[date, str, str], list[int]] = defaultdict(lambda: [0, 0])
    with store.begin("cannot read history") as conn:
        for when, repo, tier, n, ok in conn.execute(query):
            bucket = buckets[(aware(when).date(), str(repo), str(tier))]
            bucket[0] += int(n)
            bucket[1] += int(ok or 0)
    return [
        CoveragePoint(day, repo, tier, n, ok)
        for (day, repo, tier), (n, ok) in sorted(buckets.items())
    ]


def package_history(
    store: Store, name: str, repository: str | None = None, limit: int = 1000
) -> list[PackageObservation]:
    """One package as each scan saw it, newest first."""
    query = (
        select(
            scans.c.scanned_at,
            scans.c.repository,
            scan_packages.c.version,
            scan_packages.c.status,
            scans.c.evidence,
            scan_packages.c.regression,
            scan_packages.c.scan_id,
            scan_packages.c.position,
        )
        .select_from(scan_packages.join(scans, scans.c.id == scan_packages.c.scan_id))
        .where(scan_packages.c.name == name)
        .order_by(scans.c.scanned_at.desc(), scans.c.id.desc())
        .limit(limit)
    )
    if repository is not None:
        query = query.where(scans.c.repository == repository)
    with store.begin("cannot read history") as conn:
        rows = list(conn.execute(query))
        keys = [(r[6], r[7]) for r in rows]
        publishers: dict[tuple[int, int], list[str]] = defaultdict(list)
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            files = conn.execute(
                select(scan_files.c.scan_id, scan_files.c.package_position, scan_files.c.publisher)
                .where(scan_files.c.scan_id.in_({k[0] for k in chunk}))
                .where(scan_files.c.publisher.is_not(None))
            )
            wanted = set(chunk)
            for sid, pos, pub in files:
                if (sid, pos) in wanted and pub not in publishers[(sid, pos)]:
                    publishers[(sid, pos)].append(pub)
    return [
        PackageObservation(
            aware(r[0]),
            r[1],
            r[2],
            r[3],
            tuple(publishers.get((r[6], r[7]), ())),
            r[4],
            r[5],
        )
        for r in rows
    ]


def regressions(
    store: Store, since: datetime | None = None, repository: str | None = None
) -> list[RegressionEntry]:
    """Packages that regressed against history when their scan was recorded, newest first."""
    query = (
        select(
            scans.c.scanned_at,
            scans.c.repository,
            scan_packages.c.name,
            scan_packages.c.version,
            scan_packages.c.regression,
            scans.c.evidence,
        )
        .select_from(scan_packages.join(scans, scans.c.id == scan_packages.c.scan_id))
        .where(scan_packages.c.regression.is_not(None))
        .order_by(scans.c.scanned_at.desc(), scans.c.id.desc())
    )
    if since is not None:
        query = query.where(scans.c.scanned_at >= since)
    if repository is not None:
        query = query.where(scans.c.repository == repository)
    with store.begin("cannot read history") as conn:
        return [
            RegressionEntry(aware(w), repo, n, v, reason, ev)
            for w, repo, n, v, reason, ev in conn.execute(query)
        ]


def new_unsigned(
    store: Store, since: datetime | None = None, repository: str | None = None
) -> list[NewUnsigned]:
    """Packages without an attestation that a repository's scan has and its previous scan did
    not (a repository's first scan adds nothing new), newest first."""
    query = select(scans.c.id, scans.c.repository, scans.c.scanned_at).order_by(
        scans.c.repository, scans.c.scanned_at, scans.c.id
    )
    if repository is not None:
        query = query.where(scans.c.repository == repository)
    out: list[NewUnsigned] = []
    with store.begin("cannot read history") as conn:
        ordered = [(sid, repo, aware(when)) for sid, repo, when in conn.execute(query)]
        pairs = [
            (sid, prev_sid, repo, when)
            for (sid, repo, when), (prev_sid, prev_repo, _) in zip(
                ordered[1:], ordered, strict=False
            )
            if repo == prev_repo and (since is None or when >= since)
        ]
        wanted = sorted({p[0] for p in pairs} | {p[1] for p in pairs})
        names: dict[int, set[str]] = defaultdict(set)
        lost: dict[int, list[tuple[str, str | None, str]]] = defaultdict(list)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = conn.execute(
                select(
                    scan_packages.c.scan_id,
                    scan_packages.c.name,
                    scan_packages.c.version,
                    scan_packages.c.status,
                ).where(scan_packages.c.scan_id.in_(chunk))
            )
            for sid, name, version, status in rows:
                names[sid].add(name)
                if status in _LOST:
                    lost[sid].append((name, version, status))
    for sid, prev_sid, repo, when in pairs:
        before = names.get(prev_sid, set())
        out.extend(
            NewUnsigned(when, repo, name, version, status)
            for name, version, status in lost.get(sid, ())
            if name not in before
        )
    return sorted(out, key=lambda n: n.scanned_at, reverse=True)


def consistently_signing(
    store: Store,
    since: datetime | None = None,
    *,
    tier: str | None = "critical",
    names: tuple[str, ...] = (),
) -> list[SigningRecord]:
    """Per package (of ``tier``, or named), how its observations in the window went."""
    where = []
    if since is not None:
        where.append(scans.c.scanned_at >= since)
    if names:
        where.append(scan_packages.c.name.in_(names))
    elif tier is not None:
        where.append(scan_packages.c.tier == tier)
    where.append(scan_packages.c.origin.is_(None))
    joined = scan_packages.join(scans, scans.c.id == scan_packages.c.scan_id)
    counts = (
        select(
            scan_packages.c.name,
            func.count(),
            func.sum(case((scan_packages.c.status == "verified", 1), else_=0)),
            func.min(scans.c.scanned_at),
            func.max(scans.c.scanned_at),
        )
        .select_from(joined)
        .where(and_(*where))
        .group_by(scan_packages.c.name)
    )
    identities = (
        select(scan_packages.c.name, scan_files.c.publisher)
        .select_from(
            joined.join(
                scan_files,
                and_(
                    scan_files.c.scan_id == scan_packages.c.scan_id,
                    scan_files.c.package_position == scan_packages.c.position,
                ),
            )
        )
        .where(and_(*where), scan_files.c.status == "verified", scan_files.c.publisher.is_not(None))
        .distinct()
    )
    with store.begin("cannot read history") as conn:
        seen: dict[str, list[str]] = defaultdict(list)
        for name, publisher in conn.execute(identities):
            seen[name].append(publisher)
        return sorted(
            (
                SigningRecord(
                    name,
                    int(n),
                    int(ok or 0),
                    tuple(sorted(seen.get(name, ()))),
                    aware(first),
                    aware(last),
                )
                for name, n, ok, first, last in conn.execute(counts)
            ),
            key=lambda r: r.name,
        )
