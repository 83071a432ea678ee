"""A finding's severity from its advisories' CVSS vectors, scored by the ``cvss`` library.

The worst base score among the ``CVSS_V4`` and ``CVSS_V3`` vectors decides, mapped to the
CVSS qualitative scale (9.0+ critical, 7.0+ high, 4.0+ medium, 0.1+ low, 0 none). Without a
usable vector, the database's own rating (GitHub's ``database_specific.severity``: LOW,
MODERATE, HIGH, CRITICAL) is taken and said to be that; without either, the level is
`unknown`, which is never read as low.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from cvss import CVSS3, CVSS4, CVSSError

from pyvouch.vulns.model import Level, Rating
from pyvouch.vulns.osv import Advisory

_DATABASE_LEVELS = {
    "CRITICAL": Level.CRITICAL,
    "HIGH": Level.HIGH,
    "MODERATE": Level.MEDIUM,
    "MEDIUM": Level.MEDIUM,
    "LOW": Level.LOW,
}


def level_of(score: float) -> Level:
    if score >= 9.0:
        return Level.CRITICAL
    if score >= 7.0:
        return Level.HIGH
    if score >= 4.0:
        return Level.MEDIUM
    if score > 0.0:
        return Level.LOW
    return Level.NONE


@lru_cache(maxsize=4096)
def score_vector(kind: str, vector: str) -> float | None:
    """The base score of a CVSS v3 or v4 vector; None for another kind or a broken vector."""
    try:
        if kind == "CVSS_V3":
            return float(CVSS3(vector).base_score)
        if kind == "CVSS_V4":
            return float(CVSS4(vector).base_score)
    except (CVSSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return None


def rate(advisories: Iterable[Advisory]) -> Rating:
    """The worst rating among ``advisories`` (aliases of one vulnerability)."""
    best: Rating | None = None
    database: Level | None = None
    for advisory in advisories:
        for kind, vector in advisory.severity:
            score = score_vector(kind, vector)
            if score is not None and (best is None or score > (best.score or 0.0)):
                best = Rating(level_of(score), score, vector, f"{kind} base score")
        if advisory.database_severity:
            found = _DATABASE_LEVELS.get(advisory.database_severity.upper())
            if found is not None and (database is None or found.rank < database.rank):
                database = found
    if best is not None:
        return best
    if database is not None:
        return Rating(database, source="the advisory database's own rating (no CVSS vector)")
    return Rating(Level.UNKNOWN, source="no CVSS vector or rating in the advisory")
