"""What both kinds of blob bundle go through before and after their signature: reading the
bundle file (size limit, JSON object), refusing log entry kinds sigstore-python does not
verify, and accepting only the signed content the caller's `ContentPolicy` takes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyvouch.errors import InputError
from pyvouch.limits import MAX_ATTESTATION_BYTES
from pyvouch.verify.blob_result import BlobInvalid
from pyvouch.verify.signed_content import (
    MESSAGE,
    ContentPolicy,
    SignedContent,
    StatementError,
    read_statement,
)

# The log entry kinds sigstore-python 4.5 verifies (and so do we, for key bundles).
_SUPPORTED_KINDS = {("hashedrekord", "0.0.1"), ("hashedrekord", "0.0.2"), ("dsse", "0.0.1")}


def first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__


def iso_time(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def read_bundle(path: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        size = path.stat().st_size
        if size > MAX_ATTESTATION_BYTES:
            raise InputError(path, f"bundle is {size} bytes; refusing more than 16 MiB")
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    return raw, parse_bundle(raw)


def parse_bundle(raw: bytes) -> dict[str, Any]:
    """The bundle's JSON object, or `BlobInvalid`."""
    try:
        obj = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise BlobInvalid(f"bundle is not JSON ({first_line(err)})") from None
    if not isinstance(obj, dict):
        raise BlobInvalid("bundle is not a JSON object")
    return obj


def _entry_kinds(obj: dict[str, Any]) -> list[tuple[str, str]]:
    material = obj.get("verificationMaterial")
    entries = material.get("tlogEntries") if isinstance(material, dict) else None
    kinds: list[tuple[str, str]] = []
    for entry in entries if isinstance(entries, list) else []:
        kv = entry.get("kindVersion") if isinstance(entry, dict) else None
        if isinstance(kv, dict):
            kinds.append((str(kv.get("kind")), str(kv.get("version"))))
    return kinds


def check_supported_kinds(obj: dict[str, Any]) -> None:
    for kind, version in _entry_kinds(obj):
        if (kind, version) not in _SUPPORTED_KINDS:
            raise BlobInvalid(
                f"unsupported: transparency log entry kind {kind}/{version} is not verified by "
                "sigstore-python 4.5 (only hashedrekord 0.0.1/0.0.2 and dsse 0.0.1)"
            )


def accepted_content(
    payload_type: str, payload: bytes, digest: str, accept: ContentPolicy
) -> SignedContent:
    """The verified DSSE payload's content: a statement about this file that ``accept``
    takes, or `BlobInvalid`."""
    try:
        content = read_statement(payload_type, payload, digest)
    except StatementError as err:
        raise BlobInvalid(str(err), err.content) from None
    refusal = accept.refusal(content)
    if refusal is not None:
        raise BlobInvalid(refusal, content)
    return content


def accepted_message(accept: ContentPolicy) -> SignedContent:
    refusal = accept.refusal(MESSAGE)
    if refusal is not None:
        raise BlobInvalid(refusal, MESSAGE)
    return MESSAGE
