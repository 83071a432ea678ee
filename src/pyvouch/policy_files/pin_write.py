"""`pyvouch pin`'s edited lock text: the chosen identities written into the lock.

- ``pylock.toml``: PEP 751 ``[[packages.attestation-identities]]`` of each package, edited
  with ``tomlkit`` so the rest of the file stays as it was; the result must parse back to the
  same document plus the identities (and as a valid pylock when the input was one), or
  nothing is written;
- any other lock format: ``pyvouch.lock.toml`` next to the lock (format in
  `pyvouch.policy.pins`).

Which identities to write is `pyvouch.policy.pin_choice`'s. Text in, text out: the command
reads and writes the files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomlkit
from packaging.pylock import Pylock, PylockValidationError
from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version
from tomlkit.items import AoT, Table

from pyvouch import __version__
from pyvouch.errors import InputError
from pyvouch.policy.pin_choice import IDENTITIES_KEY, PinAction, PinChoice
from pyvouch.policy.pins import PIN_FILE_VERSION, parse_pin_data
from pyvouch.policy.tiers import normalize
from pyvouch.tomlfile import parse_toml

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
    original = parse_toml(text, path, error=InputError, limit=None)
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as err:  # pragma: no cover - tomllib read it
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
    data = parse_toml(text, path, error=InputError, limit=None)
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
