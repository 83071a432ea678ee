"""A vulnerability's severity level, on its own so the policy reads it without the rest of
`pyvouch.vulns.model` (a scan without ``--vulns`` loads no vulnerability code: start-up)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Severity, worst first (the CVSS qualitative scale; `unknown`: no usable rating)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """0 for critical, up to 5 for unknown (lower is worse)."""
        return tuple(Level).index(self)

    def at_least(self, threshold: Level) -> bool:
        """Whether this known level is ``threshold`` or worse (`unknown` never is)."""
        if self is Level.UNKNOWN or threshold is Level.UNKNOWN:
            return False
        return self.rank <= threshold.rank
