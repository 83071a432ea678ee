"""Trust on first use from the store, with real attestations: wheels signed by the local test
authority as the real publisher and as an attacker, served by a loopback index, scanned with
`run_scan` into a store on each backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyvouch.errors import EXIT_FINDINGS, EXIT_OK
from pyvouch.model import Action, ScanResult, Status
from pyvouch.pipeline.recording import StoreRequest, run_record
from pyvouch.pipeline.scan import ScanOutcome, ScanRequest, prepare_scan, run_scan
from pyvouch.policy.overrides import Overrides
from pyvouch.policy.schema import Policy
from pyvouch.report import json_report
from pyvouch.store import queries
from pyvouch.store.engine import open_store
from pyvouch.store.location import resolve_store
from tests.pipeline.conftest import Site, lookup_flags

ONE, TWO = "github.com/org/one", "github.com/org/two"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PYVOUCH_STORE", raising=False)
    return folder


def scan(
    site: Site,
    work: Path,
    lock: str,
    store_url: str,
    *,
    record: bool = True,
    repository: str = ONE,
    org: bool = False,
    **overrides: object,
) -> ScanOutcome:
    path = work / "requirements.txt"
    path.write_text(lock, encoding="utf-8")
    request = ScanRequest(
        path,
        lookup_flags(site, work.parent / "cache"),
        Overrides(**overrides),  # type: ignore[arg-type]
        resolve=False,
        store=StoreRequest(store=store_url, record=record, repository=repository, org=org),
    )
    return run_scan(prepare_scan(request))


def decision(result: ScanResult, name: str) -> tuple[Status, Action | None, str, str]:
    [pkg] = [p for p in result.packages if p.package.name == name]
    d = pkg.decision
    return (
        pkg.status,
        d.action if d else None,
        d.rule if d else "",
        " ".join(d.reasons) if d else "",
    )


def test_a_publisher_other_than_the_one_history_verified_is_a_regression_that_enforce_blocks(
    site: Site, work: Path, store_url: str
) -> None:
    first = scan(site, work, "alpha==1.0\n", store_url)
    assert first.recorded is not None and first.recorded.new and first.exit_code == EXIT_OK
    later = scan(site, work, "alpha==1.1\n", store_url, mode="enforce")
    status, action, rule, reasons = decision(later.result, "alpha")
    assert (status, action, rule) == (Status.MISMATCH, Action.BLOCK, "long-tail:pin-mismatch")
    assert "mallory/alpha" in reasons and "history: first verified" in reasons
    assert later.exit_code == EXIT_FINDINGS and later.regressions == 1
    with open_store(resolve_store(store_url)) as store:
        [regression] = queries.regressions(store)
    assert (regression.name, regression.version, regression.repository) == ("alpha", "1.1", ONE)
    assert regression.reason.startswith("publisher changed")


def test_without_a_policy_the_regression_still_fails_the_run(
    site: Site, work: Path, store_url: str
) -> None:
    scan(site, work, "alpha==1.0\n", store_url)
    later = scan(site, work, "alpha==1.1\n", store_url, record=False)
    assert later.result.packages[0].status is Status.MISMATCH
    assert later.exit_code == EXIT_FINDINGS


def test_an_unattested_newcomer_in_the_long_tail_does_not_block(
    site: Site, work: Path, store_url: str
) -> None:
    scan(site, work, "alpha==1.0\n", store_url)
    later = scan(site, work, "alpha==1.0\nnewbie==1.0\n", store_url, mode="enforce")
    assert decision(later.result, "newbie")[:3] == (
        Status.UNATTESTED,
        Action.ALLOW,
        "long-tail:no-regression",
    )
    assert decision(later.result, "alpha")[:2] == (Status.VERIFIED, Action.ALLOW)
    assert later.exit_code == EXIT_OK and later.regressions == 0


def test_a_package_that_loses_its_attestation_regresses(
    site: Site, work: Path, store_url: str
) -> None:
    scan(site, work, "beta==1.0\n", store_url)
    later = scan(site, work, "beta==1.1\n", store_url, mode="enforce")
    status, action, rule, reasons = decision(later.result, "beta")
    assert (status, action, rule) == (Status.UNATTESTED, Action.BLOCK, "long-tail:pin-regression")
    assert "attestation lost" in reasons and "octo/beta" in reasons
    assert later.exit_code == EXIT_FINDINGS and later.regressions == 1


def test_a_pin_wins_over_history(site: Site, work: Path, store_url: str) -> None:
    scan(site, work, "alpha==1.0\n", store_url)
    later = scan(
        site,
        work,
        "alpha==1.1\n",
        store_url,
        mode="enforce",
        pins=("alpha=github:mallory/alpha:release.yml",),
    )
    assert decision(later.result, "alpha")[:2] == (Status.VERIFIED, Action.ALLOW)
    assert later.exit_code == EXIT_OK and later.regressions == 0


def test_history_is_this_repositorys_unless_org_is_asked(
    site: Site, work: Path, store_url: str
) -> None:
    scan(site, work, "alpha==1.0\n", store_url, repository=ONE)
    elsewhere = scan(site, work, "alpha==1.1\n", store_url, repository=TWO, record=False)
    assert elsewhere.result.packages[0].status is Status.VERIFIED
    across = scan(site, work, "alpha==1.1\n", store_url, repository=TWO, org=True, record=False)
    assert across.result.packages[0].status is Status.MISMATCH and across.regressions == 1


def test_an_ingested_report_cannot_plant_the_identity_later_scans_are_held_to(
    site: Site, work: Path, store_url: str
) -> None:
    """The attack: an attacker's CI artifact, recorded first, claims alpha is signed by the
    attacker. Ingested reports are observations: they never become trust on first use."""
    planted = scan(site, work, "alpha==1.1\n", store_url, record=False)  # mallory's signature
    assert planted.result.packages[0].status is Status.VERIFIED
    report = work / "attacker-report.json"
    report.write_text(json_report.render(planted.result), encoding="utf-8")
    ingested = run_record(report, StoreRequest(store=store_url, repository=ONE), Policy(), work)
    assert ingested.recorded.new
    # The real publisher's release is not held to the planted identity ...
    real = scan(site, work, "alpha==1.0\n", store_url, mode="enforce")
    assert decision(real.result, "alpha")[:2] == (Status.VERIFIED, Action.ALLOW)
    assert real.exit_code == EXIT_OK and real.regressions == 0
    # ... and once this pyvouch has verified the real one, the attacker's is the regression.
    swapped = scan(site, work, "alpha==1.1\n", store_url, mode="enforce", record=False)
    assert decision(swapped.result, "alpha")[:2] == (Status.MISMATCH, Action.BLOCK)
    with open_store(resolve_store(store_url)) as store:
        evidence = [s.evidence for s in reversed(queries.scans_of(store))]
    assert evidence == ["ingested", "verified"]


def test_the_json_report_carries_the_run_id_the_store_keeps(
    site: Site, work: Path, store_url: str
) -> None:
    outcome = scan(site, work, "alpha==1.0\nbeta==1.0\n", store_url)
    document = json.loads(json_report.render(outcome.result))
    assert outcome.recorded is not None
    assert document["run"]["id"] == outcome.recorded.run_id
    report = work / "report.json"
    report.write_text(json_report.render(outcome.result), encoding="utf-8")
    again = run_record(report, StoreRequest(store=store_url, repository=ONE), Policy(), work)
    assert not again.recorded.new and again.recorded.scan_id == outcome.recorded.scan_id
    with open_store(resolve_store(store_url)) as store:
        assert len(queries.scans_of(store)) == 1
