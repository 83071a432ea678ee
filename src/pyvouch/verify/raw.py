"""Attestation files read, not parsed into models: what `pyvouch verify` holds while it verifies.

Parsing an attestation with pydantic and building its Sigstore bundle is per-attestation work,
so it belongs with the verification, on the pool's workers. The process that reads the files
keeps only each file's bytes and, to route each attestation to the file its subject names, that
(unverified) subject, read with the standard library. `RawAttestation.load` is the full parse,
made where it is verified; it gives what `pyvouch.verify.load` gives for the same file, errors
included.

Anything the light reading does not understand is handed to `pyvouch.verify.load` in this
process, which raises the error it always raised (or, for a valid attestation whose subject the
light reading could not find, gives the model's subject).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyvouch import jsontext

if TYPE_CHECKING:
    from pyvouch.verify.load import InputKind, LoadedAttestation, LoadedInput


@dataclass(frozen=True, slots=True)
class RawAttestation:
    """One attestation of a file, by the file's bytes and its place in them."""

    data: bytes
    """The whole file, as read (a provenance object's attestations share it)."""
    path: str
    kind: InputKind
    index: int
    """Which attestation of the file (a provenance object holds several; else 0)."""
    source: str
    """The file and place in it, as `LoadedAttestation.source` names it."""
    subject_name: str | None
    """The statement's unverified subject name, to route it to a file; None if unreadable."""

    def load(self, last: LastParsed | None = None) -> LoadedAttestation:
        """The attestation as `pyvouch.verify.load` reads it, or its `InputError`.

        ``last`` keeps the last provenance object parsed: its attestations, handed in one
        after the other, parse it once.
        """
        from pyvouch.verify.load import InputKind, LoadedAttestation, parse_attestations

        if self.kind is InputKind.ATTESTATION:
            from pydantic import ValidationError
            from pypi_attestations import Attestation

            try:
                return LoadedAttestation(Attestation.model_validate_json(self.data), self.path)
            except ValidationError:
                pass  # the reading below says why, as it always has
        if self.kind is InputKind.PROVENANCE and last is not None:
            if last.data is not self.data or last.loaded is None:
                last.loaded = None  # an error below leaves nothing stale
                last.loaded = parse_attestations(self.data, self.path)
                last.data = self.data
            return last.loaded.attestations[self.index]
        return parse_attestations(self.data, self.path).attestations[self.index]


class LastParsed:
    """The last provenance object parsed, held by reference (so never confused with another
    whose bytes happen to reuse its address)."""

    __slots__ = ("data", "loaded")

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.loaded: LoadedInput | None = None


def _statement_subject(encoded: Any) -> str | None:
    """The subject name in a base64 in-toto statement, as `LoadedAttestation.subject_name`
    reads it; None where that reading is not certain to agree."""
    if not isinstance(encoded, str):
        return None
    try:
        statement = json.loads(base64.b64decode(encoded))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    subjects = statement.get("subject") if isinstance(statement, dict) else None
    if isinstance(subjects, list) and len(subjects) == 1 and isinstance(subjects[0], dict):
        name = subjects[0].get("name")
        return name if isinstance(name, str) else None
    return None


def _envelope_subject(obj: Any, envelope: str, field: str) -> str | None:
    inner = obj.get(envelope) if isinstance(obj, dict) else None
    return _statement_subject(inner.get(field)) if isinstance(inner, dict) else None


def _provenance_attestations(obj: dict[str, Any]) -> list[tuple[str, Any]] | None:
    """The attestations of a well-formed provenance object in order, with their places; None
    if it is not one (`pyvouch.verify.load` then says why)."""
    if obj.get("version", 1) != 1:
        return None
    bundles = obj.get("attestation_bundles")
    if not isinstance(bundles, list) or not bundles:
        return None
    found: list[tuple[str, Any]] = []
    for b_index, bundle in enumerate(bundles):
        if not isinstance(bundle, dict):
            return None
        hint = bundle.get("publisher")
        attestations = bundle.get("attestations")
        if hint is not None and not isinstance(hint, dict):
            return None
        if not isinstance(attestations, list) or not attestations:
            return None
        place = f"attestation_bundles[{b_index}]"
        found.extend((f"{place}.attestations[{a}]", item) for a, item in enumerate(attestations))
    return found


def read_raw(path: Path) -> tuple[RawAttestation, ...]:
    """The attestations of the file at ``path`` (attestation, provenance object or Sigstore
    bundle), unparsed; the `InputError` `pyvouch.verify.load` gives for a malformed one, except
    a model's validation error, which `RawAttestation.load` raises."""
    from pyvouch.verify.load import InputKind, detect_kind, parse_attestations, read_input

    data = read_input(path)
    where = str(path)
    try:
        obj = jsontext.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        obj = None
    kind = detect_kind(obj)
    subjects: list[tuple[str, str | None]] | None = None
    if kind is InputKind.ATTESTATION:
        subjects = [(where, _envelope_subject(obj, "envelope", "statement"))]
    elif kind is InputKind.BUNDLE:
        subjects = [(where, _envelope_subject(obj, "dsseEnvelope", "payload"))]
    elif kind is InputKind.PROVENANCE:
        assert isinstance(obj, dict)
        found = _provenance_attestations(obj)
        if found is not None:
            subjects = [
                (f"{where}:{place}", _envelope_subject(item, "envelope", "statement"))
                for place, item in found
            ]
    if kind is None or subjects is None or any(name is None for _, name in subjects):
        # Not JSON, unknown content, a malformed provenance object, or a subject the light
        # reading cannot find: the full reading raises its error or knows the subject.
        loaded = parse_attestations(data, where)
        return tuple(
            RawAttestation(data, where, loaded.kind, n, item.source, item.subject_name)
            for n, item in enumerate(loaded.attestations)
        )
    return tuple(
        RawAttestation(data, where, kind, n, source, name)
        for n, (source, name) in enumerate(subjects)
    )
