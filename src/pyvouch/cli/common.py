"""What several commands (scan, pin, readiness, diff, policy init) share: the index and trust
options and the policy with its pin file. Files the user names are written by
`pyvouch.user_files`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pyvouch.index.client import resolve_index_url
from pyvouch.policy.config import discover
from pyvouch.policy.pins import PIN_FILE_NAME, load_pin_file
from pyvouch.policy.schema import Policy
from pyvouch.scan import FileChoice, ScanOptions
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.trust import choose_trust_root

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier

F = TypeVar("F", bound=Callable[..., Any])


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
        )


_OPTIONS: list[Callable[[F], F]] = [
    click.option(
        "--index-url",
        metavar="URL",
        help="Index to look up (default: config, the lock's index, $PIP_INDEX_URL, else PyPI).",
    ),
    click.option("--offline", is_flag=True, help="Use cached index answers only; no network."),
    click.option(
        "--jobs",
        type=click.IntRange(1, 256),
        default=16,
        show_default=True,
        help="Concurrent index requests.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(0.1, 600),
        default=10.0,
        show_default=True,
        help="Seconds to wait for each index answer.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(0, 10),
        default=3,
        show_default=True,
        help="Retries of a failed index request (with backoff).",
    ),
    click.option("--staging", is_flag=True, help="Verify against Sigstore's staging trust root."),
    click.option(
        "--trust-root",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="A Sigstore trusted root JSON to verify against.",
    ),
    click.option(
        "--cache-dir",
        type=click.Path(path_type=Path),
        metavar="DIR",
        help="Cache directory (default: the user cache dir, or $PYVOUCH_CACHE_DIR).",
    ),
    click.option(
        "--refresh",
        is_flag=True,
        help="Ask the index again instead of using a remembered 'does not serve provenance' "
        "verdict (remembered for an hour after a scan learns it).",
    ),
    click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="Policy file (default: pyvouch.toml or [tool.pyvouch] in pyproject.toml).",
    ),
]
_NAMES = (
    "index_url",
    "offline",
    "jobs",
    "timeout",
    "retries",
    "staging",
    "trust_root",
    "cache_dir",
    "refresh",
    "config_path",
)


def lookup_options(func: F) -> F:
    """Add the index/trust/config options; the command receives ``lookup: LookupFlags``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _NAMES}
        return func(*args, lookup=LookupFlags(**values), **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    out: Any = wrapper
    for option in reversed(_OPTIONS):
        out = option(out)
    return out  # type: ignore[no-any-return]


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
