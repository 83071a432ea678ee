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

This module reads the files (following ``-r`` / ``-c``), applies each line's options and
turns the file into packages; :mod:`pyvouch.sources.requirement_lines` splits the text into
logical lines and options, :mod:`pyvouch.sources.requirement_packages` says what one
requirement becomes (pins, hashes, direct references).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    canonicalize_name,
)

from pyvouch.digests import Digests
from pyvouch.errors import InputError
from pyvouch.model import Package
from pyvouch.redact import quote
from pyvouch.sources import pip_resolve
from pyvouch.sources.base import (
    STDIN,
    Context,
    digest_of,
    index_or_none,
    merge_packages,
    norm_name,
    read_text,
)
from pyvouch.sources.requirement_lines import RequirementLine, logical_lines
from pyvouch.sources.requirement_packages import (
    context_for,
    direct_package,
    hash_pins,
    looks_direct,
    pinned_version,
)

_MAX_INCLUDE_DEPTH = 32


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
        hashes, unnamed = hash_pins(digests)
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
    for line in logical_lines(path, content):
        _handle_line(line, ctx, parsed, seen, constraint)


def included_files(path: Path, content: str) -> list[str]:
    """The files ``content`` (the text of ``path``) includes with ``-r`` or ``-c``, as written
    (relative to ``path``'s folder unless absolute; URLs included). Not recursive."""
    return [
        value
        for line in logical_lines(path, content)
        for opt, value in line.options
        if opt in ("requirement", "constraint") and value
    ]


# ---- one logical line ------------------------------------------------------------------------


def _handle_line(
    line: RequirementLine, ctx: Context, parsed: _Parsed, seen: list[Path], constraint: bool
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
            hashes.append(digest_of(context_for(ctx, line.file), value, where))
        elif opt == "editable" and value is not None:
            editable = value
    if editable is not None:
        if line.requirement:
            raise InputError(line.file, "text after an --editable value", where=where)
        if not constraint:
            parsed.packages.append(direct_package(editable, line, ctx, hashes, editable=True))
        return
    if not line.requirement:
        if hashes:
            raise InputError(line.file, "--hash without a requirement", where=where)
        return
    _handle_requirement(line, ctx, parsed, hashes, constraint)


def _handle_requirement(
    line: RequirementLine,
    ctx: Context,
    parsed: _Parsed,
    hashes: list[tuple[str, str]],
    constraint: bool,
) -> None:
    where = f"line {line.number}"
    try:
        req = Requirement(line.requirement)
    except InvalidRequirement as err:
        if looks_direct(line.requirement):
            if not constraint:
                parsed.packages.append(direct_package(line.requirement, line, ctx, hashes))
            return
        problem = str(err).splitlines()[0]
        raise InputError(line.file, f"invalid requirement: {problem}", where=where) from None
    marker = str(req.marker) if req.marker is not None else None
    lctx = context_for(ctx, line.file)
    if not lctx.keep(marker, where):
        return
    name = norm_name(lctx, req.name, where)
    if req.url:
        if not constraint:
            parsed.packages.append(
                direct_package(req.url, line, ctx, hashes, name=name, marker=marker)
            )
        return
    version = pinned_version(req)
    if constraint:
        if version is not None:
            parsed.constraints[name] = (version, tuple(hashes))
        return
    if version is None:
        parsed.unpinned.append((line.file, line.number, line.requirement))
        return
    sha256, unnamed = hash_pins(hashes)
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
