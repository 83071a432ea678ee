"""Pipfile.lock (pipenv, JSON).

Read: every section but ``_meta`` (``default``, ``develop``, and any custom category), each a
table from name to ``{version: "==X", hashes: ["sha256:..."], markers, index, git, ref, path,
file, editable}``. Pipfile.lock records digests without file names, so they go to
``Package.hashes`` (the scan matches them to the index's files by digest). ``index`` is
resolved through ``_meta.sources``; a non-PyPI source sets ``index_url``. ``git`` → origin
``vcs:git+URL@ref``; ``path`` → ``path:``/``editable:``; ``file`` → ``url:``.

Narrowing: each entry's ``markers`` is evaluated. A package in several sections is reported
once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyvouch.model import Package
from pyvouch.redact import quote
from pyvouch.sources.base import (
    Context,
    as_table,
    get_list,
    get_str,
    hash_only_pins,
    index_or_none,
    load_json,
    merge_packages,
    norm_name,
)


def load(path: Path, ctx: Context, text: str | None = None) -> list[Package]:
    data = as_table(ctx, load_json(path, text), "(top level)")
    meta = data.get("_meta")
    if not isinstance(meta, dict):
        raise ctx.error("missing required key", "_meta")
    sources: dict[str, str] = {}
    for j, src in enumerate(get_list(ctx, meta, "sources", "_meta")):
        src = as_table(ctx, src, f"_meta.sources[{j}]")
        name = get_str(ctx, src, "name", f"_meta.sources[{j}]")
        url = get_str(ctx, src, "url", f"_meta.sources[{j}]")
        if name and url:
            sources[name] = url
            if url not in ctx.index_urls:
                ctx.index_urls.append(url)
    out: list[Package] = []
    for section, table in data.items():
        if section == "_meta":
            continue
        table = as_table(ctx, table, section)
        for raw_name, raw in table.items():
            where = f"{section}.{raw_name}"
            entry = as_table(ctx, raw, where)
            marker = get_str(ctx, entry, "markers", where)
            if not ctx.keep(marker, f"{where}.markers"):
                continue
            out.append(_package(raw_name, entry, sources, path, ctx, where, marker))
    return merge_packages(out)


def _package(
    raw_name: str,
    entry: dict[str, Any],
    sources: dict[str, str],
    path: Path,
    ctx: Context,
    where: str,
    marker: str | None,
) -> Package:
    name = norm_name(ctx, raw_name, where)
    version = get_str(ctx, entry, "version", where)
    if version is not None:
        version = version.strip()
        for prefix in ("===", "=="):
            if version.startswith(prefix):
                version = version[len(prefix) :].strip()
                break
        else:
            version = version or None
    pins: list[tuple[str, str]] = []
    for j, h in enumerate(get_list(ctx, entry, "hashes", where)):
        if not isinstance(h, str):
            raise ctx.error("expected a string", f"{where}.hashes[{j}]")
        pins.append((h, f"{where}.hashes[{j}]"))
    hashes, unnamed = hash_only_pins(ctx, pins)
    index_name = get_str(ctx, entry, "index", where)
    index_url = None
    if index_name is not None:
        if index_name not in sources:
            ctx.warn(f"{path}:{where}.index: source {quote(index_name)} is not in _meta.sources")
        index_url = index_or_none(sources.get(index_name))
    origin = None
    git = get_str(ctx, entry, "git", where)
    local = get_str(ctx, entry, "path", where)
    file_url = get_str(ctx, entry, "file", where)
    if git:
        ref = get_str(ctx, entry, "ref", where)
        origin = f"vcs:git+{git}" + (f"@{ref}" if ref else "")
    elif local:
        origin = f"{'editable' if entry.get('editable') is True else 'path'}:{local}"
    elif file_url:
        origin = f"url:{file_url}"
    elif entry.get("editable") is True:
        origin = "editable:"
    return Package(
        name=name,
        version=version,
        files=unnamed,
        source=str(path),
        origin=origin,
        index_url=index_url,
        hashes=hashes,
        marker=marker,
    )
