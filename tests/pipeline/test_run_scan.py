"""`run_scan` called directly: a lock in, a decided `ScanResult` and an exit code out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, PyvouchError
from pyvouch.model import Action, Status
from pyvouch.pipeline.scan import ScanRequest, prepare_scan, run_scan
from pyvouch.policy.overrides import Overrides
from tests.pipeline.conftest import Site, lookup_flags, must_not_verify


def request(site: Site, work: Path, lock_text: str, **overrides: object) -> ScanRequest:
    lock = work / "requirements.txt"
    lock.write_text(lock_text, encoding="utf-8")
    return ScanRequest(
        lock,
        lookup_flags(site, work.parent / "cache"),
        Overrides(**overrides),  # type: ignore[arg-type]
        resolve=False,
    )


def statuses(result: object) -> dict[str, Status]:
    return {p.package.name: p.status for p in result.packages}  # type: ignore[attr-defined]


def test_without_a_policy_the_exit_code_follows_the_statuses(site: Site, workdir: Path) -> None:
    outcome = run_scan(prepare_scan(request(site, workdir, "alpha==1.1\nbeta==1.0\n")))
    assert statuses(outcome.result) == {"alpha": Status.VERIFIED, "beta": Status.UNATTESTED}
    assert outcome.exit_code == EXIT_OK  # every file told, none failed
    assert all(p.decision is None for p in outcome.result.packages)  # no policy, no decisions
    alpha = next(p for p in outcome.result.packages if p.package.name == "alpha")
    publisher = alpha.findings[0].publisher
    assert publisher is not None and publisher.repository == "octo/alpha"


def test_enforce_blocks_an_unattested_critical_package(site: Site, workdir: Path) -> None:
    req = request(site, workdir, "alpha==1.1\nbeta==1.0\n", mode="enforce", critical=("beta",))
    outcome = run_scan(prepare_scan(req))
    assert outcome.exit_code == EXIT_FINDINGS
    decisions = {p.package.name: p.decision for p in outcome.result.packages}
    assert decisions["beta"] is not None and decisions["beta"].action is Action.BLOCK
    assert decisions["alpha"] is not None and decisions["alpha"].action is Action.ALLOW


@pytest.mark.parametrize(
    ("lock", "pin"),
    [
        # the attacker's signature verifies, but it is not the pinned publisher
        ("gamma==2.0\n", "gamma=github:octo/alpha:release.yml"),
        # the real publisher's file, pinned to another workflow of the same repository
        ("alpha==1.1\n", "alpha=github:octo/alpha:other.yml"),
        # the real publisher's file, pinned to the attacker's repository
        ("alpha==1.1\n", "alpha=github:mallory/alpha:release.yml"),
    ],
)
def test_a_signature_by_anyone_but_the_pinned_publisher_is_a_mismatch(
    site: Site, workdir: Path, lock: str, pin: str
) -> None:
    outcome = run_scan(prepare_scan(request(site, workdir, lock, pins=(pin,))))
    [package] = outcome.result.packages
    assert package.status is Status.MISMATCH
    # No policy file and no --mode: a mismatch fails the run all the same (exit 1).
    assert outcome.exit_code == EXIT_FINDINGS
    assert all(p.decision is None for p in outcome.result.packages)


@pytest.mark.parametrize(
    ("lock", "pinned"),
    [
        ("gamma==2.0\n", ("gamma", "octo/alpha")),  # the attacker's file, the real pin
        ("alpha==1.1\n", ("alpha", "mallory/alpha")),  # a pin file planted for the attacker
    ],
)
def test_a_pin_file_next_to_the_lock_fails_a_swapped_publisher_without_a_policy(
    site: Site, workdir: Path, lock: str, pinned: tuple[str, str]
) -> None:
    name, repository = pinned
    (workdir / "pyvouch.lock.toml").write_text(
        'lock-version = "1"\n\n[[packages]]\n'
        f'name = "{name}"\n\n[[packages.attestation-identities]]\nkind = "GitHub"\n'
        f'repository = "{repository}"\nworkflow = "release.yml"\n',
        encoding="utf-8",
    )
    outcome = run_scan(prepare_scan(request(site, workdir, lock)))
    [package] = outcome.result.packages
    assert package.status is Status.MISMATCH
    assert outcome.exit_code == EXIT_FINDINGS


def test_the_honest_pin_passes(site: Site, workdir: Path) -> None:
    req = request(site, workdir, "alpha==1.1\n", pins=("alpha=github:octo/alpha:release.yml",))
    outcome = run_scan(prepare_scan(req))
    [package] = outcome.result.packages
    assert package.status is Status.VERIFIED
    assert package.findings[0].identity_checked


def test_an_index_that_cannot_answer_is_unknown_and_incomplete(site: Site, workdir: Path) -> None:
    req = request(site, workdir, "alpha==1.1\n")
    dead = dataclasses.replace(
        req,
        lookup=dataclasses.replace(req.lookup, index_url="http://127.0.0.1:9/simple/", retries=0),
    )
    outcome = run_scan(prepare_scan(dead))
    assert statuses(outcome.result) == {"alpha": Status.UNKNOWN}
    assert outcome.exit_code == EXIT_INCOMPLETE


def test_a_warm_scan_takes_every_verdict_from_the_cache(site: Site, workdir: Path) -> None:
    req = request(site, workdir, "alpha==1.0\nalpha==1.1\ngamma==2.0\n")
    cold = run_scan(prepare_scan(req))
    prepared = prepare_scan(req)
    warm = run_scan(dataclasses.replace(prepared, verifier=must_not_verify(prepared.verifier)))
    assert warm.result.packages == cold.result.packages
    assert warm.exit_code == cold.exit_code


def test_a_bad_trust_root_is_refused_before_the_lock_is_read(site: Site, workdir: Path) -> None:
    req = ScanRequest(
        workdir / "no-such-lock.txt",
        lookup_flags(site, workdir.parent / "cache", trust_root=workdir / "no-such-root.json"),
        Overrides(),
    )
    with pytest.raises(PyvouchError) as caught:
        prepare_scan(req)
    assert "no-such-root.json" in str(caught.value)
    assert "no-such-lock" not in str(caught.value)
