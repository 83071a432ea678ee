"""Parsing of simple-repository project pages: PEP 691 JSON and PEP 503 HTML.

Pure functions over bytes: no I/O. PEP 740 additions (`provenance` keys in JSON,
`data-provenance` in HTML) are kept together with whether the key was present at all, because
"present and null" (none published) and "absent" (this index cannot tell) mean different things.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pyvouch import jsontext
from pyvouch.urls import join_url
from pyvouch.urls import strip_credentials as strip_credentials  # re-exported: one definition

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
ACCEPT_PAGE = f"{JSON_V1}, {HTML_V1};q=0.2, text/html;q=0.01"
"""The PEP 691 content negotiation header: JSON preferred, HTML as fallback."""

PROVENANCE_API_VERSION = (1, 3)
"""PEP 740 adds provenance to the simple API at api-version 1.3."""


class PageParseError(ValueError):
    """A page could not be parsed. The message is one line naming the problem."""


@dataclass(frozen=True)
class IndexFile:
    """One file listed on a project page."""

    filename: str
    url: str
    """Absolute URL (resolved against the page URL, fragment removed, credentials removed)."""
    sha256: str | None
    provenance_url: str | None
    """Absolute URL of the PEP 740 provenance object, when the page gives one."""
    provenance_key: bool
    """True when the page carried a provenance key for this file at all (even a null one)."""
    yanked: bool | str = False
    """False, True, or the yank reason."""
    requires_python: str | None = None
    core_metadata: bool | str = False
    """False when not served; True or the `sha256=...` hash string when served."""
    gpg_sig: bool = False
    """True when the index says a (legacy) PGP signature exists for the file."""


@dataclass(frozen=True)
class ProjectPage:
    """A parsed project page."""

    name: str
    """The normalized (PEP 503) project name."""
    url: str
    """The page URL the files were resolved against (credentials removed)."""
    api_version: str | None
    files: tuple[IndexFile, ...]
    serves_provenance: bool
    """True when any file on the page carried a provenance key (so this index serves PEP 740)."""
    content_type: str = JSON_V1
    warnings: tuple[str, ...] = ()
    """Things worth saying about how the page was fetched (e.g. a redirect to another host)."""

    def file(self, filename: str) -> IndexFile | None:
        """The entry for `filename`, or None when the page does not list it."""
        for entry in self.files:
            if entry.filename == filename:
                return entry
        return None

    @property
    def announces_provenance(self) -> bool:
        """True when the announced api-version is at least 1.3 (PEP 740)."""
        version = parse_api_version(self.api_version)
        return version is not None and version >= PROVENANCE_API_VERSION


def normalize_name(name: str) -> str:
    """The PEP 503 normalized form of a project name."""
    return canonicalize_name(name)


def parse_api_version(value: str | None) -> tuple[int, int] | None:
    """`"1.3"` -> (1, 3); None for a missing or malformed version."""
    if not value:
        return None
    parts = value.strip().split(".")
    try:
        major = int(parts[0])
        minor = int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return None
    return major, minor


def file_version(filename: str) -> str | None:
    """The version a wheel or sdist filename carries, or None if the name is not standard."""
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def decode_utf8(body: bytes, what: str) -> str:
    """Decode strictly, or raise PageParseError naming the byte offset."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PageParseError(f"{what} is not valid UTF-8 (byte {err.start})") from None


def load_json(body: bytes, what: str) -> Any:
    """Parse a JSON document, or raise PageParseError with a one-line reason."""
    text = decode_utf8(body, what)
    if not text.strip():
        raise PageParseError(f"{what} is empty")
    try:
        return jsontext.loads(text)
    except RecursionError:
        raise PageParseError(f"{what} is nested too deeply to be a real document") from None
    except json.JSONDecodeError as err:
        if err.pos >= len(text.rstrip()) or err.msg.startswith("Unterminated string"):
            raise PageParseError(
                f"{what} is truncated JSON (ends at byte {len(body)}: {err.msg})"
            ) from None
        raise PageParseError(
            f"{what} is not valid JSON (line {err.lineno} column {err.colno}: {err.msg})"
        ) from None


def _resolve(base: str, ref: str) -> str:
    try:
        return strip_credentials(urljoin(base, ref))
    except ValueError as err:  # urllib refuses e.g. "https://[x" (an unclosed IPv6 host)
        raise PageParseError(f"project page lists a malformed URL {ref[:200]!r}: {err}") from None


def _split_hash_fragment(url: str) -> tuple[str, dict[str, str]]:
    try:
        bare, fragment = urldefrag(url)
    except ValueError as err:
        raise PageParseError(f"project page lists a malformed URL {url[:200]!r}: {err}") from None
    hashes: dict[str, str] = {}
    if fragment and "=" in fragment:
        algo, _, value = fragment.partition("=")
        hashes[algo.lower()] = value.lower()
    return bare, hashes


def parse_json_page(body: bytes, page_url: str, *, project: str | None = None) -> ProjectPage:
    """Parse a PEP 691 JSON project page fetched from `page_url`."""
    doc = load_json(body, "project page")
    if not isinstance(doc, dict):
        raise PageParseError("project page JSON is not an object")
    meta = doc.get("meta")
    api_version: str | None = None
    if isinstance(meta, dict):
        raw_version = meta.get("api-version")
        api_version = raw_version if isinstance(raw_version, str) else None
    elif meta is not None:
        raise PageParseError("project page key 'meta' is not an object")
    raw_name = doc.get("name", project)
    if not isinstance(raw_name, str) or not raw_name:
        raise PageParseError("project page has no 'name'")
    raw_files = doc.get("files")
    if not isinstance(raw_files, list):
        raise PageParseError("project page key 'files' is missing or not a list")
    files = tuple(_json_file(entry, i, page_url) for i, entry in enumerate(raw_files))
    return ProjectPage(
        name=normalize_name(raw_name),
        url=strip_credentials(page_url),
        api_version=api_version,
        files=files,
        serves_provenance=any(f.provenance_key for f in files),
        content_type=JSON_V1,
    )


def _json_file(entry: object, index: int, page_url: str) -> IndexFile:
    where = f"files[{index}]"
    if not isinstance(entry, dict):
        raise PageParseError(f"project page {where} is not an object")
    filename = entry.get("filename")
    url = entry.get("url")
    if not isinstance(filename, str) or not filename:
        raise PageParseError(f"project page {where}.filename is missing or not a string")
    if not isinstance(url, str) or not url:
        raise PageParseError(f"project page {where}.url is missing or not a string")
    hashes = entry.get("hashes", {})
    if not isinstance(hashes, Mapping):
        raise PageParseError(f"project page {where}.hashes is not an object")
    sha256 = hashes.get("sha256")
    if sha256 is not None and not isinstance(sha256, str):
        raise PageParseError(f"project page {where}.hashes.sha256 is not a string")
    provenance_key = "provenance" in entry
    provenance = entry.get("provenance")
    if provenance is not None and not isinstance(provenance, str):
        raise PageParseError(f"project page {where}.provenance is not a string or null")
    yanked = entry.get("yanked", False)
    if not isinstance(yanked, bool | str):
        raise PageParseError(f"project page {where}.yanked is not a boolean or string")
    gpg_sig = entry.get("gpg-sig", False)
    if not isinstance(gpg_sig, bool):
        raise PageParseError(f"project page {where}.gpg-sig is not a boolean")
    requires_python = entry.get("requires-python")
    if requires_python is not None and not isinstance(requires_python, str):
        raise PageParseError(f"project page {where}.requires-python is not a string")
    core = entry.get("core-metadata", entry.get("dist-info-metadata", False))
    core_metadata: bool | str
    if isinstance(core, dict):
        digest = core.get("sha256")
        core_metadata = f"sha256={digest}" if isinstance(digest, str) else True
    else:
        core_metadata = bool(core)
    bare_url, fragment_hashes = _split_hash_fragment(url)
    return IndexFile(
        filename=filename,
        url=_resolve(page_url, bare_url),
        sha256=(sha256.lower() if sha256 else fragment_hashes.get("sha256")) or None,
        provenance_url=_resolve(page_url, provenance) if provenance else None,
        provenance_key=provenance_key,
        yanked=yanked,
        requires_python=requires_python,
        core_metadata=core_metadata,
        gpg_sig=gpg_sig,
    )


class _AnchorCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], list[str]]] = []
        self.meta: dict[str, str] = {}
        self.base_href: str | None = None
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            text: list[str] = []
            self.anchors.append((attributes, text))
            self._current = text
        elif tag == "meta":
            name, content = attributes.get("name"), attributes.get("content")
            if name and content is not None:
                self.meta[name] = content
        elif tag == "base" and self.base_href is None:
            self.base_href = attributes.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


def parse_html_page(body: bytes, page_url: str, *, project: str) -> ProjectPage:
    """Parse a PEP 503 HTML project page fetched from `page_url`."""
    text = decode_utf8(body, "project page")
    collector = _AnchorCollector()
    try:
        collector.feed(text)
        collector.close()
    except Exception as err:  # HTMLParser is lenient; this guards odd inputs all the same
        raise PageParseError(f"project page HTML cannot be parsed: {err}") from None
    base = page_url
    if collector.base_href:
        joined = join_url(page_url, collector.base_href)
        if joined is None:
            raise PageParseError(
                f"project page has a malformed <base href> {collector.base_href[:200]!r}"
            )
        base = joined
    files: list[IndexFile] = []
    for attributes, text_parts in collector.anchors:
        href = attributes.get("href")
        if not href:
            continue
        bare_url, hashes = _split_hash_fragment(href)
        absolute = _resolve(base, bare_url)
        filename = "".join(text_parts).strip() or urlsplit(absolute).path.rsplit("/", 1)[-1]
        provenance_key = "data-provenance" in attributes
        provenance = attributes.get("data-provenance") or None
        yanked_attr = attributes.get("data-yanked", False)
        yanked: bool | str = False
        if yanked_attr is not False:
            yanked = yanked_attr or True
        core = attributes.get("data-core-metadata", attributes.get("data-dist-info-metadata"))
        has_core = "data-core-metadata" in attributes or "data-dist-info-metadata" in attributes
        core_metadata: bool | str = False
        if has_core:
            core_metadata = core if core and core.lower() != "true" else True
        files.append(
            IndexFile(
                filename=filename,
                url=absolute,
                sha256=hashes.get("sha256"),
                provenance_url=_resolve(base, provenance) if provenance else None,
                provenance_key=provenance_key,
                yanked=yanked,
                requires_python=attributes.get("data-requires-python") or None,
                core_metadata=core_metadata,
                gpg_sig=(attributes.get("data-gpg-sig") or "").lower() == "true",
            )
        )
    return ProjectPage(
        name=normalize_name(project),
        url=strip_credentials(page_url),
        api_version=collector.meta.get("pypi:repository-version"),
        files=tuple(files),
        serves_provenance=any(f.provenance_key for f in files),
        content_type="text/html",
    )


def media_type(content_type: str | None) -> str:
    """`"text/html; charset=utf-8"` -> `"text/html"` (lower case, no parameters)."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def parse_page(
    body: bytes, content_type: str | None, page_url: str, *, project: str
) -> ProjectPage:
    """Parse a project page by its content type; raise PageParseError for an unexpected one."""
    kind = media_type(content_type)
    if kind in (JSON_V1, "application/json"):
        return parse_json_page(body, page_url, project=project)
    if kind in (HTML_V1, "text/html"):
        return parse_html_page(body, page_url, project=project)
    shown = kind or "no content type"
    raise PageParseError(
        f"project page has content type {shown!r}, expected PEP 691 JSON or PEP 503 HTML"
    )


def check_provenance(body: bytes, what: str = "provenance") -> None:
    """Raise PageParseError unless `body` is a JSON object shaped like a PEP 740 Provenance.

    Only the shape is checked here; verification (verify/) reads and checks the contents.
    """
    doc = load_json(body, what)
    if not isinstance(doc, dict):
        raise PageParseError(f"{what} is not a JSON object")
    bundles = doc.get("attestation_bundles")
    if not isinstance(bundles, list):
        raise PageParseError(f"{what} has no 'attestation_bundles' list (not a PEP 740 object)")
