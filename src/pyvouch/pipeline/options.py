"""How the pipeline reaches an index, and which of a release's files it checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from packaging.tags import Tag, sys_tags
from packaging.utils import (
    canonicalize_version,
)

from pyvouch.dist_names import dist_name
from pyvouch.index.simple import IndexFile, ProjectPage
from pyvouch.verify.signature_policy import SignaturePolicy
from pyvouch.vulns import DEFAULT_OSV_URL


class FileChoice(StrEnum):
    """Which of a release's files to look up when the source does not name them."""

    BEST = "best"
    """The wheel this environment would install, else the sdist."""
    ALL = "all"


@dataclass(frozen=True)
class ScanOptions:
    index_url: str | None = None
    offline: bool = False
    jobs: int = 16
    files: FileChoice = FileChoice.BEST
    cache_dir: Path | None = None
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    """Seconds before the first retry (doubling after)."""
    verdict_cache: bool = True
    """Reuse verdicts cached (authenticated) in the cache dir; see `pyvouch.verify.verdicts`."""
    refresh: bool = False
    """Ignore a remembered "does not serve provenance" verdict (`pyvouch.index.not_served`)."""
    signatures: SignaturePolicy = field(default_factory=SignaturePolicy)
    """What signatures beside files must satisfy, per package (`pyvouch.pipeline.signatures`)."""
    beside_signatures: bool = True
    """Look for signatures beside files the index serves no PEP 740 provenance for."""


Progress = Callable[[int, int], None]
"""Called with (done, total) as packages finish."""


def _release_version(filename: str) -> str | None:
    parsed = dist_name(filename)
    return str(parsed.version) if parsed is not None else None


def _wheel_tags(filename: str) -> frozenset[Tag]:
    parsed = dist_name(filename)
    return parsed.tags if parsed is not None else frozenset()


def release_files(page: ProjectPage, version: str, choice: FileChoice) -> list[IndexFile]:
    """The files of ``version`` on ``page``: all of them, or the one this machine would use."""
    wanted = canonicalize_version(version)
    files = [
        f
        for f in page.files
        if (v := _release_version(f.filename)) is not None and canonicalize_version(v) == wanted
    ]
    if choice is FileChoice.ALL or len(files) <= 1:
        return files
    wheels = [f for f in files if f.filename.endswith(".whl")]
    for tag in sys_tags():
        for wheel in wheels:
            if tag in _wheel_tags(wheel.filename):
                return [wheel]
    sdists = [f for f in files if not f.filename.endswith(".whl")]
    return sdists[:1] or files[:1]


@dataclass(frozen=True, slots=True)
class VulnRequest:
    """What ``scan --vulns`` was asked besides the scan."""

    db: Path | None = None
    """``--vuln-db`` (wins over the policy's ``vuln-db``)."""
    osv_url: str = DEFAULT_OSV_URL
    source_dirs: tuple[Path, ...] = ()
    """First-party code to analyse for reachability (``--source``); empty: not analysed."""
    test_dirs: tuple[Path, ...] = ()
    """First-party tests (``--tests``): imports only from there make a package test-only."""
    environment: Path | None = None
    """An installed environment (a virtualenv or site-packages) whose metadata maps modules to
    distributions and whose code is followed (``--env``)."""
