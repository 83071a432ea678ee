"""Lay command-line flags over a configured policy, so a one-off run needs no file.

``scan --mode enforce --critical requests --pin requests=github:psf/requests:publish.yml``
is the same policy as the file that says so. Flags win over the file; ``--critical`` adds to
the file's critical list; ``--pin NAME=SPEC`` (repeatable; several for one package are all
accepted) replaces the file's expected publishers for that package. Problems raise
`UsageError` naming the flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pyvouch.errors import UsageError
from pyvouch.policy.config import parse_spec
from pyvouch.policy.schema import Mode, Pin, Policy, Require
from pyvouch.policy.tiers import check_name, check_pattern, normalize
from pyvouch.redact import quote

_E = TypeVar("_E", Mode, Require)


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the flags said; ``None`` / empty means "not given"."""

    mode: str | None = None
    critical: tuple[str, ...] = ()
    pins: tuple[str, ...] = ()
    """``NAME=SPEC`` values of ``--pin``."""
    require_critical: str | None = None
    require_long_tail: str | None = None
    index_url: str | None = None
    key: Path | None = None
    """``--key``: the public key for signatures beside files, for every package without one."""
    allow_no_tlog: bool = False


def _enum(enum: type[_E], value: str, flag: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise UsageError(f"{flag} {quote(value)}: must be one of {choices}") from None


def parse_pin_flag(value: str) -> tuple[str, Pin]:
    """``NAME=SPEC`` -> (normalized name, pin)."""
    name, eq, spec = value.partition("=")
    name = name.strip()
    if not eq or not spec.strip():
        raise UsageError(f"--pin {quote(value)}: expected NAME=PUBLISHER_SPEC")
    problem = check_name(name)
    if problem:
        raise UsageError(f"--pin {quote(value)}: {problem}")
    parsed = parse_spec(spec.strip())
    if isinstance(parsed, str):
        raise UsageError(f"--pin {quote(value)}: {parsed}")
    return normalize(name), Pin(parsed, "--pin")


def apply_overrides(policy: Policy, flags: Overrides) -> Policy:
    """``policy`` with every given flag laid over it."""
    out = policy
    if flags.mode is not None:
        out = replace(out, mode=_enum(Mode, flags.mode, "--mode"))
    if flags.index_url is not None:
        out = replace(out, index_url=flags.index_url)
    critical = out.critical
    if flags.critical:
        for pattern in flags.critical:
            problem = check_pattern(pattern)
            if problem:
                raise UsageError(f"--critical {quote(pattern)}: {problem}")
        merged = tuple(dict.fromkeys((*critical.packages, *flags.critical)))
        critical = replace(critical, packages=merged)
    if flags.require_critical is not None:
        critical = replace(
            critical, require=_enum(Require, flags.require_critical, "--require-critical")
        )
    out = replace(out, critical=critical)
    if flags.require_long_tail is not None:
        out = replace(
            out,
            long_tail=replace(
                out.long_tail,
                require=_enum(Require, flags.require_long_tail, "--require-long-tail"),
            ),
        )
    if flags.pins:
        out = replace(out, publishers=_merge_pins(out.publishers, flags.pins))
    if flags.key is not None:
        out = replace(out, signature_key=flags.key)
    if flags.allow_no_tlog:
        out = replace(out, allow_no_tlog=True)
    return out


def _merge_pins(
    current: dict[str, tuple[Pin, ...]], values: Iterable[str]
) -> dict[str, tuple[Pin, ...]]:
    from_flags: dict[str, list[Pin]] = {}
    for value in values:
        name, pin = parse_pin_flag(value)
        from_flags.setdefault(name, []).append(pin)
    merged = dict(current)
    merged.update({name: tuple(pins) for name, pins in from_flags.items()})
    return merged
