"""Verify attestations with the real ``sigstore`` Verifier and a custom trusted root.

``pypi_attestations.Attestation.verify`` only takes production or staging, so this repeats its
statement checks (one subject, name, sha256) after ``Verifier.verify_dsse``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pypi_attestations import Attestation
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy
from sigstore_models.trustroot import v1 as trustroot_v1

from pyvouch.testing import TestAuthority


def trusted_root_of(authority: TestAuthority) -> TrustedRoot:
    """The authority's trusted root as sigstore's model (parsed from JSON in memory: nothing
    is written outside the test's directories)."""
    return TrustedRoot(trustroot_v1.TrustedRoot.from_json(json.dumps(authority.trusted_root())))


def verify_attestation(
    attestation: Attestation,
    dist: Path,
    trusted_root: TrustedRoot,
    policy: VerificationPolicy,
) -> dict[str, Any]:
    """Raise on any failure; return the verified in-toto statement."""
    payload_type, payload = Verifier(trusted_root=trusted_root).verify_dsse(
        attestation.to_bundle(), policy
    )
    assert payload_type == "application/vnd.in-toto+json"
    statement: dict[str, Any] = json.loads(payload)
    (subject,) = statement["subject"]
    if subject["name"] != dist.name:
        raise ValueError(f"subject {subject['name']} does not name {dist.name}")
    if subject["digest"]["sha256"] != hashlib.sha256(dist.read_bytes()).hexdigest():
        raise ValueError("subject does not match distribution digest")
    return statement
