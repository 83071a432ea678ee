"""A local, Sigstore-compatible test authority: OIDC issuers, a Fulcio-like CA, a Rekor-like log.

Only for tests, benchmarks and demonstrations. Nothing it issues is trusted anywhere unless a
user explicitly names its trusted root. See ``docs/test-authority.md``.
"""

from __future__ import annotations

from pyvouch.testing.authority import Faults, TestAuthority
from pyvouch.testing.oidc import IssuerKind, TestIssuer, github_claims, gitlab_claims

__all__ = [
    "Faults",
    "IssuerKind",
    "TestAuthority",
    "TestIssuer",
    "github_claims",
    "gitlab_claims",
]
