"""A local OSV database: a directory of OSV JSON or YAML files (as the PyPA advisory database
is laid out), or the zip OSV publishes per ecosystem.

Every file is read once and checked (`pyvouch.vulns.osv`); a file that cannot be read, is not
OSV or has a range that cannot be evaluated is skipped with its name and the reason, and the
rest are used. The checked advisories are cached (sealed with the machine key, like every
cache entry, `pyvouch.index.sealed`) under a key made of the database's path and every file's
size and modification time, so a warm run reads one entry instead of thousands of YAML files;
a planted or stale entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pyvouch import jsontext
from pyvouch.errors import InputError
from pyvouch.index.cache import default_cache_dir
from pyvouch.index.sealed import read_sealed_blob, write_sealed_blob
from pyvouch.limits import MAX_ADVISORY_BYTES, MAX_ADVISORY_DB_MEMBERS
from pyvouch.machine_key import key_for_cache
from pyvouch.vulns.osv import ECOSYSTEM, Advisory, AdvisoryProblem, parse_advisory

SUFFIXES = (".json", ".yaml", ".yml")
CACHE_LAYOUT = "vulndb-v2"
_MAC_PURPOSE = "pyvouch osv database v1"


def _load_yaml(data: bytes) -> Any:
    """A YAML document, with the safe loader; ValueError when it is not valid YAML.

    yaml is imported here, not with the module: every scan imports this module (~20 ms of
    imports), only a YAML advisory database is parsed with it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(data, Loader=loader)  # noqa: S506 - the safe loader
    except yaml.YAMLError as err:
        raise ValueError(str(err).strip() or type(err).__name__) from None


def decode(data: bytes, name: str) -> Any:
    """A JSON or YAML document (by ``name``'s suffix); ValueError naming the problem."""
    try:
        if name.endswith(".json"):
            return jsontext.loads(data)
        return _load_yaml(data)
    except (ValueError, RecursionError) as err:
        kind = "JSON" if name.endswith(".json") else "YAML"
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"not valid {kind}: {first}") from None


@dataclass
class AdvisoryDatabase:
    """The advisories of one database, by the PEP 503 names they affect."""

    origin: str
    documents: list[dict[str, Any]]
    """The checked advisories as (reduced) OSV documents."""
    skipped: tuple[str, ...] = ()
    """``file: reason`` for each file left out."""
    unusable: dict[str, list[str]] = field(default_factory=dict)
    """Packages named by an advisory that was left out, with the reasons: their status is
    then `unknown` unless another advisory affects them."""
    _by_name: dict[str, list[int]] = field(default_factory=dict)
    _parsed: dict[int, Advisory] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, doc in enumerate(self.documents):
            for entry in doc.get("affected", []):
                self._by_name.setdefault(entry["package"]["name"], []).append(i)

    def __len__(self) -> int:
        return len(self.documents)

    def advisories(self, name: str) -> list[Advisory]:
        """The advisories naming ``name`` (normalized)."""
        out = []
        for i in dict.fromkeys(self._by_name.get(name, ())):
            if i not in self._parsed:
                doc = self.documents[i]
                origin = doc.get("_origin", self.origin)
                self._parsed[i] = parse_advisory(doc, origin, checked=True)
            out.append(self._parsed[i])
        return out


def _members(root: Path, prefix: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """Advisory files under ``root`` by relative name, sorted; symbolic links to folders are
    not followed (no loops)."""
    try:
        with os.scandir(root / prefix if prefix else root) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        name = f"{prefix}/{entry.name}" if prefix else entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _members(root, name)
            elif entry.name.endswith(SUFFIXES):
                yield name, entry.stat()
        except OSError:
            continue


def _fingerprint(path: Path, listing: list[tuple[str, int, int]]) -> str:
    digest = hashlib.sha256(f"{CACHE_LAYOUT}\0{path}\0".encode())
    for name, size, mtime in listing:
        digest.update(f"{name}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def _named(doc: Any) -> list[str]:
    """The PyPI package names an unusable document still states (best effort)."""
    names: list[str] = []
    affected = doc.get("affected") if isinstance(doc, dict) else None
    for entry in affected if isinstance(affected, list) else []:
        package = entry.get("package") if isinstance(entry, dict) else None
        if isinstance(package, dict) and package.get("ecosystem") == ECOSYSTEM:
            name = package.get("name")
            if isinstance(name, str) and name.strip():
                names.append(str(canonicalize_name(name)))
    return names


class _Reader:
    """Checks documents one by one: the usable ones, and why the others were left out."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []
        self.skipped: list[str] = []
        self.unusable: dict[str, list[str]] = {}

    def add(self, data: bytes, name: str, origin: str) -> None:
        try:
            raw = decode(data, name)
        except ValueError as err:
            self.skipped.append(f"{origin}: {err}")
            return
        try:
            advisory = parse_advisory(raw, origin)
        except AdvisoryProblem as err:
            self.skipped.append(f"{origin}: {err}")
            ident = raw.get("id") if isinstance(raw, dict) else None
            label = ident if isinstance(ident, str) else origin
            for package in _named(raw):
                self.unusable.setdefault(package, []).append(f"advisory {label}: {err}")
            return
        doc = advisory.to_osv()
        doc["_origin"] = origin
        self.docs.append(doc)

    def database(self, origin: str) -> AdvisoryDatabase:
        return AdvisoryDatabase(origin, self.docs, tuple(self.skipped), self.unusable)


def _read_directory(root: Path, listing: list[tuple[str, int, int]]) -> _Reader:
    reader = _Reader()
    for name, size, _mtime in listing:
        path = root / name
        if size > MAX_ADVISORY_BYTES:
            reader.skipped.append(f"{path}: larger than {MAX_ADVISORY_BYTES} bytes")
            continue
        try:
            data = path.read_bytes()
        except OSError as err:
            reader.skipped.append(f"{path}: cannot be read ({err.strerror or err})")
            continue
        reader.add(data, name, str(path))
    return reader


def _read_zip(path: Path) -> _Reader:
    reader = _Reader()
    skipped = reader.skipped
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.endswith(SUFFIXES)]
            if len(members) > MAX_ADVISORY_DB_MEMBERS:
                raise InputError(path, f"more than {MAX_ADVISORY_DB_MEMBERS} advisories")
            for info in members:
                where = f"{path}!{info.filename}"
                if info.file_size > MAX_ADVISORY_BYTES:
                    skipped.append(f"{where}: larger than {MAX_ADVISORY_BYTES} bytes")
                    continue
                try:
                    with archive.open(info) as member:
                        data = member.read(MAX_ADVISORY_BYTES + 1)
                    if len(data) > MAX_ADVISORY_BYTES:
                        skipped.append(f"{where}: larger than {MAX_ADVISORY_BYTES} bytes")
                        continue
                except (zipfile.BadZipFile, OSError, EOFError) as err:
                    skipped.append(f"{where}: cannot be read ({err})")
                    continue
                reader.add(data, info.filename, where)
    except (zipfile.BadZipFile, OSError) as err:
        raise InputError(path, f"not a readable zip of OSV advisories ({err})") from None
    return reader


def _listing(path: Path) -> list[tuple[str, int, int]]:
    if path.is_dir():
        listing = []
        for name, st in _members(path):
            listing.append((name, st.st_size, st.st_mtime_ns))
            if len(listing) > MAX_ADVISORY_DB_MEMBERS:
                raise InputError(path, f"more than {MAX_ADVISORY_DB_MEMBERS} advisory files")
        return listing
    st = path.stat()
    return [("", st.st_size, st.st_mtime_ns)]


def load_database(
    path: Path, *, cache_dir: Path | None = None, use_cache: bool = True
) -> AdvisoryDatabase:
    """The advisories under ``path`` (a directory or a zip); `InputError` when it is neither."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError(path, "no such advisory database (a directory or a zip)") from None
    if not resolved.is_dir() and not zipfile.is_zipfile(resolved):
        raise InputError(path, "not an advisory database (a directory of OSV files or a zip)")
    listing = _listing(resolved)
    if resolved.is_dir() and not listing:
        raise InputError(path, "holds no OSV advisory files (*.json, *.yaml)")
    root = (cache_dir if cache_dir is not None else default_cache_dir()) / CACHE_LAYOUT
    secret = key_for_cache(root.parent) if use_cache else None
    key = _fingerprint(resolved, listing)
    if secret is not None:
        cached = read_sealed_blob(root, secret, _MAC_PURPOSE, key)
        if cached is not None:
            try:
                entry = json.loads(cached)
                return AdvisoryDatabase(
                    str(path), entry["documents"], tuple(entry["skipped"]), entry["unusable"]
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                pass  # a sealed entry of another shape: read the database again
    reader = _read_directory(resolved, listing) if resolved.is_dir() else _read_zip(resolved)
    if not reader.docs and reader.skipped:
        raise InputError(path, f"no usable advisory (first problem: {reader.skipped[0]})")
    if secret is not None:
        entry = {"documents": reader.docs, "skipped": reader.skipped, "unusable": reader.unusable}
        value = json.dumps(entry, separators=(",", ":"))
        write_sealed_blob(root, secret, _MAC_PURPOSE, key, value.encode())
    return reader.database(str(path))
