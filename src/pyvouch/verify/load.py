"""Read attestations from the three shapes they come in, judged by content, not file name.

- a PEP 740 attestation (``{"version": 1, "verification_material": ..., "envelope": ...}``);
- a PEP 740 provenance object as an index serves it (``{"attestation_bundles": [...]}``);
- a Sigstore bundle (``{"mediaType": "application/vnd.dev.sigstore.bundle...", ...}``) with a
  DSSE envelope, converted with ``Attestation.from_bundle``.

Provenance objects are parsed leniently: each attestation on its own with
``pypi_attestations.Attestation``, and each bundle's publisher label kept as a raw dict hint,
so an index that labels its publisher with a kind pypi-attestations does not model (Pulp's
``{"kind": "Pulp User"}``) does not make the whole object unreadable. The label is never trusted:
the identity comes from each attestation's certificate.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError
from pypi_attestations import Attestation, AttestationError
from sigstore.errors import Error as SigstoreError
from sigstore.models import Bundle

from pyvouch import jsontext
from pyvouch.errors import InputError
from pyvouch.limits import MAX_ATTESTATION_BYTES

_BUNDLE_MEDIA_PREFIX = "application/vnd.dev.sigstore.bundle"


class InputKind(StrEnum):
    ATTESTATION = "attestation"
    PROVENANCE = "provenance"
    BUNDLE = "sigstore-bundle"


@dataclass(frozen=True, slots=True)
class LoadedAttestation:
    """One attestation and where it came from."""

    attestation: Attestation
    source: str
    """The file (and place in it) it was read from, for messages."""
    publisher_hint: dict[str, Any] | None = None
    """The provenance bundle's publisher label, unverified. None outside a provenance object."""

    @property
    def subject_name(self) -> str | None:
        """The statement's (unverified) subject name, used only to route it to a file."""
        try:
            subjects = self.attestation.statement.get("subject")
        except (ValueError, UnicodeDecodeError):
            return None
        if isinstance(subjects, list) and len(subjects) == 1 and isinstance(subjects[0], dict):
            name = subjects[0].get("name")
            return name if isinstance(name, str) else None
        return None


@dataclass(frozen=True, slots=True)
class LoadedInput:
    kind: InputKind
    attestations: tuple[LoadedAttestation, ...]


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "(top level)"
    return f"{where}: {first.get('msg', 'invalid')}"


def _attestation(obj: Any, path: str, where: str) -> Attestation:
    try:
        return Attestation.model_validate(obj)
    except ValidationError as err:
        raise InputError(
            path, f"not a valid PEP 740 attestation ({_first_error(err)})", where=where or None
        ) from None


def detect_kind(obj: Any) -> InputKind | None:
    """Which of the three shapes ``obj`` (parsed JSON) is, or None."""
    if not isinstance(obj, dict):
        return None
    media_type = obj.get("mediaType")
    if isinstance(media_type, str) and media_type.startswith(_BUNDLE_MEDIA_PREFIX):
        return InputKind.BUNDLE
    if "attestation_bundles" in obj:
        return InputKind.PROVENANCE
    if "envelope" in obj and "verification_material" in obj:
        return InputKind.ATTESTATION
    return None


def _from_provenance(obj: dict[str, Any], path: str) -> tuple[LoadedAttestation, ...]:
    if obj.get("version", 1) != 1:
        raise InputError(path, f"unsupported provenance version {obj.get('version')!r}")
    bundles = obj.get("attestation_bundles")
    if not isinstance(bundles, list) or not bundles:
        raise InputError(path, "'attestation_bundles' must be a non-empty list")
    loaded: list[LoadedAttestation] = []
    for b_index, bundle in enumerate(bundles):
        place = f"attestation_bundles[{b_index}]"
        if not isinstance(bundle, dict):
            raise InputError(path, "must be an object", where=place)
        hint = bundle.get("publisher")
        if hint is not None and not isinstance(hint, dict):
            raise InputError(path, "'publisher' must be an object", where=place)
        attestations = bundle.get("attestations")
        if not isinstance(attestations, list) or not attestations:
            raise InputError(path, "'attestations' must be a non-empty list", where=place)
        for a_index, raw in enumerate(attestations):
            where = f"{place}.attestations[{a_index}]"
            loaded.append(
                LoadedAttestation(
                    attestation=_attestation(raw, path, where),
                    source=f"{path}:{where}",
                    publisher_hint=dict(hint) if hint is not None else None,
                )
            )
    return tuple(loaded)


def attestation_from_bundle(data: bytes, path: str) -> Attestation:
    """The PEP 740 attestation in the Sigstore bundle ``data`` (DSSE envelope), read from
    ``path``; `InputError` when it is no usable bundle."""
    try:
        bundle = Bundle.from_json(data)
        return Attestation.from_bundle(bundle)
    except (SigstoreError, AttestationError, ValidationError, ValueError) as err:
        problem = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(path, f"not a usable Sigstore bundle ({problem})") from None


def _from_bundle(data: bytes, path: str) -> LoadedAttestation:
    return LoadedAttestation(attestation=attestation_from_bundle(data, path), source=path)


def parse_attestations(data: bytes, path: str) -> LoadedInput:
    """Parse ``data`` (the content of ``path``) as any of the three shapes."""
    try:
        obj = jsontext.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise InputError(path, f"not JSON ({err})") from None
    kind = detect_kind(obj)
    if kind is None:
        raise InputError(
            path,
            "unknown content: not a PEP 740 attestation, a PEP 740 provenance object "
            "or a Sigstore bundle",
        )
    if kind is InputKind.BUNDLE:
        return LoadedInput(kind, (_from_bundle(data, path),))
    if kind is InputKind.PROVENANCE:
        return LoadedInput(kind, _from_provenance(obj, path))
    return LoadedInput(kind, (LoadedAttestation(_attestation(obj, path, ""), source=path),))


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``handle``. Asks for the file's size first (plus one byte, to
    see growth): ``read(limit)`` allocates ``limit`` bytes whatever the file holds, which
    cost more than reading a small attestation. A pipe or a file that grew reads on, still
    never past ``limit``."""
    size = os.fstat(handle.fileno()).st_size
    want = size + 1 if 0 < size < limit else limit
    data = handle.read(want)
    if len(data) == want < limit:  # more than the size said: read on up to the limit
        data += handle.read(limit - want)
    return data


def read_input(path: Path) -> bytes:
    """The bytes of a file the user named, or an `InputError` saying why not."""
    try:
        if path.is_dir():
            raise InputError(path, "is a directory, not a file")
        with path.open("rb") as handle:
            data = _read_at_most(handle, MAX_ATTESTATION_BYTES + 1)
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    if len(data) > MAX_ATTESTATION_BYTES:
        raise InputError(path, f"larger than {MAX_ATTESTATION_BYTES} bytes; not an attestation")
    return data


def load_attestation_file(path: Path) -> LoadedInput:
    """Read and parse an attestation, provenance object or Sigstore bundle file."""
    return parse_attestations(read_input(path), str(path))
