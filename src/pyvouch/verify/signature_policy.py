"""What signatures beside a package's files must satisfy: a public key, or a publisher
identity (keyless), and whether signatures without a transparency log entry are allowed.

Plain values (no sigstore imported): `pyvouch.pipeline` builds them from the policy
(``[packages.NAME] key``, ``allow-no-tlog``, ``--key``, ``--allow-no-tlog``) and
`pyvouch.verify.beside` applies them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec


@dataclass(frozen=True, slots=True)
class SignatureExpectation:
    """What one package's signatures beside its files must satisfy."""

    key: ec.EllipticCurvePublicKey | None = None
    key_source: str | None = None
    """Where the key came from, for reasons (``cosign.pub (pyproject.toml [...])``)."""
    allow_no_tlog: bool = False
    """Accept signatures without a transparency log entry (a ``.sig``, a key bundle without
    a log entry)."""


@dataclass(frozen=True, slots=True)
class SignaturePolicy:
    """Every package's `SignatureExpectation`: a key of its own, else the default key, and
    whether signatures without a log entry are allowed for it (by normalized name)."""

    keys: dict[str, tuple[ec.EllipticCurvePublicKey, str]] = field(default_factory=dict)
    default_key: tuple[ec.EllipticCurvePublicKey, str] | None = None
    allow_no_tlog: frozenset[str] = frozenset()
    allow_no_tlog_all: bool = False

    def own_key(self, name: str) -> str | None:
        """Where the package's own key comes from, when the policy names one for it (not
        ``--key``, which only says how signatures beside files are checked)."""
        key = self.keys.get(name)
        return key[1] if key is not None else None

    def for_package(self, name: str) -> SignatureExpectation:
        key = self.keys.get(name) or self.default_key
        allowed = self.allow_no_tlog_all or name in self.allow_no_tlog
        if key is None:
            return SignatureExpectation(allow_no_tlog=allowed)
        return SignatureExpectation(key=key[0], key_source=key[1], allow_no_tlog=allowed)
