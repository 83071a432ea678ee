"""pdm.lock (PDM, TOML).

Read: every ``[[package]]`` with ``files = [{file = NAME | url = URL, hash = "sha256:..."}]``
(``url`` appears with the ``static_urls`` strategy); ``git`` (+ ``revision``/``ref``) →
origin ``vcs:git+URL@REV``; ``path`` → ``path:``/``editable:``; ``url`` → ``url:``. PDM repeats
a package once per extra set (``extras = [...]``): those entries are reported once.

Narrowing: each package's ``marker`` (lock 4.5, ``inherit_metadata``) is evaluated; every
group in ``groups`` is included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyvouch.model import FileRef, Package
from pyvouch.sources.base import (
    Context,
    as_table,
    filename_from_url,
    get_list,
    get_str,
    load_toml,
    merge_packages,
    norm_name,
    one_digest,
    req_str,
)


def load(path: Path, ctx: Context, text: str | None = None) -> list[Package]:
    data = load_toml(path, text)
    if not isinstance(data.get("metadata"), dict):
        raise ctx.error("missing required key", "metadata")
    out: list[Package] = []
    for i, raw in enumerate(get_list(ctx, data, "package", "")):
        where = f"package[{i}]"
        entry = as_table(ctx, raw, where)
        name = norm_name(ctx, req_str(ctx, entry, "name", where), f"{where}.name")
        marker = get_str(ctx, entry, "marker", where)
        if not ctx.keep(marker, f"{where}.marker"):
            continue
        files = [
            _file(item, ctx, f"{where}.files[{j}]")
            for j, item in enumerate(get_list(ctx, entry, "files", where))
        ]
        out.append(
            Package(
                name=name,
                version=get_str(ctx, entry, "version", where),
                files=tuple(files),
                source=str(path),
                origin=_origin(entry, ctx, where),
                marker=marker,
            )
        )
    return merge_packages(out)


def _file(item: Any, ctx: Context, where: str) -> FileRef:
    d = as_table(ctx, item, where)
    url = get_str(ctx, d, "url", where)
    filename = get_str(ctx, d, "file", where)
    if not filename:
        if not url:
            raise ctx.error("a file needs `file` or `url`", where)
        filename = filename_from_url(url)
    sha, others = one_digest(ctx, get_str(ctx, d, "hash", where), f"{where}.hash")
    return FileRef(filename=filename, sha256=sha, url=url, other_digests=others)


def _origin(entry: dict[str, Any], ctx: Context, where: str) -> str | None:
    git = get_str(ctx, entry, "git", where)
    if git:
        rev = get_str(ctx, entry, "revision", where) or get_str(ctx, entry, "ref", where)
        return f"vcs:git+{git}" + (f"@{rev}" if rev else "")
    local = get_str(ctx, entry, "path", where)
    if local:
        return f"{'editable' if entry.get('editable') is True else 'path'}:{local}"
    url = get_str(ctx, entry, "url", where)
    if url:
        return f"url:{url}"
    return None
