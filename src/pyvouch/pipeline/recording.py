"""The history store from the spine's side: which store a run uses, what history says before
the policy decides, and recording a scan (``scan --record``) or a report (``pyvouch record``).

History reaches the policy as plain data (`pyvouch.policy.history.Observation`); the policy
does no I/O. Only scans this pyvouch verified count as history (`pyvouch.store.facts`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from pyvouch.model import History, Publisher, ScanResult, Status
from pyvouch.pipeline.store_request import StoreRequest
from pyvouch.policy.history import Observation, history_regression, with_history
from pyvouch.policy.pins import matching_pin, package_pins
from pyvouch.policy.schema import Pin, Policy
from pyvouch.policy.tiers import normalize
from pyvouch.store.context import RepoContext, detect
from pyvouch.store.engine import Store, open_store
from pyvouch.store.facts import observed_identities
from pyvouch.store.from_result import scan_record
from pyvouch.store.ingest import IngestedReport, read_report
from pyvouch.store.location import StoreLocation, resolve_store
from pyvouch.store.records import Evidence, PackageRecord, RunInfo, ScanRecord
from pyvouch.store.releases import observed_histories
from pyvouch.store.write import Recorded, record_scan


def store_location(request: StoreRequest, policy: Policy) -> StoreLocation:
    return resolve_store(request.store, policy.store)


def repo_context(request: StoreRequest, folder: Path) -> RepoContext:
    return detect(
        folder, repository=request.repository, commit=request.commit, branch=request.branch
    )


def observations(
    store: Store, names: Iterable[str], *, index_url: str, repository: str | None
) -> dict[str, tuple[Observation, ...]]:
    found = observed_identities(store, names, index_url=index_url, repository=repository)
    return {
        name: tuple(Observation(o.publisher, o.first_seen, o.repository) for o in ids)
        for name, ids in found.items()
    }


def policy_with_history(
    store: Store, policy: Policy, result: ScanResult, context: RepoContext, org: bool
) -> Policy:
    """``policy`` holding every package of ``result`` to the identities history saw verify."""
    names = [normalize(p.package.name) for p in result.packages if p.package.origin is None]
    seen = observations(
        store, names, index_url=result.index_url, repository=None if org else context.repository
    )
    return with_history(policy, seen)


def regressions(decided: ScanResult, policy: Policy) -> dict[int, str]:
    """Per package position, why it regressed against history (decided result)."""
    out: dict[int, str] = {}
    for i, pkg in enumerate(decided.packages):
        why = history_regression(pkg, package_pins(pkg.package, policy))
        if why is not None:
            out[i] = why
    return out


def record_decided(
    store: Store,
    decided: ScanResult,
    policy: Policy,
    context: RepoContext,
    found: dict[int, str],
) -> Recorded:
    record = scan_record(
        decided,
        repository=context.repository,
        commit=context.commit,
        branch=context.branch,
        tier_of=lambda name: policy.tier_of(name).name.value,
        regressions=found,
    )
    return record_scan(store, record)


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    recorded: Recorded
    report: IngestedReport
    repository: str
    store: str
    """The store's location, without its password."""
    regressions: int


def _ingested_regression(pkg: PackageRecord, pins: tuple[Pin, ...]) -> str | None:
    """A report's package against history's pins: another identity, or attestations lost."""
    if not pins:
        return None
    for f in pkg.files:
        if f.status == Status.VERIFIED.value and f.publisher_json:
            fields = json.loads(f.publisher_json)
            actual = Publisher(**{k: v for k, v in fields.items() if k in Publisher.__slots__})
            if matching_pin(pins, actual) is None:
                return f"publisher changed: {f.filename} verified as {f.publisher}, not as " + (
                    " or ".join(p.identity.to_spec() for p in pins)
                )
        if f.status in (Status.UNATTESTED.value, Status.LEGACY_SIGNED.value):
            return f"attestation lost: {f.filename} has {f.status} ({pins[0].origin})"
    return None


def run_record(
    report_path: Path,
    request: StoreRequest,
    policy: Policy,
    workdir: Path,
) -> RecordOutcome:
    """`pyvouch record`: a report written elsewhere into the store, as observations.

    The report is read and checked first; the store is opened (and migrated) only when the
    report is good, so bad input writes nothing."""
    report = read_report(report_path)
    repo = repo_context(request, workdir)
    with open_store(store_location(request, policy)) as store:
        seen = observations(
            store,
            [p.name for p in report.packages],
            index_url=report.index_url,
            repository=None if request.org else repo.repository,
        )
        pins = with_history(policy, seen).history_pins
        packages = tuple(
            replace(
                p,
                tier=p.tier or policy.tier_of(p.name).name.value,
                regression=_ingested_regression(p, pins.get(p.name, ())),
            )
            for p in report.packages
        )
        record = ScanRecord(
            run=RunInfo(
                run_id=report.run_id,
                scanned_at=report.scanned_at or datetime.now(UTC).replace(microsecond=0),
                pyvouch_version=report.pyvouch_version,
                sigstore_version=report.sigstore_version,
            ),
            repository=repo.repository,
            commit=repo.commit,
            branch=repo.branch,
            lock_path=report.source,
            lock_format=report.source_format,
            index_url=report.index_url,
            mode=report.mode,
            evidence=Evidence.INGESTED,
            packages=packages,
        )
        recorded = record_scan(store, record)
        return RecordOutcome(
            recorded,
            report,
            repo.repository,
            store.location.shown,
            sum(p.regression is not None for p in packages),
        )


def store_histories(
    request: StoreRequest,
    policy: Policy,
    wanted: list[tuple[str, str | None]],
    count: int,
    since: datetime | None = None,
) -> tuple[list[History], str]:
    """`readiness --from-history`: release histories as the store observed them, and the
    store's location (without password) to name as the source."""
    with open_store(store_location(request, policy), create=False) as store:
        return observed_histories(store, wanted, count, since), store.location.shown


def scan_store(request: StoreRequest, policy: Policy) -> Store:
    """The store a scan uses (created and migrated as needed)."""
    return open_store(store_location(request, policy))


def reading_store(request: StoreRequest, policy: Policy) -> Store:
    """The store `pyvouch history` reads (migrated if older; refused if newer or absent)."""
    return open_store(store_location(request, policy), create=False)
