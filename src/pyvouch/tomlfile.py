"""Read TOML: one reader and one error mapping for every file pyvouch reads as TOML.

Every failure is one `InputError` (a `ConfigError` for the policy's files) that names the file,
the place (``line L, column C`` or ``end of document``) when tomllib says it, and the problem.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pyvouch.errors import ConfigError, InputError
from pyvouch.limits import MAX_CONFIG_BYTES

MAX_BYTES = MAX_CONFIG_BYTES
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = " (at end of document)"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MAX_KEY = 80


def toml_key(key: str) -> str:
    """A key as it would be written in TOML, for a key path in a message: bare when it can be,
    else quoted with escapes (so a key holding a newline cannot break the line), bounded."""
    if _BARE_KEY.fullmatch(key):
        return key if len(key) <= _MAX_KEY else key[:_MAX_KEY] + "..."
    return json.dumps(key if len(key) <= _MAX_KEY else key[:_MAX_KEY] + "...")


def toml_error(
    path: Path | str,
    err: tomllib.TOMLDecodeError,
    *,
    error: type[InputError] = ConfigError,
    what: str = "invalid TOML",
    locate: bool = True,
) -> InputError:
    """``FILE:line L, column C: WHAT: problem`` from a `tomllib` syntax error. ``locate=False``
    keeps the place in the message (for TOML embedded in another file, whose lines differ)."""
    message = str(err)
    if locate:
        found = _AT.search(message)
        if found:
            return error(
                path,
                f"{what}: {message[: found.start()]}",
                where=f"line {found[1]}, column {found[2]}",
            )
        if message.endswith(_AT_END):
            return error(path, f"{what}: {message.removesuffix(_AT_END)}", where="end of document")
    return error(path, f"{what}: {message}")


def parse_toml(
    text: str,
    path: Path | str,
    *,
    error: type[InputError] = ConfigError,
    limit: int | None = MAX_BYTES,
    what: str = "invalid TOML",
    locate: bool = True,
) -> dict[str, Any]:
    """The parsed document ``text``; errors name ``path`` (a file, or e.g. ``REF:file``).
    ``limit`` (characters; None for none) refuses larger text."""
    if limit is not None and len(text) > limit:
        raise error(path, f"larger than {limit} bytes")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise error(path, f"{what}: nested too deeply") from None
    except tomllib.TOMLDecodeError as err:
        raise toml_error(path, err, error=error, what=what, locate=locate) from None


def read_toml(
    path: Path, *, error: type[InputError] = ConfigError, limit: int | None = MAX_BYTES
) -> dict[str, Any]:
    """The parsed document at ``path`` (UTF-8; a BOM is allowed)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read() if limit is None else fh.read(limit + 1)
    except OSError as err:
        raise error(path, f"cannot read: {err.strerror or err}") from None
    if limit is not None and len(raw) > limit:
        raise error(path, f"larger than {limit} bytes")
    try:
        text = raw.decode("utf-8-sig")  # a BOM is kept on edit (user_files), not an error
    except UnicodeDecodeError as err:
        raise error(path, f"not UTF-8 text (byte {err.start})") from None
    return parse_toml(text, path, error=error, limit=limit)
