"""A report that a pyvouch wrote elsewhere (a CI artifact), read back for the store.

Two forms are read: pyvouch's JSON (``pyvouch-scan/1``) and its CycloneDX 1.6 BOM (the
``pyvouch:`` properties). Anything else, and any document that is cut short or has a field of
the wrong kind, is an `InputError` naming the file and the place: nothing is recorded.

The run's idempotency key is the report's ``run.id`` (JSON) or serial number (CycloneDX). A
report without one (written before reports carried it) gets a key derived from its bytes, so
ingesting the same file twice is still one scan.

What a report says is what *it claims*: it is recorded as `Evidence.INGESTED`, an observation
(see docs/store.md, "Ingested reports are observations").
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyvouch.errors import InputError
from pyvouch.jsontext import loads
from pyvouch.limits import MAX_REPORT_BYTES
from pyvouch.model import Coverage, Publisher, Status
from pyvouch.policy.tiers import TierName, normalize
from pyvouch.redact import excerpt, redact_text
from pyvouch.store.records import FileRecord, PackageRecord

JSON_SCHEMA = "pyvouch-scan/1"
_STATUSES = frozenset(s.value for s in Status)
_COVERAGES = frozenset(c.value for c in Coverage)
_ACTIONS = frozenset(("allow", "warn", "block"))
_MODES = frozenset(("collect", "warn", "enforce"))
_NAME_LIMIT = 256  # the store's name and version columns
_UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")
_NS = uuid.UUID("5f0e2c1a-7d1b-4c55-9d1e-70797663686b")


@dataclass(frozen=True, slots=True)
class IngestedReport:
    kind: str
    """``json`` or ``cyclonedx``."""
    run_id: str
    scanned_at: datetime | None
    pyvouch_version: str
    sigstore_version: str | None
    source: str
    source_format: str
    index_url: str
    mode: str
    packages: tuple[PackageRecord, ...]


class _Doc:
    """Typed access to a parsed document; every failure names the place."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, problem: str, where: str | None = None) -> InputError:
        return InputError(self.path, problem, where=where)

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("must be an object", where)
        return value

    def arr(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail("must be an array", where)
        return value

    def text(
        self, value: Any, where: str, *, optional: bool = False, limit: int | None = None
    ) -> str:
        if value is None and optional:
            return ""
        if not isinstance(value, str):
            raise self.fail("must be a string", where)
        if limit is not None and len(value) > limit:
            raise self.fail(f"longer than {limit} characters", where)
        return redact_text(value)

    def choice(self, value: Any, allowed: frozenset[str], where: str) -> str:
        text = self.text(value, where)
        if text not in allowed:
            raise self.fail(
                f"{excerpt(text, 40)!r} is not one of {', '.join(sorted(allowed))}", where
            )
        return text


def _run_id(given: str | None, raw: bytes) -> str:
    if given and _UUID.match(given):
        return str(uuid.UUID(given))
    return str(uuid.uuid5(_NS, hashlib.sha256(raw).hexdigest()))


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _tier(rule: str | None) -> str | None:
    if rule:
        head = rule.split(":", 1)[0]
        if head in (t.value for t in TierName):
            return head
    return None


def _json_file(doc: _Doc, entry: Any, where: str) -> FileRecord:
    f = doc.obj(entry, where)
    publisher = f.get("publisher")
    spec: str | None = None
    pub_json: str | None = None
    if publisher is not None:
        fields = doc.obj(publisher, f"{where}.publisher")
        if not all(isinstance(v, str) for v in fields.values()) or "kind" not in fields:
            raise doc.fail("must be a publisher (kind and string fields)", f"{where}.publisher")
        known = {k: v for k, v in fields.items() if k in Publisher.__slots__}
        spec = Publisher(**known).to_spec()
        pub_json = json.dumps(known, sort_keys=True)
    attestations = doc.arr(f.get("attestations", []), f"{where}.attestations")
    predicates: list[str] = []
    log_index: int | None = None
    for j, att in enumerate(attestations):
        a = doc.obj(att, f"{where}.attestations[{j}]")
        if isinstance(a.get("predicate_type"), str):
            predicates.append(a["predicate_type"])
        if a.get("verified") is True and isinstance(a.get("log_index"), int) and log_index is None:
            log_index = a["log_index"]
    sha = f.get("sha256")
    return FileRecord(
        filename=doc.text(f.get("filename"), f"{where}.filename"),
        sha256=doc.text(sha, f"{where}.sha256") if sha is not None else None,
        status=doc.choice(f.get("status"), _STATUSES, f"{where}.status"),
        reason=doc.text(f.get("reason"), f"{where}.reason", optional=True),
        publisher=spec,
        publisher_json=pub_json,
        predicate_types=tuple(dict.fromkeys(predicates)),
        log_index=log_index,
        identity_checked=f.get("identity_checked") is True,
    )


def _json_package(doc: _Doc, entry: Any, where: str) -> PackageRecord:
    p = doc.obj(entry, where)
    decision = p.get("decision")
    action = rule = None
    reasons: tuple[str, ...] = ()
    if decision is not None:
        d = doc.obj(decision, f"{where}.decision")
        action = doc.choice(d.get("action"), _ACTIONS, f"{where}.decision.action")
        rule = doc.text(d.get("rule"), f"{where}.decision.rule")
        reasons = tuple(
            doc.text(r, f"{where}.decision.reasons[{k}]")
            for k, r in enumerate(doc.arr(d.get("reasons", []), f"{where}.decision.reasons"))
        )
    files = doc.arr(p.get("files"), f"{where}.files")
    version = p.get("version")
    origin = p.get("origin")
    note = p.get("note")
    return PackageRecord(
        name=normalize(doc.text(p.get("name"), f"{where}.name", limit=_NAME_LIMIT)),
        version=(
            doc.text(version, f"{where}.version", limit=_NAME_LIMIT)
            if version is not None
            else None
        ),
        status=doc.choice(p.get("status"), _STATUSES, f"{where}.status"),
        coverage=doc.choice(p.get("coverage"), _COVERAGES, f"{where}.coverage"),
        tier=_tier(rule),
        origin=doc.text(origin, f"{where}.origin") if origin is not None else None,
        note=doc.text(note, f"{where}.note") if note is not None else None,
        action=action,
        rule=rule,
        reasons=reasons,
        files=tuple(_json_file(doc, f, f"{where}.files[{i}]") for i, f in enumerate(files)),
    )


def _from_json(doc: _Doc, data: dict[str, Any], raw: bytes) -> IngestedReport:
    run = data.get("run")
    run_obj = doc.obj(run, "run") if run is not None else {}
    packages = doc.arr(data.get("packages"), "packages")
    return IngestedReport(
        kind="json",
        run_id=_run_id(run_obj.get("id") if isinstance(run_obj.get("id"), str) else None, raw),
        scanned_at=_time(
            run_obj.get("scanned_at") if isinstance(run_obj.get("scanned_at"), str) else None
        ),
        pyvouch_version=str(run_obj.get("pyvouch_version") or "unknown")[:64],
        sigstore_version=(
            str(run_obj["sigstore_version"])[:64] if run_obj.get("sigstore_version") else None
        ),
        source=doc.text(data.get("source"), "source"),
        source_format=doc.text(data.get("source_format"), "source_format", limit=64),
        index_url=doc.text(data.get("index_url"), "index_url"),
        mode=doc.choice(data.get("mode"), _MODES, "mode"),
        packages=tuple(_json_package(doc, p, f"packages[{i}]") for i, p in enumerate(packages)),
    )


def _is_pyvouch_bom(data: dict[str, Any]) -> bool:
    if data.get("bomFormat") != "CycloneDX":
        return False
    tools = (data.get("metadata") or {}).get("tools")
    components = tools.get("components", []) if isinstance(tools, dict) else tools or []
    return isinstance(components, list) and any(
        isinstance(c, dict) and c.get("name") == "pyvouch" for c in components
    )


def _props(doc: _Doc, holder: dict[str, Any], where: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, prop in enumerate(doc.arr(holder.get("properties", []), f"{where}.properties")):
        p = doc.obj(prop, f"{where}.properties[{i}]")
        out.append(
            (
                doc.text(p.get("name"), f"{where}.properties[{i}].name"),
                doc.text(p.get("value", ""), f"{where}.properties[{i}].value"),
            )
        )
    return out


def _bom_package(doc: _Doc, component: Any, where: str) -> PackageRecord:
    c = doc.obj(component, where)
    props = _props(doc, c, where)
    first = dict(reversed(props))
    files: dict[str, dict[str, Any]] = {}
    for name, value in props:
        if not name.startswith("pyvouch:file:"):
            continue
        filename, _, key = name[len("pyvouch:file:") :].rpartition(":")
        entry = files.setdefault(filename, {"predicates": []})
        if key == "predicate-type":
            entry["predicates"].append(value)
        elif key == "log-index" and value.isdigit() and "log_index" not in entry:
            entry["log_index"] = int(value)
        else:
            entry.setdefault(key, value)
    records = []
    for filename, entry in files.items():
        records.append(
            FileRecord(
                filename=filename,
                sha256=None,
                status=doc.choice(entry.get("status"), _STATUSES, f"{where} file {filename!r}"),
                reason=str(entry.get("reason", "")),
                publisher=entry.get("publisher"),
                publisher_json=None,
                predicate_types=tuple(dict.fromkeys(entry["predicates"])),
                log_index=entry.get("log_index"),
                identity_checked=entry.get("identity-checked") == "true",
            )
        )
    rule = first.get("pyvouch:decision:rule")
    version = c.get("version")
    return PackageRecord(
        name=normalize(doc.text(c.get("name"), f"{where}.name", limit=_NAME_LIMIT)),
        version=(
            doc.text(version, f"{where}.version", limit=_NAME_LIMIT)
            if version is not None
            else None
        ),
        status=doc.choice(first.get("pyvouch:attestation:status"), _STATUSES, f"{where} status"),
        coverage=doc.choice(
            first.get("pyvouch:attestation:coverage"), _COVERAGES, f"{where} coverage"
        ),
        tier=_tier(rule),
        origin=first.get("pyvouch:origin"),
        action=(
            doc.choice(first["pyvouch:decision:action"], _ACTIONS, f"{where} decision")
            if "pyvouch:decision:action" in first
            else None
        ),
        rule=rule,
        reasons=tuple(v for n, v in props if n == "pyvouch:decision:reason"),
        files=tuple(records),
    )


def _from_bom(doc: _Doc, data: dict[str, Any], raw: bytes) -> IngestedReport:
    metadata = doc.obj(data.get("metadata"), "metadata")
    meta = dict(reversed(_props(doc, metadata, "metadata")))
    tools = metadata.get("tools")
    components = tools.get("components", []) if isinstance(tools, dict) else tools or []
    version = next(
        (str(c.get("version")) for c in components if c.get("name") == "pyvouch"), "unknown"
    )
    serial = data.get("serialNumber")
    given = serial.removeprefix("urn:uuid:") if isinstance(serial, str) else None
    return IngestedReport(
        kind="cyclonedx",
        run_id=_run_id(meta.get("pyvouch:run-id") or given, raw),
        scanned_at=_time(
            metadata.get("timestamp") if isinstance(metadata.get("timestamp"), str) else None
        ),
        pyvouch_version=version[:64],
        sigstore_version=meta.get("pyvouch:sigstore-version"),
        source=meta.get("pyvouch:source", "unknown"),
        source_format=meta.get("pyvouch:source-format", "cyclonedx")[:64],
        index_url=meta.get("pyvouch:index-url", "unknown"),
        mode=meta.get("pyvouch:mode", "collect")
        if meta.get("pyvouch:mode") in _MODES
        else "collect",
        packages=tuple(
            _bom_package(doc, c, f"components[{i}]")
            for i, c in enumerate(doc.arr(data.get("components", []), "components"))
        ),
    )


def read_report(path: Path, read: Callable[[Path], bytes] | None = None) -> IngestedReport:
    """The report at ``path`` (``-``: standard input is the caller's to read into bytes)."""
    doc = _Doc(path)
    try:
        raw = read(path) if read is not None else _read(path)
    except OSError as err:
        raise doc.fail(f"cannot read: {err.strerror or err}") from None
    if len(raw) > MAX_REPORT_BYTES:
        raise doc.fail(f"larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB")
    try:
        data = loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise doc.fail(f"not JSON (cut short or damaged?): {excerpt(str(err), 120)}") from None
    if not isinstance(data, dict):
        raise doc.fail("not a pyvouch report: the document is not a JSON object")
    if data.get("schema") == JSON_SCHEMA:
        return _from_json(doc, data, raw)
    if _is_pyvouch_bom(data):
        return _from_bom(doc, data, raw)
    if isinstance(data.get("schema"), str) and str(data["schema"]).startswith("pyvouch-scan/"):
        raise doc.fail(
            f"report schema {excerpt(data['schema'], 40)!r} is newer than this pyvouch reads "
            f"({JSON_SCHEMA})",
            "schema",
        )
    raise doc.fail(
        f"not a pyvouch report: neither {JSON_SCHEMA} JSON nor a CycloneDX BOM made by pyvouch"
    )


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_REPORT_BYTES + 1)
