"""Reachability: which locked distributions the project's own code imports, directly, through
other distributions' code, only from tests, or not at all (issue 13; docs/reachability.md)."""

from __future__ import annotations

from pyvouch.reachability.analyse import analyse
from pyvouch.reachability.model import (
    Evidence,
    Exposure,
    LockedDistribution,
    ReachabilityReport,
    ReachabilityRequest,
)

__all__ = [
    "Evidence",
    "Exposure",
    "LockedDistribution",
    "ReachabilityReport",
    "ReachabilityRequest",
    "analyse",
]
