"""`pyvouch pin`'s pure part: which identities to record, and the edited lock text.

Only an identity that verified is ever recorded, and only when every file of the package that
was looked up verified as that one identity: a pin on a package whose other files are
unattested would block the next scan as a regression. Everything else is left unpinned with a
reason the command prints.

Where pins go:

- ``pylock.toml``: PEP 751 ``[[packages.attestation-identities]]`` of each package, edited
  with ``tomlkit`` so the rest of the file stays as it was; the result must parse back to the
  same document plus the identities (and as a valid pylock when the input was one), or
  nothing is written;
- any other lock format: ``pyvouch.lock.toml`` next to the lock (format in `pins.py`).

Nothing here reads or writes files: text in, text out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomlkit
from packaging.pylock import Pylock, PylockValidationError
from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version
from tomlkit.items import AoT, Table

from pyvouch import __version__
from pyvouch.errors import InputError
from pyvouch.model import PackageResult, Publisher, ScanResult, Status
from pyvouch.policy.pins import (
    PIN_FILE_VERSION,
    IdentityError,
    identity_from_dict,
    parse_pin_data,
    pin_check,
)
from pyvouch.policy.schema import Pin
from pyvouch.policy.tiers import normalize

IDENTITIES_KEY = "attestation-identities"


class PinAction(StrEnum):
    PIN = "pin"
    """Record the identity (new, or replacing an older one with ``--replace``)."""
    KEEP = "keep"
    """Already pinned to this identity: nothing changes."""
    SKIP = "skip"
    """Not pinned; ``reason`` says why."""


@dataclass(frozen=True, slots=True)
class PinChoice:
    name: str
    """Normalized package name."""
    version: str | None
    action: PinAction
    reason: str
    identity: dict[str, str] | None = None
    """The PEP 740 publisher record to write (PIN) or already written (KEEP)."""
    replaces: tuple[dict[str, str], ...] = ()
    """The identities a PIN replaces (with ``--replace``)."""


def identity_record(publisher: Publisher) -> dict[str, str] | None:
    """The PEP 740 / PEP 751 publisher record for a verified identity, or None when the
    identity is not one of the Trusted Publisher kinds (nothing PEP 740 can name)."""
    if publisher.kind == "GitHub" and publisher.repository:
        record = {"kind": "GitHub", "repository": publisher.repository}
        if publisher.workflow:
            record["workflow"] = publisher.workflow
        return record
    if publisher.kind == "GitLab" and publisher.repository:
        record = {"kind": "GitLab", "repository": publisher.repository}
        if publisher.workflow:
            record["workflow_filepath"] = publisher.workflow
        return record
    if publisher.kind == "Google" and publisher.email:
        return {"kind": "Google", "email": publisher.email}
    if publisher.kind == "CircleCI" and publisher.project_id and publisher.pipeline_definition_id:
        return {
            "kind": "CircleCI",
            "project_id": publisher.project_id,
            "pipeline_definition_id": publisher.pipeline_definition_id,
        }
    return None


def record_spec(record: Mapping[str, Any]) -> str:
    """A record in the shorthand publisher form (``github:owner/repo:workflow``)."""
    try:
        return identity_from_dict(record).to_spec()
    except IdentityError as err:
        return f"an unreadable identity ({err})"


def _not_verified(result: PackageResult) -> str:
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.status.value] = counts.get(f.status.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    worst = next(f for f in result.findings if f.status is not Status.VERIFIED)
    what = worst.file.filename or "the release"
    return f"not every file verified ({summary}); {what}: {worst.reason}"


def choose(
    result: PackageResult, existing: Sequence[Mapping[str, Any]], *, replace: bool
) -> PinChoice:
    """What to do for one scanned package, given the identities already recorded for it."""
    package = result.package
    name = normalize(package.name)
    version = package.version

    def skip(reason: str) -> PinChoice:
        return PinChoice(name, version, PinAction.SKIP, reason)

    if package.origin is not None:
        return skip(f"not from an index ({package.origin}): nothing was verified")
    if not result.findings:
        return skip(result.note or "no files were looked up")
    if any(f.status is not Status.VERIFIED for f in result.findings):
        return skip(_not_verified(result))
    records: dict[str, dict[str, str]] = {}
    for f in result.findings:
        if f.publisher is None:  # pragma: no cover - a verified finding names its publisher
            return skip(f"{f.file.filename} verified without a recorded identity")
        record = identity_record(f.publisher)
        if record is None:
            return skip(
                f"{f.file.filename} is signed by {f.publisher.to_spec()}, which is not a "
                "Trusted Publisher identity PEP 751 can record; pin it in "
                "[tool.pyvouch.publishers] if you expect it"
            )
        records[record_spec(record)] = record
    if len(records) > 1:
        return skip(
            "its files verified as different identities ("
            + ", ".join(sorted(records))
            + "); pin the one you expect in [tool.pyvouch.publishers]"
        )
    spec, record = next(iter(records.items()))
    files = len(result.findings)
    seen = f"{files} file{'s' if files != 1 else ''} verified as {spec}"
    if existing:
        publisher = identity_from_dict(record)
        kept = [_pin_of(r) for r in existing]
        if any(p is not None and pin_check(p, publisher).matched for p in kept):
            return PinChoice(name, version, PinAction.KEEP, f"already pinned; {seen}", record)
        old = ", ".join(record_spec(r) for r in existing)
        if not replace:
            return skip(
                f"pinned to {old}, but {seen}: not changed; review the change, then run "
                "`pyvouch pin --replace` to record the new identity"
            )
        return PinChoice(
            name,
            version,
            PinAction.PIN,
            f"{seen} (replaces {old})",
            record,
            tuple(dict(r) for r in existing),
        )
    return PinChoice(name, version, PinAction.PIN, seen, record)


def _pin_of(record: Mapping[str, Any]) -> Pin | None:
    try:
        return Pin(identity_from_dict(record), "lock")
    except IdentityError:
        return None


def choose_all(
    scan: ScanResult,
    existing: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    *,
    replace: bool = False,
) -> list[PinChoice]:
    """A choice per scanned package. ``existing`` maps normalized names to recorded identities
    (for pylock.toml they come from the packages themselves)."""
    out = []
    for result in scan.packages:
        recorded: Sequence[Mapping[str, Any]] = result.package.attestation_identities
        if existing is not None:
            recorded = existing.get(normalize(result.package.name), ()) or recorded
        out.append(choose(result, recorded, replace=replace))
    return out


# ---- pylock.toml ---------------------------------------------------------------------------


def _same_version(a: str | None, b: object) -> bool:
    if a is None or not isinstance(b, str):
        return a is None and b is None
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _name_key(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(canonicalize_name(value, validate=True))
    except InvalidName:
        return None


def _identity_aot(record: Mapping[str, str]) -> AoT:
    table = tomlkit.table()
    for key, value in record.items():
        table[key] = value
    table.add(tomlkit.nl())
    aot = tomlkit.aot()
    aot.append(table)
    return aot


def _without_identities(data: Any) -> Any:
    packages = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(packages, list):
        return data
    copy = dict(data)
    copy["packages"] = [
        {k: v for k, v in p.items() if k != IDENTITIES_KEY} if isinstance(p, dict) else p
        for p in packages
    ]
    return copy


def _validates(data: dict[str, Any]) -> str | None:
    """Why ``data`` is not a valid pylock for ``packaging.pylock`` (names read normalized, as
    the pylock source reads them), or None."""
    packages = data.get("packages")
    if isinstance(packages, list):
        data = dict(data)
        data["packages"] = [
            {**p, "name": _name_key(p.get("name")) or p.get("name")} if isinstance(p, dict) else p
            for p in packages
        ]
    try:
        Pylock.from_dict(data)
    except PylockValidationError as err:
        return str(err)
    except (TypeError, ValueError, AttributeError) as err:
        return str(err)
    return None


def edit_pylock(text: str, choices: Iterable[PinChoice], path: Path | str) -> str:
    """``text`` (a pylock.toml) with the PIN choices recorded; everything else unchanged.

    Raises `InputError` when the file cannot be edited safely (then nothing is written).
    """
    pins = [c for c in choices if c.action is PinAction.PIN and c.identity]
    if not pins:
        return text
    try:
        original = tomllib.loads(text)
        doc = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, tomlkit.exceptions.ParseError) as err:
        raise InputError(path, f"invalid TOML: {err}") from None
    except RecursionError:
        raise InputError(path, "invalid TOML: nested too deeply") from None
    packages = doc.get("packages")
    if not isinstance(packages, list):
        raise InputError(path, "no [[packages]] array to record identities in", where="packages")
    written: dict[int, dict[str, str]] = {}
    for i, entry in enumerate(packages):
        if not isinstance(entry, dict):
            continue
        key = _name_key(entry.get("name"))
        choice = next(
            (c for c in pins if c.name == key and _same_version(c.version, entry.get("version"))),
            None,
        )
        if choice is None or choice.identity is None:
            continue
        if not isinstance(entry, Table):
            raise InputError(
                path,
                "package is an inline table; cannot add [[packages.attestation-identities]]",
                where=f"packages[{i}]",
            )
        entry[IDENTITIES_KEY] = _identity_aot(choice.identity)
        written[i] = choice.identity
    new_text = tomlkit.dumps(doc)
    _check_edit(original, new_text, written, path)
    return new_text


def _check_edit(
    original: dict[str, Any], new_text: str, written: dict[int, dict[str, str]], path: Path | str
) -> None:
    """The edited text must parse to the original plus exactly the written identities."""
    try:
        edited = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as err:  # pragma: no cover - tomlkit wrote invalid TOML
        raise InputError(path, f"editing produced invalid TOML ({err}); nothing written") from None
    if _without_identities(edited) != _without_identities(original):
        raise InputError(path, "editing would change more than the identities; nothing written")
    for i, entry in enumerate(edited.get("packages", [])):
        expected = written.get(i)
        if expected is None:
            before = original["packages"][i].get(IDENTITIES_KEY)
            if entry.get(IDENTITIES_KEY) != before:  # pragma: no cover - defensive
                raise InputError(path, "editing would touch another package; nothing written")
        elif entry.get(IDENTITIES_KEY) != [expected]:  # pragma: no cover - defensive
            raise InputError(path, "the identities did not land as written; nothing written")
    if _validates(original) is None:
        problem = _validates(edited)
        if problem is not None:  # pragma: no cover - defensive
            raise InputError(path, f"the edited lock is not a valid pylock ({problem})")


# ---- pyvouch.lock.toml ---------------------------------------------------------------------


def existing_pin_records(text: str | None, path: Path | str) -> dict[str, list[dict[str, Any]]]:
    """The identity records already in a ``pyvouch.lock.toml`` (validated), by name."""
    if text is None:
        return {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(path, f"invalid TOML: {err}") from None
    except RecursionError:
        raise InputError(path, "invalid TOML: nested too deeply") from None
    parse_pin_data(data, path)  # ConfigError naming the key path when malformed
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in data.get("packages", []):
        out[normalize(entry["name"])] = list(entry[IDENTITIES_KEY])
    return out


def edit_pin_file(text: str | None, choices: Iterable[PinChoice], path: Path | str) -> str:
    """A ``pyvouch.lock.toml`` with the PIN choices recorded (created when ``text`` is None);
    other packages' entries stay as they were."""
    pins = {c.name: c for c in choices if c.action is PinAction.PIN and c.identity}
    if text is None:
        doc = tomlkit.document()
        doc.add(tomlkit.comment("Publisher identities pinned by `pyvouch pin` (docs/policy.md)."))
        doc["lock-version"] = PIN_FILE_VERSION
        doc["created-by"] = f"pyvouch {__version__}"
        text = ""
    else:
        existing_pin_records(text, path)
        doc = tomlkit.parse(text)
    packages = doc.get("packages")
    if packages is None:
        packages = tomlkit.aot()
        doc["packages"] = packages
    done: set[str] = set()
    for entry in packages:
        key = normalize(str(entry.get("name", "")))
        choice = pins.get(key)
        if choice is None or choice.identity is None:
            continue
        if choice.version is not None:
            entry["version"] = choice.version
        entry[IDENTITIES_KEY] = _identity_aot(choice.identity)
        done.add(key)
    for name, choice in sorted(pins.items()):
        if name in done or choice.identity is None:
            continue
        table = tomlkit.table()
        table["name"] = name
        if choice.version is not None:
            table["version"] = choice.version
        table[IDENTITIES_KEY] = _identity_aot(choice.identity)
        packages.append(table)
    out = tomlkit.dumps(doc)
    parse_pin_data(tomllib.loads(out), path)
    return out
