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
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from packaging.utils import (
    canonicalize_name,
)

from pyvouch import jsontext
from pyvouch.digests import DigestError, algorithm_name
from pyvouch.dist_names import dist_name
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
    hashes: tuple[tuple[str, str], ...] = ()
    """Every digest the page lists for the file (PEP 691 ``hashes``, the PEP 503 URL
    fragment), as ``(hashlib name, lowercase hex)`` sorted by name, sha256 included. The
    index's word only: see `pyvouch.digests`."""

    def digest_map(self) -> dict[str, str]:
        """``hashes`` as a dict, with ``sha256`` set whenever the entry has one."""
        out = dict(self.hashes)
        if self.sha256:
            out.setdefault("sha256", self.sha256.lower())
        return out

    conflict: str | None = None
    """How this entry contradicts itself (e.g. one sha256 in `hashes`, another in its URL)."""


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
    contradictions: tuple[tuple[str, str], ...] = ()
    """``(filename, how)`` for every file the page says two things about (see
    `find_contradictions`): nobody can tell which answer holds, so its lookups are errors."""

    def file(self, filename: str) -> IndexFile | None:
        """The (first) entry for `filename`, or None when the page does not list it. Check
        `contradiction` too: a page may list a file twice with different answers."""
        for entry in self.files:
            if entry.filename == filename:
                return entry
        return None

    def contradiction(self, filename: str) -> str | None:
        """How the page contradicts itself about `filename`, or None when it does not."""
        for name, how in self.contradictions:
            if name == filename:
                return how
        return None

    @property
    def announces_provenance(self) -> bool:
        """True when the announced api-version is at least 1.3 (PEP 740)."""
        version = parse_api_version(self.api_version)
        return version is not None and version >= PROVENANCE_API_VERSION


_QUOTE_LIMIT = 200


def _quoted(text: str) -> str:
    return text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "..."


def _provenance_answer(entry: IndexFile) -> str:
    if entry.provenance_url is not None:
        return _quoted(entry.provenance_url)
    return "null" if entry.provenance_key else "no provenance key"


def _differences(first: IndexFile, other: IndexFile) -> list[str]:
    found = []
    if first.sha256 != other.sha256:
        found.append(f"sha256 {first.sha256 or 'none'}, then {other.sha256 or 'none'}")
    if (first.provenance_key, first.provenance_url) != (other.provenance_key, other.provenance_url):
        found.append(f"provenance {_provenance_answer(first)}, then {_provenance_answer(other)}")
    if first.gpg_sig != other.gpg_sig:
        signed = ("with", "without") if first.gpg_sig else ("without", "with")
        found.append(f"{signed[0]} a PGP signature, then {signed[1]}")
    return found


def find_contradictions(files: tuple[IndexFile, ...]) -> tuple[tuple[str, str], ...]:
    """``(filename, how)`` for each file the page contradicts itself about: an entry whose own
    fields disagree (`IndexFile.conflict`), or the same filename listed more than once with a
    different sha256, provenance answer (null, absent, a URL) or PGP signature flag. Listing a
    file twice with the same answers (another download URL, say) is no contradiction."""
    first: dict[str, IndexFile] = {}
    found: dict[str, list[str]] = {}
    for entry in files:
        problems = found.setdefault(entry.filename, [])
        if entry.conflict is not None:
            problems.append(entry.conflict)
        earlier = first.setdefault(entry.filename, entry)
        if earlier is not entry:
            differences = _differences(earlier, entry)
            if differences:
                problems.append(f"listed more than once: {'; '.join(differences)}")
    return tuple(
        (name, f"the index page contradicts itself about {name}: {', and '.join(problems)}")
        for name, problems in found.items()
        if problems
    )


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
    parsed = dist_name(filename)
    return str(parsed.version) if parsed is not None else None


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


def _listed_hashes(raw: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """The page's digests by hashlib name; a name that cannot be one is left out (the index's
    word is only ever compared, never trusted, so an odd entry cannot help anyone)."""
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value:
            continue
        try:
            out.setdefault(algorithm_name(key), value.strip().lower())
        except DigestError:
            continue
    return tuple(sorted(out.items()))


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
        contradictions=find_contradictions(files),
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
    listed = _listed_hashes({**fragment_hashes, **hashes})
    from_url = fragment_hashes.get("sha256")
    conflict = None
    if sha256 and from_url and sha256.lower() != from_url:
        conflict = (
            f"its entry gives sha256 {sha256.lower()} in hashes, {_quoted(from_url)} in its URL"
        )
    return IndexFile(
        filename=filename,
        url=_resolve(page_url, bare_url),
        sha256=(sha256.lower() if sha256 else from_url) or None,
        provenance_url=_resolve(page_url, provenance) if provenance else None,
        provenance_key=provenance_key,
        yanked=yanked,
        requires_python=requires_python,
        core_metadata=core_metadata,
        gpg_sig=gpg_sig,
        hashes=listed,
        conflict=conflict,
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
        from_url = unquote(urlsplit(absolute).path.rsplit("/", 1)[-1])
        filename = "".join(text_parts).strip() or from_url
        conflict = None
        if filename != from_url:  # PEP 503: the text MUST be the URL's final path component
            conflict = f"its link text names {filename}, its URL {_quoted(from_url)}"
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
                hashes=_listed_hashes(hashes),
                conflict=conflict,
            )
        )
    return ProjectPage(
        name=normalize_name(project),
        url=strip_credentials(page_url),
        api_version=collector.meta.get("pypi:repository-version"),
        files=tuple(files),
        serves_provenance=any(f.provenance_key for f in files),
        content_type="text/html",
        contradictions=find_contradictions(tuple(files)),
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
