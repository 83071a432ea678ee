"""Sources: turn an input (lock file, requirements, SBOM, environment) into ``Package``s.

The one entry point is :func:`load_packages`. Each format lives in its own module with a
``load(path, ctx, text=None)`` function; this module finds the input and picks the module.
See ``docs/sources.md`` for what each format reads and how narrowing works.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyvouch.errors import InputError, UsageError
from pyvouch.model import Package
from pyvouch.sources import (
    cyclonedx,
    environment,
    pdm,
    pipfile,
    poetry,
    pylock,
    requirements,
    uv,
)
from pyvouch.sources.base import (
    STDIN,
    Context,
    SourceResult,
    load_json,
    load_toml,
    read_text,
)
from pyvouch.sources.markers import PLATFORMS, Narrowing

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

FORMATS: dict[str, Loader] = {
    pylock.FORMAT: pylock.load,
    uv.FORMAT: uv.load,
    poetry.FORMAT: poetry.load,
    pipfile.FORMAT: pipfile.load,
    pdm.FORMAT: pdm.load,
    requirements.FORMAT: requirements.load,
    cyclonedx.FORMAT: cyclonedx.load,
    environment.FORMAT: environment.load,
}

_PYLOCK_NAME = re.compile(r"^pylock\.[^.]+\.toml$")


def load_packages(
    path: Path | None,
    *,
    python_version: str | None = None,
    platform: str | None = None,
    resolve: bool = True,
    index_url: str | None = None,
    format: str | None = None,
) -> SourceResult:
    """Read ``path`` (or the lock file found in the current directory) into packages.

    ``format`` forces a format (one of :data:`FORMATS`); otherwise it is detected by file
    name, then by content. ``python_version`` / ``platform`` narrow by markers (nothing is
    narrowed by default). ``resolve`` allows running pip for unpinned requirements;
    ``index_url`` is the index pip resolves against.

    Raises InputError (malformed or unreadable input, no lock found) or UsageError (bad
    parameters).
    """
    try:
        narrowing = Narrowing(python_version, platform)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}; one of {', '.join(FORMATS)}")

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
    loader = FORMATS[fmt]
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
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            STDIN, f"not UTF-8 text: {err.reason}", where=f"byte {err.start}"
        ) from None


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
    return requirements.FORMAT


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
        [n for n in names if n == "pylock.toml"],
        [n for n in names if _PYLOCK_NAME.match(n)],
        [n for n in names if n == "uv.lock"],
        [n for n in names if n == "poetry.lock"],
        [n for n in names if n == "Pipfile.lock"],
        [n for n in names if n == "pdm.lock"],
        [n for n in names if n == "requirements.txt"],
        [n for n in names if n.startswith("requirements") and n.endswith(".txt")],
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
    lower = name.lower()
    if name == "pylock.toml" or _PYLOCK_NAME.match(name) or lower.endswith(".pylock.toml"):
        return pylock.FORMAT
    for suffix, fmt in (
        ("uv.lock", uv.FORMAT),
        ("poetry.lock", poetry.FORMAT),
        ("pipfile.lock", pipfile.FORMAT),
        ("pdm.lock", pdm.FORMAT),
        (".cdx.json", cyclonedx.FORMAT),
        ("bom.json", cyclonedx.FORMAT),
    ):
        if lower.endswith(suffix):
            return fmt
    if lower.endswith((".txt", ".in")) or lower.startswith("requirements"):
        return requirements.FORMAT
    return None


def _by_content(path: Path, text: str) -> str | None:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data: Any = load_json(path, text)
        except InputError:
            return None
        if isinstance(data, dict):
            if data.get("bomFormat") == "CycloneDX":
                return cyclonedx.FORMAT
            if "_meta" in data and ("default" in data or "develop" in data):
                return pipfile.FORMAT
        return None
    try:
        toml = load_toml(path, text)
    except InputError:
        return None
    meta = toml.get("metadata")
    if "lock-version" in toml and "packages" in toml:
        return pylock.FORMAT
    if isinstance(toml.get("version"), int) and "package" in toml:
        return uv.FORMAT
    if isinstance(meta, dict):
        if "lock_version" in meta or "content_hash" in meta:
            return pdm.FORMAT
        if "lock-version" in meta or "content-hash" in meta or "files" in meta:
            return poetry.FORMAT
    if "@generated by Poetry" in text[:300]:
        return poetry.FORMAT
    return None
