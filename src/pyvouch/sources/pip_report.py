"""pip's installation report (``pip install --dry-run --report``, format version 1): the one
reader, for scan's resolution of unpinned requirements (`pip_resolve`) and for the install
gate (`pyvouch.gate`).

For each item pip reports ``download_info`` (PEP 610 direct URL data, read through
``packaging.direct_url``: the file's URL, and ``archive_info.hashes`` for an archive) and
``metadata`` (name, version). An item that comes from the index has ``is_direct`` false; a
local path, VCS checkout, editable or direct URL has it true and becomes a ``not-indexed``
package whose origin says which (`direct.origin_of`: ``vcs:git+URL@COMMIT``,
``directory:URL``, ``editable:URL``, ``path:URL``, ``url:URL``).
See https://pip.pypa.io/en/stable/reference/installation-report/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.utils import InvalidName, canonicalize_name

from pyvouch import jsontext
from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.redact import quote
from pyvouch.sources.base import index_or_none
from pyvouch.sources.direct import file_of, origin_of
from pyvouch.sources.direct import read as read_direct

REPORT_NAME = "pip's installation report"


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One thing pip would install."""

    name: str
    version: str
    url: str
    """As pip reported it, credentials included (pip must fetch it; never show it)."""
    file: FileRef | None
    """The archive (wheel or sdist) with every digest pip reported; None for a directory or
    VCS checkout. For an index file only its sha256 is kept: pip's other hash for it is the
    index's own link hash, not a pin."""
    origin: str | None
    """None for a file from the index; else what it is (`direct.origin_of`)."""
    requested: bool = False
    yanked: bool = False

    @property
    def filename(self) -> str:
        return self.file.filename if self.file is not None else ""

    @property
    def sha256(self) -> str | None:
        return self.file.sha256 if self.file is not None else None

    @property
    def archive(self) -> bool:
        """The item is one archive file (wheel or sdist), so an installer can pin it by hash."""
        return self.file is not None

    def package(self, source: str = REPORT_NAME, index_url: str | None = None) -> Package:
        return Package(
            name=self.name,
            version=self.version,
            files=(self.file,) if self.file is not None else (),
            source=source,
            origin=self.origin,
            index_url=index_or_none(index_url) if self.origin is None else None,
        )


def _error(where_from: str | Path, problem: str, where: str | None = None) -> InputError:
    """Named as the report, or as the file pip resolved (then the report is said too)."""
    said = problem if where_from == REPORT_NAME else f"{REPORT_NAME}: {problem}"
    return InputError(where_from, said, where=where)


def _item(raw: Any, n: int, where_from: str | Path) -> ReportItem:
    where = f"install[{n}]"

    def fail(problem: str, at: str) -> InputError:
        return _error(where_from, problem, at)

    if not isinstance(raw, dict):
        raise fail("expected an object", where)
    metadata = raw.get("metadata")
    info = raw.get("download_info")
    if not isinstance(metadata, dict) or not isinstance(info, dict):
        raise fail("no metadata or download_info", where)
    name, version = metadata.get("name"), metadata.get("version")
    if not isinstance(name, str) or not name:
        raise fail("missing or not a string", f"{where}.metadata.name")
    if not isinstance(version, str) or not version:
        raise fail("missing or not a string", f"{where}.metadata.version")
    try:
        name = canonicalize_name(name, validate=True)
    except InvalidName:
        raise fail(f"invalid project name {quote(name)}", f"{where}.metadata.name") from None
    try:
        direct = read_direct(info)
        found = file_of(direct)
    except ValueError as err:
        raise fail(str(err), f"{where}.download_info") from None
    is_direct = bool(raw.get("is_direct"))
    if found is not None and not is_direct:
        found = replace(found, other_digests=())
        if found.url is None:  # an index served from a file: URL (a local simple index)
            found = replace(found, url=direct.url)
    return ReportItem(
        name=name,
        version=version,
        url=direct.url,
        file=found,
        origin=origin_of(direct) if is_direct or found is None else None,
        requested=bool(raw.get("requested")),
        yanked=bool(raw.get("is_yanked")),
    )


def report_items(doc: Any, where_from: str | Path = REPORT_NAME) -> list[ReportItem]:
    """The items of a parsed version 1 report, in pip's order (``where_from`` names the input
    in errors: the requirements file pip resolved, or the report itself)."""
    if not isinstance(doc, dict):
        raise _error(where_from, "not a JSON object")
    version = doc.get("version")
    if version != "1":
        raise _error(
            where_from,
            f"version {version!r} is not supported; pyvouch needs pip >= 23.0 "
            f"(report version 1; this is pip {doc.get('pip_version', '?')})",
            "version",
        )
    items = doc.get("install")
    if not isinstance(items, list):
        raise _error(where_from, "no install list", "install")
    return [_item(raw, n, where_from) for n, raw in enumerate(items)]


def parse_report(text: str, where_from: str | Path = REPORT_NAME) -> list[ReportItem]:
    """The items of a version 1 report given as JSON text."""
    try:
        doc = jsontext.loads(text)
    except json.JSONDecodeError as err:
        raise _error(where_from, f"not JSON ({err.msg} at line {err.lineno})") from None
    except RecursionError:
        raise _error(where_from, "not JSON (nested too deeply)") from None
    return report_items(doc, where_from)
