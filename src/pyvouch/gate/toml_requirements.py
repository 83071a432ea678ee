"""Requirements pip takes from TOML: ``--group [PATH:]NAME`` (PEP 735 dependency groups of a
``pyproject.toml``) and ``--requirements-from-script FILE`` (PEP 723 inline script metadata).

Each is read as pip 26.3 reads it, so that `pip_inputs` can check every requirement string
before pip starts. A pylock file (``pylock.toml``, ``pylock.NAME.toml``, which pip accepts
after ``-r`` and ``--group``) is not read here: the gate refuses it (its packages may be
sdists, directories or VCS checkouts that pip would build); ``pyvouch scan`` reads it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pyvouch.errors import InputError, UsageError
from pyvouch.sources.base import load_toml
from pyvouch.tomlfile import parse_toml

_PYLOCK_NAME = re.compile(r"^pylock\.[^.]+\.toml$")
_EXTRAS_RE = re.compile(r"^(.+)(\[[^\]]+\])$")
# PEP 723's reference regular expression (as pip uses it).
_SCRIPT_BLOCK = re.compile(
    r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
)
_MAX_GROUP_DEPTH = 64


def is_pylock(source: str) -> bool:
    """pip's test: the file (extras stripped, last URL segment) is named like a pylock."""
    match = _EXTRAS_RE.match(source)
    name = (match.group(1) if match else source).rstrip("/").rsplit("/", 1)[-1]
    return name == "pylock.toml" or bool(_PYLOCK_NAME.match(name))


def group_source(value: str) -> tuple[Path, str]:
    """``--group``'s value split as pip splits it: (pyproject path, group name)."""
    path, sep, group = value.rpartition(":")
    return Path(path if sep else "pyproject.toml"), group


def group_requirements(path: Path, group: str, text: str) -> list[str]:
    """The requirement strings of dependency group ``group`` (includes followed)."""
    doc = load_toml(path, text)
    table = doc.get("dependency-groups")
    if not isinstance(table, dict):
        raise InputError(path, "no [dependency-groups] table")
    groups: dict[str, Any] = {}
    for name, entries in table.items():
        key = canonicalize_name(str(name))
        if key in groups:
            raise InputError(path, f"dependency group {name!r} is defined twice")
        groups[key] = entries
    out: list[str] = []
    _expand_group(path, groups, canonicalize_name(group), [], out)
    return out


def _expand_group(
    path: Path, groups: dict[str, Any], name: str, stack: list[str], out: list[str]
) -> None:
    where = "dependency-groups"
    if name not in groups:
        raise InputError(path, f"no dependency group {name!r}", where=where)
    if name in stack or len(stack) > _MAX_GROUP_DEPTH:
        raise InputError(path, f"dependency group {name!r} includes itself", where=where)
    entries = groups[name]
    if not isinstance(entries, list):
        raise InputError(path, f"dependency group {name!r} is not a list", where=where)
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict) and set(entry) == {"include-group"}:
            include = entry["include-group"]
            if not isinstance(include, str):
                raise InputError(path, f"include-group in {name!r} is not a string", where=where)
            _expand_group(path, groups, canonicalize_name(include), [*stack, name], out)
        else:
            raise InputError(path, f"dependency group {name!r} has an invalid entry", where=where)


def script_requirements(path: Path, text: str) -> list[str]:
    """The ``dependencies`` of a script's ``# /// script`` block (PEP 723)."""
    blocks = [m for m in _SCRIPT_BLOCK.finditer(text) if m.group("type") == "script"]
    if len(blocks) != 1:
        problem = "no '# /// script' block" if not blocks else "more than one script block"
        raise InputError(path, problem)
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in blocks[0].group("content").splitlines(keepends=True)
    )
    metadata = parse_toml(
        content,
        path,
        error=InputError,
        limit=None,
        what="invalid TOML in the script block",
        locate=False,  # lines of the block, not of the file
    )
    dependencies = metadata.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise InputError(path, "the script's dependencies are not a list of strings")
    return list(dependencies)


def refuse_pylock(origin: str, shown: str) -> UsageError:
    return UsageError(
        f"{origin}: {shown} is a pylock file: pip would read it unchecked (its packages may "
        "be built from source); install it with `pyvouch install --lock FILE`"
    )
