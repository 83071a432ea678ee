"""`pyvouch inspect`: show what an attestation says, without verifying it.

Reads a dist file (and looks for its attestations next to it), a PEP 740 attestation, a
provenance object or a Sigstore bundle. The publisher shown is read from the certificate;
a provenance bundle's publisher label is shown separately, as the unsigned hint it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from pyvouch.errors import InputError
from pyvouch.verify.attestations import digest_file
from pyvouch.verify.identity import (
    certificate_claims,
    certificate_subject,
    publisher_from_certificate,
)
from pyvouch.verify.load import LoadedAttestation, parse_attestations, read_input
from pyvouch.verify.run import project_name

SIBLING_SUFFIXES = (
    ".publish.attestation",
    ".slsa.attestation",
    ".attestation",
    ".provenance",
    ".sigstore",
    ".sigstore.json",
)

CLAIMS_SHOWN = (
    ("repository", "source_repository_uri"),
    ("ref", "source_repository_ref"),
    ("commit", "source_repository_digest"),
    ("build config", "build_config_uri"),
    ("build signer", "build_signer_uri"),
    ("trigger", "build_trigger"),
    ("run", "run_invocation_uri"),
    ("runner", "runner_environment"),
    ("visibility", "source_repository_visibility"),
)


def iso_time(timestamp: int | None) -> str | None:
    """A transparency log integration time (seconds since the epoch) as ISO 8601 UTC."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class InspectReport:
    target: str
    kind: str
    """``dist``, or the kind of attestation file."""
    file_sha256: str | None
    sources: tuple[str, ...]
    attestations: tuple[dict[str, Any], ...]


def describe(loaded: LoadedAttestation, file_sha256: str | None = None) -> dict[str, Any]:
    """Everything an attestation states, unverified, as a JSON-ready dict."""
    attestation = loaded.attestation
    out: dict[str, Any] = {"source": loaded.source}
    try:
        statement = attestation.statement
    except (ValueError, UnicodeDecodeError) as err:
        statement = {}
        out["statement_error"] = f"statement is not JSON: {err}"
    subjects = statement.get("subject") if isinstance(statement, dict) else None
    out["subjects"] = [
        {"name": s.get("name"), "sha256": (s.get("digest") or {}).get("sha256")}
        for s in (subjects if isinstance(subjects, list) else [])
        if isinstance(s, dict)
    ]
    predicate = statement.get("predicateType") if isinstance(statement, dict) else None
    out["predicate_type"] = predicate
    if file_sha256 is not None:
        out["digest_matches_file"] = any(s["sha256"] == file_sha256 for s in out["subjects"])
    try:
        cert = x509.load_der_x509_certificate(attestation.verification_material.certificate)
    except ValueError as err:
        out["certificate_error"] = str(err)
        cert = None
    if cert is not None:
        claims = certificate_claims(cert)
        publisher = publisher_from_certificate(cert)
        out["publisher"] = publisher.to_dict()
        out["publisher_spec"] = publisher.to_spec()
        out["issuer"] = claims.get("issuer")
        out["identity"] = certificate_subject(cert)
        out["claims"] = claims
        out["certificate_not_before"] = cert.not_valid_before_utc.isoformat()
        out["certificate_not_after"] = cert.not_valid_after_utc.isoformat()
    out["publisher_hint"] = loaded.publisher_hint
    entries = attestation.verification_material.transparency_entries
    entry = entries[0] if entries else {}
    for key, name in (("logIndex", "log_index"), ("integratedTime", "integrated_time")):
        try:
            out[name] = int(entry.get(key))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out[name] = None
    out["integrated_time_iso"] = iso_time(out["integrated_time"])
    return out


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def inspect_path(path: Path) -> InspectReport:
    """Inspect ``path``: a dist (with its sibling attestation files) or an attestation file.

    Which one is judged by content: JSON is an attestation file, whatever its name; anything
    else must be a wheel or sdist.
    """
    data = read_input(path) if not project_name(path.name) else None
    if data is None:
        try:
            with path.open("rb") as handle:
                head = handle.read(64)
        except OSError as err:
            raise InputError(path, f"cannot read ({err.strerror or err})") from None
        if _looks_like_json(head):
            data = read_input(path)
    if data is not None:
        loaded = parse_attestations(data, str(path))
        return InspectReport(
            target=str(path),
            kind=loaded.kind.value,
            file_sha256=None,
            sources=(str(path),),
            attestations=tuple(describe(item) for item in loaded.attestations),
        )
    dist = digest_file(path)
    described: list[dict[str, Any]] = []
    sources: list[str] = []
    for suffix in SIBLING_SUFFIXES:
        sibling = path.with_name(path.name + suffix)
        if sibling.is_file():
            sources.append(str(sibling))
            loaded = parse_attestations(read_input(sibling), str(sibling))
            described.extend(describe(item, dist.sha256) for item in loaded.attestations)
    return InspectReport(str(path), "dist", dist.sha256, tuple(sources), tuple(described))
