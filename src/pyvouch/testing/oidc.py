"""Test OIDC issuers: mint identity tokens shaped like GitHub Actions' and GitLab CI's.

Each issuer has its own signing key (ES256) and publishes it as a JWKS. The test CA verifies a
token's signature against the issuer named in its ``iss`` claim, exactly as Fulcio does.
"""

from __future__ import annotations

import json
import time
import uuid
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

AUDIENCE = "sigstore"


class IssuerKind(StrEnum):
    """How the test CA maps a token's claims to certificate extensions (Fulcio's issuer types)."""

    GITHUB = "github-workflow"
    GITLAB = "gitlab-pipeline"
    EMAIL = "email"
    """The SAN is the ``email`` claim; no CI claims (like Sigstore's own OAuth issuer)."""


class TestIssuer:
    """One OIDC issuer. ``url`` is set by the authority (it depends on the bound port)."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        name: str,
        kind: IssuerKind,
        *,
        certificate_issuer: str | None = None,
        key: ec.EllipticCurvePrivateKey | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.url = f"http://pyvouch.test/oidc/{name}"
        self._certificate_issuer = certificate_issuer
        self._key = key or ec.generate_private_key(ec.SECP256R1())
        self.kid = uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:16]

    @property
    def certificate_issuer(self) -> str:
        """The issuer the CA writes into certificates (1.3.6.1.4.1.57264.1.8).

        A test issuer may *present as* a real CI issuer (e.g. GitHub Actions'
        ``https://token.actions.githubusercontent.com``) so that certificates carry the identity
        real verifiers recognise; the token itself names the local URL.
        """
        return self._certificate_issuer or self.url

    def mint(
        self,
        claims: dict[str, Any],
        *,
        lifetime: int = 600,
        issued_at: int | None = None,
        audience: str = AUDIENCE,
        key: ec.EllipticCurvePrivateKey | None = None,
    ) -> str:
        """A signed JWT with ``claims`` plus iss/aud/iat/nbf/exp/jti.

        ``lifetime`` may be negative for an already expired token; ``key`` signs with a key the
        issuer does not publish (a forged token).
        """
        now = int(time.time()) if issued_at is None else issued_at
        body: dict[str, Any] = {
            "jti": uuid.uuid4().hex,
            "iss": self.url,
            "aud": audience,
            "iat": now if lifetime > 0 else now + lifetime - 60,
            "nbf": now if lifetime > 0 else now + lifetime - 60,
            "exp": now + lifetime,
        }
        body.update(claims)
        body.setdefault("sub", body.get("email", "test-subject"))
        return jwt.encode(
            body, key or self._key, algorithm="ES256", headers={"kid": self.kid, "typ": "JWT"}
        )

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "ES256"})
        return {"keys": [jwk]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf"],
        }

    def verify(self, token: str, *, leeway: int = 0) -> dict[str, Any]:
        """Verify the token's signature, audience and validity; raise ``jwt.PyJWTError``."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self._key.public_key(),
            algorithms=["ES256"],
            audience=AUDIENCE,
            issuer=self.url,
            leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
        return claims


def github_claims(
    repository: str = "octo-org/octo-repo",
    workflow: str = "release.yml",
    *,
    ref: str = "refs/tags/v1.0.0",
    sha: str = "a" * 40,
    environment: str | None = None,
    event_name: str = "push",
    run_id: str = "1234567890",
    run_attempt: str = "1",
    runner_environment: str = "github-hosted",
    repository_visibility: str = "public",
    repository_id: str = "100000001",
    repository_owner_id: str = "200000002",
    job_workflow_ref: str | None = None,
) -> dict[str, Any]:
    """The claims GitHub Actions puts in an ID token for a workflow run of ``repository``."""
    owner = repository.split("/", 1)[0]
    workflow_ref = f"{repository}/.github/workflows/{workflow}@{ref}"
    if environment:
        sub = f"repo:{repository}:environment:{environment}"
    else:
        sub = f"repo:{repository}:ref:{ref}"
    claims: dict[str, Any] = {
        "sub": sub,
        "ref": ref,
        "ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
        "ref_protected": "false",
        "sha": sha,
        "repository": repository,
        "repository_owner": owner,
        "repository_owner_id": repository_owner_id,
        "repository_id": repository_id,
        "repository_visibility": repository_visibility,
        "run_id": run_id,
        "run_number": "1",
        "run_attempt": run_attempt,
        "actor": owner,
        "actor_id": repository_owner_id,
        "workflow": workflow.rsplit(".", 1)[0],
        "workflow_ref": workflow_ref,
        "workflow_sha": sha,
        "job_workflow_ref": job_workflow_ref or workflow_ref,
        "job_workflow_sha": sha,
        "event_name": event_name,
        "head_ref": "",
        "base_ref": "",
        "runner_environment": runner_environment,
    }
    if environment:
        claims["environment"] = environment
    return claims


def gitlab_claims(
    project_path: str = "octo-group/octo-project",
    ci_config_path: str = ".gitlab-ci.yml",
    *,
    ref: str = "v1.0.0",
    ref_type: str = "tag",
    sha: str = "b" * 40,
    environment: str | None = None,
    pipeline_source: str = "push",
    job_id: str = "302",
    project_id: str = "20",
    namespace_id: str = "72",
    runner_environment: str = "gitlab-hosted",
    project_visibility: str = "public",
    host: str = "gitlab.com",
) -> dict[str, Any]:
    """The claims GitLab CI puts in an ID token for a job of ``project_path``."""
    namespace = project_path.rsplit("/", 1)[0]
    ref_path = f"refs/tags/{ref}" if ref_type == "tag" else f"refs/heads/{ref}"
    claims: dict[str, Any] = {
        "sub": f"project_path:{project_path}:ref_type:{ref_type}:ref:{ref}",
        "namespace_id": namespace_id,
        "namespace_path": namespace,
        "project_id": project_id,
        "project_path": project_path,
        "user_id": "1",
        "user_login": namespace,
        "pipeline_id": "574",
        "pipeline_source": pipeline_source,
        "job_id": job_id,
        "ref": ref,
        "ref_type": ref_type,
        "ref_path": ref_path,
        "ref_protected": "true",
        "runner_id": "1",
        "runner_environment": runner_environment,
        "sha": sha,
        "project_visibility": project_visibility,
        "ci_config_ref_uri": f"{host}/{project_path}//{ci_config_path}@{ref_path}",
        "ci_config_sha": sha,
    }
    if environment:
        claims["environment"] = environment
    return claims
