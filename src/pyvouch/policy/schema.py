"""The policy as values: mode, tiers, expected publishers, exceptions.

`config.py` builds a `Policy` from a file; `overrides.py` lays command-line flags over it;
`decide.py` applies it. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pyvouch.model import Publisher
from pyvouch.policy.tiers import TierName, first_match, normalize
from pyvouch.vulns.level import Level

if TYPE_CHECKING:
    from pyvouch.vulns.model import VulnFinding


class Mode(StrEnum):
    """How decisions turn into an exit code (see docs/policy.md)."""

    COLLECT = "collect"
    """Decide and report what would happen; always exit 0."""
    WARN = "warn"
    """Blocks are shown as warnings; exit 0."""
    ENFORCE = "enforce"
    """Any block exits 1; a package that must be verified but cannot be told exits 3."""


class Require(StrEnum):
    """What a tier requires of each of its packages to pass."""

    VERIFIED_PINNED = "verified-pinned"
    """Every file verified, and the package has a pinned identity that the files match."""
    VERIFIED = "verified"
    """Every file verified (against the pinned identity when there is one)."""
    NO_REGRESSION = "no-regression"
    """Trust on first use: only a pinned package that lost its attestations fails."""
    ANY = "any"
    """No requirement of the tier (invalid attestations and pin mismatches still block)."""

    @property
    def must_verify(self) -> bool:
        return self in (Require.VERIFIED_PINNED, Require.VERIFIED)


@dataclass(frozen=True, slots=True)
class Tier:
    name: TierName
    require: Require
    packages: tuple[str, ...] = ()
    """Names and globs (critical tier only; the long tail is every other package)."""


@dataclass(frozen=True, slots=True)
class PolicyException:
    """A named, owned, expiring permission for one package to fall short of its tier."""

    package: str
    """The normalized package name."""
    reason: str
    owner: str
    expires: date
    """The last day the exception holds."""
    where: str = ""
    """Where it was declared (key path), for messages."""

    def expired(self, today: date) -> bool:
        return today > self.expires


@dataclass(frozen=True, slots=True)
class Pin:
    """One expected publisher identity of a package, and where that expectation comes from."""

    identity: Publisher
    origin: str
    """e.g. ``pyproject.toml [tool.pyvouch.publishers]``, ``pylock.toml``, ``--pin``."""
    observed: bool = False
    """An identity the history store saw verify for this package before (trust on first use),
    not one a person pinned: it holds the package to it, but does not satisfy
    ``verified-pinned``."""


@dataclass(frozen=True, slots=True)
class PackageSignatures:
    """How one package's signatures beside its files on a private index are checked
    (``[packages.NAME]``; see docs/private-registries.md)."""

    key: Path | None = None
    """The public key (``cosign.pub``) its files must be signed with; None: keyless."""
    allow_no_tlog: bool = False
    """Accept signatures without a transparency log entry (cosign's ``.sig`` + ``.crt``, a
    key bundle without a log entry)."""
    origin: str = ""
    """Where it was declared (file and key path), for messages."""
    key_text: str | None = None
    """The key file's content as read on one side of a change (`pyvouch diff` reads it at
    the base, like the policy); None: read from ``key`` when used."""


@dataclass(frozen=True, slots=True)
class VulnException:
    """A named, owned, expiring permission for one vulnerability (by any of its ids) to stay."""

    id: str
    reason: str
    owner: str
    expires: date
    package: str | None = None
    """The normalized package it covers (None: every package the id affects)."""
    where: str = ""

    def covers(self, finding: VulnFinding) -> bool:
        ids = {i.upper() for i in finding.ids}
        return self.id.upper() in ids and self.package in (None, finding.package)

    def expired(self, today: date) -> bool:
        return today > self.expires


DEFAULT_VULN_BLOCK_AT = Level.HIGH


@dataclass(frozen=True, slots=True)
class VulnRules:
    """What ``scan --vulns`` blocks in enforce (``vuln-db`` and ``[vulnerabilities]``)."""

    db: str | None = None
    """The local OSV database (a directory or zip), relative paths resolved at the policy's
    folder; None: the OSV API."""
    block_critical: Level | None = DEFAULT_VULN_BLOCK_AT
    """Block a reachable finding at or above this severity in the critical tier (None: never)."""
    block_long_tail: Level | None = DEFAULT_VULN_BLOCK_AT
    block_unknown_severity: bool = False
    """Block a reachable finding whose severity is unknown (default: warn)."""
    exceptions: tuple[VulnException, ...] = ()

    def block_at(self, tier: TierName) -> Level | None:
        return self.block_critical if tier is TierName.CRITICAL else self.block_long_tail


DEFAULT_CRITICAL_REQUIRE = Require.VERIFIED
DEFAULT_LONG_TAIL_REQUIRE = Require.NO_REGRESSION


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything `decide` needs besides the scan result and today's date."""

    mode: Mode = Mode.COLLECT
    critical: Tier = Tier(TierName.CRITICAL, DEFAULT_CRITICAL_REQUIRE)
    long_tail: Tier = Tier(TierName.LONG_TAIL, DEFAULT_LONG_TAIL_REQUIRE)
    index_url: str | None = None
    publishers: dict[str, tuple[Pin, ...]] = field(default_factory=dict)
    """Expected publishers set by the user (config or flags), by normalized name."""
    lock_pins: dict[str, tuple[Pin, ...]] = field(default_factory=dict)
    """Pins read from ``pyvouch.lock.toml``, by normalized name."""
    history_pins: dict[str, tuple[Pin, ...]] = field(default_factory=dict)
    """Identities the history store saw verify before (`Pin.observed`), by normalized name:
    the last source of pins, so every pin a person wrote wins over history."""
    store: str | None = None
    """The history store (``store`` in the policy): a path or a ``postgresql://`` URL."""
    exceptions: tuple[PolicyException, ...] = ()
    trust_change_approvers: tuple[str, ...] = ()
    """Who may approve a change to the trust inputs in `pyvouch diff` (``[trust-changes]
    approved-by``); matched without regard to case against ``--approved-by``."""
    source: str | None = None
    """The configuration file this policy came from (None: defaults and flags only)."""
    packages: dict[str, PackageSignatures] = field(default_factory=dict)
    """Signature settings per package (``[packages.NAME]``), by normalized name."""
    signature_key: Path | None = None
    """``--key``: the public key for every package without a key of its own."""
    allow_no_tlog: bool = False
    """``--allow-no-tlog``: accept signatures without a log entry for every package."""
    vulns: VulnRules = VulnRules()
    """Vulnerability rules (``scan --vulns``)."""
    allow_not_indexed: bool = False
    """Warn instead of block for a not-indexed package in the long tail that requires
    verification, when it has no pin (only the install gate's --allow-not-indexed sets it;
    a pinned or critical package still blocks)."""

    def tier_of(self, name: str) -> Tier:
        if first_match(name, self.critical.packages) is not None:
            return self.critical
        return self.long_tail

    def exception_for(self, name: str) -> PolicyException | None:
        key = normalize(name)
        for exc in self.exceptions:
            if exc.package == key:
                return exc
        return None
