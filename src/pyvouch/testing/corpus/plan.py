"""The corpus plan: which packages exist and how each release is published.

Everything here is a function of the seed (``random.Random(seed)``): names, versions,
repositories, workflows and which package gets which share.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_PACKAGES = 10_000

ATTESTED = "attested"
UNATTESTED = "unattested"
INVALID = "invalid"
IDENTITY_CHANGED = "identity-changed"

BAD_SIGNATURE = "bad-signature"
ALTERED_STATEMENT = "altered-statement"

_CONSONANTS = "bcdfghjklmnprstvz"
_VOWELS = "aeiou"
_WORKFLOWS = ("release.yml", "publish.yml", "pypi.yml")


@dataclass(frozen=True)
class CorpusConfig:
    packages: int
    seed: int = 0
    unattested: float = 0.1
    invalid: float = 0.02
    identity_changed: float = 0.05
    releases: int = 1
    """Releases per package (identity-changed packages get one more)."""

    def check(self) -> None:
        if not 1 <= self.packages <= MAX_PACKAGES:
            raise ValueError(f"packages must be 1..{MAX_PACKAGES}, not {self.packages}")
        if self.releases < 1:
            raise ValueError("releases must be at least 1")
        shares = (self.unattested, self.invalid, self.identity_changed)
        if any(s < 0 for s in shares) or sum(shares) > 1:
            raise ValueError("shares must be >= 0 and add up to at most 1")


@dataclass(frozen=True)
class Release:
    version: str
    signer: str | None
    """The GitHub repository that signs this release (None: published unattested)."""
    workflow: str
    kind: str
    """attested, unattested, invalid or identity-changed."""
    defect: str | None = None
    """For invalid releases: bad-signature or altered-statement."""


@dataclass(frozen=True)
class PlannedPackage:
    name: str
    repository: str
    workflow: str
    category: str
    releases: tuple[Release, ...]

    @property
    def publisher(self) -> str:
        """The usual publisher, as a pyvouch publisher spec (what a pin would name)."""
        return f"github:{self.repository}:{self.workflow}"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 3)))


def _unique_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    ordered: list[str] = []
    while len(ordered) < count:
        name = f"{_word(rng)}-{_word(rng)}"
        if name not in names:
            names.add(name)
            ordered.append(name)
    return ordered


def _versions(rng: random.Random, count: int) -> list[str]:
    major, minor, patch = rng.randint(0, 4), rng.randint(0, 20), rng.randint(0, 9)
    out = []
    for _ in range(count):
        out.append(f"{major}.{minor}.{patch}")
        if rng.random() < 0.7:
            patch += 1
        else:
            minor, patch = minor + 1, 0
    return out


def plan(config: CorpusConfig) -> list[PlannedPackage]:
    """Which packages exist and how each release is published; a function of the seed only."""
    config.check()
    rng = random.Random(config.seed)  # noqa: S311  (reproducible test data, not secrets)
    names = _unique_names(rng, config.packages)
    owners = _unique_names(rng, max(1, config.packages // 4))
    order = list(range(config.packages))
    rng.shuffle(order)
    counts = [
        (UNATTESTED, round(config.unattested * config.packages)),
        (INVALID, round(config.invalid * config.packages)),
        (IDENTITY_CHANGED, round(config.identity_changed * config.packages)),
    ]
    category = [ATTESTED] * config.packages
    start = 0
    for kind, count in counts:
        for index in order[start : start + count]:
            category[index] = kind
        start += count

    packages = []
    invalid_seen = 0
    for index, name in enumerate(names):
        owner = rng.choice(owners)
        workflow = rng.choice(_WORKFLOWS)
        repository = f"{owner}/{name}"
        kind = category[index]
        count = config.releases + (1 if kind == IDENTITY_CHANGED else 0)
        versions = _versions(rng, count)
        releases = [Release(v, repository, workflow, ATTESTED) for v in versions[:-1]]
        last = versions[-1]
        if kind == ATTESTED:
            releases.append(Release(last, repository, workflow, ATTESTED))
        elif kind == UNATTESTED:
            releases.append(Release(last, None, workflow, UNATTESTED))
        elif kind == INVALID:
            defect = BAD_SIGNATURE if invalid_seen % 2 == 0 else ALTERED_STATEMENT
            invalid_seen += 1
            releases.append(Release(last, repository, workflow, INVALID, defect))
        else:
            other = f"{_word(rng)}-{owner}/{name}"
            releases.append(Release(last, other, workflow, IDENTITY_CHANGED))
        packages.append(PlannedPackage(name, repository, workflow, kind, tuple(releases)))
    return packages
