"""What every source shares: the result type, file loading with located errors, small helpers.

A source module exposes ``load(path, ctx) -> list[Package]``. It raises
:class:`pyvouch.errors.InputError` (file, place, problem) for malformed input and never lets a
decoder's exception escape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from packaging.utils import InvalidName, canonicalize_name

from pyvouch import jsontext
from pyvouch.digests import SHA256, DigestError, Digests, parse_pair, parse_spec, split_sha256
from pyvouch.errors import InputError
from pyvouch.limits import MAX_LOCK_BYTES, MIB
from pyvouch.model import FileRef, Package
from pyvouch.redact import first_line, quote, redact_text
from pyvouch.sources.markers import Narrowing
from pyvouch.tomlfile import parse_toml
from pyvouch.urls import split_url

_HEX64 = re.compile(r"[0-9a-f]{64}")

DEFAULT_INDEXES = frozenset(
    {
        "https://pypi.org/simple",
        "https://pypi.org/simple/",
        "https://pypi.python.org/simple",
        "https://pypi.python.org/simple/",
    }
)


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What a source yields: the packages, the detected format, and anything worth saying."""

    packages: list[Package]
    format: str
    path: Path | None
    warnings: list[str] = field(default_factory=list)
    index_urls: list[str] = field(default_factory=list)
    """Indexes the input declares (requirements `--index-url`/`--extra-index-url`, Pipfile
    sources), the primary first. Empty when the input names none. These keep their
    credentials (the index client needs them to fetch); never show them as they are."""
    other_sources: list[str] = field(default_factory=list)
    """Other places the input tells an installer to take files from, as pip options
    (requirements ``--find-links URL``, ``--no-index``). Never looked up."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "warnings", [redact_text(w) for w in self.warnings])


@dataclass(slots=True)
class Context:
    """Per-load state handed to each source module."""

    path: Path
    narrowing: Narrowing
    resolve: bool = True
    index_url: str | None = None
    warnings: list[str] = field(default_factory=list)
    index_urls: list[str] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)

    def error(self, problem: str, where: str | None = None) -> InputError:
        return InputError(self.path, problem, where=where)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def keep(self, marker: str | None, where: str) -> bool:
        """Whether a package under ``marker`` can be installed in the narrowed environment."""
        try:
            return self.narrowing.may_match(marker)
        except ValueError as err:
            raise self.error(
                f"invalid environment marker {quote(marker or '')}: {first_line(err)}", where
            ) from None


STDIN = Path("<stdin>")
"""The path a lock read from standard input (``-``) carries: in messages and reports, and as
the place relative ``-r``/``-c`` includes are read from (its folder: the current one)."""


def read_text(path: Path) -> str:
    """A lock, requirements file or SBOM as text (UTF-8, a BOM dropped), at most
    `MAX_LOCK_BYTES`: a larger one is refused, never read into memory whole."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_LOCK_BYTES + 1)
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    return decode_text(path, data)


def decode_text(path: Path, data: bytes) -> str:
    """``data`` read from ``path`` (at most ``MAX_LOCK_BYTES + 1`` of it) as text."""
    if len(data) > MAX_LOCK_BYTES:
        raise InputError(path, f"larger than {MAX_LOCK_BYTES // MIB} MiB, the limit for a lock")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text: {err.reason}", where=f"byte {err.start}") from None


def load_toml(path: Path, text: str | None = None) -> dict[str, Any]:
    text = read_text(path) if text is None else text
    return parse_toml(text, path, error=InputError, limit=None)


def load_json(path: Path, text: str | None = None) -> Any:
    text = read_text(path) if text is None else text
    try:
        return jsontext.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            path, f"invalid JSON: {err.msg}", where=f"line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise InputError(path, "invalid JSON: nested too deeply") from None


# ---- typed access with key paths -------------------------------------------------------------


def get_table(ctx: Context, d: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ctx.error(f"expected a table, got {_kind(value)}", f"{where}.{key}".lstrip("."))
    return value


def get_list(ctx: Context, d: dict[str, Any], key: str, where: str) -> list[Any]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ctx.error(f"expected a list, got {_kind(value)}", f"{where}.{key}".lstrip("."))
    return value


def get_str(
    ctx: Context, d: dict[str, Any], key: str, where: str, *, required: bool = False
) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            raise ctx.error("missing required key", f"{where}.{key}".lstrip("."))
        return None
    if not isinstance(value, str):
        raise ctx.error(f"expected a string, got {_kind(value)}", f"{where}.{key}".lstrip("."))
    return value


def req_str(ctx: Context, d: dict[str, Any], key: str, where: str) -> str:
    value = get_str(ctx, d, key, where, required=True)
    assert value is not None
    return value


def get_int(ctx: Context, d: dict[str, Any], key: str, where: str) -> int | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ctx.error(f"expected an integer, got {_kind(value)}", f"{where}.{key}".lstrip("."))
    return value


def as_table(ctx: Context, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ctx.error(f"expected a table, got {_kind(value)}", where)
    return value


def _kind(value: Any) -> str:
    return {
        dict: "a table",
        list: "a list",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
    }.get(type(value), type(value).__name__)


# ---- names, hashes, files --------------------------------------------------------------------


def norm_name(ctx: Context, name: str, where: str) -> str:
    try:
        return canonicalize_name(name, validate=True)
    except InvalidName:
        raise ctx.error(f"invalid project name {quote(name)}", where) from None


def sha256_of(ctx: Context, value: str, where: str) -> str | None:
    """``sha256:<hex>`` → hex; another algorithm → None; garbage → InputError."""
    algorithm, digest = digest_of(ctx, value, where)
    return digest if algorithm == SHA256 else None


def digest_of(ctx: Context, value: str, where: str) -> tuple[str, str]:
    """``sha512:<HEX>`` → ``("sha512", "<hex>")`` (any algorithm, `pyvouch.digests`);
    garbage → InputError."""
    try:
        return parse_spec(value)
    except DigestError as err:
        raise ctx.error(str(err), where) from None


def digest_pair(ctx: Context, algorithm: str, value: str, where: str) -> tuple[str, str]:
    """``("SHA-512", "<HEX>")`` → ``("sha512", "<hex>")``; garbage → InputError."""
    try:
        return parse_pair(algorithm, value)
    except DigestError as err:
        raise ctx.error(str(err), where) from None


def split_digests(
    ctx: Context, pairs: Iterable[tuple[str, str]], where: str
) -> tuple[str | None, Digests]:
    """A file's digests as `FileRef` keeps them: its sha256 and every other one."""
    try:
        return split_sha256(pairs)
    except DigestError as err:
        raise ctx.error(str(err), where) from None


def one_digest(ctx: Context, text: str | None, where: str) -> tuple[str | None, Digests]:
    """A file's single ``ALGORITHM:DIGEST`` (uv, pdm, poetry) as `FileRef` keeps it."""
    if not text:
        return None, ()
    return split_digests(ctx, [digest_of(ctx, text, where)], where)


def hash_only_pins(
    ctx: Context, values: Iterable[tuple[str, str]]
) -> tuple[tuple[str, ...], tuple[FileRef, ...]]:
    """Digests pinned without file names (``(text, where)`` each, ``ALGORITHM:DIGEST``): the
    sha256 ones for `Package.hashes`, each other one as a nameless `FileRef`, so a pin in
    another algorithm is reported, never dropped."""
    sha256: list[str] = []
    others: list[FileRef] = []
    for text, where in values:
        algorithm, digest = digest_of(ctx, text, where)
        if algorithm == SHA256:
            sha256.append(digest)
        else:
            others.append(FileRef(filename="", other_digests=((algorithm, digest),)))
    return tuple(dict.fromkeys(sha256)), tuple(dict.fromkeys(others))


def check_hex(ctx: Context, digest: str, where: str) -> str:
    digest = digest.lower()
    if not _HEX64.fullmatch(digest):
        raise ctx.error(f"not a SHA-256 digest: {quote(digest)}", where)
    return digest


def filename_from_url(url: str) -> str:
    """The file name a URL points to: the last path segment, or a ``#name`` fragment that
    names a file (CycloneDX writes ``.../simple/proj/#proj-1.0.tar.gz``)."""
    parts = split_url(url)
    if parts is None:  # e.g. "Invalid IPv6 URL": still name the file the text ends with
        return unquote(url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path else ""
    frag = unquote(parts.fragment)
    if frag and "=" not in frag and (parts.path.endswith("/") or not _looks_like_dist(name)):
        return frag
    return name


def filename_from_path(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def _looks_like_dist(name: str) -> bool:
    return name.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".egg", ".tar"))


def index_or_none(url: str | None) -> str | None:
    """The index URL when it is not the default (PyPI); None otherwise."""
    if not url:
        return None
    return None if url.strip() in DEFAULT_INDEXES else url.strip()


def merge_packages(packages: list[Package]) -> list[Package]:
    """One Package per (name, version, origin), files and hashes united, order kept."""
    out: dict[tuple[str, str | None, str | None], Package] = {}
    for pkg in packages:
        key = (pkg.name, pkg.version, pkg.origin)
        prev = out.get(key)
        if prev is None:
            out[key] = pkg
            continue
        files = list(prev.files)
        seen = {(f.filename, f.sha256, f.other_digests) for f in files}
        files += [f for f in pkg.files if (f.filename, f.sha256, f.other_digests) not in seen]
        hashes = tuple(dict.fromkeys(prev.hashes + pkg.hashes))
        marker = prev.marker
        if prev.marker is None or pkg.marker is None:
            marker = None
        elif prev.marker != pkg.marker:
            marker = f"({prev.marker}) or ({pkg.marker})"
        out[key] = replace(
            prev,
            files=tuple(files),
            hashes=hashes,
            marker=marker,
            index_url=prev.index_url or pkg.index_url,
            attestation_identities=prev.attestation_identities or pkg.attestation_identities,
        )
    return list(out.values())


def file_ref(
    filename: str,
    sha256: str | None,
    url: str | None = None,
    size: int | None = None,
    other_digests: Digests = (),
) -> FileRef:
    return FileRef(
        filename=filename, sha256=sha256, url=url, size=size, other_digests=other_digests
    )
