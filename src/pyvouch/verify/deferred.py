"""An `AttestationVerifier` built on first use.

Building one parses the trust root and imports sigstore and pypi-attestations (~0.4 s); a scan
whose verdicts are all cached needs none of it. `DeferredVerifier` holds the trust root's bytes
(chosen by `pyvouch.verify.trust.choose_trust_root`, which imports neither) and builds the
verifier the first time a file must really be verified. Its digest keys the verdict cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyvouch.verify.trust import TrustRootBytes

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier


class DeferredVerifier:
    """``get()`` returns the one verifier for the root, building it on the first call."""

    def __init__(self, root: TrustRootBytes) -> None:
        self._root: TrustRootBytes | None = root
        self._verifier: AttestationVerifier | None = None
        self.trust_root_sha256: str | None = root.sha256
        self.trust_root_source: str = root.source

    @classmethod
    def of(cls, verifier: AttestationVerifier) -> DeferredVerifier:
        """Wrap a verifier already built (its root's digest is known only if it was loaded
        through `choose_trust_root` / `load_trust_root`)."""
        self = cls.__new__(cls)
        self._root = None
        self._verifier = verifier
        self.trust_root_sha256 = verifier.root.sha256
        self.trust_root_source = verifier.root.source
        return self

    @property
    def built(self) -> bool:
        return self._verifier is not None

    def get(self) -> AttestationVerifier:
        if self._verifier is None:
            from pyvouch.verify.attestations import AttestationVerifier

            assert self._root is not None
            self._verifier = AttestationVerifier(self._root.parse())
        return self._verifier
