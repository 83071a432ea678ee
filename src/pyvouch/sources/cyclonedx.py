"""CycloneDX JSON SBOMs (any 1.x spec version).

Read: every component, nested ones included, whose ``purl`` is ``pkg:pypi/NAME@VERSION``.
Files come from ``externalReferences`` of type ``distribution`` (URL → file name, hashes);
a component's own ``hashes`` go to the file the purl's ``file_name`` qualifier names, else
to ``Package.hashes`` (a SHA-256 alone) or a nameless file (several algorithms). Every
algorithm is kept (``SHA-512`` → ``sha512``, `pyvouch.digests`). purl qualifiers:
``repository_url`` → ``index_url``; ``vcs_url`` → origin ``vcs:``; ``download_url`` →
origin ``url:``.
Components without a purl, or with another purl type, are skipped and counted in a warning.
SBOMs carry no markers: nothing is narrowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packageurl import PackageURL

from pyvouch.digests import Digests
from pyvouch.model import FileRef, Package
from pyvouch.redact import first_line, quote
from pyvouch.sources.base import (
    Context,
    as_table,
    digest_pair,
    filename_from_url,
    get_list,
    get_str,
    index_or_none,
    load_json,
    merge_packages,
    norm_name,
    split_digests,
)

_MAX_DEPTH = 64


def load(path: Path, ctx: Context, text: str | None = None) -> list[Package]:
    data = as_table(ctx, load_json(path, text), "(top level)")
    if data.get("bomFormat") != "CycloneDX":
        raise ctx.error('not a CycloneDX SBOM (bomFormat is not "CycloneDX")', "bomFormat")
    out: list[Package] = []
    skipped: list[str] = []
    _walk(get_list(ctx, data, "components", ""), "components", path, ctx, out, skipped, 0)
    if skipped:
        ctx.warn(
            f"{path}: {len(skipped)} component(s) without a pkg:pypi purl skipped "
            f"(e.g. {skipped[0]})"
        )
    return merge_packages(out)


def _walk(
    components: list[Any],
    where: str,
    path: Path,
    ctx: Context,
    out: list[Package],
    skipped: list[str],
    depth: int,
) -> None:
    if depth > _MAX_DEPTH:
        raise ctx.error("components nested too deeply", where)
    for i, raw in enumerate(components):
        cw = f"{where}[{i}]"
        comp = as_table(ctx, raw, cw)
        pkg = _package(comp, path, ctx, cw, skipped)
        if pkg is not None:
            out.append(pkg)
        nested = get_list(ctx, comp, "components", cw)
        if nested:
            _walk(nested, f"{cw}.components", path, ctx, out, skipped, depth + 1)


def _package(
    comp: dict[str, Any], path: Path, ctx: Context, where: str, skipped: list[str]
) -> Package | None:
    purl_text = get_str(ctx, comp, "purl", where)
    label = get_str(ctx, comp, "name", where) or get_str(ctx, comp, "bom-ref", where) or where
    if not purl_text:
        skipped.append(str(label))
        return None
    try:
        purl = PackageURL.from_string(purl_text)
    except ValueError as err:
        raise ctx.error(
            f"invalid purl {quote(purl_text)}: {first_line(err)}", f"{where}.purl"
        ) from None
    if purl.type != "pypi":
        skipped.append(purl_text)
        return None
    name = norm_name(ctx, purl.name, f"{where}.purl")
    version = purl.version or get_str(ctx, comp, "version", where)
    quals = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    files: list[FileRef] = []
    for j, ref in enumerate(get_list(ctx, comp, "externalReferences", where)):
        rw = f"{where}.externalReferences[{j}]"
        ref = as_table(ctx, ref, rw)
        if ref.get("type") != "distribution":
            continue
        url = get_str(ctx, ref, "url", rw)
        if not url:
            continue
        filename = filename_from_url(url)
        direct = url.split("#", 1)[0].split("?", 1)[0].rstrip("/").endswith(filename)
        sha, others = _digests(get_list(ctx, ref, "hashes", rw), ctx, f"{rw}.hashes")
        files.append(
            FileRef(
                filename=filename,
                sha256=sha,
                url=url if direct else None,
                other_digests=others,
            )
        )
    own, own_others = _digests(get_list(ctx, comp, "hashes", where), ctx, f"{where}.hashes")
    hashes: tuple[str, ...] = ()
    file_name = quals.get("file_name")
    if (own or own_others) and file_name:
        if not any(f.filename == file_name for f in files):
            files.append(FileRef(filename=file_name, sha256=own, other_digests=own_others))
    elif own_others:
        if not any(f.sha256 == own and f.other_digests == own_others for f in files):
            files.append(FileRef(filename="", sha256=own, other_digests=own_others))
    elif own and not any(f.sha256 == own for f in files):
        hashes = (own,)
    origin = None
    if quals.get("vcs_url"):
        origin = f"vcs:{quals['vcs_url']}"
    elif quals.get("download_url"):
        origin = f"url:{quals['download_url']}"
    return Package(
        name=name,
        version=version,
        files=tuple(files),
        source=str(path),
        origin=origin,
        index_url=index_or_none(quals.get("repository_url")),
        hashes=hashes,
    )


def _digests(hashes: list[Any], ctx: Context, where: str) -> tuple[str | None, Digests]:
    """Every ``{alg, content}`` of a hashes list: the sha256 and the others."""
    pairs: list[tuple[str, str]] = []
    for j, h in enumerate(hashes):
        h = as_table(ctx, h, f"{where}[{j}]")
        alg = get_str(ctx, h, "alg", f"{where}[{j}]")
        content = get_str(ctx, h, "content", f"{where}[{j}]")
        if not alg or not content:
            raise ctx.error("a hash needs both 'alg' and 'content'", f"{where}[{j}]")
        pairs.append(digest_pair(ctx, alg, content, f"{where}[{j}]"))
    return split_digests(ctx, pairs, where)
