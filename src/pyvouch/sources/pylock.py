"""pylock.toml (PEP 751), validated by ``packaging.pylock``.

Read: every ``[[packages]]`` entry; ``wheels`` and ``sdist`` become files (name, sha256, url,
size); ``vcs``, ``directory`` (editable or not) and ``archive`` make the package not-indexed
with an origin; ``index`` when it is not PyPI; ``attestation-identities`` as recorded;
``marker``. Narrowing evaluates each package's ``marker`` (``extras`` and
``dependency_groups`` stay unknown, so every extra and group is included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.pylock import Package as PylockPackage
from packaging.pylock import (
    PackageArchive,
    PackageSdist,
    PackageWheel,
    Pylock,
    PylockValidationError,
)
from packaging.utils import InvalidName, canonicalize_name, is_normalized_name

from pyvouch.digests import Digests
from pyvouch.model import FileRef, Package
from pyvouch.redact import excerpt, first_line, quote
from pyvouch.sources.base import (
    Context,
    digest_pair,
    filename_from_path,
    filename_from_url,
    index_or_none,
    load_toml,
    split_digests,
)


def load(path: Path, ctx: Context, text: str | None = None) -> list[Package]:
    data = load_toml(path, text)
    _normalize_names(data, ctx)
    try:
        lock = Pylock.from_dict(data)
    except PylockValidationError as err:
        # packaging may add the offending source line and a caret line: keep one line
        # (which quote the value: bounded and redacted)
        message = first_line(err.message or err)
        raise ctx.error(message, _where(err.context, data)) from None
    except (TypeError, ValueError, AttributeError) as err:  # defensive: never a traceback
        raise ctx.error(f"invalid pylock: {first_line(err)}") from None

    if ctx.narrowing.active and lock.environments is not None:
        envs = [str(m) for m in lock.environments]
        if not any(ctx.narrowing.may_match(m) for m in envs):
            ctx.warn(
                f"{path}: the lock's environments ({'; '.join(envs)}) exclude "
                f"{ctx.narrowing.describe()}"
            )
    out: list[Package] = []
    for i, pkg in enumerate(lock.packages):
        marker = str(pkg.marker) if pkg.marker is not None else None
        if not ctx.keep(marker, f"packages[{i}].marker"):
            continue
        out.append(_package(pkg, path, ctx, i, marker))
    return out


def _package(pkg: PylockPackage, path: Path, ctx: Context, i: int, marker: str | None) -> Package:
    files: list[FileRef] = []
    origin: str | None = None
    if pkg.vcs is not None:
        where = pkg.vcs.url or pkg.vcs.path or ""
        origin = f"vcs:{pkg.vcs.type}+{where}@{pkg.vcs.commit_id}"
    elif pkg.directory is not None:
        kind = "editable" if pkg.directory.editable else "directory"
        origin = f"{kind}:{pkg.directory.path}"
    elif pkg.archive is not None:
        origin = f"url:{pkg.archive.url}" if pkg.archive.url else f"path:{pkg.archive.path}"
        files.append(_archive_file(pkg.archive, ctx, f"packages[{i}].archive"))
    if pkg.sdist is not None:
        files.append(_dist_file(pkg.sdist, ctx, f"packages[{i}].sdist"))
    for j, wheel in enumerate(pkg.wheels or ()):
        files.append(_dist_file(wheel, ctx, f"packages[{i}].wheels[{j}]"))
    if origin is None and any(f.url is None for f in files):
        # A file given by a local path only: nothing an index can be asked about.
        paths = [f.filename for f in files if f.url is None]
        origin = f"path:{paths[0]}"
    identities: tuple[dict[str, Any], ...] = tuple(
        dict(identity) for identity in pkg.attestation_identities or ()
    )
    return Package(
        name=pkg.name,
        version=str(pkg.version) if pkg.version is not None else None,
        files=tuple(files),
        source=str(path),
        origin=origin,
        index_url=index_or_none(pkg.index),
        attestation_identities=identities,
        marker=marker,
    )


def _digests(hashes: Any, ctx: Context, where: str) -> tuple[str | None, Digests]:
    """Every digest of the file's ``hashes`` table (sha256 and the others: all are kept, so
    the scan can refuse to call a file verified by a digest it could not check)."""
    pairs = [
        digest_pair(ctx, str(algorithm), str(value), f"{where}.hashes.{algorithm}")
        for algorithm, value in dict(hashes).items()
    ]
    sha256, others = split_digests(ctx, pairs, f"{where}.hashes")
    if sha256 is None:
        ctx.warn(
            f"{ctx.path}:{where}: no sha256 hash (only {', '.join(a for a, _ in others)}): "
            "an attestation covers sha256, so this file cannot be verified"
        )
    return sha256, others


def _dist_file(dist: PackageSdist | PackageWheel, ctx: Context, where: str) -> FileRef:
    sha256, others = _digests(dist.hashes, ctx, where)
    return FileRef(
        filename=dist.filename,
        sha256=sha256,
        url=dist.url,
        size=dist.size,
        other_digests=others,
    )


def _archive_file(archive: PackageArchive, ctx: Context, where: str) -> FileRef:
    name = filename_from_url(archive.url) if archive.url else filename_from_path(archive.path or "")
    sha256, others = _digests(archive.hashes, ctx, where)
    return FileRef(
        filename=name,
        sha256=sha256,
        url=archive.url,
        size=archive.size,
        other_digests=others,
    )


def _normalize_names(data: dict[str, Any], ctx: Context) -> None:
    """Real lockers (pipenv) write names like ``jaraco.classes``, which PEP 751 forbids and
    ``packaging.pylock`` rejects: read them normalized, and say so."""
    packages = data.get("packages")
    if not isinstance(packages, list):
        return
    fixed = []
    for entry in packages:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            name = entry["name"]
            if not is_normalized_name(name):
                try:
                    entry["name"] = canonicalize_name(name, validate=True)
                except InvalidName:
                    continue  # packaging reports it with its place
                fixed.append(name)
    if fixed:
        ctx.warn(
            f"{ctx.path}: {len(fixed)} package name(s) not normalized as PEP 751 requires "
            f"(e.g. {quote(fixed[0])}); read as normalized"
        )


def _where(context: str | None, data: dict[str, Any]) -> str | None:
    """packaging's context ``packages[3].wheels[0]`` plus the package name when known."""
    if not context:
        return None
    if context.startswith("packages[") and "]" in context:
        idx = context[len("packages[") : context.index("]")]
        pkgs = data.get("packages")
        if idx.isdigit() and isinstance(pkgs, list) and int(idx) < len(pkgs):
            entry = pkgs[int(idx)]
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                return f"{context} ({excerpt(entry['name'])})"
    return context
