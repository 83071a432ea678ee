"""The curated alternatives file: which comparable packages to suggest for an unsigned one.

The shipped default (``policy/data/alternatives.toml``) is small; a user file
(``--alternatives FILE``, same format) adds to it and wins for the packages it names. Whether
an alternative is offered is decided later, by verifying its current release on the index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyvouch.errors import ConfigError
from pyvouch.policy.tiers import check_name, normalize

VERSION = "1"


def parse_alternatives(data: dict[str, Any], path: Path | str) -> dict[str, tuple[str, ...]]:
    """``{normalized name: (alternative, ...)}``; `ConfigError` naming the key path."""
    unknown = sorted(set(data) - {"alternatives-version", "alternatives"})
    if unknown:
        raise ConfigError(path, "unknown key", where=unknown[0])
    if data.get("alternatives-version") != VERSION:
        raise ConfigError(
            path,
            f"must be {VERSION!r} (got {data.get('alternatives-version')!r})",
            where="alternatives-version",
        )
    table = data.get("alternatives", {})
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", where="alternatives")
    out: dict[str, tuple[str, ...]] = {}
    for name, values in table.items():
        where = f"alternatives.{name}"
        if check_name(name):
            raise ConfigError(path, str(check_name(name)), where=where)
        if not isinstance(values, list) or not values:
            raise ConfigError(path, "must be a non-empty array of package names", where=where)
        names: list[str] = []
        for i, value in enumerate(values):
            if not isinstance(value, str) or check_name(value):
                raise ConfigError(path, "must be a package name", where=f"{where}[{i}]")
            if normalize(value) == normalize(name):
                raise ConfigError(path, "names the package itself", where=f"{where}[{i}]")
            names.append(normalize(value))
        out[normalize(name)] = tuple(dict.fromkeys(names))
    return out
