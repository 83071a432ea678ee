"""OSV advisories read and checked: one `Advisory` per document, or the named problem.

Only what matching and the reports need is kept: ids and aliases, the summary, withdrawal,
severity vectors, and for each affected package of the ``PyPI`` ecosystem its ``ECOSYSTEM``
ranges, its explicit ``versions`` and the symbols the advisory names
(``ecosystem_specific.imports``). Other ecosystems and ``GIT``/``SEMVER`` ranges are ignored.
A document that is not an OSV advisory, lacks a required field or has a range pyvouch cannot
evaluate (a version that is not PEP 440, an unknown event) is an `AdvisoryProblem` naming the
place: the caller skips it and says so; the other advisories are still used.

`Advisory.to_osv` writes the kept parts back as a (smaller) OSV document, which
`parse_advisory` reads again: the cached database is OSV too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyvouch.redact import quote

ECOSYSTEM = "PyPI"
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
MAX_SUMMARY = 400
MAX_URLS = 5


class AdvisoryProblem(ValueError):
    """Why a document cannot be used as an advisory (one line, with the place in it)."""


@dataclass(frozen=True, slots=True)
class Affected:
    """One affected PyPI package of an advisory."""

    name: str
    """PEP 503-normalized."""
    ranges: tuple[tuple[tuple[str, str], ...], ...]
    """The ``ECOSYSTEM`` ranges: each a tuple of (event kind, version) in the file's order."""
    versions: tuple[str, ...]
    """The explicit versions list, as written."""
    symbols: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    modified: str
    withdrawn: str | None
    severity: tuple[tuple[str, str], ...]
    """(type, score) pairs: ``CVSS_V3`` / ``CVSS_V4`` vectors (others kept, not scored)."""
    database_severity: str | None
    """The database's own rating (GitHub's ``database_specific.severity``), if any."""
    affected: tuple[Affected, ...]
    urls: tuple[str, ...] = ()
    origin: str = ""
    """Where it was read (a file of the database, an API URL)."""

    def affecting(self, name: str) -> tuple[Affected, ...]:
        return tuple(a for a in self.affected if a.name == name)

    def to_osv(self) -> dict[str, Any]:
        """The kept parts as an OSV document (``parse_advisory`` reads it back unchanged)."""
        doc: dict[str, Any] = {
            "id": self.id,
            "modified": self.modified,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "severity": [{"type": t, "score": s} for t, s in self.severity],
            "affected": [_affected_osv(a) for a in self.affected],
            "references": [{"type": "WEB", "url": u} for u in self.urls],
        }
        if self.withdrawn is not None:
            doc["withdrawn"] = self.withdrawn
        if self.database_severity is not None:
            doc["database_specific"] = {"severity": self.database_severity}
        return doc


def _affected_osv(affected: Affected) -> dict[str, Any]:
    out: dict[str, Any] = {
        "package": {"name": affected.name, "ecosystem": ECOSYSTEM},
        "ranges": [
            {"type": "ECOSYSTEM", "events": [{k: v} for k, v in events]}
            for events in affected.ranges
        ],
        "versions": list(affected.versions),
    }
    if affected.symbols:
        out["ecosystem_specific"] = {
            "imports": [
                {"module": m, **({"symbols": [s]} if s else {})} for m, s in affected.symbols
            ]
        }
    return out


def _text(value: Any, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise AdvisoryProblem(f"{where}: must be a non-empty string")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AdvisoryProblem(f"{where}: must be a list")
    return value


def _version(kind: str, value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise AdvisoryProblem(f"{where}: {kind} must be a version string")
    if (kind == "introduced" and value == "0") or (kind == "limit" and value == "*"):
        return value
    try:
        Version(value)
    except InvalidVersion:
        raise AdvisoryProblem(f"{where}: {kind} {quote(value)} is not a PEP 440 version") from None
    return value


def _events(raw: Any, where: str, checked: bool) -> tuple[tuple[str, str], ...]:
    events: list[tuple[str, str]] = []
    for i, event in enumerate(_list(raw, where)):
        place = f"{where}[{i}]"
        if not isinstance(event, dict) or len(event) != 1:
            raise AdvisoryProblem(f"{place}: an event must be a mapping with one key")
        ((kind, value),) = event.items()
        if kind not in EVENT_KINDS:
            raise AdvisoryProblem(f"{place}: unknown event {quote(str(kind))}")
        events.append((kind, value if checked else _version(kind, value, place)))
    if not any(kind == "introduced" for kind, _ in events):
        raise AdvisoryProblem(f"{where}: a range without an introduced event")
    return tuple(events)


def _symbols(raw: Any, where: str) -> tuple[tuple[str, str | None], ...]:
    if not isinstance(raw, dict):
        return ()
    out: list[tuple[str, str | None]] = []
    for i, item in enumerate(_list(raw.get("imports"), f"{where}.imports")):
        if not isinstance(item, dict) or not isinstance(item.get("module"), str):
            raise AdvisoryProblem(f"{where}.imports[{i}]: must name a module")
        names = [s for s in _list(item.get("symbols"), f"{where}.imports[{i}]") if str(s)]
        out += [(item["module"], str(s)) for s in names] or [(item["module"], None)]
    return tuple(out)


def _affected(raw: Any, where: str, withdrawn: bool, checked: bool) -> Affected | None:
    if not isinstance(raw, dict):
        raise AdvisoryProblem(f"{where}: must be a mapping")
    package = raw.get("package")
    if not isinstance(package, dict):
        raise AdvisoryProblem(f"{where}.package: missing")
    if package.get("ecosystem") != ECOSYSTEM:
        return None
    name = _text(package.get("name"), f"{where}.package.name")
    ranges = []
    for i, entry in enumerate(_list(raw.get("ranges"), f"{where}.ranges")):
        place = f"{where}.ranges[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise AdvisoryProblem(f"{place}: must be a mapping with a type")
        if entry["type"] == "ECOSYSTEM":
            ranges.append(_events(entry.get("events"), f"{place}.events", checked))
    versions = _list(raw.get("versions"), f"{where}.versions")
    if not checked and not all(isinstance(v, str) for v in versions):
        raise AdvisoryProblem(f"{where}.versions: must be a list of strings")
    if not ranges and not versions and not withdrawn:
        raise AdvisoryProblem(f"{where}: neither ECOSYSTEM ranges nor versions")
    symbols = _symbols(raw.get("ecosystem_specific"), f"{where}.ecosystem_specific")
    return Affected(canonicalize_name(name), tuple(ranges), tuple(versions), symbols)


def _severity(raw: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for i, item in enumerate(_list(raw, "severity")):
        if not isinstance(item, dict):
            raise AdvisoryProblem(f"severity[{i}]: must be a mapping")
        kind, score = item.get("type"), item.get("score")
        if isinstance(kind, str) and isinstance(score, str):
            out.append((kind, score))
    return tuple(out)


def parse_advisory(doc: Any, origin: str = "", *, checked: bool = False) -> Advisory:
    """The advisory in ``doc`` (parsed JSON or YAML); `AdvisoryProblem` when it is unusable.

    ``checked``: ``doc`` is `Advisory.to_osv` of an advisory checked before (read back from a
    sealed cache entry): its versions are not parsed again."""
    if not isinstance(doc, dict):
        raise AdvisoryProblem("not an OSV document (a mapping is expected)")
    ident = _text(doc.get("id"), "id")
    modified = doc.get("modified")
    if modified is None:
        raise AdvisoryProblem("modified: missing")
    aliases = tuple(str(a) for a in _list(doc.get("aliases"), "aliases") if str(a) != ident)
    withdrawn = doc.get("withdrawn")
    affected = tuple(
        a
        for i, raw in enumerate(_list(doc.get("affected"), "affected"))
        if (a := _affected(raw, f"affected[{i}]", withdrawn is not None, checked)) is not None
    )
    summary = _text(doc.get("summary"), "summary", required=False).strip()
    if not summary:
        details = _text(doc.get("details"), "details", required=False).strip()
        summary = " ".join(details.split())
    if len(summary) > MAX_SUMMARY:
        summary = summary[: MAX_SUMMARY - 3].rstrip() + "..."
    database = doc.get("database_specific")
    rating = database.get("severity") if isinstance(database, dict) else None
    urls = [
        r["url"]
        for r in _list(doc.get("references"), "references")
        if isinstance(r, dict) and isinstance(r.get("url"), str)
    ]
    return Advisory(
        id=ident,
        aliases=tuple(dict.fromkeys(aliases)),
        summary=summary,
        modified=str(modified),
        withdrawn=None if withdrawn is None else str(withdrawn),
        severity=_severity(doc.get("severity")),
        database_severity=rating if isinstance(rating, str) else None,
        affected=affected,
        urls=tuple(urls[:MAX_URLS]),
        origin=origin,
    )
