"""Which files get signed: every wheel and sdist named, or found in a named directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyvouch.dist_names import dist_name
from pyvouch.errors import InputError

ATTESTATION_SUFFIX = ".publish.attestation"


@dataclass(frozen=True, slots=True)
class DistToSign:
    path: Path
    kind: str
    """``wheel`` or ``sdist``."""

    def attestation_name(self) -> str:
        return self.path.name + ATTESTATION_SUFFIX


def dist_kind(path: Path) -> str | None:
    """``wheel`` or ``sdist`` if the name is a valid distribution filename, else None."""
    parsed = dist_name(path.name)
    return parsed.kind if parsed is not None else None


def collect_dists(arguments: list[Path]) -> list[DistToSign]:
    """Resolve the arguments to distributions; refuse anything that is not one.

    A directory means every wheel and sdist directly inside it (attestations and other files
    beside them are ignored); a directory with none is an error, as is any named file that is
    not a distribution.
    """
    found: dict[Path, DistToSign] = {}
    for arg in arguments:
        if arg.is_dir():
            inside = [p for p in sorted(arg.iterdir()) if p.is_file() and dist_kind(p)]
            if not inside:
                raise InputError(arg, "directory contains no wheel or sdist to sign")
            for path in inside:
                found.setdefault(path.resolve(), DistToSign(path, dist_kind(path) or ""))
            continue
        if not arg.exists():
            raise InputError(arg, "no such file")
        kind = dist_kind(arg)
        if kind is None:
            raise InputError(
                arg,
                "not a wheel or sdist (expected NAME-VERSION-...whl or NAME-VERSION.tar.gz); "
                "only distributions can carry PEP 740 attestations",
            )
        found.setdefault(arg.resolve(), DistToSign(arg, kind))
    if not found:
        raise InputError("(arguments)", "no distributions given")
    return list(found.values())
