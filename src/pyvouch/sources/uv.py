"""uv.lock (uv's own TOML lock, ``version = 1``).

Read: every ``[[package]]``; ``sdist`` and ``wheels`` entries (``url`` or ``path`` or
``filename``, ``hash = "sha256:..."``, ``size``) become files; ``source``:

- ``registry`` → an index package (``index_url`` unless it is PyPI);
- ``git`` → not-indexed, origin ``vcs:git+URL``; ``url`` → origin ``url:URL``;
  ``path`` → ``path:P``; ``directory`` → ``directory:P``; ``editable`` → ``editable:P``;
- ``virtual`` → skipped: a virtual project is never installed.

Narrowing: uv.lock records markers on dependency edges, not on packages, so the lock is
walked from its workspace members (``[manifest].members``, else every editable / virtual /
directory package), following every dependency, optional dependency (all extras) and
dev-dependency group whose edge marker may hold. Without members to start from, a package is
kept when one of its ``resolution-markers`` may hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyvouch.model import FileRef, Package
from pyvouch.sources.base import (
    Context,
    as_table,
    filename_from_path,
    filename_from_url,
    get_int,
    get_list,
    get_str,
    get_table,
    index_or_none,
    load_toml,
    norm_name,
    one_digest,
    req_str,
)

_SOURCE_KINDS = ("registry", "git", "url", "path", "directory", "editable", "virtual")


def load(path: Path, ctx: Context, text: str | None = None) -> list[Package]:
    data = load_toml(path, text)
    entries = get_list(ctx, data, "package", "")
    if "version" not in data:
        raise ctx.error("missing required key", "version")
    parsed: list[tuple[Package | None, dict[str, Any], str]] = []
    for i, raw in enumerate(entries):
        where = f"package[{i}]"
        entry = as_table(ctx, raw, where)
        parsed.append((_package(entry, path, ctx, where), entry, where))

    if not ctx.narrowing.active:
        return [p for p, _, _ in parsed if p is not None]
    keep = _reachable(data, parsed, ctx)
    return [p for k, (p, _, _) in enumerate(parsed) if p is not None and k in keep]


def _source(entry: dict[str, Any], ctx: Context, where: str) -> tuple[str, str]:
    source = get_table(ctx, entry, "source", where)
    if source is None:
        return ("registry", "")
    for kind in _SOURCE_KINDS:
        if kind in source:
            value = source[kind]
            if not isinstance(value, str):
                raise ctx.error("expected a string", f"{where}.source.{kind}")
            return (kind, value)
    raise ctx.error(f"unknown source kind {sorted(source)}", f"{where}.source")


def _package(entry: dict[str, Any], path: Path, ctx: Context, where: str) -> Package | None:
    name = norm_name(ctx, req_str(ctx, entry, "name", where), f"{where}.name")
    version = get_str(ctx, entry, "version", where)
    kind, value = _source(entry, ctx, where)
    if kind == "virtual":
        return None
    files: list[FileRef] = []
    sdist = get_table(ctx, entry, "sdist", where)
    if sdist is not None:
        # For a `url` or `path` source uv records the archive there: `sdist = { hash = ... }`.
        named_by_source = value if kind in ("url", "path") else None
        files.append(_file(sdist, ctx, f"{where}.sdist", named_by_source))
    for j, wheel in enumerate(get_list(ctx, entry, "wheels", where)):
        files.append(
            _file(as_table(ctx, wheel, f"{where}.wheels[{j}]"), ctx, f"{where}.wheels[{j}]")
        )
    origin = None
    index_url = None
    if kind == "registry":
        index_url = index_or_none(value) if value.startswith(("http://", "https://")) else None
        if value and not value.startswith(("http://", "https://")):
            origin = f"path:{value}"  # a local find-links directory
    elif kind == "git":
        origin = f"vcs:git+{value}"
    else:
        origin = f"{kind}:{value}"
    return Package(
        name=name,
        version=version,
        files=tuple(files),
        source=str(path),
        origin=origin,
        index_url=index_url,
    )


def _file(d: dict[str, Any], ctx: Context, where: str, source: str | None = None) -> FileRef:
    url = get_str(ctx, d, "url", where)
    local = get_str(ctx, d, "path", where)
    filename = get_str(ctx, d, "filename", where)
    if not filename:
        if url:
            filename = filename_from_url(url)
        elif local:
            filename = filename_from_path(local)
        elif source:
            filename = filename_from_url(source) if "://" in source else filename_from_path(source)
        else:
            raise ctx.error("a file needs one of url, path, filename", where)
    sha, others = one_digest(ctx, get_str(ctx, d, "hash", where), f"{where}.hash")
    return FileRef(
        filename=filename,
        sha256=sha,
        url=url,
        size=get_int(ctx, d, "size", where),
        other_digests=others,
    )


def _reachable(
    data: dict[str, Any], parsed: list[tuple[Package | None, dict[str, Any], str]], ctx: Context
) -> set[int]:
    by_name: dict[str, list[int]] = {}
    for k, (_, entry, where) in enumerate(parsed):
        name = norm_name(ctx, req_str(ctx, entry, "name", where), f"{where}.name")
        by_name.setdefault(name, []).append(k)

    manifest = get_table(ctx, data, "manifest", "")
    members = {
        norm_name(ctx, m, "manifest.members")
        for m in (get_list(ctx, manifest, "members", "manifest") if manifest else [])
        if isinstance(m, str)
    }
    if members:
        roots = [k for name in sorted(members) for k in by_name.get(name, [])]
    else:
        roots = [
            k
            for k, (_, entry, where) in enumerate(parsed)
            if _source(entry, ctx, where)[0] in ("editable", "virtual", "directory")
        ]
    if not roots:
        keep = set()
        for k, (_, entry, where) in enumerate(parsed):
            markers = [
                m for m in get_list(ctx, entry, "resolution-markers", where) if isinstance(m, str)
            ]
            if not markers or any(ctx.keep(m, f"{where}.resolution-markers") for m in markers):
                keep.add(k)
        return keep

    seen: set[int] = set()
    todo = list(roots)
    while todo:
        k = todo.pop()
        if k in seen:
            continue
        seen.add(k)
        _, entry, where = parsed[k]
        for dep, dep_where in _edges(entry, ctx, where):
            if not ctx.keep(get_str(ctx, dep, "marker", dep_where), f"{dep_where}.marker"):
                continue
            dep_name = norm_name(ctx, req_str(ctx, dep, "name", dep_where), f"{dep_where}.name")
            dep_version = get_str(ctx, dep, "version", dep_where)
            for target in by_name.get(dep_name, []):
                tentry = parsed[target][1]
                if dep_version is not None and tentry.get("version") != dep_version:
                    continue
                todo.append(target)
    return seen


def _edges(entry: dict[str, Any], ctx: Context, where: str) -> list[tuple[dict[str, Any], str]]:
    out = []
    for j, dep in enumerate(get_list(ctx, entry, "dependencies", where)):
        out.append((as_table(ctx, dep, f"{where}.dependencies[{j}]"), f"{where}.dependencies[{j}]"))
    for key in ("optional-dependencies", "dev-dependencies"):
        table = get_table(ctx, entry, key, where) or {}
        for group, deps in table.items():
            gw = f"{where}.{key}.{group}"
            if not isinstance(deps, list):
                raise ctx.error("expected a list", gw)
            for j, dep in enumerate(deps):
                out.append((as_table(ctx, dep, f"{gw}[{j}]"), f"{gw}[{j}]"))
    return out
