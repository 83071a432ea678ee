"""pip's install options, parsed the way pip parses them, so pyvouch sees what pip will see.

pip reads its options with `optparse`: long options may be abbreviated to any unique prefix
(``--no-bin`` is ``--no-binary``), short options cluster (``-qre.txt`` is ``-q -r e.txt``), a
value follows ``=`` or comes as the next argument. pyvouch builds an `optparse` parser from the
same table (`pyvouch.sources.pip_option_table`: pip 26.3's ``install`` options, and the subset
pip accepts in a requirements file),
records every option in order with where it came from (`Given`), and hands pip back only the
canonical spelling of what it recorded (`render`). What pip then parses is exactly what pyvouch
checked; an option the table does not know is refused rather than passed on unread.
"""

from __future__ import annotations

import optparse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from pyvouch.errors import UsageError
from pyvouch.sources.pip_option_table import (
    BY_NAME,
    BY_SHORT,
    FILE_OPTIONS,
    INSTALL_OPTIONS,
    PipOption,
)


@dataclass(frozen=True, slots=True)
class Given:
    """One pip option as given, with where it came from."""

    option: PipOption
    value: str | None
    origin: str
    """``command line``, ``reqs.txt:3``, ``$PIP_NO_BINARY``, ``pip configuration ...``."""

    def args(self) -> list[str]:
        """The canonical spelling pip is handed."""
        if self.value is None:
            return [self.option.name]
        return [f"{self.option.name}={self.value}"]

    def show(self) -> str:
        """How a message quotes it."""
        value = "" if self.value is None else f" {printable(self.value)}"
        return f"{self.option.name}{value}"


def printable(text: str, limit: int = 120) -> str:
    """``text`` for a one-line message: control characters escaped, at most ``limit`` long."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class Parsed:
    given: tuple[Given, ...]
    positional: tuple[str, ...]


class _Parser(optparse.OptionParser):
    def __init__(self, place: str) -> None:
        super().__init__(add_help_option=False, usage=optparse.SUPPRESS_USAGE)
        self.place = place

    def error(self, msg: str) -> NoReturn:
        raise UsageError(f"{self.place}: pip option error: {printable(msg, 300)}")

    def exit(self, status: int = 0, msg: str | None = None) -> NoReturn:
        raise UsageError(f"{self.place}: pip option error: {printable(msg or str(status), 300)}")


def _parser(options: Iterable[PipOption], place: str, found: list[Given]) -> _Parser:
    parser = _Parser(place)

    def record(
        _opt: optparse.Option, opt_str: str, value: Any, _parser: optparse.OptionParser
    ) -> None:
        option = BY_NAME[opt_str] if opt_str.startswith("--") else BY_SHORT[opt_str]
        found.append(Given(option, value if isinstance(value, str) else None, place))

    for option in options:
        flags = [*((option.short,) if option.short else ()), *option.names]
        if option.kind.takes_value:
            parser.add_option(*flags, action="callback", callback=record, type="string", nargs=1)
        else:
            parser.add_option(*flags, action="callback", callback=record)
    return parser


def parse_command_line(args: Sequence[str]) -> Parsed:
    """The user's ``pip install`` arguments: options in order, then the requirements."""
    found: list[Given] = []
    parser = _parser(INSTALL_OPTIONS, "command line", found)
    _, positional = parser.parse_args(list(args))
    return Parsed(tuple(found), tuple(positional))


def parse_file_options(tokens: Sequence[str], place: str) -> tuple[Given, ...]:
    """The options of one requirements-file line (already split as pip splits them)."""
    found: list[Given] = []
    _parser(FILE_OPTIONS, place, found).parse_args(list(tokens))
    return tuple(found)


def render(given: Iterable[Given]) -> list[str]:
    return [arg for g in given for arg in g.args()]
