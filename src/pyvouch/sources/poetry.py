"""poetry.lock, both layouts.

- 2.x (``lock-version = "2.x"``): each ``[[package]]`` carries ``files = [{file, hash}]``.
- 1.1 and older: the files are in ``[metadata.files]``, a table from package name to
  ``[{file, hash}]`` (older still: ``[metadata.hashes]``, digests without file names).

Files have a name and a digest but no URL. ``[package.source]`` ``type``: ``git`` → origin
``vcs:git+URL@resolved_reference``; ``directory`` → ``directory:``/``editable:``; ``file`` →
``path:``; ``url`` → ``url:``; ``legacy`` (an alternate index) → ``index_url``.

Narrowing: a package's ``markers`` (a string, or a table of group → marker in lock 2.1) is
evaluated; 1.1 locks have no package markers, so they are never narrowed (a warning says so).
Groups (2.x ``groups``, 1.1 ``category``) and ``optional`` (extras) are all included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pyvouch.model import FileRef, Package
from pyvouch.redact import quote
from pyvouch.sources.base import (
    Context,
    as_table,
    get_list,
    get_str,
    get_table,
    hash_only_pins,
    index_or_none,
    load_toml,
    norm_name,
    one_digest,
    req_str,
)


def load(path: Path, ctx: Context, text: str | None = None) -> list[Package]:
    data = load_toml(path, text)
    metadata = get_table(ctx, data, "metadata", "") or {}
    entries = get_list(ctx, data, "package", "")
    legacy_files = get_table(ctx, metadata, "files", "metadata")
    legacy_hashes = get_table(ctx, metadata, "hashes", "metadata")
    by_name: dict[str, list[Any]] = {}
    for table, key in ((legacy_files, "files"), (legacy_hashes, "hashes")):
        for name, items in (table or {}).items():
            if not isinstance(items, list):
                raise ctx.error("expected a list", f"metadata.{key}.{name}")
            by_name.setdefault(canonicalize_name(name), []).extend(
                (key, item, f"metadata.{key}.{name}[{j}]") for j, item in enumerate(items)
            )
    has_markers = False
    out: list[Package] = []
    for i, raw in enumerate(entries):
        where = f"package[{i}]"
        entry = as_table(ctx, raw, where)
        name = norm_name(ctx, req_str(ctx, entry, "name", where), f"{where}.name")
        version = req_str(ctx, entry, "version", where)
        markers = _markers(entry, ctx, where)
        has_markers = has_markers or bool(markers)
        if markers and not any(ctx.keep(m, f"{where}.markers") for m in markers):
            continue
        files: list[FileRef] = []
        pins: list[tuple[str, str]] = []
        for j, item in enumerate(get_list(ctx, entry, "files", where)):
            files.append(_file(item, ctx, f"{where}.files[{j}]"))
        for key, item, iw in by_name.get(name, []):
            if key == "files":
                files.append(_file(item, ctx, iw))
            elif isinstance(item, str):
                pins.append((item if ":" in item else f"sha256:{item}", iw))
            else:
                raise ctx.error("expected a string", iw)
        hashes, unnamed = hash_only_pins(ctx, pins)
        files.extend(unnamed)
        origin, index_url = _origin(entry, ctx, where)
        out.append(
            Package(
                name=name,
                version=version,
                files=tuple(files),
                source=str(path),
                origin=origin,
                index_url=index_url,
                hashes=hashes,
                marker=markers[0] if len(markers) == 1 else _join(markers),
            )
        )
    if ctx.narrowing.active and not has_markers and entries:
        ctx.warn(
            f"{path}: this poetry.lock records no package markers; "
            f"nothing was narrowed to {ctx.narrowing.describe()}"
        )
    return out


def _join(markers: list[str]) -> str | None:
    if not markers:
        return None
    return " or ".join(f"({m})" for m in dict.fromkeys(markers))


def _markers(entry: dict[str, Any], ctx: Context, where: str) -> list[str]:
    value = entry.get("markers")
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out = []
        for group, marker in value.items():
            if not isinstance(marker, str):
                raise ctx.error("expected a string", f"{where}.markers.{group}")
            out.append(marker)
        return out
    raise ctx.error("expected a string or a table", f"{where}.markers")


def _file(item: Any, ctx: Context, where: str) -> FileRef:
    d = as_table(ctx, item, where)
    filename = req_str(ctx, d, "file", where)
    digest = get_str(ctx, d, "hash", where)
    sha, others = one_digest(ctx, digest, f"{where}.hash")
    if digest and sha is None:
        ctx.warn(f"{ctx.path}:{where}: {filename} has no sha256 hash")
    return FileRef(filename=filename, sha256=sha, other_digests=others)


def _origin(entry: dict[str, Any], ctx: Context, where: str) -> tuple[str | None, str | None]:
    source = get_table(ctx, entry, "source", where)
    if not source:
        return None, None
    sw = f"{where}.source"
    kind = req_str(ctx, source, "type", sw)
    url = get_str(ctx, source, "url", sw) or ""
    if kind == "legacy":
        return None, index_or_none(url)
    if kind == "git":
        ref = get_str(ctx, source, "resolved_reference", sw) or get_str(
            ctx, source, "reference", sw
        )
        sub = get_str(ctx, source, "subdirectory", sw)
        origin = f"vcs:git+{url}" + (f"@{ref}" if ref else "")
        return origin + (f"#subdirectory={sub}" if sub else ""), None
    if kind == "directory":
        editable = entry.get("develop") is True
        return f"{'editable' if editable else 'directory'}:{url}", None
    if kind == "file":
        return f"path:{url}", None
    if kind == "url":
        return f"url:{url}", None
    ctx.warn(f"{ctx.path}:{sw}: unknown source type {quote(kind)}; treated as not indexed")
    return f"{kind}:{url}", None
