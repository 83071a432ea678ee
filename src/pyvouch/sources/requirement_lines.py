"""pip's requirements-file syntax: logical lines and their options.

Line handling follows pip: ``\\`` continues a line, ``#`` starts a comment at the line start
or after whitespace, ``${VAR}`` expands from the environment. The requirement runs until the
first token starting with ``-``; the rest are options, named by what they do (``-r`` and
``--requirement`` are both ``requirement``; ``--hash`` is ``hash``...). pip's other options are
accepted (kept as ``ignored`` or as the flag); an unknown option is an ``InputError``, as in
pip. No file is read here: :mod:`pyvouch.sources.requirements` follows the includes.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import InputError
from pyvouch.redact import quote
from pyvouch.sources.pip_option_table import FILE_OPTIONS, PipOption

_COMMENT_RE = re.compile(r"(^|\s+)#.*$")


_ENV_VAR_RE = re.compile(r"(?P<var>\$\{(?P<name>[A-Z0-9_]+)\})")


# The options pip accepts in a requirements file (`pip_option_table.FILE_OPTIONS`). Those that
# say where packages come from are read; the others are accepted and ignored.
_READ = {
    "--requirement": "requirement",
    "--constraint": "constraint",
    "--editable": "editable",
    "--index-url": "index-url",
    "--extra-index-url": "extra-index-url",
    "--find-links": "find-links",
    "--hash": "hash",
}


# What older pips accepted in a requirements file: ignored, so an old file still reads.
_LEGACY_VALUE_OPTS = ("--global-option", "--install-option")


_LEGACY_FLAG_OPTS = (
    "--no-use-pep517",
    "--use-pep517",
    "--always-unzip",
    "-Z",
    "--allow-external",
    "--allow-unverified",
    "--allow-all-external",
    "--process-dependency-links",
)


def _spellings(option: PipOption) -> tuple[str, ...]:
    return (*option.names, *((option.short,) if option.short else ()))


# Options taking a value (the short forms may be glued to it: -rfile.txt), by what they do.
_VALUE_OPTS = {
    **{
        spelling: _READ.get(option.name, "ignored")
        for option in FILE_OPTIONS
        if option.kind.takes_value
        for spelling in _spellings(option)
    },
    **dict.fromkeys(_LEGACY_VALUE_OPTS, "ignored"),
}


_FLAG_OPTS = {
    *(s for o in FILE_OPTIONS if not o.kind.takes_value for s in _spellings(o)),
    *_LEGACY_FLAG_OPTS,
}


@dataclass
class RequirementLine:
    """One logical line: the requirement text (may be empty) and its options, each as
    (what it does, its value or None for a flag)."""

    file: Path
    number: int
    requirement: str
    options: list[tuple[str, str | None]]


def logical_lines(path: Path, content: str) -> list[RequirementLine]:
    joined: list[tuple[int, str]] = []
    buf: list[str] = []
    first = 0
    for number, raw in enumerate(content.splitlines(), 1):
        is_comment = bool(re.match(r"^\s*#", raw))
        if not raw.endswith("\\") or is_comment:
            line = " " + raw if is_comment else raw
            if buf:
                buf.append(line)
                joined.append((first, "".join(buf)))
                buf = []
            else:
                joined.append((number, line))
        else:
            if not buf:
                first = number
            buf.append(raw.rstrip("\\"))
    if buf:
        joined.append((first, "".join(buf)))
    out = []
    for number, line in joined:
        line = _COMMENT_RE.sub("", line).strip()
        if not line:
            continue
        line = _expand_env(line)
        req, opts = _split_options(line)
        out.append(RequirementLine(path, number, req, _parse_options(path, number, opts)))
    return out


def _expand_env(line: str) -> str:
    for var, name in _ENV_VAR_RE.findall(line):
        value = os.environ.get(name)
        if value is not None:
            line = line.replace(var, value)
    return line


def _split_options(line: str) -> tuple[str, str]:
    """pip's rule: the requirement runs until the first token starting with ``-``."""
    tokens = line.split(" ")
    args = []
    rest = tokens[:]
    for token in tokens:
        if token.startswith("-"):
            break
        args.append(token)
        rest.pop(0)
    return " ".join(args).strip(), " ".join(rest).strip()


def _parse_options(path: Path, number: int, text: str) -> list[tuple[str, str | None]]:
    if not text:
        return []
    where = f"line {number}"
    try:
        # shlex reads character by character: only pay for it when something is quoted.
        tokens = shlex.split(text) if any(c in text for c in "\"'\\") else text.split()
    except ValueError as err:
        raise InputError(path, f"cannot split options: {err}", where=where) from None
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        opt, eq, value = token.partition("=")
        if opt in _FLAG_OPTS and not eq:
            out.append((opt, None))
            continue
        if opt in _VALUE_OPTS:
            if not eq:
                if i >= len(tokens):
                    raise InputError(path, f"option {opt} needs a value", where=where)
                value = tokens[i]
                i += 1
            out.append((_VALUE_OPTS[opt], value))
            continue
        short = token[:2]
        if short in _VALUE_OPTS and len(token) > 2 and not token.startswith("--"):
            out.append((_VALUE_OPTS[short], token[2:]))
            continue
        raise InputError(path, f"unknown option {quote(opt)}", where=where)
    return out
