"""PEP 740 provenance objects for the static index, built from attestation files.

Inputs next to a dist ``D``: ``D.attestation`` and ``D.<label>.attestation`` (one PEP 740
attestation each, e.g. ``D.publish.attestation``, ``D.slsa.attestation``) and ``D.provenance``
(a ready-made Provenance object, e.g. what PyPI's integrity API served), and
``D.sigstore`` / ``D.sigstore.json`` (a Sigstore bundle with a DSSE envelope, e.g. what
``actions/attest`` or ``sigstore sign`` wrote; converted to a PEP 740 attestation).

Every attestation is checked to belong to its dist: it must parse, convert to a Sigstore bundle,
carry a known predicate type, and its statement's single subject must name ``D`` and carry
``D``'s sha256. Signatures are NOT verified here (that is the consumer's job, against the trust
root and identity the consumer chooses); the binding to the file is.

The publisher label of each attestation bundle is read from the attestation's signing
certificate (``pyvouch.verify.identity``), never copied from an input label: attestations whose
certificates prove different identities go into separate bundles. A certificate that proves no
Trusted Publisher identity is labelled ``{"kind": "Other", "issuer": ..., "subject": ...}``;
PEP 740 allows any kind, but ``pypi_attestations.Provenance`` cannot parse such an object.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sigstore.errors
from cryptography import x509
from pydantic import ValidationError
from pypi_attestations import Attestation, AttestationType, ConversionError

from pyvouch import jsontext
from pyvouch.dist_names import dist_name, is_dist_name
from pyvouch.errors import InputError
from pyvouch.model import Publisher
from pyvouch.registry.dist_files import SiteDist
from pyvouch.verify.identity import certificate_claims, publisher_from_certificate
from pyvouch.verify.load import attestation_from_bundle

ATTESTATION_SUFFIX = ".attestation"
PROVENANCE_SUFFIX = ".provenance"
BUNDLE_SUFFIXES = (".sigstore.json", ".sigstore")

_PREDICATE_ORDER = (AttestationType.PYPI_PUBLISH_V1.value, AttestationType.SLSA_PROVENANCE_V1.value)


@dataclass(frozen=True, slots=True)
class CheckedAttestation:
    """One attestation that belongs to its dist, with the identity its certificate proves."""

    source: str
    """Where it came from: the file, plus the place inside a provenance file."""
    body: dict[str, Any]
    """The attestation as PEP 740 JSON (normalised through the pypi-attestations model)."""
    predicate_type: str
    identity: Publisher
    label: dict[str, str]
    """The PEP 740 publisher object for the bundle this attestation goes in."""
    label_note: str | None
    """Why the label is not a Trusted Publisher kind pypi-attestations models, if it is not."""

    @property
    def dedup_key(self) -> str:
        envelope = self.body.get("envelope", {})
        return f"{envelope.get('statement')}|{envelope.get('signature')}"


def attestation_target(filename: str) -> str | None:
    """The dist filename an attestation or provenance file belongs to (None if not one)."""
    if filename.endswith(ATTESTATION_SUFFIX):
        stem = filename[: -len(ATTESTATION_SUFFIX)]
        if is_dist_name(stem):
            return stem
        head, dot, label = stem.rpartition(".")
        if dot and label and is_dist_name(head):
            return head
        return None
    for suffix in (PROVENANCE_SUFFIX, *BUNDLE_SUFFIXES):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem if is_dist_name(stem) else None
    return None


def _first_validation_problem(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(part) for part in first.get("loc", ())) or "(top level)"
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    return f"not a PEP 740 attestation: {loc}: {first.get('msg', 'invalid')}{more}"


def publisher_label(
    identity: Publisher, claims: dict[str, str]
) -> tuple[dict[str, str], str | None]:
    """The PEP 740 publisher object for ``identity``, and a note when it is not a modelled kind.

    Only what the certificate proves goes in: GitHub and GitLab environments are not in
    Fulcio certificates, so ``environment`` is never set.
    """
    if identity.kind == "GitHub" and identity.repository and identity.workflow:
        return {
            "kind": "GitHub",
            "repository": identity.repository,
            "workflow": identity.workflow,
        }, None
    if identity.kind == "GitLab" and identity.repository and identity.workflow:
        return {
            "kind": "GitLab",
            "repository": identity.repository,
            "workflow_filepath": identity.workflow,
        }, None
    if identity.kind == "Google" and identity.email:
        return {"kind": "Google", "email": identity.email}, None
    if identity.kind == "CircleCI" and identity.project_id and identity.pipeline_definition_id:
        label = {
            "kind": "CircleCI",
            "project_id": identity.project_id,
            "pipeline_definition_id": identity.pipeline_definition_id,
        }
        if identity.repository:
            label["vcs_origin"] = identity.repository
        if claims.get("source_repository_ref"):
            label["vcs_ref"] = claims["source_repository_ref"]
        return label, None
    label = {"kind": "Other"}
    if identity.issuer:
        label["issuer"] = identity.issuer
    if identity.subject:
        label["subject"] = identity.subject
    if identity.email:
        label["email"] = identity.email
    what = (
        "not a Trusted Publisher identity"
        if identity.kind == "Other"
        else f"a {identity.kind} identity without the fields a Trusted Publisher needs"
    )
    note = (
        f"signed by {identity.subject or '?'} (issuer {identity.issuer or '?'}), {what}: "
        "served under publisher kind 'Other', which pypi-attestations' Provenance model "
        "cannot parse"
    )
    return label, note


def _load_one(
    obj: object, dist: SiteDist, source: str, path: Path, where: str | None
) -> CheckedAttestation:
    def fail(problem: str) -> InputError:
        return InputError(path, problem, where=where)

    try:
        attestation = Attestation.model_validate(obj)
    except ValidationError as err:
        raise fail(_first_validation_problem(err)) from err
    try:
        statement = attestation.statement
    except (ValueError, UnicodeDecodeError) as err:
        raise fail("envelope statement is not JSON") from err
    if not isinstance(statement, dict):
        raise fail("envelope statement is not a JSON object")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise fail("statement must have exactly one subject")
    subject_name = subjects[0].get("name")
    digest = subjects[0].get("digest")
    if not isinstance(subject_name, str) or not subject_name:
        raise fail("statement subject has no name")
    subject = dist_name(subject_name)
    same_name = subject is not None and subject == dist_name(dist.filename)
    if not same_name:
        raise fail(f"attestation is for {subject_name!r}, not for {dist.filename!r}")
    sha256 = digest.get("sha256") if isinstance(digest, dict) else None
    if sha256 != dist.sha256:
        raise fail(
            f"statement subject sha256 {sha256 or '(none)'} does not match "
            f"{dist.filename}'s sha256 {dist.sha256}"
        )
    predicate_type = statement.get("predicateType")
    if predicate_type not in _PREDICATE_ORDER:
        raise fail(f"unknown predicate type {predicate_type!r}")
    try:
        attestation.to_bundle()
        cert = x509.load_der_x509_certificate(attestation.verification_material.certificate)
    except (ConversionError, ValueError, sigstore.errors.Error) as err:
        raise fail(f"cannot read its certificate or log entry ({err})") from err
    identity = publisher_from_certificate(cert)
    label, note = publisher_label(identity, certificate_claims(cert))
    return CheckedAttestation(
        source=source,
        body=attestation.model_dump(mode="json"),
        predicate_type=predicate_type,
        identity=identity,
        label=label,
        label_note=note,
    )


def _read_json(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, "not UTF-8 text") from err
    except OSError as err:
        raise InputError(path, f"cannot read file ({err.strerror or err})") from err
    try:
        return jsontext.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            path, f"not valid JSON: {err.msg}", where=f"{err.lineno}:{err.colno}"
        ) from err
    except RecursionError:
        raise InputError(path, "not valid JSON: nested too deeply") from None


def _attestation_file(path: Path, dist: SiteDist) -> list[CheckedAttestation]:
    """The one attestation in ``path``, checked against ``dist``."""
    return [_load_one(_read_json(path), dist, path.name, path, None)]


def _bundle_file(path: Path, dist: SiteDist) -> list[CheckedAttestation]:
    """The Sigstore bundle in ``path`` as a PEP 740 attestation, checked against ``dist``."""
    converted = attestation_from_bundle(json.dumps(_read_json(path)).encode(), str(path))
    return [_load_one(converted.model_dump(mode="json"), dist, path.name, path, None)]


def load_companion_file(path: Path, dist: SiteDist) -> list[CheckedAttestation]:
    """The attestations in an attestation, provenance or Sigstore bundle file next to ``dist``."""
    if path.name.endswith(PROVENANCE_SUFFIX):
        return _provenance_file(path, dist)
    if path.name.endswith(BUNDLE_SUFFIXES):
        return _bundle_file(path, dist)
    return _attestation_file(path, dist)


def _provenance_file(path: Path, dist: SiteDist) -> list[CheckedAttestation]:
    """Every attestation in the Provenance object in ``path``, each checked against ``dist``.

    The input's publisher labels are not trusted: each attestation is relabelled from its
    certificate (so a label pypi-attestations does not model is accepted here).
    """
    obj = _read_json(path)
    if not isinstance(obj, dict):
        raise InputError(path, "not a PEP 740 provenance object (expected a JSON object)")
    if obj.get("version") != 1:
        raise InputError(
            path, "not a PEP 740 provenance object (version must be 1)", where="version"
        )
    bundles = obj.get("attestation_bundles")
    if not isinstance(bundles, list) or not bundles:
        raise InputError(path, "provenance has no attestation bundles", where="attestation_bundles")
    loaded: list[CheckedAttestation] = []
    for i, bundle in enumerate(bundles):
        where = f"attestation_bundles[{i}]"
        attestations = bundle.get("attestations") if isinstance(bundle, dict) else None
        if not isinstance(attestations, list) or not attestations:
            raise InputError(path, "bundle has no attestations", where=where)
        for j, att in enumerate(attestations):
            place = f"{where}.attestations[{j}]"
            loaded.append(_load_one(att, dist, f"{path.name}:{place}", path, place))
    return loaded


def build_provenance(attestations: Iterable[CheckedAttestation]) -> dict[str, Any] | None:
    """The PEP 740 Provenance object for one file (None when it has no attestations).

    Identical attestations (same statement and signature) are served once. Bundles are
    ordered by their publisher label, attestations by predicate type then content, so the
    output does not depend on input file names or order.
    """
    unique: dict[str, CheckedAttestation] = {}
    for att in attestations:
        unique.setdefault(att.dedup_key, att)
    if not unique:
        return None
    by_label: dict[str, list[CheckedAttestation]] = {}
    labels: dict[str, dict[str, str]] = {}
    for att in unique.values():
        key = json.dumps(att.label, sort_keys=True)
        by_label.setdefault(key, []).append(att)
        labels[key] = att.label

    def order(att: CheckedAttestation) -> tuple[int, str]:
        canonical = json.dumps(att.body, sort_keys=True).encode()
        return _PREDICATE_ORDER.index(att.predicate_type), hashlib.sha256(canonical).hexdigest()

    return {
        "version": 1,
        "attestation_bundles": [
            {
                "publisher": labels[key],
                "attestations": [att.body for att in sorted(by_label[key], key=order)],
            }
            for key in sorted(by_label)
        ],
    }
