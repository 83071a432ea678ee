"""What `verify-blob` is asked and what it answers: `ExpectedSigner` (who must have signed),
`BlobResult` (the verdict for one file and its bundle) and `BlobInvalid`, which every check
raises to make a bundle ``invalid`` (carrying what it signs once its signature verified)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.model import Publisher, Status
from pyvouch.verify.signed_content import (
    SignedContent,
)


@dataclass(frozen=True, slots=True)
class ExpectedSigner:
    """Who must have signed: exactly one of certificate identity, publisher, or public key."""

    identity: str | None = None
    issuer: str | None = None
    publisher: Publisher | None = None
    key: ec.EllipticCurvePublicKey | None = None
    key_source: str | None = None
    allow_no_tlog: bool = False


@dataclass(frozen=True, slots=True)
class BlobResult:
    """The verdict for one file and its bundle."""

    file: Path
    bundle: Path
    sha256: str
    status: Status
    reason: str
    signer_kind: str | None = None
    """``certificate`` or ``public-key``; None when the bundle could not be read."""
    subject: str | None = None
    issuer: str | None = None
    publisher: Publisher | None = None
    key_id: str | None = None
    """base64 sha256 of the DER public key (cosign's key hint) for key bundles."""
    log_index: int | None = None
    integrated_time: int | None = None
    transparency_log: bool = False
    verified_times: tuple[str, ...] = field(default=())
    """Where each verified time came from and when: ``transparency log 2025-...Z``."""
    identity_checked: bool = False
    notes: tuple[str, ...] = field(default=())
    content: SignedContent | None = None
    """What the signature covers; None unless the signature itself verified."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "bundle": str(self.bundle),
            "sha256": self.sha256,
            "status": self.status.value,
            "reason": self.reason,
            "signer_kind": self.signer_kind,
            "subject": self.subject,
            "issuer": self.issuer,
            "publisher": self.publisher.to_dict() if self.publisher else None,
            "key_id": self.key_id,
            "transparency_log": self.transparency_log,
            "log_index": self.log_index,
            "integrated_time": self.integrated_time,
            "verified_times": list(self.verified_times),
            "identity_checked": self.identity_checked,
            "signed_content": self.content.to_dict() if self.content else None,
            "notes": list(self.notes),
        }

    def describe_content(self) -> str:
        if self.content is None:
            return "not established (no signature verified)"
        return self.content.describe()


class BlobInvalid(Exception):
    """A check failed: the bundle is ``invalid`` for this reason.

    ``content`` is what the bundle signs, once its signature has verified."""

    def __init__(self, reason: str, content: SignedContent | None = None) -> None:
        super().__init__(reason)
        self.content = content
