"""`pyvouch index build`: a static package index that serves PEP 740 provenance.

Layout of a built site (every URL in it is relative unless ``base_url`` is given)::

    .pyvouch-site                                    marker: lets a rebuild replace the site
    simple/index.html                                PEP 503 project list
    simple/index.json                                PEP 691 project list (api-version 1.3)
    simple/<project>/index.html                      PEP 503 page, data-provenance attributes
    simple/<project>/index.json                      PEP 691 page, files[].provenance
    files/<project>/<filename>                       the dists (copied or hard-linked)
    files/<project>/<wheel>.metadata                 PEP 658 core metadata of each wheel
    files/<project>/<filename>.sigstore.json|.sig|.crt   signatures copied from beside the
                                                     dists (`beside_files`)
    integrity/<project>/<version>/<filename>/provenance   PEP 740 Provenance objects

A plain static server answers ``/simple/<project>/`` with the HTML page; a server configured
for content negotiation (see docs/static-index.md) answers JSON from ``index.json``.

The same input gives a byte-identical site: everything is sorted and nothing carries a time.
A build either completes or leaves nothing: it is written to a temporary folder next to the
output and moved into place at the end.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pyvouch.dist_names import is_dist_name
from pyvouch.errors import InputError, UsageError
from pyvouch.registry.beside_files import check_beside, detached_target, is_beside_bundle
from pyvouch.registry.dist_files import SiteDist, read_dist
from pyvouch.registry.provenance_build import (
    CheckedAttestation,
    attestation_target,
    build_provenance,
    load_companion_file,
)
from pyvouch.urls import http_url_problem
from pyvouch.user_files import check_output_folder, replace_folder

API_VERSION = "1.3"
SITE_MARKER = ".pyvouch-site"
_MARKER_TEXT = "pyvouch static index, layout 1\n"


@dataclass(frozen=True, slots=True)
class SiteFile:
    """One dist as the site serves it."""

    dist: SiteDist
    provenance: dict[str, Any] | None
    attestation_count: int
    beside: tuple[tuple[Path, str], ...] = ()
    """Signatures copied beside the dist: (input file, name in the site)."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    out: Path
    projects: int
    files: int
    files_with_provenance: int
    attestations: int
    warnings: tuple[str, ...] = field(default=())
    signatures: int = 0
    """Signature files copied beside the dists (bundles, ``.sig``, ``.crt``)."""


@dataclass(frozen=True, slots=True)
class _Urls:
    """URLs as written into ``simple/<project>/`` pages: relative, or under ``base``."""

    base: str | None

    def _under_root(self, path: str) -> str:
        return f"{self.base}/{path}" if self.base else f"../../{path}"

    def file(self, dist: SiteDist) -> str:
        return self._under_root(f"files/{quote(dist.project)}/{quote(dist.filename)}")

    def provenance(self, dist: SiteDist) -> str:
        return self._under_root(
            f"integrity/{quote(dist.project)}/{quote(str(dist.version))}/"
            f"{quote(dist.filename)}/provenance"
        )


def collect(src: Path) -> tuple[list[SiteFile], list[str]]:
    """Read and check every dist and attestation in ``src`` (not recursive)."""
    warnings: list[str] = []
    try:
        entries = sorted(p for p in src.iterdir() if p.is_file())
    except OSError as err:
        raise InputError(src, f"cannot list folder ({err.strerror or err})") from err

    dists: dict[str, SiteDist] = {}
    companions: dict[str, list[Path]] = {}
    beside: dict[str, list[Path]] = {}
    for path in entries:
        target = attestation_target(path.name)
        signed = detached_target(path.name)
        if target is not None and is_beside_bundle(path):
            beside.setdefault(target, []).append(path)
        elif signed is not None:
            beside.setdefault(signed, []).append(path)
        elif target is not None:
            companions.setdefault(target, []).append(path)
        elif is_dist_name(path.name):
            dist = read_dist(path)
            dists[path.name] = dist
            if dist.metadata_problem:
                warnings.append(f"{path.name}: {dist.metadata_problem}; served without metadata")
        else:
            warnings.append(f"ignored {path.name}: not a distribution, attestation or provenance")

    for target, paths in [*companions.items(), *beside.items()]:
        if target not in dists:
            raise InputError(paths[0], f"no distribution named {target} in {src}")

    site_files: list[SiteFile] = []
    for name in sorted(dists):
        dist = dists[name]
        loaded: list[CheckedAttestation] = []
        for path in companions.get(name, []):
            loaded.extend(load_companion_file(path, dist))
        notes = sorted({att.label_note for att in loaded if att.label_note})
        warnings.extend(f"{name}: {note}" for note in notes)
        provenance = build_provenance(loaded)
        count = (
            sum(len(b["attestations"]) for b in provenance["attestation_bundles"])
            if provenance
            else 0
        )
        copied = tuple((path, check_beside(path, dist)) for path in beside.get(name, []))
        names = [site_name for _, site_name in copied]
        if len(set(names)) != len(names):
            raise InputError(
                copied[0][0], f"two bundles for {name} (.sigstore and .sigstore.json); keep one"
            )
        site_files.append(
            SiteFile(dist=dist, provenance=provenance, attestation_count=count, beside=copied)
        )
    return site_files, warnings


def _json_bytes(obj: object) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _metadata_sha256(dist: SiteDist) -> str | None:
    if dist.core_metadata is None:
        return None
    return hashlib.sha256(dist.core_metadata).hexdigest()


def _project_html(project: str, files: list[SiteFile], urls: _Urls) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">',
        f"    <title>Links for {html.escape(project)}</title>",
        "  </head>",
        "  <body>",
        f"    <h1>Links for {html.escape(project)}</h1>",
    ]
    for sf in files:
        dist = sf.dist
        attrs = [f'href="{html.escape(urls.file(dist) + "#sha256=" + dist.sha256)}"']
        if dist.requires_python:
            attrs.append(f'data-requires-python="{html.escape(dist.requires_python)}"')
        metadata_sha = _metadata_sha256(dist)
        if metadata_sha:
            attrs.append(f'data-dist-info-metadata="sha256={metadata_sha}"')
            attrs.append(f'data-core-metadata="sha256={metadata_sha}"')
        if sf.provenance is not None:
            attrs.append(f'data-provenance="{html.escape(urls.provenance(dist))}"')
        lines.append(f"    <a {' '.join(attrs)}>{html.escape(dist.filename)}</a><br>")
    lines += ["  </body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _project_json(project: str, files: list[SiteFile], urls: _Urls) -> bytes:
    versions = sorted({sf.dist.version for sf in files})
    entries: list[dict[str, Any]] = []
    for sf in files:
        dist = sf.dist
        entry: dict[str, Any] = {
            "filename": dist.filename,
            "url": urls.file(dist),
            "hashes": {"sha256": dist.sha256},
        }
        if dist.requires_python:
            entry["requires-python"] = dist.requires_python
        metadata_sha = _metadata_sha256(dist)
        metadata: dict[str, str] | bool = {"sha256": metadata_sha} if metadata_sha else False
        entry["core-metadata"] = metadata
        entry["dist-info-metadata"] = metadata
        entry["size"] = dist.size
        entry["provenance"] = urls.provenance(dist) if sf.provenance is not None else None
        entries.append(entry)
    return _json_bytes(
        {
            "meta": {"api-version": API_VERSION},
            "name": project,
            "versions": [str(v) for v in versions],
            "files": entries,
        }
    )


def _root_html(projects: list[str]) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">',
        "    <title>Simple index</title>",
        "  </head>",
        "  <body>",
    ]
    lines += [f'    <a href="{html.escape(quote(p))}/">{html.escape(p)}</a><br>' for p in projects]
    lines += ["  </body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _root_json(projects: list[str]) -> bytes:
    return _json_bytes(
        {"meta": {"api-version": API_VERSION}, "projects": [{"name": p} for p in projects]}
    )


def _place_file(src: Path, dst: Path, link: bool, fallback: Callable[[], None]) -> None:
    if link:
        try:
            os.link(src, dst)
            return
        except OSError as err:
            if err.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            fallback()
    shutil.copyfile(src, dst)


def _write_site(
    root: Path, site_files: list[SiteFile], urls: _Urls, link: bool, warnings: list[str]
) -> None:
    by_project: dict[str, list[SiteFile]] = {}
    for sf in site_files:
        by_project.setdefault(sf.dist.project, []).append(sf)
    projects = sorted(by_project)

    fell_back: list[bool] = []

    def note_fallback() -> None:
        if not fell_back:
            warnings.append("--link: cannot hard-link across file systems here; copied instead")
        fell_back.append(True)

    (root / SITE_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    simple = root / "simple"
    simple.mkdir()
    (simple / "index.html").write_bytes(_root_html(projects))
    (simple / "index.json").write_bytes(_root_json(projects))
    for project in projects:
        files = sorted(by_project[project], key=lambda sf: (sf.dist.version, sf.dist.filename))
        page_dir = simple / project
        page_dir.mkdir()
        (page_dir / "index.html").write_bytes(_project_html(project, files, urls))
        (page_dir / "index.json").write_bytes(_project_json(project, files, urls))
        files_dir = root / "files" / project
        files_dir.mkdir(parents=True)
        for sf in files:
            dist = sf.dist
            _place_file(dist.path, files_dir / dist.filename, link, note_fallback)
            if dist.core_metadata is not None:
                (files_dir / f"{dist.filename}.metadata").write_bytes(dist.core_metadata)
            for source, site_name in sf.beside:
                shutil.copyfile(source, files_dir / site_name)
            if sf.provenance is not None:
                prov_dir = root / "integrity" / project / str(dist.version) / dist.filename
                prov_dir.mkdir(parents=True)
                (prov_dir / "provenance").write_bytes(_json_bytes(sf.provenance))


def _check_out(src: Path, out: Path) -> None:
    """Refuse outputs that a rebuild must not replace (anything pyvouch did not build)."""
    src_r, out_r = src.resolve(), out.resolve()
    if src_r == out_r or out_r in src_r.parents:
        raise UsageError(f"--out {out} contains the input folder {src}; choose another output")
    check_output_folder(out, SITE_MARKER, "a site")


def _normalise_base_url(base_url: str | None) -> str | None:
    if base_url is None:
        return None
    if not base_url.startswith(("http://", "https://")) or "#" in base_url or "?" in base_url:
        raise UsageError(f"--base-url {base_url!r}: expected an http:// or https:// URL")
    problem = http_url_problem(base_url, "--base-url")
    if problem is not None:
        raise UsageError(problem)
    return base_url.rstrip("/")


def build_site(
    src: Path, out: Path, *, base_url: str | None = None, link: bool = False
) -> BuildResult:
    """Build the static index for the dists in ``src`` into ``out`` (replaced as a whole)."""
    base = _normalise_base_url(base_url)
    if not src.is_dir():
        raise InputError(src, "not a folder")
    _check_out(src, out)
    site_files, warnings = collect(src)

    replace_folder(
        out, lambda tmp: _write_site(tmp, site_files, _Urls(base), link, warnings), "the site"
    )

    return BuildResult(
        out=out,
        projects=len({sf.dist.project for sf in site_files}),
        files=len(site_files),
        files_with_provenance=sum(sf.provenance is not None for sf in site_files),
        attestations=sum(sf.attestation_count for sf in site_files),
        warnings=tuple(warnings),
        signatures=sum(len(sf.beside) for sf in site_files),
    )
