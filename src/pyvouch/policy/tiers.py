"""Package names, name patterns and the two tiers (critical and the long tail).

Names are compared in their normalized form (PEP 503: lower case, runs of ``-``, ``_`` and
``.`` become one ``-``). A pattern is a normalized name or an ``fnmatch`` glob over normalized
names (``django*``, ``types-*``, ``zope-?``); a pattern is normalized the same way before it
is matched, so ``Zope.*`` and ``zope-*`` are the same pattern.
"""

from __future__ import annotations

import re
from enum import StrEnum
from fnmatch import fnmatchcase

from packaging.utils import canonicalize_name

from pyvouch.redact import quote


class TierName(StrEnum):
    CRITICAL = "critical"
    LONG_TAIL = "long-tail"


# A distribution name (PEP 508 / core metadata): ASCII letters and digits, with ., _ and -
# inside.
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
# What a pattern may contain: name characters and the fnmatch wildcards * ? [ ] !.
_PATTERN_CHARS = re.compile(r"^[A-Za-z0-9._*?\[\]!-]+$")
_GLOB_CHARS = frozenset("*?[")


def normalize(name: str) -> str:
    """The PEP 503 normalized form of a project name."""
    return str(canonicalize_name(name))


def is_glob(pattern: str) -> bool:
    return any(c in _GLOB_CHARS for c in pattern)


def check_name(name: str) -> str | None:
    """Why ``name`` is not a valid project name, or None when it is."""
    if not name:
        return "empty package name"
    if not _NAME.match(name):
        return f"{quote(name)} is not a valid package name"
    return None


def check_pattern(pattern: str) -> str | None:
    """Why ``pattern`` is neither a project name nor a glob over names, or None when it is."""
    if not pattern:
        return "empty package name or pattern"
    if (not is_glob(pattern) and check_name(pattern)) or not _PATTERN_CHARS.match(pattern):
        return (
            f"{quote(pattern)} is not a package name or glob "
            "(letters, digits, '.', '_', '-' and the wildcards * ? [...])"
        )
    if _unbalanced(pattern):
        return f"{quote(pattern)} has an unclosed '[' character class"
    if pattern.strip("*") == "":
        return (
            f"{quote(pattern)} matches every package; "
            "to require something of every package, set the long-tail tier's require"
        )
    return None


def _unbalanced(pattern: str) -> bool:
    depth = 0
    for c in pattern:
        if c == "[":
            if depth:
                return True
            depth = 1
        elif c == "]":
            if not depth:
                return True
            depth = 0
    return depth != 0


def normalize_pattern(pattern: str) -> str:
    """Normalize a name or glob the way names are normalized, keeping the wildcards."""
    if not is_glob(pattern):
        return normalize(pattern)
    out: list[str] = []
    for part in re.split(r"(\[[^\]]*\])", pattern):
        if part.startswith("["):  # a character class is kept as written, only lower-cased
            out.append(part.lower())
        else:
            out.append(re.sub(r"[-_.]+", "-", part.lower()))
    return "".join(out)


def matches(name: str, pattern: str) -> bool:
    """True when the project ``name`` matches ``pattern`` (both normalized first)."""
    return fnmatchcase(normalize(name), normalize_pattern(pattern))


def first_match(name: str, patterns: tuple[str, ...]) -> str | None:
    """The first pattern in ``patterns`` that ``name`` matches."""
    for pattern in patterns:
        if matches(name, pattern):
            return pattern
    return None
