"""The PEP 740 publisher label written for each certificate identity.

The real fixtures cover GitHub, GitLab, Google and a non-Trusted-Publisher identity (see
test_served_site.py); CircleCI and incomplete identities have no real fixture, so their
mapping is checked here, and each modelled label must parse with pypi-attestations.
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter
from pypi_attestations import Publisher as PypiPublisher

from pyvouch.model import Publisher
from pyvouch.registry.provenance_build import attestation_target, publisher_label

CASES = [
    (
        Publisher(kind="GitHub", repository="o/r", workflow="release.yml", issuer="i"),
        {"kind": "GitHub", "repository": "o/r", "workflow": "release.yml"},
    ),
    (
        Publisher(kind="GitLab", repository="g/sub/p", workflow="ci/release.yml"),
        {"kind": "GitLab", "repository": "g/sub/p", "workflow_filepath": "ci/release.yml"},
    ),
    (
        Publisher(kind="Google", email="sa@p.iam.gserviceaccount.com"),
        {"kind": "Google", "email": "sa@p.iam.gserviceaccount.com"},
    ),
    (
        Publisher(
            kind="CircleCI",
            project_id="1111",
            pipeline_definition_id="2222",
            repository="github.com/o/r",
        ),
        {
            "kind": "CircleCI",
            "project_id": "1111",
            "pipeline_definition_id": "2222",
            "vcs_origin": "github.com/o/r",
            "vcs_ref": "refs/tags/v1",
        },
    ),
]


@pytest.mark.parametrize(("identity", "expected"), CASES)
def test_trusted_publisher_labels_parse_with_pypi_attestations(
    identity: Publisher, expected: dict[str, str]
) -> None:
    label, note = publisher_label(identity, {"source_repository_ref": "refs/tags/v1"})
    assert label == expected
    assert note is None
    parsed = TypeAdapter(PypiPublisher).validate_python(label)
    assert parsed.kind == identity.kind


def test_github_identity_without_workflow_is_labelled_other() -> None:
    identity = Publisher(kind="GitHub", repository="o/r", issuer="iss", subject="sub")
    label, note = publisher_label(identity, {})
    assert label == {"kind": "Other", "issuer": "iss", "subject": "sub"}
    assert note is not None and "GitHub identity without" in note


@pytest.mark.parametrize(
    ("filename", "target"),
    [
        ("a-1.0.tar.gz.publish.attestation", "a-1.0.tar.gz"),
        ("a-1.0.tar.gz.attestation", "a-1.0.tar.gz"),
        ("a-1.0-py3-none-any.whl.slsa.attestation", "a-1.0-py3-none-any.whl"),
        ("a-1.0.zip.provenance", "a-1.0.zip"),
        ("a-1.0.tar.gz.sigstore.json", "a-1.0.tar.gz"),
        ("a-1.0.tar.gz.sigstore", "a-1.0.tar.gz"),
        ("a-1.0.tar.gz", None),
        ("a-1.0.tar.gz.x.y.attestation", None),
        ("notes.attestation", None),
        ("a-1.0.tar.gz.publish.provenance", None),
    ],
)
def test_attestation_target(filename: str, target: str | None) -> None:
    assert attestation_target(filename) == target
