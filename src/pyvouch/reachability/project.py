"""A project's first-party code when no ``--source`` is given: the directory next to the lock,
following its ``pyproject.toml`` package settings (setuptools ``package-dir`` and
``packages.find.where``, hatch's wheel ``packages``, poetry's ``packages``), else ``src/``
when there is one, else the project directory itself; its ``tests``/``test`` directories are
the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyvouch.errors import InputError
from pyvouch.tomlfile import read_toml


def _table(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _declared(project: Path, pyproject: dict[str, Any]) -> list[Path]:
    tool = pyproject.get("tool")
    found: list[Path] = []
    package_dir = _table(tool, "setuptools", "package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        found.append(project / package_dir[""])
    where = _table(tool, "setuptools", "packages", "find", "where")
    if isinstance(where, list):
        found.extend(project / w for w in where if isinstance(w, str))
    hatch = _table(tool, "hatch", "build", "targets", "wheel", "packages")
    if isinstance(hatch, list):
        found.extend(project / p for p in hatch if isinstance(p, str))
    poetry = _table(tool, "poetry", "packages")
    if isinstance(poetry, list):
        for entry in poetry:
            if isinstance(entry, dict) and isinstance(entry.get("include"), str):
                base = entry.get("from") if isinstance(entry.get("from"), str) else "."
                found.append(project / str(base) / entry["include"])
    return [p for p in dict.fromkeys(found) if p.exists()]


def default_sources(project: Path) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(source dirs, test dirs) of the project in directory ``project``."""
    pyproject = project / "pyproject.toml"
    declared: list[Path] = []
    if pyproject.is_file():
        declared = _declared(project, read_toml(pyproject, error=InputError))
    tests = tuple(p for p in (project / "tests", project / "test") if p.is_dir())
    if declared:
        return tuple(declared), tests
    if (project / "src").is_dir():
        return (project / "src",), tests
    return (project,), tests
