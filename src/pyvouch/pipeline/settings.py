"""What every command that looks things up shares: how to reach the index, what to trust, and
which policy file (with the pin file next to the lock) to read."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyvouch.index.client import resolve_index_url
from pyvouch.pipeline.options import FileChoice, ScanOptions
from pyvouch.pipeline.signatures import signature_policy
from pyvouch.policy.pins import PIN_FILE_NAME
from pyvouch.policy.schema import Policy
from pyvouch.policy_files.config_file import discover
from pyvouch.policy_files.pin_file import load_pin_file
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.trust import choose_trust_root

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier


@dataclass(frozen=True, slots=True)
class LookupFlags:
    """How to reach the index and what to trust; one value for every policy command."""

    index_url: str | None
    offline: bool
    jobs: int
    timeout: float
    retries: int
    staging: bool
    trust_root: Path | None
    cache_dir: Path | None
    config_path: Path | None
    refresh: bool = False

    def verifier(self) -> AttestationVerifier:
        return self.deferred_verifier().get()

    def deferred_verifier(self) -> DeferredVerifier:
        """The verifier for these flags, built (sigstore imported) on first use."""
        return DeferredVerifier(
            choose_trust_root(staging=self.staging, trust_root_file=self.trust_root)
        )

    def scan_options(
        self, policy: Policy, declared: list[str], files: FileChoice = FileChoice.BEST
    ) -> ScanOptions:
        """The index: --index-url, else the policy's, else the one the lock declares, else
        $PIP_INDEX_URL or PyPI (resolved by the index client)."""
        index_url = self.index_url or policy.index_url or (declared[0] if declared else None)
        if self.index_url:
            what = "--index-url"
        elif policy.index_url:
            what = f"the policy's index-url ({policy.source})"
        else:
            what = "the lock's index"
        resolve_index_url(index_url, what)  # refuse a malformed URL before any work
        return ScanOptions(
            index_url=index_url,
            offline=self.offline,
            jobs=self.jobs,
            files=files,
            cache_dir=self.cache_dir,
            timeout=self.timeout,
            retries=self.retries,
            refresh=self.refresh,
            signatures=signature_policy(policy),
        )


def pin_file_for(lock: Path | None) -> Path:
    """Where ``pyvouch.lock.toml`` lives for ``lock``: next to it (else the current dir)."""
    if lock is None:
        return Path(PIN_FILE_NAME)
    return lock.parent / PIN_FILE_NAME


def load_policy(config_path: Path | None, lock: Path | None) -> Policy:
    """The configured policy, with the pins of ``pyvouch.lock.toml`` next to the lock."""
    return with_pin_file(discover(Path.cwd(), config_path), lock)


def with_pin_file(policy: Policy, lock: Path | None) -> Policy:
    """``policy`` with the pins of the ``pyvouch.lock.toml`` next to ``lock``, if there is one."""
    pins = pin_file_for(lock)
    if pins.is_file():
        policy = dataclasses.replace(policy, lock_pins=load_pin_file(pins))
    return policy
