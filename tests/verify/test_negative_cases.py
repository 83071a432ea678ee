"""Each way an attestation can fail gives its own status and reason (real fixtures, mutated).

In-process, with one verifier per trust root reused across tests, as a scan would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyvouch.model import Finding, Publisher, Status
from pyvouch.verify.attestations import AttestationVerifier, DistFile, digest_file
from pyvouch.verify.load import load_attestation_file
from pyvouch.verify.matching import match_identity
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.verify.trust import load_trust_root
from tests.support.verify_helpers import asset, edit_statement, load_json, write_json

SDIST = "pypi_attestations-0.0.19.tar.gz"
PUBLISH = f"{SDIST}.publish.attestation"
SLSA = f"{SDIST}.slsa.attestation"
SAMPLE = "sampleproject-4.0.0.tar.gz"
SAMPLE_PROVENANCE = f"{SAMPLE}.provenance"


@pytest.fixture(scope="module")
def production() -> AttestationVerifier:
    return AttestationVerifier(load_trust_root())


def verify(
    verifier: AttestationVerifier,
    dist: Path | DistFile,
    attestations: list[Path],
    spec: str | None = None,
) -> Finding:
    loaded = [a for path in attestations for a in load_attestation_file(path).attestations]
    file = dist if isinstance(dist, DistFile) else digest_file(dist)
    expected = parse_publisher_spec(spec) if spec else None
    return verifier.verify_file(file, loaded, expected)


def test_unchanged_fixture_verifies(production: AttestationVerifier) -> None:
    finding = verify(
        production,
        asset(SDIST),
        [asset(PUBLISH), asset(SLSA)],
        "github:trailofbits/pypi-attestations:release.yml",
    )
    assert finding.status is Status.VERIFIED
    assert finding.identity_checked
    assert [a.predicate_type for a in finding.attestations] == [
        "https://docs.pypi.org/attestations/publish/v1",
        "https://slsa.dev/provenance/v1",
    ]
    assert all(a.log_index and a.integrated_time for a in finding.attestations)


def test_one_byte_flipped_in_the_dist(production: AttestationVerifier, tmp_path: Path) -> None:
    data = bytearray(asset(SDIST).read_bytes())
    data[len(data) // 2] ^= 0x01
    changed = tmp_path / SDIST
    changed.write_bytes(bytes(data))
    finding = verify(production, changed, [asset(PUBLISH)])
    assert finding.status is Status.INVALID
    assert "digest does not match" in finding.reason
    assert finding.attestations[0].verified is False


def test_statement_edited(production: AttestationVerifier, tmp_path: Path) -> None:
    edited = edit_statement(load_json(asset(PUBLISH)), {"predicate": {"extra": "x"}})
    path = write_json(tmp_path / "edited.attestation", edited)
    finding = verify(production, asset(SDIST), [path])
    assert finding.status is Status.INVALID
    assert "statement was changed after signing" in finding.reason


def test_signature_swapped_in_from_another_attestation(
    production: AttestationVerifier, tmp_path: Path
) -> None:
    mine = load_json(asset(PUBLISH))
    mine["envelope"]["signature"] = load_json(asset(SLSA))["envelope"]["signature"]
    path = write_json(tmp_path / "swapped.attestation", mine)
    finding = verify(production, asset(SDIST), [path])
    assert finding.status is Status.INVALID
    assert "signature is not this attestation's" in finding.reason


def test_attestation_for_another_file(production: AttestationVerifier) -> None:
    finding = verify(
        production, asset("pypi_attestations-0.0.19-py3-none-any.whl"), [asset(PUBLISH)]
    )
    assert finding.status is Status.INVALID
    assert "is for another file" in finding.reason


def test_staging_signature_against_production(production: AttestationVerifier) -> None:
    finding = verify(
        production,
        asset("rfc8785-0.1.2-py3-none-any.whl"),
        [asset("rfc8785-0.1.2-py3-none-any.whl.publish.attestation")],
    )
    assert finding.status is Status.INVALID
    assert "does not chain to the production trust root" in finding.reason


def test_one_bad_attestation_among_several_fails_the_file(
    production: AttestationVerifier, tmp_path: Path
) -> None:
    edited = edit_statement(load_json(asset(SLSA)), {"_type": "https://in-toto.io/Statement/v1"})
    path = write_json(tmp_path / "slsa.attestation", edited)
    finding = verify(production, asset(SDIST), [asset(PUBLISH), path])
    assert finding.status is Status.INVALID
    assert finding.reason.startswith("attestation 2 of 2")
    assert [a.verified for a in finding.attestations] == [True, False]


def test_failure_reasons_are_distinct(production: AttestationVerifier, tmp_path: Path) -> None:
    data = bytearray(asset(SDIST).read_bytes())
    data[100] ^= 0xFF
    (tmp_path / "d").mkdir()
    changed = tmp_path / "d" / SDIST
    changed.write_bytes(bytes(data))
    edited = write_json(
        tmp_path / "e.json", edit_statement(load_json(asset(PUBLISH)), {"predicate": {}})
    )
    swapped_obj = load_json(asset(PUBLISH))
    swapped_obj["envelope"]["signature"] = load_json(asset(SLSA))["envelope"]["signature"]
    swapped = write_json(tmp_path / "s.json", swapped_obj)
    reasons = [
        verify(production, changed, [asset(PUBLISH)]).reason,
        verify(production, asset(SDIST), [edited]).reason,
        verify(production, asset(SDIST), [swapped]).reason,
        verify(
            production, asset("pypi_attestations-0.0.19-py3-none-any.whl"), [asset(PUBLISH)]
        ).reason,
        verify(
            production,
            asset("rfc8785-0.1.2-py3-none-any.whl"),
            [asset("rfc8785-0.1.2-py3-none-any.whl.sigstore")],
        ).reason,
    ]
    assert len(set(reasons)) == len(reasons), reasons


# -- identity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        "github:pypa/sampleproject2",  # suffix
        "github:pypa/sample",  # prefix
        "github:pypa/sampleprojec",
        "github:pypa-/sampleproject",  # look-alike owner
        "github:pypa/sampleproject-",
        "github:pypa/sample-project",
        "github:pypa/sampleproject.git",
        "github:pyp/sampleproject",
        "github:pypa/sampleproject:publish.yml",  # wrong workflow
        "github:pypa/sampleproject:Release.yml",  # workflow is exact
        "github:pypa/sampleproject:release.yaml",
        "github:pypa/sampleproject:release.yml@pypi",  # wrong environment (label says "")
        "gitlab:pypa/sampleproject",  # wrong kind
        "google:pypa@example.com",
    ],
)
def test_wrong_identity_is_a_mismatch(production: AttestationVerifier, spec: str) -> None:
    finding = verify(production, asset(SAMPLE), [asset(SAMPLE_PROVENANCE)], spec)
    assert finding.status is Status.MISMATCH, finding.reason
    assert not finding.identity_checked
    assert finding.attestations[0].verified  # the signature itself is fine


@pytest.mark.parametrize(
    ("spec", "expected_words"),
    [
        ("github:pypa/sampleproject2", "repository differs"),
        ("github:pypa/sampleproject:publish.yml", "workflow differs"),
        ("github:pypa/sampleproject:release.yml@pypi", "environment differs"),
        ("gitlab:pypa/sampleproject", "expected a GitLab publisher"),
    ],
)
def test_mismatch_reason_names_expected_and_found(
    production: AttestationVerifier, spec: str, expected_words: str
) -> None:
    finding = verify(production, asset(SAMPLE), [asset(SAMPLE_PROVENANCE)], spec)
    assert expected_words in finding.reason
    assert "pypa/sampleproject" in finding.reason


@pytest.mark.parametrize(
    "spec",
    [
        "github:pypa/sampleproject:release.yml",
        "github:PyPA/SampleProject:release.yml",  # owner/repo case-insensitive on GitHub
        "github:PYPA/SAMPLEPROJECT",
        '{"kind": "GitHub", "repository": "pypa/sampleproject", "workflow": "release.yml", '
        '"environment": ""}',
    ],
)
def test_right_identity_verifies(production: AttestationVerifier, spec: str) -> None:
    finding = verify(production, asset(SAMPLE), [asset(SAMPLE_PROVENANCE)], spec)
    assert finding.status is Status.VERIFIED, finding.reason
    assert finding.identity_checked


def test_missing_workflow_says_any_workflow(production: AttestationVerifier) -> None:
    finding = verify(
        production, asset(SAMPLE), [asset(SAMPLE_PROVENANCE)], "github:pypa/sampleproject"
    )
    assert finding.status is Status.VERIFIED
    assert "any workflow accepted (signed by release.yml)" in finding.reason


def test_environment_cannot_be_checked_without_a_label(
    production: AttestationVerifier, tmp_path: Path
) -> None:
    provenance = load_json(asset(SAMPLE_PROVENANCE))
    bare = write_json(
        tmp_path / "bare.attestation", provenance["attestation_bundles"][0]["attestations"][0]
    )
    with_env = verify(production, asset(SAMPLE), [bare], "github:pypa/sampleproject@pypi")
    assert with_env.status is Status.MISMATCH
    assert "environment cannot be checked" in with_env.reason
    without_env = verify(production, asset(SAMPLE), [bare], "github:pypa/sampleproject")
    assert without_env.status is Status.VERIFIED


def test_environment_from_a_label_for_another_repository_is_not_used(
    production: AttestationVerifier, tmp_path: Path
) -> None:
    provenance = load_json(asset(SAMPLE_PROVENANCE))
    provenance["attestation_bundles"][0]["publisher"] = {
        "kind": "GitHub",
        "repository": "someone/else",
        "workflow": "release.yml",
        "environment": "pypi",
    }
    path = write_json(tmp_path / "p.provenance", provenance)
    finding = verify(production, asset(SAMPLE), [path], "github:pypa/sampleproject@pypi")
    assert finding.status is Status.MISMATCH
    assert "environment cannot be checked" in finding.reason


def test_gitlab_is_exact(production: AttestationVerifier) -> None:
    dist = asset("gitlab_oidc_project-0.0.3.tar.gz")
    att = [asset("gitlab_oidc_project-0.0.3.tar.gz.publish.attestation")]
    ok = verify(production, dist, att, "gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml")
    assert ok.status is Status.VERIFIED
    for spec in (
        "gitlab:Facutuesca/gitlab-oidc-project",
        "gitlab:facutuesca/gitlab-oidc",
        "gitlab:facutuesca/gitlab-oidc-project/sub",
        "gitlab:facutuesca/gitlab-oidc-project:ci.yml",
    ):
        assert verify(production, dist, att, spec).status is Status.MISMATCH, spec


def test_google_is_exact(production: AttestationVerifier) -> None:
    dist = asset("sampleproject-3.0.0.tar.gz")
    att = [asset("sampleproject-3.0.0.tar.gz.publish.attestation")]
    email = "919436158236-compute@developer.gserviceaccount.com"
    assert verify(production, dist, att, f"google:{email}").status is Status.VERIFIED
    for spec in (f"google:{email.upper()}", f"google:x{email}", "google:919436158236@x.com"):
        assert verify(production, dist, att, spec).status is Status.MISMATCH, spec


def test_no_expected_publisher_is_verified_but_identity_not_checked(
    production: AttestationVerifier,
) -> None:
    finding = verify(production, asset(SAMPLE), [asset(SAMPLE_PROVENANCE)])
    assert finding.status is Status.VERIFIED
    assert finding.identity_checked is False
    assert "identity NOT checked" in finding.reason
    assert finding.publisher is not None and finding.publisher.repository == "pypa/sampleproject"


def test_pulp_publisher_label_does_not_break_parsing(
    production: AttestationVerifier, tmp_path: Path
) -> None:
    provenance = load_json(asset(SAMPLE_PROVENANCE))
    provenance["attestation_bundles"][0]["publisher"] = {"kind": "Pulp User", "name": "admin"}
    path = write_json(tmp_path / "pulp.provenance", provenance)
    finding = verify(production, asset(SAMPLE), [path], "github:pypa/sampleproject:release.yml")
    assert finding.status is Status.VERIFIED
    # ...but an environment cannot be taken from a label that names no repository.
    env = verify(production, asset(SAMPLE), [path], "github:pypa/sampleproject@pypi")
    assert env.status is Status.MISMATCH


@pytest.mark.parametrize(
    "repository",
    ["evil/pypa/sampleproject", "pypa/sampleproject/x", "pypa/sampleproje\u212at"],
)
def test_match_identity_rejects_structural_look_alikes(repository: str) -> None:
    found = Publisher(kind="GitHub", repository=repository, workflow="release.yml")
    expected = Publisher(kind="GitHub", repository="pypa/sampleprojeKt", workflow="release.yml")
    assert not match_identity(expected, found).matched
    expected2 = Publisher(kind="GitHub", repository="pypa/sampleproject", workflow="release.yml")
    assert not match_identity(expected2, found).matched


def test_json_output_of_a_finding_is_complete(production: AttestationVerifier) -> None:
    from pyvouch.report.verify_report import finding_json

    finding = verify(
        production, asset(SAMPLE), [asset(SAMPLE_PROVENANCE)], "github:pypa/sampleproject"
    )
    doc = finding_json(finding)
    assert set(doc) == {
        "file",
        "sha256",
        "status",
        "reason",
        "publisher",
        "identity_checked",
        "signature_kind",
        "attestations",
    }
    assert doc["signature_kind"] == "pep740"
    json.dumps(doc)
    assert doc["attestations"][0]["log_index"] == 147137139


def test_unreadable_certificate_is_invalid_and_names_no_publisher(
    production: AttestationVerifier, tmp_path: Path
) -> None:
    """The identity is read from the certificate the bundle holds: a certificate that does not
    parse is refused before any of it is trusted, with the certificate's own error."""
    import base64

    broken = load_json(asset(PUBLISH))
    der = base64.b64decode(broken["verification_material"]["certificate"])
    broken["verification_material"]["certificate"] = base64.b64encode(der[:-40]).decode()
    finding = verify(production, asset(SDIST), [write_json(tmp_path / "cert.attestation", broken)])
    assert finding.status is Status.INVALID
    assert "the signing certificate cannot be read" in finding.reason
    assert finding.publisher is None
    assert finding.attestations[0].verified is False


def test_malformed_log_entry_is_invalid_but_names_the_certificate_publisher(
    production: AttestationVerifier, tmp_path: Path
) -> None:
    broken = load_json(asset(PUBLISH))
    del broken["verification_material"]["transparency_entries"][0]["inclusionProof"]
    finding = verify(production, asset(SDIST), [write_json(tmp_path / "tlog.attestation", broken)])
    assert finding.status is Status.INVALID
    assert "the attestation is malformed" in finding.reason, finding.reason
    assert finding.publisher is not None
    assert finding.publisher.repository == "trailofbits/pypi-attestations"
