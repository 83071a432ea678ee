"""`readiness` as an application function: which of a lock's packages sign consistently enough
to enforce now. Plain data in, plain data out (no click, no printing): the command parses,
calls `run_readiness`, renders the outcome through ``report/`` and exits with its code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import UsageError
from pyvouch.pipeline.history import histories
from pyvouch.pipeline.settings import LookupFlags, load_policy
from pyvouch.pipeline.store_request import StoreRequest
from pyvouch.policy.config import CONFIG_FILE
from pyvouch.policy.readiness import Assessment, Verdict, assess_all, exit_code, policy_snippet
from pyvouch.policy.tiers import TierName, normalize
from pyvouch.policy_files.config_file import find_config
from pyvouch.policy_files.edit import add_critical_and_publishers
from pyvouch.sources import load_packages
from pyvouch.user_files import read_document, write_document


@dataclass(frozen=True)
class ReadinessRequest:
    lock: Path | None
    lookup: LookupFlags
    critical_only: bool = False
    count: int = 10
    """How many of each package's latest releases are looked at (``--releases``)."""
    window: int = 5
    """How many of those must all verify, by one publisher, for ``ready`` (``--window``)."""
    from_history: bool = False
    """Judge the releases the history store saw this pyvouch verify, not the index's."""
    store: str | None = None
    python_version: str | None = None
    platform: str | None = None
    snippet: bool = True
    """Make the policy snippet (the ready packages as the critical tier, with publishers)."""


@dataclass(frozen=True)
class ReadinessOutcome:
    assessments: list[Assessment]
    snippet: str | None
    source: str
    """Where the releases were read: the index URL, or the store's location (no password)."""
    exit_code: int


def run_readiness(
    request: ReadinessRequest, warn: Callable[[str], None] | None = None
) -> ReadinessOutcome:
    """Assess every package of the lock (only the critical tier's with ``critical_only``)."""
    if request.window > request.count:
        raise UsageError(f"--window {request.window} is larger than --releases {request.count}")
    lookup = request.lookup
    policy = load_policy(lookup.config_path, request.lock)
    loaded = load_packages(
        request.lock,
        python_version=request.python_version,
        platform=request.platform,
        resolve=False,
        index_url=lookup.index_url or policy.index_url,
    )
    for warning in loaded.warnings:
        if warn is not None:
            warn(warning)
    wanted: dict[str, str | None] = {}
    for package in loaded.packages:
        if package.origin is not None:
            continue
        if request.critical_only and policy.tier_of(package.name).name is not TierName.CRITICAL:
            continue
        wanted.setdefault(normalize(package.name), package.version)
    if request.critical_only and not wanted:
        raise UsageError(
            "--critical-only: no package of the lock is in the critical tier "
            f"({', '.join(policy.critical.packages) or 'the tier is empty'})"
        )
    if request.from_history:
        from pyvouch.pipeline.recording import store_histories  # the store only when asked

        found, index_url = store_histories(
            StoreRequest(store=request.store), policy, list(wanted.items()), request.count
        )
    else:
        found, index_url = histories(
            list(wanted.items()),
            lookup.verifier(),
            lookup.scan_options(policy, loaded.index_urls),
            request.count,
        )
    assessments = assess_all(found, request.window)
    snippet = None
    if request.snippet:
        config = lookup.config_path or find_config(Path.cwd())
        pyproject = config is None or config.name != CONFIG_FILE
        snippet = policy_snippet(
            assessments, pyproject=pyproject, critical=policy.critical.packages
        )
    return ReadinessOutcome(
        assessments,
        snippet,
        index_url,
        exit_code(assessments, critical_only=request.critical_only),
    )


def apply_ready(assessments: list[Assessment], config_path: Path | None) -> tuple[Path, list[str]]:
    """Add the ready packages to the policy's critical tier and their publishers to its pins
    (``--apply``); returns the file written and what changed."""
    target = config_path or find_config(Path.cwd()) or Path(CONFIG_FILE)
    ready = [a for a in assessments if a.verdict is Verdict.READY and a.pin_spec]
    document = read_document(target) if target.exists() else None
    text = document.text if document is not None else ""
    new, changes = add_critical_and_publishers(
        text,
        target,
        [a.name for a in ready],
        {a.name: a.pin_spec for a in ready if a.pin_spec is not None},
    )
    if new != text:
        write_document(target, document, new)
    return target, changes
