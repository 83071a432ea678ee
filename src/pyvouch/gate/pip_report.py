"""pip's installation report (``pip install --dry-run --report``, format version 1) as
`Package`s with the exact file pip chose for each.

For each item pip reports ``download_info`` (PEP 610 direct URL data: the file's URL, and
``archive_info.hashes`` for an archive) and ``metadata`` (name, version). An item that comes
from the index has ``is_direct`` false; a local path, VCS checkout, editable or direct URL has
it true and becomes a ``not-indexed`` package whose origin says which.
See https://pip.pypa.io/en/stable/reference/installation-report/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from pyvouch import jsontext
from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.urls import split_url

REPORT_NAME = "pip's installation report"


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One thing pip would install."""

    name: str
    version: str
    url: str
    filename: str
    sha256: str | None
    origin: str | None
    """None for a file from the index; else what it is (local directory, vcs, direct URL)."""
    archive: bool
    """The item is one archive file (wheel or sdist), so pip can pin it by hash."""
    requested: bool = False
    yanked: bool = False

    def package(self) -> Package:
        file = FileRef(self.filename, self.sha256, self.url)
        return Package(
            name=self.name,
            version=self.version,
            files=(file,),
            source=REPORT_NAME,
            origin=self.origin,
        )


def _fail(problem: str, where: str | None = None) -> InputError:
    return InputError(REPORT_NAME, problem, where=where)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail("missing or not a string", where)
    return value


def _origin(info: dict[str, Any], url: str, direct: bool) -> tuple[str | None, bool]:
    if "vcs_info" in info:
        vcs = info["vcs_info"] if isinstance(info["vcs_info"], dict) else {}
        commit = vcs.get("commit_id", "?")
        return f"vcs: {vcs.get('vcs', '?')} {url} @ {commit}", False
    if "dir_info" in info:
        editable = isinstance(info["dir_info"], dict) and info["dir_info"].get("editable")
        return (f"editable: {url}" if editable else f"local directory: {url}"), False
    if not direct:
        return None, True
    if url.startswith("file:"):
        return f"local file: {url}", True
    return f"direct URL: {url}", True


def _item(raw: Any, n: int) -> ReportItem:
    where = f"install[{n}]"
    if not isinstance(raw, dict):
        raise _fail("not an object", where)
    metadata = raw.get("metadata")
    info = raw.get("download_info")
    if not isinstance(metadata, dict) or not isinstance(info, dict):
        raise _fail("no metadata or download_info", where)
    name = _str(metadata.get("name"), f"{where}.metadata.name")
    version = _str(metadata.get("version"), f"{where}.metadata.version")
    url = _str(info.get("url"), f"{where}.download_info.url")
    origin, archive = _origin(info, url, bool(raw.get("is_direct")))
    sha256: str | None = None
    archive_info = info.get("archive_info")
    if isinstance(archive_info, dict):
        hashes = archive_info.get("hashes")
        if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
            sha256 = hashes["sha256"].lower()
        elif isinstance(archive_info.get("hash"), str):
            algo, _, digest = archive_info["hash"].partition("=")
            sha256 = digest.lower() if algo == "sha256" and digest else None
    parts = split_url(url)
    path = parts.path if parts is not None else url.split("#", 1)[0].split("?", 1)[0]
    filename = unquote(path).rstrip("/").rsplit("/", 1)[-1]
    return ReportItem(
        name=name,
        version=version,
        url=url,
        filename=filename,
        sha256=sha256,
        origin=origin,
        archive=archive,
        requested=bool(raw.get("requested")),
        yanked=bool(raw.get("is_yanked")),
    )


def parse_report(text: str) -> list[ReportItem]:
    """The items of a version 1 installation report, in pip's order."""
    try:
        doc = jsontext.loads(text)
    except json.JSONDecodeError as err:
        raise _fail(f"not JSON ({err.msg} at line {err.lineno})") from None
    except RecursionError:
        raise _fail("not JSON (nested too deeply)") from None
    if not isinstance(doc, dict):
        raise _fail("not a JSON object")
    version = doc.get("version")
    if version != "1":
        raise _fail(
            f"version {version!r} is not supported; pyvouch install needs pip >= 23.0 "
            f"(report version 1; this is pip {doc.get('pip_version', '?')})",
            "version",
        )
    items = doc.get("install")
    if not isinstance(items, list):
        raise _fail("no install list", "install")
    return [_item(raw, n) for n, raw in enumerate(items)]
