"""Recording and reading back, the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from pyvouch.store import queries
from pyvouch.store.engine import Store
from pyvouch.store.facts import observed_identities
from pyvouch.store.prune import prune
from pyvouch.store.records import Evidence
from pyvouch.store.tables import scan_files, scan_packages, scans
from pyvouch.store.write import record_scan
from tests.support.store_records import T0, package_record, scan_record


def counts(store: Store) -> tuple[int, int, int]:
    with store.begin() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (scans, scan_packages, scan_files)
        )


def test_a_scan_is_recorded_with_every_field_and_read_back(store: Store) -> None:
    record = scan_record((package_record("alpha"), package_record("beta", status="unattested")))
    done = record_scan(store, record)
    assert done.new
    with store.begin() as conn:
        row = conn.execute(select(scans)).mappings().one()
        pkgs = conn.execute(select(scan_packages).order_by("position")).mappings().all()
        files = conn.execute(select(scan_files).order_by("package_position")).mappings().all()
    assert row["run_id"] == record.run.run_id
    assert (row["repository"], row["commit"], row["branch"]) == (
        "github.com/org/app",
        "0" * 40,
        "main",
    )
    assert (row["lock_path"], row["lock_format"], row["mode"]) == (
        "pylock.toml",
        "pylock",
        "collect",
    )
    assert (row["pyvouch_version"], row["sigstore_version"]) == ("0.1.0", "4.5.1")
    assert row["evidence"] == "verified" and row["package_count"] == 2
    assert [p["name"] for p in pkgs] == ["alpha", "beta"]
    assert [p["status"] for p in pkgs] == ["verified", "unattested"]
    assert files[0]["publisher"] == "github:octo/x:release.yml" and files[0]["log_index"] == 1
    assert files[1]["publisher"] is None


def test_the_same_run_recorded_twice_is_one_scan(store: Store) -> None:
    record = scan_record((package_record("alpha"),))
    first = record_scan(store, record)
    again = record_scan(store, record)
    assert first.new and not again.new and again.scan_id == first.scan_id
    assert counts(store) == (1, 1, 1)


def test_history_counts_only_locally_verified_scans_on_the_same_index(store: Store) -> None:
    # An ingested report claiming the attacker's identity first, and a scan on another index.
    record_scan(
        store,
        scan_record((package_record("alpha", identity="mallory/x"),), evidence=Evidence.INGESTED),
    )
    record_scan(
        store,
        scan_record(
            (package_record("alpha", identity="mirror/x"),), index_url="https://mirror.test/simple"
        ),
    )
    record_scan(store, scan_record((package_record("alpha", identity="octo/x"),), day=1))
    seen = observed_identities(
        store, ["alpha"], index_url="https://pypi.org/simple/", repository="github.com/org/app"
    )
    assert [o.publisher["repository"] for o in seen["alpha"]] == ["octo/x"]


def test_history_is_per_repository_unless_asked_for_the_organisation(store: Store) -> None:
    record_scan(store, scan_record((package_record("alpha"),), repository="github.com/org/one"))
    here = observed_identities(
        store, ["alpha"], index_url="https://pypi.org/simple", repository="github.com/org/two"
    )
    org = observed_identities(
        store, ["alpha"], index_url="https://pypi.org/simple", repository=None
    )
    assert here == {}
    assert [o.repository for o in org["alpha"]] == ["github.com/org/one"]


def test_queries_answer_from_what_was_recorded(store: Store) -> None:
    for day in range(3):
        record_scan(
            store,
            scan_record(
                (
                    package_record("alpha", version=f"1.{day}", tier="critical"),
                    package_record("beta", status="unattested", tier="critical"),
                    *((package_record("newbie", status="unattested"),) if day == 2 else ()),
                ),
                day=day,
            ),
        )
    record_scan(
        store,
        scan_record(
            (
                package_record(
                    "alpha",
                    "2.0",
                    identity="mallory/x",
                    tier="critical",
                    regression="publisher changed",
                    action="block",
                    status="mismatch",
                ),
            ),
            repository="github.com/org/other",
            day=3,
        ),
    )
    listed = queries.scans_of(store)
    assert [s.repository for s in listed] == ["github.com/org/other"] + ["github.com/org/app"] * 3
    assert (listed[0].regressions, listed[0].blocked, listed[0].verified) == (1, 1, 0)
    overview = {o.repository: o for o in queries.overview(store)}
    assert overview["github.com/org/app"].scans == 3
    assert overview["github.com/org/app"].latest.packages == 3
    assert (
        overview["github.com/org/app"].critical,
        overview["github.com/org/app"].critical_verified,
    ) == (2, 1)
    points = queries.coverage_over_time(store, repository="github.com/org/app")
    assert [(p.day.isoformat(), p.tier, p.packages, p.verified) for p in points] == [
        ("2026-01-01", "critical", 2, 1),
        ("2026-01-02", "critical", 2, 1),
        ("2026-01-03", "critical", 2, 1),
        ("2026-01-03", "long-tail", 1, 0),
    ]
    history = queries.package_history(store, "alpha")
    assert [(o.version, o.status) for o in history] == [
        ("2.0", "mismatch"),
        ("1.2", "verified"),
        ("1.1", "verified"),
        ("1.0", "verified"),
    ]
    assert history[1].publishers == ("github:octo/x:release.yml",)
    [regression] = queries.regressions(store)
    assert (regression.repository, regression.name, regression.reason) == (
        "github.com/org/other",
        "alpha",
        "publisher changed",
    )
    [new] = queries.new_unsigned(store)
    assert (new.name, new.repository, new.scanned_at) == (
        "newbie",
        "github.com/org/app",
        T0 + timedelta(days=2),
    )
    signing = {r.name: r for r in queries.consistently_signing(store)}
    assert not signing["alpha"].consistent  # the other repository saw a mismatch
    assert signing["alpha"].identities == ("github:octo/x:release.yml",)
    assert (signing["beta"].verified, signing["beta"].observations) == (0, 3)
    only_app = queries.consistently_signing(store, T0 - timedelta(days=1), names=("alpha",))
    assert [r.observations for r in only_app] == [4]


def test_prune_deletes_old_scans_with_their_rows_and_keeps_the_rest(store: Store) -> None:
    for day in (0, 100, 200):
        record_scan(store, scan_record((package_record("alpha"), package_record("beta")), day=day))
    deleted = prune(store, timedelta(days=120), now=T0 + timedelta(days=250))
    assert deleted == 2
    assert counts(store) == (1, 2, 2)
    assert [s.scanned_at for s in queries.scans_of(store)] == [T0 + timedelta(days=200)]


def test_the_writer_names_every_column_of_the_schema() -> None:
    from pyvouch.store.write import FILE_COLUMNS, PACKAGE_COLUMNS

    assert list(PACKAGE_COLUMNS) == list(scan_packages.c.keys())
    assert list(FILE_COLUMNS) == list(scan_files.c.keys())
