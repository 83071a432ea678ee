"""Read one TOML file, turning every failure into a `ConfigError` that names the place."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pyvouch.errors import ConfigError

MAX_BYTES = 4 * 1024 * 1024
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MAX_KEY = 80


def toml_key(key: str) -> str:
    """A key as it would be written in TOML, for a key path in a message: bare when it can be,
    else quoted with escapes (so a key holding a newline cannot break the line), bounded."""
    if _BARE_KEY.fullmatch(key):
        return key if len(key) <= _MAX_KEY else key[:_MAX_KEY] + "..."
    return json.dumps(key if len(key) <= _MAX_KEY else key[:_MAX_KEY] + "...")


def toml_error(path: Path | str, err: tomllib.TOMLDecodeError) -> ConfigError:
    """``FILE:line L, column C: problem`` from a `tomllib` syntax error."""
    message = str(err)
    found = _AT.search(message)
    if found:
        problem = message[: found.start()]
        return ConfigError(
            path, f"invalid TOML: {problem}", where=f"line {found[1]}, column {found[2]}"
        )
    return ConfigError(path, f"invalid TOML: {message}")


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed document at ``path``."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as err:
        raise ConfigError(path, f"cannot read: {err.strerror or err}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(path, f"larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")  # a BOM is kept on edit (user_files), not an error
    except UnicodeDecodeError as err:
        raise ConfigError(path, f"not UTF-8 text (byte {err.start})") from None
    return parse_toml(text, path)


def parse_toml(text: str, path: Path | str) -> dict[str, Any]:
    """The parsed document ``text``; errors name ``path`` (a file, or e.g. ``REF:file``)."""
    if len(text) > MAX_BYTES:
        raise ConfigError(path, f"larger than {MAX_BYTES} bytes")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError(path, "invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as err:
        raise toml_error(path, err) from None
