"""What reachability is asked and what it answers (plain data, no I/O).

The analysis reads first-party code and the installed dependencies' code, follows their
imports, and says for each locked distribution how the project's code reaches it: an
`Exposure` with its `Evidence`. An exposure is a prioritisation, never a trust decision; where
the analysis cannot tell, it says `unknown`, never `not-imported`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pyvouch.model import FileRef


class Exposure(StrEnum):
    DIRECT = "direct"
    """First-party (non-test) code imports one of the distribution's modules."""
    TRANSITIVE = "transitive"
    """Imported by the code of a distribution that first-party code reaches (with the chain)."""
    TEST_ONLY = "test-only"
    """Imported only from tests, or from dev-only distributions."""
    NOT_IMPORTED = "not-imported"
    """Nothing the analysis read imports it, and nothing read imports by a computed name."""
    UNKNOWN = "unknown"
    """The analysis could not tell (its modules are unknown, a computed import in first-party
    code, or code it could not read); the note says why."""


@dataclass(frozen=True)
class Evidence:
    exposure: Exposure
    chain: tuple[str, ...]
    """Modules from the first-party module to the distribution's module (empty when none)."""
    file: str | None
    """The first-party file where the chain starts."""
    line: int | None
    note: str
    """Why, in words: how it is imported (a fallback, a literal dynamic import), and whether the
    module -> distribution mapping is a guess."""


@dataclass(frozen=True)
class ReachabilityReport:
    by_distribution: Mapping[str, Evidence]
    """Keys: PEP 503-normalized distribution names."""
    symbol_uses: Mapping[tuple[str, str], tuple[tuple[str, int], ...]]
    """(module, attribute) asked for -> first-party (file, line) references to it."""
    skipped: tuple[str, ...]
    """What the analysis skipped and why (unreadable, undecodable, too large, not Python)."""


@dataclass(frozen=True)
class LockedDistribution:
    """A distribution of the lock: its name, version and (where the lock records them) its
    wheels, whose manifests map modules to it when no installed environment has it."""

    name: str
    version: str | None = None
    wheels: tuple[FileRef, ...] = ()
    dev_only: bool = False
    """Only in dev/test groups of the lock: imported only by tests and tools."""


@dataclass(frozen=True)
class ReachabilityRequest:
    source_dirs: tuple[Path, ...]
    """First-party code (a directory of modules or a package directory; a file also works)."""
    locked: tuple[LockedDistribution, ...] = ()
    """The distributions to classify; empty: every distribution of the environment."""
    test_dirs: tuple[Path, ...] = ()
    """First-party test code (imports from there make a distribution test-only)."""
    environment: Path | None = None
    """An installed environment (a virtualenv or a site-packages directory) whose metadata maps
    modules to distributions and whose code is followed for transitive imports."""
    symbols: tuple[tuple[str, str], ...] = ()
    """(module, attribute) pairs whose first-party references to report."""
    cache_dir: Path | None = None
    """Where parsed modules' imports are cached (sealed); None: pyvouch's cache dir."""
    use_cache: bool = True
    index_url: str | None = None
    """The index to fetch locked wheels' manifests from (no environment, or not installed)."""
    offline: bool = False
    fetch_wheels: bool = True
    """Download locked wheels (or take their cached manifests) to map their modules."""
    test_patterns: bool = True
    """Also count ``test_*.py``, ``*_test.py``, ``conftest.py`` and ``tests/`` directories
    inside the source dirs as tests."""
    exclude: tuple[str, ...] = field(default=())
    """Directory names to leave out of the source dirs (besides virtualenvs, VCS, build dirs)."""
