"""Find and read the policy file (``pyvouch.toml`` or ``[tool.pyvouch]`` in ``pyproject.toml``).

The parsing and validation are `pyvouch.policy.config`'s; this module only reads files.
"""

from __future__ import annotations

from pathlib import Path

from pyvouch.errors import ConfigError
from pyvouch.policy.config import CONFIG_FILE, PYPROJECT_FILE, config_from_document
from pyvouch.policy.schema import Policy
from pyvouch.tomlfile import read_toml


def load_config(path: Path) -> Policy:
    """The policy in ``path``: a ``pyproject.toml`` (its ``[tool.pyvouch]`` table; defaults if
    it has none) or any other TOML file with the keys at the top level."""
    return config_from_document(read_toml(path), path)


def find_config(directory: Path) -> Path | None:
    """The configuration file for a project whose root is ``directory``.

    ``pyvouch.toml`` if present, else ``pyproject.toml`` if it has a ``[tool.pyvouch]`` table,
    else None (defaults). Both at once is an error: which one rules would be a guess.
    Only ``directory`` itself is searched, never its parents.
    """
    own = directory / CONFIG_FILE
    pyproject = directory / PYPROJECT_FILE
    pyproject_has_table = False
    if pyproject.is_file():
        tool = read_toml(pyproject).get("tool", {})
        pyproject_has_table = isinstance(tool, dict) and "pyvouch" in tool
    if own.is_file():
        if pyproject_has_table:
            raise ConfigError(
                own,
                f"{pyproject} also has a [tool.pyvouch] table; keep the policy in one place",
            )
        return own
    return pyproject if pyproject_has_table else None


def discover(directory: Path, explicit: Path | None = None) -> Policy:
    """The policy for a run: from ``explicit`` when given, else found in ``directory``."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(explicit, "no such configuration file")
        return load_config(explicit)
    found = find_config(directory)
    return load_config(found) if found is not None else Policy()
