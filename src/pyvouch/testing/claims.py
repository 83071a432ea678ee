"""Map verified token claims to a certificate identity, the way Fulcio does per issuer type.

Sources: Fulcio's ``pkg/identity/github/principal.go`` and ``pkg/identity/gitlabcom/principal.go``
and its OID documentation (``docs/oid-info.md``). Extensions 1.3.6.1.4.1.57264.1.8 to .22 are
DER UTF8Strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyvouch.testing.oidc import IssuerKind
from pyvouch.verify.identity import CLAIM_OIDS, FULCIO_OID

OID_BY_CLAIM: dict[str, str] = {n: oid for n, oid in CLAIM_OIDS.items() if n != "issuer_v1"}
"""The extensions 1.3.6.1.4.1.57264.1.8 to .22, by claim name: the verifier's own table
(`pyvouch.verify.identity.CLAIM_OIDS`; real PyPI attestations in the tests hold it to Fulcio)."""


class ClaimError(ValueError):
    """The token lacks a claim its issuer type requires."""


@dataclass(frozen=True)
class CertIdentity:
    """What goes into a leaf certificate: the SAN and the Fulcio extensions (by claim name)."""

    san_uri: str | None
    san_email: str | None
    extensions: dict[str, str]
    raw_extensions: dict[str, str] = field(default_factory=dict)
    """Deprecated extensions Fulcio still writes as raw bytes (not DER), by OID: .1 (issuer)
    and, for GitHub, .2 to .6 (trigger, sha, workflow name, repository, ref)."""


def _need(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if value is None or value == "":
        raise ClaimError(f"token is missing the {name!r} claim")
    return str(value)


def _github(claims: dict[str, Any], issuer: str) -> CertIdentity:
    base = "https://github.com/"
    repository = _need(claims, "repository")
    job_workflow_ref = _need(claims, "job_workflow_ref")
    ext = {
        "issuer": issuer,
        "build_signer_uri": base + job_workflow_ref,
        "build_signer_digest": _need(claims, "job_workflow_sha"),
        "runner_environment": _need(claims, "runner_environment"),
        "source_repository_uri": base + repository,
        "source_repository_digest": _need(claims, "sha"),
        "source_repository_ref": _need(claims, "ref"),
        "source_repository_identifier": _need(claims, "repository_id"),
        "source_repository_owner_uri": base + _need(claims, "repository_owner"),
        "source_repository_owner_identifier": _need(claims, "repository_owner_id"),
        "build_config_uri": base + _need(claims, "workflow_ref"),
        "build_config_digest": _need(claims, "workflow_sha"),
        "build_trigger": _need(claims, "event_name"),
        "run_invocation_uri": (
            f"{base}{repository}/actions/runs/{_need(claims, 'run_id')}"
            f"/attempts/{_need(claims, 'run_attempt')}"
        ),
        "source_repository_visibility": _need(claims, "repository_visibility"),
    }
    raw = {
        FULCIO_OID + "1": issuer,
        FULCIO_OID + "2": ext["build_trigger"],
        FULCIO_OID + "3": ext["source_repository_digest"],
        FULCIO_OID + "4": str(claims.get("workflow", "")),
        FULCIO_OID + "5": repository,
        FULCIO_OID + "6": ext["source_repository_ref"],
    }
    return CertIdentity(
        san_uri=base + job_workflow_ref, san_email=None, extensions=ext, raw_extensions=raw
    )


def _gitlab(claims: dict[str, Any], issuer: str) -> CertIdentity:
    config_ref_uri = _need(claims, "ci_config_ref_uri")
    host = config_ref_uri.split("/", 1)[0]
    base = f"https://{host}/"
    project_path = _need(claims, "project_path")
    ref_type = _need(claims, "ref_type")
    ref = _need(claims, "ref")
    if ref_type == "branch":
        full_ref = "refs/heads/" + ref
    elif ref_type == "tag":
        full_ref = "refs/tags/" + ref
    else:
        raise ClaimError(f"unexpected ref_type {ref_type!r}")
    ext = {
        "issuer": issuer,
        "build_signer_uri": "https://" + config_ref_uri,
        "build_signer_digest": _need(claims, "ci_config_sha"),
        "runner_environment": _need(claims, "runner_environment"),
        "source_repository_uri": base + project_path,
        "source_repository_digest": _need(claims, "sha"),
        "source_repository_ref": full_ref,
        "source_repository_identifier": _need(claims, "project_id"),
        "source_repository_owner_uri": base + _need(claims, "namespace_path"),
        "source_repository_owner_identifier": _need(claims, "namespace_id"),
        "build_config_uri": "https://" + config_ref_uri,
        "build_config_digest": _need(claims, "ci_config_sha"),
        "build_trigger": _need(claims, "pipeline_source"),
        "run_invocation_uri": f"{base}{project_path}/-/jobs/{_need(claims, 'job_id')}",
        "source_repository_visibility": _need(claims, "project_visibility"),
    }
    return CertIdentity(
        san_uri="https://" + config_ref_uri,
        san_email=None,
        extensions=ext,
        raw_extensions={FULCIO_OID + "1": issuer},
    )


def _email(claims: dict[str, Any], issuer: str) -> CertIdentity:
    email = _need(claims, "email")
    if claims.get("email_verified") is False:
        raise ClaimError("token's email is not verified")
    return CertIdentity(
        san_uri=None,
        san_email=email,
        extensions={"issuer": issuer},
        raw_extensions={FULCIO_OID + "1": issuer},
    )


def certificate_identity(kind: IssuerKind, claims: dict[str, Any], issuer: str) -> CertIdentity:
    """The identity a certificate for a token of this issuer kind carries."""
    if kind is IssuerKind.GITHUB:
        return _github(claims, issuer)
    if kind is IssuerKind.GITLAB:
        return _gitlab(claims, issuer)
    return _email(claims, issuer)
