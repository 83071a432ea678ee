"""`run_diff` called directly: two lock files in, the review (`DiffReport`) out."""

from __future__ import annotations

from pathlib import Path

from pyvouch.errors import EXIT_FINDINGS, EXIT_OK
from pyvouch.model import Status
from pyvouch.pipeline.diff import DiffRequest, run_diff
from pyvouch.policy.diff import ChangeKind
from tests.pipeline.conftest import Site, lookup_flags

BASE = "alpha==1.0\n"
HEAD = "alpha==1.1\nbeta==1.0\ngamma==2.0\n"


def locks(work: Path, base: str = BASE, head: str = HEAD) -> tuple[Path, Path]:
    (work / "base").mkdir()
    (work / "head").mkdir()
    old, new = work / "base" / "requirements.txt", work / "head" / "requirements.txt"
    old.write_text(base, encoding="utf-8")
    new.write_text(head, encoding="utf-8")
    return old, new


def test_without_lookup_only_the_changes_are_listed(site: Site, workdir: Path) -> None:
    report = run_diff(
        DiffRequest(locks(workdir), lookup_flags(site, workdir.parent / "cache"), no_lookup=True)
    )
    kinds = {e.change.name: e.change.kind for e in report.entries}
    assert kinds == {
        "alpha": ChangeKind.CHANGED,
        "beta": ChangeKind.ADDED,
        "gamma": ChangeKind.ADDED,
    }
    assert all(e.status is None for e in report.entries)
    assert report.index_url is None and report.exit_code == EXIT_OK


def test_the_head_is_verified_and_compared_with_the_base(site: Site, workdir: Path) -> None:
    report = run_diff(DiffRequest(locks(workdir), lookup_flags(site, workdir.parent / "cache")))
    entries = {e.change.name: e for e in report.entries}
    assert entries["alpha"].status is Status.VERIFIED
    assert entries["alpha"].base_status is Status.VERIFIED
    assert entries["beta"].status is Status.UNATTESTED
    assert entries["gamma"].status is Status.VERIFIED
    assert entries["gamma"].publishers and "mallory/alpha" in entries["gamma"].publishers[0]
    assert report.index_url == site.server.index_url
    assert report.exit_code == EXIT_OK  # collect: nothing blocks


def test_only_alternatives_whose_current_release_verifies_are_offered(
    site: Site, workdir: Path
) -> None:
    alternatives = workdir / "alternatives.toml"
    alternatives.write_text(
        'alternatives-version = "1"\n\n[alternatives]\nbeta = ["alpha", "no-such-project"]\n',
        encoding="utf-8",
    )
    report = run_diff(
        DiffRequest(
            locks(workdir, "alpha==1.0\n", "alpha==1.0\nbeta==1.0\n"),
            lookup_flags(site, workdir.parent / "cache"),
            alternatives_file=alternatives,
        )
    )
    [beta] = report.entries
    assert beta.status is Status.UNATTESTED
    # alpha's newest release verifies (offered, with who signed it); the missing one is not
    assert len(beta.alternatives) == 1
    assert beta.alternatives[0].startswith("alpha 1.1 (verified as ")
    assert "octo/alpha" in beta.alternatives[0]


def test_enforce_blocks_an_added_unattested_critical_package(site: Site, workdir: Path) -> None:
    (workdir / "pyvouch.toml").write_text(
        'mode = "enforce"\n\n[tiers.critical]\npackages = ["beta"]\n', encoding="utf-8"
    )
    report = run_diff(
        DiffRequest(
            locks(workdir, "alpha==1.0\n", "alpha==1.0\nbeta==1.0\n"),
            lookup_flags(site, workdir.parent / "cache"),
        )
    )
    [beta] = report.entries
    assert beta.decision is not None and beta.blocked
    assert report.exit_code == EXIT_FINDINGS
