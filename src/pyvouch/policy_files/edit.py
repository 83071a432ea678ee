"""Format-preserving edits of a policy file (``pyvouch.toml`` or ``[tool.pyvouch]``).

Comments, order and everything else in the file stay as they were (tomlkit). Every edit is
validated by loading the result through the same parser as any run, so an edit can never
leave an invalid policy behind; the caller writes the returned text atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from pyvouch.errors import ConfigError
from pyvouch.policy.config import PYPROJECT_FILE, parse_config
from pyvouch.policy.tiers import normalize


def _root(doc: tomlkit.TOMLDocument, path: Path) -> Table | tomlkit.TOMLDocument:
    """The table holding the policy keys: the document, or its ``[tool.pyvouch]`` table."""
    if path.name != PYPROJECT_FILE:
        return doc
    tool = doc.setdefault("tool", tomlkit.table(is_super_table=True))
    if not isinstance(tool, Table):
        raise ConfigError(path, "must be a table", where="tool")
    table = tool.setdefault("pyvouch", tomlkit.table())
    if not isinstance(table, Table):
        raise ConfigError(path, "must be a table", where="tool.pyvouch")
    return table


def _table(parent: Table | tomlkit.TOMLDocument, key: str, path: Path, where: str) -> Table:
    item = parent.get(key)
    if item is None:
        item = tomlkit.table()
        parent[key] = item
    if not isinstance(item, Table):
        raise ConfigError(path, "must be a table", where=where)
    return item


def _parse(text: str, path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as err:
        raise ConfigError(path, f"not valid TOML: {err}") from None


def _validated(doc: tomlkit.TOMLDocument, path: Path) -> str:
    text = tomlkit.dumps(doc)
    data: Any = tomlkit.parse(text).unwrap()
    prefix = ""
    if path.name == PYPROJECT_FILE:
        data, prefix = data["tool"]["pyvouch"], "tool.pyvouch"
    parse_config(data, path, prefix)  # raises ConfigError naming the key path
    return text


def add_critical_and_publishers(
    text: str, path: Path, critical: Sequence[str], publishers: Mapping[str, str]
) -> tuple[str, list[str]]:
    """``text`` with ``critical`` added to the critical tier and ``publishers`` set.

    A package that already has an expected publisher keeps it (a change of identity is a
    decision for a person, made by editing the file). Returns the new text and what changed.
    """
    doc = _parse(text, path)
    root = _root(doc, path)
    prefix = "tool.pyvouch." if path.name == PYPROJECT_FILE else ""
    tiers = _table(root, "tiers", path, f"{prefix}tiers")
    tier = _table(tiers, "critical", path, f"{prefix}tiers.critical")
    current = tier.get("packages", [])
    if not isinstance(current, list):
        raise ConfigError(path, "must be a list", where=f"{prefix}tiers.critical.packages")
    have = {normalize(str(n)) for n in current}
    changes: list[str] = []
    added = [n for n in critical if normalize(n) not in have]
    if added:
        packages = tier.get("packages")
        if packages is None:
            tier["packages"] = tomlkit.array()
            packages = tier["packages"]
        for name in added:
            packages.append(name)
        changes.append(f"critical tier: added {', '.join(added)}")
    table = _table(root, "publishers", path, f"{prefix}publishers")
    existing = {normalize(str(k)): k for k in table}
    for name, spec in publishers.items():
        key = existing.get(normalize(name))
        if key is not None:
            if str(table[key]) != spec:
                changes.append(f"publishers: kept {key} = {table[key]} (readiness saw {spec})")
            continue
        table[name] = spec
        changes.append(f"publishers: {name} = {spec}")
    return _validated(doc, path), changes


def set_mode(text: str, path: Path, mode: str) -> str:
    """``text`` with the policy's mode set to ``mode`` (validated)."""
    doc = _parse(text, path)
    _root(doc, path)["mode"] = mode
    return _validated(doc, path)
