"""Reading identities from real certificates, and the DER UTF8String reader."""

from __future__ import annotations

import pytest
from cryptography import x509
from hypothesis import given
from hypothesis import strategies as st
from pyasn1.codec.der.encoder import encode
from pyasn1.type.char import UTF8String

from pyvouch.verify.identity import _decode_utf8string, publisher_from_certificate
from pyvouch.verify.load import load_attestation_file
from tests.support.verify_helpers import asset


@given(st.text(max_size=400))
def test_utf8string_reader_agrees_with_pyasn1(text: str) -> None:
    assert _decode_utf8string(encode(UTF8String(text))) == text


@pytest.mark.parametrize(
    "der",
    [
        b"",
        b"\x0c",
        b"\x13\x01a",
        b"\x0c\x02a",
        b"\x0c\x01ab",
        b"\x0c\x81\x05hello",
        b"\x0c\x01\xff",
    ],
)
def test_utf8string_reader_rejects_non_der(der: bytes) -> None:
    assert _decode_utf8string(der) is None


@pytest.mark.parametrize(
    ("name", "kind", "repository", "workflow"),
    [
        (
            "pypi_attestations-0.0.19.tar.gz.publish.attestation",
            "GitHub",
            "trailofbits/pypi-attestations",
            "release.yml",
        ),
        (
            "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",
            "GitLab",
            "facutuesca/gitlab-oidc-project",
            ".gitlab-ci.yml",
        ),
        ("sampleproject-3.0.0.tar.gz.publish.attestation", "Google", None, None),
        ("rfc8785-0.1.2-py3-none-any.whl.publish.attestation", "Other", None, None),
    ],
)
def test_publisher_from_real_certificates(
    name: str, kind: str, repository: str | None, workflow: str | None
) -> None:
    (loaded,) = load_attestation_file(asset(name)).attestations
    cert = x509.load_der_x509_certificate(loaded.attestation.verification_material.certificate)
    publisher = publisher_from_certificate(cert)
    assert (publisher.kind, publisher.repository, publisher.workflow) == (
        kind,
        repository,
        workflow,
    )
