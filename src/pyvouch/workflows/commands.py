"""Commands in ``run:`` scripts, well enough to find builds and uploads.

Shell is not parsed for real: each logical line (backslash continuations joined) is split
with `shlex` at ``;``, ``&&``, ``||``, ``|`` and parentheses; leading ``VAR=value``
assignments, ``sudo``/``env``/``time`` and runner prefixes (``python -m``, ``pipx run``,
``uvx``, ``uv tool run``, ``uv run``/``pdm run``/``poetry run``/``hatch run``) are dropped,
so ``pipx run twine upload`` and ``python -m build`` read as ``twine upload`` and ``build``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

from pyvouch.workflows.model import Step

_SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", ";;", "|&", "{", "}"}
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=.*")
_PYTHON = re.compile(r"(python|python3|python3\.\d+|py|pypy3?)(\.exe)?")
_WRAPPERS = {"sudo", "env", "time", "exec", "command", "nohup"}
# Options of runner prefixes that take a value.
_VALUED = {
    "pipx": {"--spec", "--python", "--pip-args", "--index-url"},
    "uvx": {"--from", "--with", "--python", "-p", "--index", "--index-url", "-w"},
    "uv": {"--from", "--with", "--python", "-p", "--directory", "--project", "--package"},
}


@dataclass(frozen=True, slots=True)
class Command:
    line: int
    name: str
    """The program: ``twine``, ``uv``, ``build`` (``python -m build``), ``setup.py``..."""
    args: tuple[str, ...]
    text: str
    """The logical line it came from, for messages."""

    @property
    def sub(self) -> str | None:
        return self.args[0] if self.args else None


def _logical_lines(step: Step) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, text in step.run_lines():
        if pending is not None:
            start, acc = pending
            text = acc + " " + text.strip()
            number = start
        if text.rstrip().endswith("\\"):
            pending = (number, text.rstrip()[:-1])
            continue
        pending = None
        out.append((number, text))
    if pending is not None:
        out.append(pending)
    return out


_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def _tokens(text: str) -> list[str]:
    # GitHub pastes each ${{ }} expression's value into the script before the shell reads
    # it: the expression is one word (TWINE_PASSWORD=${{ secrets.T }} twine upload ...).
    text = _EXPRESSION.sub(lambda m: "".join(m.group(0).split()), text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to whitespace
        return text.split("#", 1)[0].split()


def _skip_options(words: list[str], valued: set[str]) -> list[str]:
    i = 0
    while i < len(words) and words[i].startswith("-"):
        opt = words[i]
        i += 1
        if opt in valued and "=" not in opt and i < len(words):
            i += 1
    return words[i:]


def _unwrap(words: list[str]) -> list[str]:
    """Drop assignments, wrappers and runner prefixes; the real program and its args."""
    for _ in range(8):
        while words and (_ASSIGNMENT.fullmatch(words[0]) or words[0] in _WRAPPERS):
            words = words[1:]
        if not words:
            return words
        head = PurePosixPath(words[0]).name
        if _PYTHON.fullmatch(head):
            rest = words[1:]
            i = 0
            while i < len(rest) and rest[i].startswith("-") and rest[i] != "-m":
                i += 1
            if i < len(rest) and rest[i] == "-m" and i + 1 < len(rest):
                words = rest[i + 1 :]
                continue
            return rest[i:] if i < len(rest) else []
        if head == "pipx" and len(words) > 1 and words[1] == "run":
            words = _skip_options(words[2:], _VALUED["pipx"])
            continue
        if head == "uvx":
            words = _skip_options(words[1:], _VALUED["uvx"])
            continue
        if head == "uv" and len(words) > 2 and words[1] == "tool" and words[2] == "run":
            words = _skip_options(words[3:], _VALUED["uvx"])
            continue
        if head in ("uv", "pdm", "poetry", "hatch") and len(words) > 1 and words[1] == "run":
            words = _skip_options(words[2:], _VALUED.get(head, set()))
            continue
        return words
    return words


def _normal_name(word: str) -> str:
    name = PurePosixPath(word).name
    if name.endswith(".exe"):
        name = name[:-4]
    if name in ("pyproject-build",):
        return "build"
    if name in ("pip3",):
        return "pip"
    return name


def step_commands(step: Step) -> list[Command]:
    """Every simple command in the step's run script, with its line."""
    out: list[Command] = []
    for number, text in _logical_lines(step):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        current: list[str] = []
        for token in [*_tokens(text), ";"]:
            if token in _SEPARATORS:
                words = _unwrap(current)
                if words:
                    out.append(Command(number, _normal_name(words[0]), tuple(words[1:]), text))
                current = []
            else:
                current.append(token)
    return out


def has_flag(args: tuple[str, ...], *names: str) -> bool:
    """Whether any of the option ``names`` is given (``--opt``, ``--opt=x``, or short ``-x``)."""
    for arg in args:
        for name in names:
            if arg == name or (name.startswith("--") and arg.startswith(name + "=")):
                return True
            if (
                len(name) == 2
                and name.startswith("-")
                and arg.startswith("-")
                and not arg.startswith("--")
                and name[1] in arg[1:]
                and arg[1:].isalpha()
            ):
                return True
    return False


def option_value(args: tuple[str, ...], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None
