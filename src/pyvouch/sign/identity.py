"""Where the signing identity comes from, and how to describe it before signing."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import id as id_package

from pyvouch.errors import SigningError, UsageError

AUDIENCE = "sigstore"


@dataclass(frozen=True, slots=True)
class TokenSource:
    token: str
    origin: str
    """``--identity-token`` or ``ambient CI credential``."""


def obtain_token(explicit: str | None) -> TokenSource:
    """``--identity-token`` if given, else the ambient CI credential (the ``id`` package)."""
    if explicit is not None:
        if not explicit.strip():
            raise UsageError(
                "--identity-token is empty (or PYVOUCH_IDENTITY_TOKEN is set but empty): pass "
                "a token, or leave both unset to use the ambient CI credential"
            )
        return TokenSource(explicit.strip(), "--identity-token")
    try:
        token = id_package.detect_credential(audience=AUDIENCE)
    except id_package.IdentityError as err:
        raise SigningError(f"the CI identity credential could not be obtained: {err}") from None
    if not token:
        raise UsageError(
            "no identity: no ambient OIDC credential found (GitHub Actions with "
            "`id-token: write`, GitLab CI with a SIGSTORE_ID_TOKEN id_token, CircleCI, "
            "Google Cloud, Buildkite); pass --identity-token TOKEN"
        )
    return TokenSource(token, "ambient CI credential")


def unverified_claims(token: str) -> dict[str, Any]:
    """The token's claims, decoded WITHOUT verifying it (Fulcio verifies it)."""
    try:
        _, payload, _ = token.split(".")
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        raise UsageError("--identity-token is not a JWT (expected three base64url parts)") from None
    if not isinstance(decoded, dict):
        raise UsageError("--identity-token payload is not a JSON object")
    return decoded


def describe_identity(claims: dict[str, Any]) -> str:
    """One line saying who the certificate would name, as far as the claims tell."""
    issuer = claims.get("iss", "?")
    if "job_workflow_ref" in claims and "repository" in claims:
        workflow_ref = str(claims.get("workflow_ref", ""))
        workflow = workflow_ref.split("/.github/workflows/", 1)[-1].split("@", 1)[0]
        env = f"@{claims['environment']}" if claims.get("environment") else ""
        who = f"github:{claims['repository']}:{workflow}{env} (ref {claims.get('ref', '?')})"
    elif "ci_config_ref_uri" in claims and "project_path" in claims:
        config = str(claims["ci_config_ref_uri"]).split("//", 1)[-1].split("@", 1)[0]
        env = f"@{claims['environment']}" if claims.get("environment") else ""
        who = f"gitlab:{claims['project_path']}:{config}{env} (ref {claims.get('ref', '?')})"
    elif "email" in claims:
        who = str(claims["email"])
    else:
        who = str(claims.get("sub", "?"))
    expires = claims.get("exp")
    when = ""
    if isinstance(expires, int | float):
        try:
            stamp = dt.datetime.fromtimestamp(expires, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):  # an absurd `exp` is shown as it is
            stamp = repr(expires)
        when = f", token expires {stamp}"
    return f"{who}, issuer {issuer}{when}"
