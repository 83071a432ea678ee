"""Everything pip would act on, read before pip starts; what would make pip build is refused.

To resolve an sdist, a local directory, an editable or a VCS checkout, pip runs its build
backend (and installs its build dependencies), and it does so already in the dry run, before
pyvouch has verified anything. The gate therefore resolves wheels only (``--only-binary
:all:``, see the install command), and refuses, before pip starts, every input that would let
pip build anyway or override that:

- ``--no-binary`` (any value) and ``--only-binary`` with ``:none:``, wherever they are given:
  the command line, pip's configuration (see `pip_config`) or a requirements or constraints
  file, where pip applies them after the command line's options;
- ``-e``/``--editable``, and requirements that name a local directory, a VCS URL, or a source
  archive (local path, ``file:`` or ``http(s):`` URL, ``name @ URL``): they are built whatever
  the format options say. A wheel from a path or URL is not built; it is refused unless
  ``--allow-not-indexed`` (then pinned by its hash, not verified);
- requirement sources pyvouch cannot read first: a remote ``-r``/``-c`` URL, a pylock file.

The requirements of ``--group`` (a pyproject.toml's dependency groups) and
``--requirements-from-script`` (PEP 723) are read and checked like the others.

``-r``/``-c`` files are read as pip reads them: recursively, nested paths relative to the file
that names them, ``\\`` continuations, comments, ``${VAR}`` expansion with pip's environment,
options parsed by pip's rules on every line. A file that cannot be read as text (missing, a
directory, a device, binary, not UTF-8) is a one-line error. Each refusal names the option or
requirement and where it came from (``command line``, ``FILE:LINE``, ``$PIP_X``, a pip.conf).
With ``--allow-sdists`` the build-related refusals are lifted (the user accepts the build).
"""

from __future__ import annotations

import os
import re
import shlex
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packaging.requirements import InvalidRequirement, Requirement

from pyvouch.errors import InputError, UsageError
from pyvouch.gate.pip_options import Given, parse_file_options, printable
from pyvouch.gate.toml_requirements import (
    group_requirements,
    group_source,
    is_pylock,
    refuse_pylock,
    script_requirements,
)
from pyvouch.index.simple import strip_credentials
from pyvouch.limits import MAX_PIP_INPUT_BYTES
from pyvouch.urls import split_url

_MAX_DEPTH = 32
# pip's req_file: comment, environment variable and URL patterns.
_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE = re.compile(r"(?P<var>\$\{(?P<name>[A-Z0-9_]+)\})")
_SCHEME_RE = re.compile(r"^(http|https|file):", re.I)
_EXTRAS_RE = re.compile(r"^(.+)(\[[^\]]+\])$")
_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"})
_VCS = frozenset({"git", "hg", "svn", "bzr"})
# pip's utils.filetypes.ARCHIVE_EXTENSIONS
_ARCHIVES = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
    ".tar.gz", ".tgz", ".tar",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class GateFlags:
    allow_sdists: bool
    allow_not_indexed: bool


class What(Enum):
    INDEX = "index"
    WHEEL = "wheel"
    """A wheel from a path or URL: nothing to build, nothing on the index to verify."""
    SOURCE = "source"
    """A source archive from a path or URL: pip builds it."""
    TREE = "tree"
    """A directory, VCS checkout or editable: pip builds it and cannot pin it by hash."""


@dataclass(frozen=True, slots=True)
class Classified:
    what: What
    where: str = ""
    """For anything but INDEX: what it is (``local directory file:///src``, ...)."""


_USERINFO = re.compile(r"(//)[^/@\s]*@")


def _no_credentials(text: str) -> str:
    try:
        return strip_credentials(text)
    except ValueError:  # not a URL urllib can split: drop anything like user:password@
        return _USERINFO.sub(r"\1", text)


def _excerpt(text: str, limit: int = 120) -> str:
    text = _no_credentials(text) if "://" in text else text
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# ---- what a requirement names ----------------------------------------------------------------


def _scheme(text: str) -> str:
    try:
        return urlsplit(text).scheme.lower()
    except ValueError:
        return ""


def _is_url(text: str) -> bool:
    """pip's ``is_url``: a scheme pip fetches from or a VCS scheme."""
    scheme = _scheme(text)
    return scheme in _URL_SCHEMES or scheme.split("+", 1)[0] in _VCS


def _looks_like_path(text: str) -> bool:
    return os.sep in text or (os.altsep is not None and os.altsep in text) or text.startswith(".")


def _archive(name: str) -> bool:
    return name.lower().endswith(_ARCHIVES)


def _file_or_dir(path: str, label: str) -> Classified:
    if Path(path).is_dir():
        return Classified(What.TREE, "local directory")
    return Classified(What.WHEEL if Path(path).suffix == ".whl" else What.SOURCE, label)


def _link(url: str) -> Classified:
    """A URL requirement, as pip's ``Link`` sees it."""
    scheme = _scheme(url)
    if scheme.split("+", 1)[0] in _VCS:
        return Classified(What.TREE, "VCS checkout")
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return Classified(What.SOURCE, "URL pyvouch cannot read")
    if scheme == "file":
        return _file_or_dir(url2pathname(path), "local file")
    base = path.rstrip("/").rsplit("/", 1)[-1]
    return Classified(What.WHEEL if Path(base).suffix == ".whl" else What.SOURCE, "direct URL")


def classify(text: str) -> Classified:
    """What a requirement line or argument names, by pip's rules (``parse_req_from_line``).

    A string neither pip nor `packaging` can read as a requirement is INDEX here: pip refuses
    it itself, before building anything."""
    name = text
    sep = "; " if _is_url(name) else ";"
    name = name.split(sep, 1)[0].strip()
    if _is_url(name):
        return _link(name)
    match = _EXTRAS_RE.match(name)
    path = match.group(1) if match else name
    if _looks_like_path(name) and Path(path).is_dir():
        return Classified(What.TREE, "local directory")
    if _archive(path):
        before_at, at, _ = name.partition("@")
        # pip: a missing "file" whose name has "@" after a non-path is a PEP 508 URL req.
        if Path(path).exists() or not at or _looks_like_path(before_at):
            return _file_or_dir(path, "local file")
    try:
        requirement = Requirement(name)
    except InvalidRequirement:
        return Classified(What.INDEX)
    if requirement.url:
        return _link(requirement.url)
    return Classified(What.INDEX)


# ---- the checks ------------------------------------------------------------------------------


def _build_refusal(origin: str, shown: str) -> UsageError:
    return UsageError(
        f"{origin}: {shown} would let pip build an sdist, which runs its code before "
        "anything is verified; pyvouch install resolves wheels only (--allow-sdists builds, "
        "ungated)"
    )


def check_requirement(text: str, origin: str, flags: GateFlags) -> None:
    found = classify(text)
    shown = _excerpt(text)
    if found.what is What.TREE:
        raise UsageError(
            f"{origin}: {shown} is a {found.where}: pip would run its build code, and cannot "
            "pin it by hash, so pyvouch install cannot gate it; install it separately"
        )
    if found.what is What.SOURCE and not flags.allow_sdists:
        raise UsageError(
            f"{origin}: {shown} is a source archive ({found.where}): pip would run its build "
            "code before anything is verified; pyvouch install takes wheels only "
            "(--allow-sdists builds, ungated)"
        )
    if found.what in (What.WHEEL, What.SOURCE) and not flags.allow_not_indexed:
        raise UsageError(
            f"{origin}: {shown} comes from a {found.where}, not the index: there is nothing "
            "to verify; give --allow-not-indexed to install it pinned by its hash"
        )


def _check_option(given: Given, flags: GateFlags) -> None:
    name = given.option.name
    value = given.value or ""
    if name == "--no-binary" and not flags.allow_sdists:
        raise _build_refusal(given.origin, given.show())
    if name == "--only-binary" and ":none:" in value.split(",") and not flags.allow_sdists:
        raise _build_refusal(given.origin, given.show())
    if name == "--editable":
        raise UsageError(
            f"{given.origin}: {given.show()}: an editable install is built from source; pip "
            "runs its build code and cannot pin it by hash, so pyvouch install cannot gate it"
        )


# ---- requirement and constraint files --------------------------------------------------------


def read_requirements_file(path: Path, origin: str) -> str:
    """The file's text, or a one-line `InputError` (missing, directory, device, binary...)."""
    named = "given on the command line" if origin == "command line" else f"named at {origin}"
    shown = printable(str(path), 300)
    try:
        info = path.stat()
    except OSError as err:
        raise InputError(shown, f"cannot read: {err.strerror or err} ({named})") from None
    except ValueError:
        raise InputError(shown, f"cannot read: not a valid path ({named})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(shown, f"is a directory, not a requirements file ({named})")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(shown, f"not a regular file ({named})")
    if info.st_size > MAX_PIP_INPUT_BYTES:
        raise InputError(shown, f"larger than {MAX_PIP_INPUT_BYTES >> 20} MiB ({named})")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(shown, f"cannot read: {err.strerror or err} ({named})") from None
    if b"\x00" in data:
        raise InputError(
            shown, f"binary, not a requirements file (NUL at byte {data.index(0)}; {named})"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(shown, f"not UTF-8 text (byte {err.start}; {named})") from None


def _logical_lines(content: str) -> Iterator[tuple[int, str]]:
    """pip's ``preprocess`` before env expansion: joined continuations, comments removed."""
    buf: list[str] = []
    first = 0
    for number, line in enumerate(content.splitlines(), 1):
        is_comment = bool(_COMMENT_RE.match(line))
        if not line.endswith("\\") or is_comment:
            if is_comment:
                line = " " + line
            if buf:
                buf.append(line)
                joined, buf = "".join(buf), []
                yield from _kept(first, joined)
            else:
                yield from _kept(number, line)
        else:
            if not buf:
                first = number
            buf.append(line.strip("\\"))
    if buf:
        yield from _kept(first, "".join(buf))


def _kept(number: int, line: str) -> Iterator[tuple[int, str]]:
    line = _COMMENT_RE.sub("", line).strip()
    if line:
        yield number, line


def _expand(line: str, env: Mapping[str, str]) -> str:
    for var, name in _ENV_VAR_RE.findall(line):
        value = env.get(name)
        if value is not None:
            line = line.replace(var, value)
    return line


def _split(line: str) -> tuple[str, str]:
    """pip's ``break_args_options``: the requirement runs to the first token starting ``-``."""
    tokens = line.split(" ")
    args: list[str] = []
    for token in tokens:
        if token.startswith("-"):
            break
        args.append(token)
    return " ".join(args), " ".join(tokens[len(args) :])


@dataclass
class _Walk:
    flags: GateFlags
    env: Mapping[str, str]
    seen: set[Path]
    requirements: list[tuple[str, str]]


def _file_target(value: str, parent: Path | None, origin: str) -> Path:
    if _SCHEME_RE.match(value):
        if value[:5].lower() != "file:":
            raise UsageError(
                f"{origin}: requirements file {_excerpt(value)} is remote: pyvouch install "
                "reads every requirements file before pip does and does not fetch them; "
                "download it and give the local file"
            )
        parts = split_url(value)
        if parts is None:
            raise UsageError(f"{origin}: requirements file {_excerpt(value)} is a malformed URL")
        return Path(url2pathname(unquote(parts.path)))
    if parent is None:
        return Path(value)
    return parent.parent / value


def _walk_file(path: Path, origin: str, walk: _Walk, depth: int) -> None:
    shown = printable(str(path), 300)
    if depth > _MAX_DEPTH:
        raise InputError(shown, f"requirements files nested more than {_MAX_DEPTH} deep")
    content = read_requirements_file(path, origin)
    key = path.resolve()
    if key in walk.seen:
        return  # read and checked already; pip would read the same lines again
    walk.seen.add(key)
    for number, line in _logical_lines(content):
        place = f"{shown}:{number}"
        line = _expand(line, walk.env)
        requirement, option_text = _split(line)
        try:
            tokens = shlex.split(option_text)
        except ValueError as err:
            raise InputError(shown, f"cannot split options: {err}", where=str(number)) from None
        for given in parse_file_options(tokens, place):
            _walk_option(given, path, walk, depth)
        if requirement:
            check_requirement(requirement, place, walk.flags)
            walk.requirements.append((requirement, place))


def _walk_option(given: Given, parent: Path | None, walk: _Walk, depth: int) -> None:
    _check_option(given, walk.flags)
    name, value = given.option.name, given.value
    if value is None:
        return
    source = str(group_source(value)[0]) if name == "--group" else value
    if name in ("--requirement", "--constraint", "--group") and is_pylock(source):
        raise refuse_pylock(given.origin, given.show())
    if name in ("--requirement", "--constraint"):
        target = _file_target(value, parent, given.origin)
        _walk_file(target, given.origin, walk, depth + 1)
    elif name == "--group":
        path, group = group_source(value)
        text = read_requirements_file(path, given.origin)
        shown = Path(printable(str(path), 300))
        place = f"{shown} [dependency-groups] {printable(group)}"
        _check_all(group_requirements(shown, group, text), place, walk)
    elif name == "--requirements-from-script":
        path = Path(value)
        text = read_requirements_file(path, given.origin)
        shown = Path(printable(str(path), 300))
        _check_all(script_requirements(shown, text), f"{shown} (script metadata)", walk)


def _check_all(requirements: list[str], place: str, walk: _Walk) -> None:
    for text in requirements:
        check_requirement(text, place, walk.flags)
        walk.requirements.append((text, place))


def check_pip_inputs(
    options: tuple[Given, ...],
    requirements: tuple[str, ...],
    flags: GateFlags,
    env: Mapping[str, str],
) -> tuple[tuple[str, str], ...]:
    """Read every option, requirement and (recursively) requirements file pip would act on;
    raise `UsageError`/`InputError` for the first that could make pip build (see above).
    Returns every requirement read, with where it was given (to name it in pip's errors)."""
    walk = _Walk(flags, env, set(), [])
    for given in options:
        _walk_option(given, None, walk, 0)
    for text in requirements:
        if text.startswith("-"):
            raise UsageError(f"command line: {_excerpt(text)} is not a requirement")
        check_requirement(text, "command line", flags)
        walk.requirements.append((text, "command line"))
    return tuple(walk.requirements)


def name_sources(line: str, requirements: tuple[tuple[str, str], ...]) -> str:
    """One of pip's error lines, with where the requirements it quotes were given."""
    places: list[str] = []
    for text, origin in requirements:
        pattern = r"(?<![\w.\-])" + re.escape(text.strip()) + r"(?![\w.\-])"
        if origin not in places and re.search(pattern, line):
            places.append(origin)
    if not places:
        return line
    return f"{line} [given at {', '.join(places)}]".replace(
        "given at command line", "given on the command line"
    )
