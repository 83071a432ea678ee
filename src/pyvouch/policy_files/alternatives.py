"""Read the curated alternatives: the shipped file and a user's ``--alternatives FILE``.

The format is `pyvouch.policy.alternatives`'s; this module only reads the files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pyvouch.errors import ConfigError
from pyvouch.policy.alternatives import parse_alternatives
from pyvouch.tomlfile import parse_toml, read_toml


def default_alternatives() -> dict[str, tuple[str, ...]]:
    text = (resources.files("pyvouch.policy") / "data" / "alternatives.toml").read_text("utf-8")
    where = "pyvouch/policy/data/alternatives.toml"
    return parse_alternatives(parse_toml(text, where, limit=None), where)


def load_alternatives(extra: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The shipped alternatives, with ``extra``'s entries laid over them."""
    merged = default_alternatives()
    if extra is not None:
        if not extra.is_file():
            raise ConfigError(extra, "no such alternatives file")
        merged.update(parse_alternatives(read_toml(extra), extra))
    return merged
