"""The corpus manifest: what every file is and what it must verify as.

It holds nothing that varies between runs of the same seed (signatures, keys, certificates
and log entries do; they are not in it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyvouch.testing.corpus.plan import (
    IDENTITY_CHANGED,
    INVALID,
    UNATTESTED,
    CorpusConfig,
    PlannedPackage,
)


@dataclass(frozen=True)
class ManifestFile:
    project: str
    version: str
    filename: str
    sha256: str
    kind: str
    defect: str | None
    signed_by: str | None
    """Publisher spec of the certificate that signed it (None if unattested)."""
    publisher: str
    """The package's usual publisher spec."""
    expected: str
    """Status when verified with no expected publisher."""
    expected_pinned: str
    """Status when verified expecting ``publisher``."""


@dataclass
class Manifest:
    config: CorpusConfig
    packages: list[PlannedPackage]
    files: list[ManifestFile] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "pyvouch-corpus/1",
            "config": asdict(self.config),
            "nondeterministic": "signatures, certificates, keys, log entries and log indexes",
            "packages": [
                {
                    "name": p.name,
                    "publisher": p.publisher,
                    "category": p.category,
                    "versions": [r.version for r in p.releases],
                }
                for p in self.packages
            ],
            "files": [asdict(f) for f in self.files],
        }


def expected_status(kind: str, pinned: bool) -> str:
    """The status a file of this kind verifies as, with no expected publisher or pinned to the
    package's usual one."""
    if kind == UNATTESTED:
        return "unattested"
    if kind == INVALID:
        return "invalid"
    if kind == IDENTITY_CHANGED and pinned:
        return "mismatch"
    return "verified"


def load_manifest(out: Path) -> dict[str, Any]:
    """The manifest of a generated corpus, as JSON."""
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return data
