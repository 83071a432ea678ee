"""What a blob bundle signs, and which signed content `verify-blob` accepts for a file.

A Sigstore bundle signs one of two things:

- a **message signature**: the file's own sha256 (hashedrekord); it says nothing but "these
  bytes";
- an **in-toto statement** in a DSSE envelope: a claim (its *predicate type*) about subjects
  named by digest. A statement that names the file may claim anything: "built by this
  workflow" (SLSA provenance), "published" (PyPI), but equally "vulnerable", "reviewed" or an
  attacker's own type. Only some of those claims vouch for the file.

So `verify-blob` reports the signed content in every result, and accepts a statement only when
its predicate type is one the caller asked for (``--predicate-type``) or, by default, one of
`DEFAULT_PREDICATE_TYPES`. docs/blob-signatures.md lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPES = ("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1")

MESSAGE_SIGNATURE = "message-signature"
IN_TOTO_STATEMENT = "in-toto-statement"

DEFAULT_PREDICATE_TYPES = (
    "https://slsa.dev/provenance/v1",
    "https://slsa.dev/provenance/v0.2",
    "https://docs.pypi.org/attestations/publish/v1",
    "https://in-toto.io/attestation/release/v0.1",
)
"""Statements about where a file comes from: build provenance, a PyPI publish attestation, an
in-toto release attestation. Accepted without ``--predicate-type``."""

_MAX_SHOWN = 200


@dataclass(frozen=True, slots=True)
class SignedContent:
    """The content a verified signature covers."""

    kind: str
    """`MESSAGE_SIGNATURE` or `IN_TOTO_STATEMENT`."""
    predicate_type: str | None = None

    def describe(self) -> str:
        if self.kind == MESSAGE_SIGNATURE:
            return "message signature over the file's sha256"
        return f"in-toto statement, predicate type {self.predicate_type}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "predicate_type": self.predicate_type}


MESSAGE = SignedContent(MESSAGE_SIGNATURE)


class StatementError(Exception):
    """A DSSE payload that is not an in-toto statement about this file (the reason).

    ``content`` is set when the payload is a statement, but about other subjects."""

    def __init__(self, reason: str, content: SignedContent | None = None) -> None:
        super().__init__(reason)
        self.content = content


@dataclass(frozen=True, slots=True)
class ContentPolicy:
    """Which signed content stands for the file.

    With no ``required`` predicate types: a message signature, or a statement whose predicate
    type is in `DEFAULT_PREDICATE_TYPES`. With ``required``: only a statement whose predicate
    type is one of them (a message signature signs no predicate, so it is refused).
    """

    required: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        return self.required or DEFAULT_PREDICATE_TYPES

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_signature": not self.required,
            "predicate_types": list(self.accepted),
            "required_by_caller": bool(self.required),
        }

    def refusal(self, content: SignedContent) -> str | None:
        """Why ``content`` does not stand for the file, or None when it is accepted."""
        if content.kind == MESSAGE_SIGNATURE:
            if not self.required:
                return None
            return (
                "the bundle is a message signature, not an in-toto statement with predicate "
                f"type {_one_of(self.required)} (--predicate-type)"
            )
        if content.predicate_type in self.accepted:
            return None
        shown = _clip(content.predicate_type or "")
        if self.required:
            return (
                f"the bundle signs an in-toto statement with predicate type {shown}, not "
                f"{_one_of(self.required)} (--predicate-type)"
            )
        return (
            f"the bundle signs an in-toto statement with predicate type {shown}, which does "
            "not vouch for the file by default; pass --predicate-type with that type to "
            "accept it"
        )


def _one_of(types: tuple[str, ...]) -> str:
    return types[0] if len(types) == 1 else "one of " + ", ".join(types)


def _clip(text: str) -> str:
    """A predicate type as shown in a reason: one line, bounded (it is attacker-chosen)."""
    flat = json.dumps(text)[1:-1]
    return flat if len(flat) <= _MAX_SHOWN else flat[:_MAX_SHOWN] + "..."


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise StatementError(f"the in-toto statement repeats the key {_clip(name)!r}")
        found[name] = value
    return found


def read_statement(payload_type: str, payload: bytes, sha256: str) -> SignedContent:
    """The content of a verified DSSE payload, which must be an in-toto statement about the
    file with this sha256 (one of its subjects). Raises `StatementError` otherwise.

    Keys may not repeat anywhere in the statement: JSON readers disagree on which duplicate
    wins, so a statement with two ``predicateType`` keys could mean different things to
    different verifiers.
    """
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise StatementError(
            f"DSSE payload type is {_clip(payload_type)!r}, not {IN_TOTO_PAYLOAD_TYPE}"
        )
    try:
        statement = json.loads(payload, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError):
        raise StatementError("DSSE payload is not JSON") from None
    if not isinstance(statement, dict):
        raise StatementError("DSSE payload is not an in-toto statement (not a JSON object)")
    kind = statement.get("_type")
    if kind not in STATEMENT_TYPES:
        raise StatementError(
            "DSSE payload is not an in-toto statement (_type is "
            f"{_clip(str(kind))!r}, not {STATEMENT_TYPES[0]})"
        )
    predicate_type = statement.get("predicateType")
    if not isinstance(predicate_type, str) or not predicate_type:
        raise StatementError("the in-toto statement has no predicateType string")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise StatementError("the in-toto statement has no subjects")
    digests = []
    for subject in subjects:
        digest = subject.get("digest") if isinstance(subject, dict) else None
        if not isinstance(digest, dict):
            raise StatementError("an in-toto statement subject has no digest object")
        digests.append(digest.get("sha256"))
    content = SignedContent(IN_TOTO_STATEMENT, predicate_type)
    if sha256 not in digests:
        raise StatementError(
            f"the in-toto statement (predicate type {_clip(predicate_type)}) names no subject "
            f"with this file's sha256 {sha256}",
            content,
        )
    return content
