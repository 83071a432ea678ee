"""What one requirement becomes: its pinned version, its ``--hash`` pins, or a direct
reference (a path, a URL, a VCS checkout, an editable) read as a not-indexed package.

- ``name==V`` (or ``===``, no wildcard) is pinned; anything else is not;
- ``--hash`` values: the sha256 ones pin `Package.hashes`, each other one is a nameless file;
- a direct reference is named by ``NAME @ URL``, ``#egg=NAME`` or its wheel / sdist filename,
  or refused when none tells the project name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from packaging.requirements import Requirement

from pyvouch.digests import SHA256
from pyvouch.dist_names import dist_name
from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.redact import quote
from pyvouch.sources.base import (
    Context,
    filename_from_url,
    norm_name,
)
from pyvouch.sources.requirement_lines import RequirementLine


def context_for(ctx: Context, file: Path) -> Context:
    """``ctx`` for a line of ``file`` (an included file), so errors and warnings name it."""
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


def hash_pins(digests: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], tuple[FileRef, ...]]:
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


def pinned_version(req: Requirement) -> str | None:
    specs = list(req.specifier)
    if len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator in ("==", "===") and "*" not in spec.version:
        return spec.version
    return None


def looks_direct(text: str) -> bool:
    return (
        "://" in text
        or text.startswith((".", "/", "~"))
        or "/" in text
        or "\\" in text
        or text.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"))
    )


def direct_package(
    target: str,
    line: RequirementLine,
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
    guessed = name or (norm_name(context_for(ctx, line.file), egg, where) if egg else None)
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
