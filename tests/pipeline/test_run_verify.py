"""`run_verify` called directly: files in, one finding per file out, from the index (through
the pipeline) or from given attestation files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.model import Status
from pyvouch.pipeline.verify import VerifyRequest, run_verify
from pyvouch.verify.publisher_spec import parse_publisher_spec
from tests.pipeline.conftest import Site

ALPHA = "alpha-1.1-py3-none-any.whl"
GAMMA = "gamma-2.0-py3-none-any.whl"
BETA = "beta-1.0-py3-none-any.whl"


def from_index(site: Site, *names: str, publisher: str | None = None) -> VerifyRequest:
    return VerifyRequest(
        tuple(site.dists[n] for n in names),
        parse_publisher_spec(publisher) if publisher else None,
        trust_root=site.trust_root,
        index_url=site.server.index_url,
    )


def test_files_verify_against_the_index(site: Site, workdir: Path) -> None:
    report = run_verify(from_index(site, ALPHA, BETA))
    statuses = [f.status for f in report.outcome.findings]
    assert statuses == [Status.VERIFIED, Status.UNATTESTED]
    assert report.outcome.findings[0].file.filename == ALPHA
    assert str(site.trust_root) in report.root.source


def test_the_expected_publisher_is_checked(site: Site, workdir: Path) -> None:
    good = run_verify(from_index(site, ALPHA, publisher="github:octo/alpha:release.yml"))
    [finding] = good.outcome.findings
    assert finding.status is Status.VERIFIED and finding.identity_checked


@pytest.mark.parametrize(
    ("name", "publisher"),
    [
        (GAMMA, "github:octo/alpha:release.yml"),  # the attacker's file, the real publisher
        (ALPHA, "github:mallory/alpha:release.yml"),  # the real file, the attacker expected
        (ALPHA, "github:octo/alpha:other.yml"),  # another workflow of the same repository
    ],
)
def test_another_signer_is_a_mismatch(site: Site, workdir: Path, name: str, publisher: str) -> None:
    report = run_verify(from_index(site, name, publisher=publisher))
    [finding] = report.outcome.findings
    assert finding.status is Status.MISMATCH
    assert not finding.identity_checked


def test_a_file_whose_bytes_differ_from_the_index_does_not_verify(
    site: Site, workdir: Path, tmp_path: Path
) -> None:
    """A local file named like the index's but with other bytes: the index's attestation is
    for another digest, so it is never `verified`."""
    forged = tmp_path / "forged" / ALPHA
    forged.parent.mkdir()
    forged.write_bytes(site.dists[ALPHA].read_bytes() + b"\0")
    report = run_verify(
        VerifyRequest((forged,), trust_root=site.trust_root, index_url=site.server.index_url)
    )
    [finding] = report.outcome.findings
    assert finding.status is not Status.VERIFIED


def test_given_attestation_files_need_no_index(site: Site, workdir: Path, tmp_path: Path) -> None:
    wheel = site.dists[ALPHA]
    attestation = wheel.with_name(wheel.name + ".publish.attestation")
    report = run_verify(
        VerifyRequest((wheel,), attestations=(attestation,), trust_root=site.trust_root)
    )
    [finding] = report.outcome.findings
    assert finding.status is Status.VERIFIED


def test_a_name_that_is_no_distribution_is_one_line_of_input_error(
    site: Site, workdir: Path, tmp_path: Path
) -> None:
    odd = tmp_path / "notes.txt"
    shutil.copyfile(site.dists[ALPHA], odd)
    with pytest.raises(InputError) as caught:
        run_verify(
            VerifyRequest((odd,), trust_root=site.trust_root, index_url=site.server.index_url)
        )
    assert "notes.txt" in str(caught.value) and "\n" not in str(caught.value)
