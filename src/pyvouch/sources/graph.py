"""What `policy init` needs beyond the packages: direct dependencies and dependents counts.

Best effort, never an error: a lock whose format records no graph (pip's pylock.toml,
requirements files, Pipfile.lock) simply yields none, and the suggestions use what there is.

- Direct dependencies: ``[project].dependencies``, ``[project.optional-dependencies]`` and
  ``[dependency-groups]`` of the ``pyproject.toml`` next to the lock, and, in a ``uv.lock``,
  the dependencies of the project's own (editable / virtual) package.
- Dependents: for each package, how many locked packages depend on it, from the TOML lock
  formats that record it (pylock ``dependencies``, uv, pdm, poetry).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, canonicalize_name

from pyvouch.errors import InputError
from pyvouch.limits import MAX_LOCK_GRAPH_BYTES
from pyvouch.sources.base import load_toml


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str):
        return None
    try:
        return str(canonicalize_name(Requirement(value).name, validate=True))
    except (InvalidRequirement, InvalidName):
        return None


def _load(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_LOCK_GRAPH_BYTES:
            return {}
        return load_toml(path)
    except (OSError, InputError):
        return {}


def _names(values: Iterable[object]) -> list[str]:
    return [n for v in values if (n := _name(v)) is not None]


def _deps_of(entry: dict[str, Any]) -> list[str]:
    deps = entry.get("dependencies")
    if isinstance(deps, list):  # pylock / uv ({name = ...}) and pdm ("name>=1")
        return _names(deps)
    if isinstance(deps, dict):  # poetry: {name = spec}
        return _names(deps)
    return []


def dependents(lock: Path) -> dict[str, int]:
    """How many locked packages depend on each package (empty when the lock records none)."""
    data = _load(lock)
    entries = data.get("packages", data.get("package", []))
    if not isinstance(entries, list):
        return {}
    counts: Counter[str] = Counter()
    for entry in entries:
        if isinstance(entry, dict):
            for dep in set(_deps_of(entry)):
                counts[dep] += 1
    return dict(counts)


def direct(lock: Path) -> list[str]:
    """The project's direct dependencies, from pyproject.toml next to the lock (and uv.lock)."""
    out: list[str] = []
    pyproject = _load(lock.parent / "pyproject.toml")
    project = pyproject.get("project", {})
    if isinstance(project, dict):
        deps = project.get("dependencies", [])
        if isinstance(deps, list):
            out += _names(deps)
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            for group in optional.values():
                if isinstance(group, list):
                    out += _names(group)
    groups = pyproject.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group in groups.values():
            if isinstance(group, list):
                out += _names(g for g in group if isinstance(g, str))
    data = _load(lock) if lock.name == "uv.lock" else {}
    for entry in data.get("package", []) if isinstance(data.get("package"), list) else []:
        source = entry.get("source", {}) if isinstance(entry, dict) else {}
        if isinstance(source, dict) and "." in (source.get("editable"), source.get("virtual")):
            out += _deps_of(entry)
    return list(dict.fromkeys(out))
