"""OSV's matching rules for one version: ``ECOSYSTEM`` ranges as PEP 440 versions, explicit
``versions`` lists, withdrawn advisories left out.

A range is evaluated as the OSV schema says: its events sorted by version (``introduced: "0"``
first), a version is affected from an ``introduced`` it is at or above, until a ``fixed`` it is
at or above or a ``last_affected`` it is above; ``limit`` events bound the range from above
(``"*"``: no bound). Pre-, post- and dev-releases compare as PEP 440 orders them (``2.7.2rc1``
is below ``2.7.2``, ``2.7.2.post1`` above). A version in the ``versions`` list is affected
whatever the ranges say.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

from pyvouch.vulns.osv import Advisory, Affected

_ZERO = Version("0")
_ORDER = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}


@lru_cache(maxsize=65536)
def _parse(text: str) -> Version:
    return _ZERO if text in ("0", "*") else Version(text)


@lru_cache(maxsize=65536)
def _canonical(text: str) -> str:
    try:
        return canonicalize_version(Version(text))
    except InvalidVersion:
        return text.strip().lower()


def _in_range(version: Version, events: tuple[tuple[str, str], ...]) -> bool:
    limits = [value for kind, value in events if kind == "limit"]
    if limits and "*" not in limits and not any(version < _parse(v) for v in limits):
        return False
    affected = False
    for kind, value in sorted(
        (e for e in events if e[0] != "limit"), key=lambda e: (_parse(e[1]), _ORDER[e[0]])
    ):
        bound = _parse(value)
        if kind == "introduced":
            if version >= bound:
                affected = True
        elif kind == "fixed":
            if version >= bound:
                affected = False
        elif version > bound:  # last_affected
            affected = False
    return affected


def _describe(events: tuple[tuple[str, str], ...]) -> str:
    return "range " + ", ".join(f"{kind} {value}" for kind, value in events)


def why_affected(affected: Affected, version: Version) -> str | None:
    """Why ``version`` is affected by this entry (the range or list that matched), or None."""
    for events in affected.ranges:
        if _in_range(version, events):
            return _describe(events)
    wanted = canonicalize_version(version)
    for listed in affected.versions:
        if _canonical(listed) == wanted:
            return f"version {listed} is listed as affected"
    return None


def fixed_versions(affected: Affected, version: Version) -> tuple[str, ...]:
    """The ``fixed`` versions of the entry above ``version``, lowest first."""
    found = {
        value
        for events in affected.ranges
        for kind, value in events
        if kind == "fixed" and _parse(value) > version
    }
    return tuple(sorted(found, key=_parse))


@dataclass(frozen=True, slots=True)
class Match:
    advisory: Advisory
    matched: str
    fixed: tuple[str, ...]
    symbols: tuple[tuple[str, str | None], ...]


def match(advisory: Advisory, name: str, version: Version) -> Match | None:
    """How ``advisory`` affects ``name`` at ``version`` (None: not at all, or withdrawn)."""
    if advisory.withdrawn is not None:
        return None
    reasons: list[str] = []
    fixed: set[str] = set()
    symbols: list[tuple[str, str | None]] = []
    for entry in advisory.affecting(name):
        why = why_affected(entry, version)
        if why is None:
            continue
        reasons.append(why)
        fixed.update(fixed_versions(entry, version))
        symbols += entry.symbols
    if not reasons:
        return None
    return Match(
        advisory,
        "; ".join(dict.fromkeys(reasons)),
        tuple(sorted(fixed, key=_parse)),
        tuple(dict.fromkeys(symbols)),
    )
