"""Without a policy file or --mode, scan's exit code still fails a CI job on a tampered or
re-signed file: 1 for invalid or mismatch, 3 for unknown when nothing failed, 0 otherwise."""

from __future__ import annotations

import pytest

from pyvouch.model import PackageResult, ScanResult, Status
from pyvouch.policy.decide import exit_code_without_policy
from tests.support.policy_builders import ID_B, result


def _scan(*packages: PackageResult) -> ScanResult:
    return ScanResult(
        source="pylock.toml", source_format="pylock", index_url="x", packages=packages
    )


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((Status.VERIFIED,), 0),
        ((Status.UNATTESTED, Status.LEGACY_SIGNED, Status.NOT_INDEXED), 0),
        ((Status.UNKNOWN,), 3),
        ((Status.VERIFIED, Status.UNKNOWN), 3),
        ((Status.INVALID,), 1),
        ((Status.MISMATCH,), 1),
        ((Status.UNKNOWN, Status.INVALID), 1),
        ((Status.UNKNOWN, Status.MISMATCH, Status.VERIFIED), 1),
        ((), 0),
    ],
)
def test_exit_code_without_policy(statuses: tuple[Status, ...], code: int) -> None:
    packages = [
        result(f"p{i}", s, publisher=ID_B)
        if s is not Status.NOT_INDEXED
        else result(f"p{i}", s, origin="https://example.org/p.whl")
        for i, s in enumerate(statuses)
    ]
    assert exit_code_without_policy(_scan(*packages)) == code


def test_one_bad_file_in_a_package_is_enough() -> None:
    package = result("p", Status.VERIFIED, Status.INVALID, publisher=ID_B)
    assert exit_code_without_policy(_scan(package)) == 1
