"""Reachability of a lock's packages from the project's own code, as an application function:
the lock read, the project's sources and environment found next to it, the analysis run
(`pyvouch.reachability`). Plain data in, plain data out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from packaging.utils import canonicalize_name

from pyvouch.model import Package
from pyvouch.reachability import (
    LockedDistribution,
    ReachabilityReport,
    ReachabilityRequest,
    analyse,
)
from pyvouch.reachability.project import default_sources
from pyvouch.sources import load_packages
from pyvouch.sources.environment import FORMAT as ENVIRONMENT

VENV_NAMES = (".venv", "venv")
"""Environments looked for next to the lock when none is named."""


@dataclass(frozen=True)
class ReachabilityOptions:
    lock: Path | None = None
    sources: tuple[Path, ...] = ()
    """First-party code; empty: the project next to the lock (`default_sources`)."""
    tests: tuple[Path, ...] = ()
    environment: Path | None = None
    """Empty: ``.venv`` or ``venv`` next to the lock, when there is one."""
    dev_only: tuple[str, ...] = ()
    symbols: tuple[tuple[str, str], ...] = ()
    index_url: str | None = None
    offline: bool = False
    cache_dir: Path | None = None
    use_cache: bool = True
    python_version: str | None = None
    platform: str | None = None


@dataclass(frozen=True)
class ReachabilityRun:
    report: ReachabilityReport
    request: ReachabilityRequest
    warnings: tuple[str, ...]


def locked_distributions(
    packages: list[Package], dev_only: tuple[str, ...] = ()
) -> tuple[LockedDistribution, ...]:
    """The lock's packages as the analysis takes them (their wheels kept for manifests)."""
    dev = {canonicalize_name(n) for n in dev_only}
    seen: dict[str, LockedDistribution] = {}
    for package in packages:
        name = canonicalize_name(package.name)
        wheels = tuple(f for f in package.files if f.filename.endswith(".whl"))
        if name not in seen:
            seen[name] = LockedDistribution(name, package.version, wheels, name in dev)
    return tuple(seen.values())


def project_request(
    project: Path, locked: tuple[LockedDistribution, ...], options: ReachabilityOptions
) -> ReachabilityRequest:
    """The request for the project in directory ``project`` (defaults filled in)."""
    sources, tests = options.sources, options.tests
    if not sources:
        sources, found_tests = default_sources(project)
        tests = tests or found_tests
    environment = options.environment
    if environment is None:
        environment = next(
            (project / n for n in VENV_NAMES if (project / n / "pyvenv.cfg").is_file()), None
        )
    return ReachabilityRequest(
        source_dirs=sources,
        test_dirs=tests,
        locked=locked,
        environment=environment,
        symbols=options.symbols,
        cache_dir=options.cache_dir,
        use_cache=options.use_cache,
        index_url=options.index_url,
        offline=options.offline,
    )


def run_reachability(options: ReachabilityOptions) -> ReachabilityRun:
    """Read the lock, then analyse the project next to it (or the sources named)."""
    loaded = load_packages(
        options.lock,
        python_version=options.python_version,
        platform=options.platform,
        resolve=False,
        index_url=options.index_url,
    )
    locked = locked_distributions(loaded.packages, options.dev_only)
    if loaded.format == ENVIRONMENT and loaded.path is not None:
        # An environment in place of a lock: its distributions, and their code to follow.
        if options.environment is None:
            options = replace(options, environment=loaded.path)
        project = Path.cwd()
    else:
        project = loaded.path.parent if loaded.path is not None else Path.cwd()
    if options.index_url is None and loaded.index_urls:
        options = replace(options, index_url=loaded.index_urls[0])
    request = project_request(project, locked, options)
    return ReachabilityRun(analyse(request), request, tuple(loaded.warnings))
