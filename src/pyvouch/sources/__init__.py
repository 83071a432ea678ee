"""Sources: turn an input (lock file, requirements, SBOM, environment) into ``Package``s.

The one entry point is :func:`load_packages`. Each file format lives in its own module, read
through a `pyvouch.sources.registry.Source` registered below (a new format is one module and
one `register` line; the built-in ones are listed in `pyvouch.sources.formats` and their
modules imported only when read); this module finds the input and picks the format. An
environment (a directory or interpreter) is read by `environment`. See ``docs/sources.md``
for what each format reads and how narrowing works.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pyvouch.errors import InputError, UsageError
from pyvouch.limits import MAX_LOCK_BYTES
from pyvouch.model import Package
from pyvouch.sources import environment
from pyvouch.sources.base import (
    STDIN,
    Context,
    SourceResult,
    decode_text,
    load_json,
    load_toml,
    read_text,
)
from pyvouch.sources.formats import BUILT_IN, REQUIREMENTS
from pyvouch.sources.markers import PLATFORMS, Narrowing
from pyvouch.sources.registry import register, registered

for _format in BUILT_IN:  # in order of preference (see `registry`)
    register(_format)

__all__ = [
    "FORMATS",
    "PLATFORMS",
    "STDIN",
    "SourceResult",
    "detect",
    "find_lock",
    "load_packages",
]

Loader = Callable[..., list[Package]]


def formats() -> dict[str, Loader]:
    """Every format's reader by name: the registered ones, then the environment."""
    return {
        **{source.FORMAT: source.load for source in registered()},
        environment.FORMAT: environment.load,
    }


FORMATS = formats()
"""The built-in formats (`formats` also has those registered since)."""


def load_packages(
    path: Path | None,
    *,
    python_version: str | None = None,
    platform: str | None = None,
    resolve: bool = True,
    index_url: str | None = None,
    format: str | None = None,
    marker_environment: Mapping[str, str] | None = None,
) -> SourceResult:
    """Read ``path`` (or the lock file found in the current directory) into packages.

    ``format`` forces a format (one of :data:`FORMATS`); otherwise it is detected by file
    name, then by content. ``python_version`` / ``platform`` narrow by markers (nothing is
    narrowed by default); ``marker_environment`` instead narrows to one interpreter's whole marker
    environment (`markers.Narrowing`). ``resolve`` allows running pip for unpinned requirements;
    ``index_url`` is the index pip resolves against.

    Raises InputError (malformed or unreadable input, no lock found) or UsageError (bad
    parameters).
    """
    try:
        narrowing = Narrowing(python_version, platform, environment=marker_environment)
    except ValueError as err:
        raise UsageError(str(err)) from None
    known = formats()
    if format is not None and format not in known:
        raise UsageError(f"unknown format {format!r}; one of {', '.join(known)}")

    warnings: list[str] = []
    if format == environment.FORMAT:
        fmt, text = format, None
    elif path is not None and str(path) == "-":
        path = STDIN
        text = read_stdin()
        fmt = format or detect_text(text)
    else:
        if path is None:
            path, others = find_lock(Path.cwd())
            if others:
                warnings.append(f"read {path.name}; also found {', '.join(p.name for p in others)}")
        elif path.is_dir() and not environment.is_environment(path):
            path, others = find_lock(path)
            if others:
                warnings.append(f"read {path.name}; also found {', '.join(p.name for p in others)}")
        elif not path.exists():
            raise InputError(path, "no such file")
        fmt, text = (format, None) if format else detect(path)

    ctx = Context(
        path=path if path is not None else Path("<environment>"),
        narrowing=narrowing,
        resolve=resolve,
        index_url=index_url,
        warnings=warnings,
    )
    loader = known[fmt]
    if fmt == environment.FORMAT:
        packages = loader(path, ctx)
    else:
        assert path is not None
        packages = loader(path, ctx, text)
    return SourceResult(
        packages=packages,
        format=fmt,
        path=path,
        warnings=ctx.warnings,
        index_urls=ctx.index_urls,
        other_sources=ctx.other_sources,
    )


def read_stdin() -> str:
    """Standard input as text (UTF-8, a BOM dropped), for ``-`` as the lock."""
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError(
            "- reads a lock or requirements from standard input, which is a terminal here; "
            "pipe one in (e.g. uv export | pyvouch scan -)"
        )
    return decode_text(STDIN, sys.stdin.buffer.read(MAX_LOCK_BYTES + 1))


def detect_text(text: str) -> str:
    """The format of a lock read from standard input, by its content alone: a lock or SBOM
    that `detect` recognises, else requirements, unless it is JSON or TOML of another kind
    (which no requirements file is)."""
    if not text.strip():
        raise InputError(STDIN, "standard input is empty; pipe a lock or requirements into it")
    by_content = _by_content(STDIN, text)
    if by_content:
        return by_content
    if _other_document(text):
        raise InputError(
            STDIN,
            "cannot tell the format: JSON or TOML that is no lock pyvouch reads (pylock, "
            "uv.lock, poetry.lock, Pipfile.lock, pdm.lock, CycloneDX JSON) and no requirements",
        )
    return REQUIREMENTS.FORMAT


def _other_document(text: str) -> bool:
    """True when ``text`` is a JSON value or a TOML document with keys: not requirements."""
    if text.lstrip().startswith(("{", "[")):
        try:
            load_json(STDIN, text)
        except InputError:
            pass
        else:
            return True
    try:
        return bool(load_toml(STDIN, text))
    except InputError:
        return False


def find_lock(directory: Path) -> tuple[Path, list[Path]]:
    """The lock file to read in ``directory`` and the other candidates it outranks.

    Priority: pylock.toml, pylock.*.toml, uv.lock, poetry.lock, Pipfile.lock, pdm.lock,
    requirements.txt, requirements*.txt. Several pylock.*.toml or requirements*.txt (and no
    plain one) are ambiguous: an InputError asks to name one.
    """
    try:
        names = sorted(p.name for p in directory.iterdir() if p.is_file())
    except OSError as err:
        raise InputError(directory, f"cannot list: {err.strerror or err}") from None
    groups: list[list[str]] = [
        [n for n in names if re.fullmatch(pattern, n)]
        for source in registered()
        for pattern in source.LOCK_NAMES
    ]
    candidates = [g for g in groups if g]
    if not candidates:
        raise InputError(
            directory,
            "no lock file found (pylock.toml, uv.lock, poetry.lock, Pipfile.lock, pdm.lock, "
            "requirements*.txt); name one",
        )
    first = candidates[0]
    if len(first) > 1:
        raise InputError(directory, f"several candidates ({', '.join(first)}); name one")
    chosen = first[0]
    others = [n for g in candidates[1:] for n in g if n != chosen]
    return directory / chosen, [directory / n for n in dict.fromkeys(others)]


def detect(path: Path) -> tuple[str, str | None]:
    """The format of ``path`` by its name, else by its content (and the text, when read)."""
    if environment.is_environment(path):
        return environment.FORMAT, None
    by_name = _by_name(path.name)
    if by_name:
        return by_name, None
    text = read_text(path)
    if not text.strip():
        raise InputError(path, f"the file is empty; {_KNOWN_NAMES}")
    by_content = _by_content(path, text)
    if by_content:
        return by_content, text
    raise InputError(
        path,
        f"cannot tell the format (not a known lock file name, and the content is not "
        f"recognised); {_KNOWN_NAMES}",
    )


_KNOWN_NAMES = (
    "pyvouch reads pylock.toml (pylock.*.toml), uv.lock, poetry.lock, Pipfile.lock, pdm.lock, "
    "requirements files (*.txt, *.in, requirements*), CycloneDX JSON (*.cdx.json, bom.json) "
    "or an environment directory: give the file one of these names"
)


def _by_name(name: str) -> str | None:
    return next((s.FORMAT for s in registered() if s.claims_name(name)), None)


def _by_content(path: Path, text: str) -> str | None:
    document: Any
    if text.lstrip().startswith("{"):
        kind = "json"
        try:
            document = load_json(path, text)
        except InputError:
            return None
    else:
        kind = "toml"
        try:
            document = load_toml(path, text)
        except InputError:
            return None
    return next(
        (s.FORMAT for s in registered() if kind == s.CONTENT and s.claims_content(document, text)),
        None,
    )
