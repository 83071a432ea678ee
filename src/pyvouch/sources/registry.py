"""The input formats pyvouch reads, and how one is recognised.

A format is one module that satisfies `Source` and one `register` call (in
``sources/__init__.py``). The order of registration is the order of preference: the first
format whose lock file names are present wins `find_lock`, and the first that claims a file's
name, else its content, wins `detect`.

The built-in formats are `Reader`s (listed in `pyvouch.sources.formats`): recognised by what
the entry holds, their module imported only when a file of that format is read, so a scan of
a pylock.toml imports no other format's parser (start-up).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

if TYPE_CHECKING:
    from pathlib import Path

    from pyvouch.model import Package
    from pyvouch.sources.base import Context

Content = Literal["toml", "json"]
"""How a format's content is parsed to be recognised."""


class Source(Protocol):
    """An input format (a module): its name, how to recognise its files, how to read one."""

    @property
    def FORMAT(self) -> str:
        """The format's name (``--format NAME``, and in reports)."""

    @property
    def LOCK_NAMES(self) -> tuple[str, ...]:
        """Regular expressions (full match) for the file names `find_lock` picks up in a
        project directory, most preferred first; empty for a format never picked up."""

    @property
    def CONTENT(self) -> Content | None:
        """What the file's content is parsed as for `claims_content`; None when the format
        is recognised by its name only."""

    def claims_name(self, name: str) -> bool:
        """Whether a file called ``name`` is in this format."""

    def claims_content(self, document: Any, text: str) -> bool:
        """Whether the parsed ``document`` (of ``CONTENT``; ``text`` as read) is in this
        format."""

    def load(self, path: Path, ctx: Context, text: str | None = None) -> list[Package]:
        """The packages in ``path`` (``text`` when already read); `InputError` otherwise."""


class _Loads(Protocol):
    def load(self, path: Path, ctx: Context, text: str | None = None) -> list[Package]: ...


@dataclass(frozen=True)
class Reader:
    """A `Source` whose recognition is here and whose reading is the ``load`` function of
    ``module``, imported on the first `load`."""

    FORMAT: str
    LOCK_NAMES: tuple[str, ...]
    CONTENT: Content | None
    names: Callable[[str], bool]
    content: Callable[[Any, str], bool]
    module: str

    def claims_name(self, name: str) -> bool:
        return self.names(name)

    def claims_content(self, document: Any, text: str) -> bool:
        return self.content(document, text)

    def load(self, path: Path, ctx: Context, text: str | None = None) -> list[Package]:
        return cast(_Loads, importlib.import_module(self.module)).load(path, ctx, text)


_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add ``source`` after the formats already registered."""
    if any(s.FORMAT == source.FORMAT for s in _SOURCES):
        raise ValueError(f"format {source.FORMAT!r} is registered twice")
    _SOURCES.append(source)
    return source


def registered() -> tuple[Source, ...]:
    """Every registered format, in order of preference."""
    return tuple(_SOURCES)
