"""pip requirements files (``requirements*.txt``, pip-compile / uv / pdm / poetry exports).

Line handling follows pip: ``\\`` continues a line, ``#`` starts a comment at the line start
or after whitespace, ``${VAR}`` expands from the environment. Each requirement is parsed by
``packaging.requirements.Requirement``; bare paths and URLs (``./pkg``, ``x.whl``,
``git+https://...#egg=name``) are read as direct references.

Options: ``-r``/``--requirement`` and ``-c``/``--constraint`` are read relative to the file
that names them (constraints add no packages); ``-i``/``--index-url`` and
``--extra-index-url`` are recorded (``SourceResult.index_urls``; a non-PyPI primary index
sets ``index_url`` on each package); ``-e``/``--editable`` makes a not-indexed package;
per-requirement ``--hash`` (``=`` or space form) pins digests. Other pip options are accepted
and ignored; an unknown option is an error, as in pip.

What a requirement becomes:

- ``name==V --hash=sha256:...``: ``Package(name, V, hashes=...)``; the digests select the
  files (the file names are not in the input);
- ``name==V`` without hashes: ``Package(name, V)`` with no files (the scan takes that
  release's files from the index);
- ranges or no version: the whole file is resolved with ``pip install --dry-run --report``
  (see :mod:`pyvouch.sources.pip_resolve`), or ``InputError`` when resolution is off;
- a direct reference: not-indexed with its origin.

Narrowing: each requirement's environment marker is evaluated; the marker is kept on the
package either way.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    canonicalize_name,
)

from pyvouch.digests import SHA256, Digests
from pyvouch.dist_names import dist_name
from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.redact import quote
from pyvouch.sources import pip_resolve
from pyvouch.sources.base import (
    STDIN,
    Context,
    digest_of,
    filename_from_url,
    index_or_none,
    merge_packages,
    norm_name,
    read_text,
)
from pyvouch.sources.pip_option_table import FILE_OPTIONS, PipOption

FORMAT = "requirements"
LOCK_NAMES = (r"requirements\.txt", r"requirements.*\.txt")
CONTENT = None


def claims_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".txt", ".in")) or lower.startswith("requirements")


def claims_content(document: Any, text: str) -> bool:
    return False


_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE = re.compile(r"(?P<var>\$\{(?P<name>[A-Z0-9_]+)\})")
_MAX_INCLUDE_DEPTH = 32

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
class _Line:
    file: Path
    number: int
    requirement: str
    options: list[tuple[str, str | None]]


@dataclass
class _Parsed:
    packages: list[Package] = field(default_factory=list)
    unpinned: list[tuple[Path, int, str]] = field(default_factory=list)
    constraints: dict[str, tuple[str | None, Digests]] = field(default_factory=dict)
    """name -> (pinned version, its ``--hash`` digests as (algorithm, hex))."""
    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False


def load(path: Path, ctx: Context, text: str | None = None) -> list[Package]:
    parsed = _Parsed()
    _read_file(path, ctx, parsed, text=text, seen=[], constraint=False)
    if parsed.index_url:
        ctx.index_urls.append(parsed.index_url)
    ctx.index_urls.extend(u for u in parsed.extra_index_urls if u not in ctx.index_urls)
    ctx.other_sources.extend(f"--find-links {u}" for u in dict.fromkeys(parsed.find_links))
    if parsed.no_index:
        ctx.other_sources.append("--no-index")

    unresolved = []
    for file, number, req_text in parsed.unpinned:
        name = _name_of(req_text)
        pin = parsed.constraints.get(name) if name else None
        if pin and pin[0]:
            continue  # a constraint pins it; handled below
        unresolved.append((file, number, req_text))
    if unresolved:
        file, number, req_text = unresolved[0]
        if not ctx.resolve or path == STDIN:
            why = (
                "pip resolves files, not standard input: save it to a file to resolve it"
                if path == STDIN
                else "resolution is turned off"
            )
            raise InputError(
                file,
                f"requirement {quote(req_text)} is not pinned (==) and {why}",
                where=f"line {number}",
            )
        if ctx.narrowing.active:
            ctx.warn(
                f"{path}: resolved by pip for this interpreter; "
                f"{ctx.narrowing.describe()} was not applied to the resolution"
            )
        index = ctx.index_url if not parsed.index_url else None
        return pip_resolve.resolve(path, ctx, index_url=index)

    out = list(parsed.packages)
    for file, number, req_text in parsed.unpinned:
        name = _name_of(req_text)
        assert name is not None
        version, digests = parsed.constraints[name]
        hashes, unnamed = _hash_pins(digests)
        out.append(
            Package(
                name=name,
                version=version,
                files=unnamed,
                source=str(file),
                hashes=hashes,
                index_url=index_or_none(parsed.index_url),
            )
        )
        ctx.warn(f"{file}:line {number}: {quote(req_text)} pinned by a constraints file")
    primary = index_or_none(parsed.index_url)
    if primary:
        out = [
            p
            if p.index_url or p.origin
            else Package(
                name=p.name,
                version=p.version,
                files=p.files,
                source=p.source,
                origin=p.origin,
                index_url=primary,
                hashes=p.hashes,
                marker=p.marker,
            )
            for p in out
        ]
    return merge_packages(out)


def _name_of(req_text: str) -> str | None:
    try:
        return canonicalize_name(Requirement(req_text).name)
    except InvalidRequirement:
        return None


# ---- reading files ---------------------------------------------------------------------------


def _read_file(
    path: Path,
    ctx: Context,
    parsed: _Parsed,
    *,
    text: str | None,
    seen: list[Path],
    constraint: bool,
) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return  # pip reads a file twice; reading it once gives the same packages
    if len(seen) > _MAX_INCLUDE_DEPTH:
        raise InputError(path, "requirement files nested too deeply")
    seen = [*seen, resolved]
    content = read_text(path) if text is None else text
    for line in _logical_lines(path, content):
        _handle_line(line, ctx, parsed, seen, constraint)


def included_files(path: Path, content: str) -> list[str]:
    """The files ``content`` (the text of ``path``) includes with ``-r`` or ``-c``, as written
    (relative to ``path``'s folder unless absolute; URLs included). Not recursive."""
    return [
        value
        for line in _logical_lines(path, content)
        for opt, value in line.options
        if opt in ("requirement", "constraint") and value
    ]


def _logical_lines(path: Path, content: str) -> list[_Line]:
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
        out.append(_Line(path, number, req, _parse_options(path, number, opts)))
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


# ---- one logical line ------------------------------------------------------------------------


def _handle_line(
    line: _Line, ctx: Context, parsed: _Parsed, seen: list[Path], constraint: bool
) -> None:
    where = f"line {line.number}"
    hashes: list[tuple[str, str]] = []
    editable: str | None = None
    for opt, value in line.options:
        if opt in ("requirement", "constraint"):
            assert value is not None
            if "://" in value:
                raise InputError(
                    line.file, f"remote requirement file {quote(value)} is not read", where=where
                )
            target = Path(value) if Path(value).is_absolute() else line.file.parent / value
            if not target.is_file():
                raise InputError(line.file, f"included file {quote(value)} not found", where=where)
            _read_file(
                target,
                ctx,
                parsed,
                text=None,
                seen=seen,
                constraint=constraint or opt == "constraint",
            )
        elif opt == "index-url" and value:
            parsed.index_url = value
        elif opt == "extra-index-url" and value:
            if value not in parsed.extra_index_urls:
                parsed.extra_index_urls.append(value)
        elif opt == "find-links" and value:
            parsed.find_links.append(value)
        elif opt == "--no-index":
            parsed.no_index = True
        elif opt == "hash" and value is not None:
            if ":" not in value:
                raise InputError(
                    line.file, f"--hash {quote(value)} is not ALGORITHM:DIGEST", where=where
                )
            # Every algorithm is kept: pip accepts a file that matches any one of them.
            hashes.append(digest_of(_ctx_for(ctx, line.file), value, where))
        elif opt == "editable" and value is not None:
            editable = value
    if editable is not None:
        if line.requirement:
            raise InputError(line.file, "text after an --editable value", where=where)
        if not constraint:
            parsed.packages.append(_direct(editable, line, ctx, hashes, editable=True))
        return
    if not line.requirement:
        if hashes:
            raise InputError(line.file, "--hash without a requirement", where=where)
        return
    _handle_requirement(line, ctx, parsed, hashes, constraint)


def _ctx_for(ctx: Context, file: Path) -> Context:
    if file == ctx.path:
        return ctx
    return Context(
        file,
        ctx.narrowing,
        ctx.resolve,
        ctx.index_url,
        ctx.warnings,
        ctx.index_urls,
        ctx.other_sources,
    )


def _handle_requirement(
    line: _Line, ctx: Context, parsed: _Parsed, hashes: list[tuple[str, str]], constraint: bool
) -> None:
    where = f"line {line.number}"
    try:
        req = Requirement(line.requirement)
    except InvalidRequirement as err:
        if _looks_direct(line.requirement):
            if not constraint:
                parsed.packages.append(_direct(line.requirement, line, ctx, hashes))
            return
        problem = str(err).splitlines()[0]
        raise InputError(line.file, f"invalid requirement: {problem}", where=where) from None
    marker = str(req.marker) if req.marker is not None else None
    lctx = _ctx_for(ctx, line.file)
    if not lctx.keep(marker, where):
        return
    name = norm_name(lctx, req.name, where)
    if req.url:
        if not constraint:
            parsed.packages.append(_direct(req.url, line, ctx, hashes, name=name, marker=marker))
        return
    version = _pinned(req)
    if constraint:
        if version is not None:
            parsed.constraints[name] = (version, tuple(hashes))
        return
    if version is None:
        parsed.unpinned.append((line.file, line.number, line.requirement))
        return
    sha256, unnamed = _hash_pins(hashes)
    parsed.packages.append(
        Package(
            name=name,
            version=version,
            files=unnamed,
            source=str(line.file),
            hashes=sha256,
            marker=marker,
        )
    )


def _hash_pins(digests: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], tuple[FileRef, ...]]:
    """A requirement's ``--hash`` values: the sha256 ones for `Package.hashes`, each other
    one as a nameless file (pip installs a file matching ANY of them, so each is a file the
    scan must account for)."""
    sha256: list[str] = []
    others: list[FileRef] = []
    for algorithm, digest in digests:
        if algorithm == SHA256:
            sha256.append(digest)
        else:
            others.append(FileRef(filename="", other_digests=((algorithm, digest),)))
    return tuple(dict.fromkeys(sha256)), tuple(dict.fromkeys(others))


def _pinned(req: Requirement) -> str | None:
    specs = list(req.specifier)
    if len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator in ("==", "===") and "*" not in spec.version:
        return spec.version
    return None


def _looks_direct(text: str) -> bool:
    return (
        "://" in text
        or text.startswith((".", "/", "~"))
        or "/" in text
        or "\\" in text
        or text.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"))
    )


def _direct(
    target: str,
    line: _Line,
    ctx: Context,
    hashes: list[tuple[str, str]],
    *,
    editable: bool = False,
    name: str | None = None,
    marker: str | None = None,
) -> Package:
    where = f"line {line.number}"
    target = target.strip()
    base, _, fragment = target.partition("#")
    egg = None
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        if key == "egg" and value:
            egg = value
    if target.startswith(("git+", "hg+", "svn+", "bzr+")):
        kind = "vcs"
    elif editable:
        kind = "editable"
    elif base.startswith(("http://", "https://")):
        kind = "url"
    else:
        kind = "path"
    filename = (
        filename_from_url(base) if "://" in base else base.replace("\\", "/").rsplit("/", 1)[-1]
    )
    version = None
    guessed = name or (norm_name(_ctx_for(ctx, line.file), egg, where) if egg else None)
    if guessed is None:
        parsed = dist_name(filename)
        if parsed is not None:
            guessed, version = parsed.project, str(parsed.version)
    if guessed is None:
        raise InputError(
            line.file,
            f"cannot tell the project name of {quote(target)} (add #egg=NAME or use NAME @ URL)",
            where=where,
        )
    files: tuple[FileRef, ...] = ()
    if kind in ("url", "path") and filename.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2")):
        url = base if kind == "url" else None
        refs = [
            FileRef(filename=filename, sha256=h)
            if a == SHA256
            else FileRef(filename=filename, other_digests=((a, h),))
            for a, h in dict.fromkeys(hashes)
        ] or [FileRef(filename=filename)]
        files = tuple(replace(f, url=url) for f in refs)
    return Package(
        name=guessed,
        version=version,
        files=files,
        source=str(line.file),
        origin=f"{kind}:{target}" if kind != "vcs" else f"vcs:{target}",
        marker=marker,
    )
