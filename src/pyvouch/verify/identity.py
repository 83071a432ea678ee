"""Read the publisher identity a Sigstore signing certificate proves.

The identity comes from the certificate (Fulcio's OID extensions and the SAN), never from
an index's publisher label: the label is a hint, the certificate is signed.
"""

from __future__ import annotations

from cryptography import x509

from pyvouch.model import Publisher

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_ISSUER = "https://gitlab.com"
GOOGLE_ISSUER = "https://accounts.google.com"
CIRCLECI_ISSUER = "https://oidc.circleci.com"

FULCIO_OID = "1.3.6.1.4.1.57264.1."
"""The prefix of Fulcio's certificate extensions."""

# Fulcio's certificate extensions, by the names the Fulcio docs give them.
CLAIM_OIDS: dict[str, str] = {
    "issuer_v1": FULCIO_OID + "1",
    "issuer": FULCIO_OID + "8",
    "build_signer_uri": FULCIO_OID + "9",
    "build_signer_digest": FULCIO_OID + "10",
    "runner_environment": FULCIO_OID + "11",
    "source_repository_uri": FULCIO_OID + "12",
    "source_repository_digest": FULCIO_OID + "13",
    "source_repository_ref": FULCIO_OID + "14",
    "source_repository_identifier": FULCIO_OID + "15",
    "source_repository_owner_uri": FULCIO_OID + "16",
    "source_repository_owner_identifier": FULCIO_OID + "17",
    "build_config_uri": FULCIO_OID + "18",
    "build_config_digest": FULCIO_OID + "19",
    "build_trigger": FULCIO_OID + "20",
    "run_invocation_uri": FULCIO_OID + "21",
    "source_repository_visibility": FULCIO_OID + "22",
}
_NAME_BY_OID = {x509.ObjectIdentifier(oid): name for name, oid in CLAIM_OIDS.items()}
"""Claim names by OID object: looked up per extension without building its dotted string."""


def _decode_utf8string(der: bytes) -> str | None:
    """A DER UTF8String (tag 0x0C, definite minimal length, nothing after it), else None.

    A direct reading of the one DER shape Fulcio uses; several times faster than pyasn1,
    which mattered (a third of the verification time per attestation).
    """
    if len(der) < 2 or der[0] != 0x0C:
        return None
    length, offset = der[1], 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or len(der) < 2 + count:
            return None
        length = int.from_bytes(der[2 : 2 + count], "big")
        offset = 2 + count
        if length < 0x80 or der[2] == 0:  # not minimal: not DER
            return None
    if offset + length != len(der):
        return None
    try:
        return der[offset:].decode("utf-8")
    except UnicodeDecodeError:
        return None


def certificate_claims(cert: x509.Certificate) -> dict[str, str]:
    """The Fulcio claims in ``cert``, by name. The v1 issuer (raw bytes) is decoded as text."""
    claims: dict[str, str] = {}
    for ext in cert.extensions:
        name = _NAME_BY_OID.get(ext.oid)
        if name is None:
            continue
        value = ext.value
        if not isinstance(value, x509.UnrecognizedExtension):
            continue
        raw = value.value
        if name == "issuer_v1":
            claims[name] = raw.decode("utf-8", errors="replace")
            continue
        value = _decode_utf8string(raw)
        if value is not None:  # a malformed extension is reported as absent, never guessed
            claims[name] = value
    if "issuer" not in claims and "issuer_v1" in claims:
        claims["issuer"] = claims["issuer_v1"]
    claims.pop("issuer_v1", None)
    return claims


def certificate_subject(cert: x509.Certificate) -> str | None:
    """The certificate's identity (SAN): a URI or an email."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for kind in (x509.UniformResourceIdentifier, x509.RFC822Name):
        values = san.get_values_for_type(kind)
        if values:
            return str(values[0])
    return None


def _strip_prefix(value: str | None, prefix: str) -> str | None:
    if value is None or not value.startswith(prefix):
        return None
    return value[len(prefix) :]


def _workflow_from_config_uri(claims: dict[str, str], repo_uri: str, sep: str) -> str | None:
    """``https://github.com/O/R/.github/workflows/W.yml@REF`` -> ``W.yml``.

    As pypi-attestations does, the build config URI must be exactly
    ``{repo_uri}{sep}{workflow}@{suffix}`` where ``suffix`` is the certificate's own source
    repository ref or digest. Anything else names no workflow (``None``), never a guess.
    """
    config_uri = claims.get("build_config_uri")
    prefix = repo_uri + sep
    if config_uri is None or not config_uri.startswith(prefix):
        return None
    for key in ("source_repository_digest", "source_repository_ref"):
        suffix = claims.get(key)
        if not suffix:
            continue
        tail = "@" + suffix
        if config_uri.endswith(tail) and len(config_uri) > len(prefix) + len(tail):
            workflow = config_uri[len(prefix) : -len(tail)]
            if "@" not in workflow:
                return workflow
    return None


def publisher_from_certificate(cert: x509.Certificate) -> Publisher:
    """The publisher identity the certificate proves (kind ``Other`` if no Trusted Publisher)."""
    claims = certificate_claims(cert)
    issuer = claims.get("issuer")
    subject = certificate_subject(cert)
    repo_uri = claims.get("source_repository_uri")

    if issuer == GITHUB_ISSUER and repo_uri:
        repository = _strip_prefix(repo_uri, "https://github.com/")
        if repository:
            return Publisher(
                kind="GitHub",
                repository=repository,
                workflow=_workflow_from_config_uri(claims, repo_uri, "/.github/workflows/"),
                issuer=issuer,
                subject=subject,
            )
    if issuer == GITLAB_ISSUER and repo_uri:
        repository = _strip_prefix(repo_uri, "https://gitlab.com/")
        if repository:
            return Publisher(
                kind="GitLab",
                repository=repository,
                workflow=_workflow_from_config_uri(claims, repo_uri, "//"),
                issuer=issuer,
                subject=subject,
            )
    if issuer == GOOGLE_ISSUER and subject and "@" in subject:
        return Publisher(kind="Google", email=subject, issuer=issuer, subject=subject)
    if issuer == CIRCLECI_ISSUER:
        rest = _strip_prefix(
            claims.get("build_signer_uri"), "https://circleci.com/api/v2/projects/"
        )
        project_id, _, pipeline = (rest or "").partition("/pipeline-definitions/")
        if project_id and pipeline and "/" not in project_id and "/" not in pipeline:
            return Publisher(
                kind="CircleCI",
                project_id=project_id,
                pipeline_definition_id=pipeline,
                repository=repo_uri,
                issuer=issuer,
                subject=subject,
            )
    return Publisher(
        kind="Other",
        email=subject if subject and "@" in subject and "/" not in subject else None,
        issuer=issuer,
        subject=subject,
    )
