"""Pinned publisher identities: where they come from, and whether a finding matches them.

A package's pins come from the first of these that has any for it:

1. the user's expected publishers (``[tool.pyvouch.publishers]`` or ``--pin NAME=SPEC``);
2. the lock file's own record (PEP 751 ``[[packages.attestation-identities]]``, carried on
   `Package.attestation_identities`);
3. ``pyvouch.lock.toml`` (pins for lock formats that cannot hold them);
4. the history store: identities that verified for the package in earlier scans (trust on
   first use, `Pin.observed`; `pyvouch.policy.history`).

A package with several pins matches when a finding's identity matches any one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pyvouch.errors import ConfigError
from pyvouch.model import Finding, Package, PackageResult, Publisher, Status
from pyvouch.policy.schema import Pin, Policy
from pyvouch.policy.tiers import check_name, normalize
from pyvouch.tomlfile import toml_key
from pyvouch.verify.matching import IdentityResult, match_identity

PIN_FILE_NAME = "pyvouch.lock.toml"
PIN_FILE_VERSION = "1"

# PEP 740 publisher fields per kind, as indexes serve them and PEP 751 records them; the value
# is the `Publisher` attribute each lands in. GitLab's ``workflow_filepath`` is the workflow.
_FIELDS: dict[str, dict[str, str]] = {
    "GitHub": {"repository": "repository", "workflow": "workflow", "environment": "environment"},
    "GitLab": {
        "repository": "repository",
        "workflow_filepath": "workflow",
        "workflow": "workflow",
        "environment": "environment",
    },
    "Google": {"email": "email"},
    "CircleCI": {
        "project_id": "project_id",
        "pipeline_definition_id": "pipeline_definition_id",
    },
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "GitHub": ("repository",),
    "GitLab": ("repository",),
    "Google": ("email",),
    "CircleCI": ("project_id", "pipeline_definition_id"),
}


class IdentityError(ValueError):
    """An identity record that cannot be read as a publisher."""


def identity_from_dict(record: Mapping[str, Any]) -> Publisher:
    """A PEP 740 / PEP 751 publisher record (``{"kind": "GitHub", ...}``) as a `Publisher`.

    Raises `IdentityError` naming the problem. Fields this version does not know for a kind
    (e.g. CircleCI's ``vcs_ref``) are an error rather than silently not checked.
    """
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in _FIELDS:
        shown = repr(kind) if len(repr(kind)) <= 80 else repr(kind)[:77] + "..."
        raise IdentityError(f"'kind' must be one of {', '.join(_FIELDS)}, got {shown}")
    fields = _FIELDS[kind]
    values: dict[str, str] = {}
    for key, value in record.items():
        if key == "kind":
            continue
        if key not in fields:
            raise IdentityError(f"unknown field {key!r} for kind {kind}")
        if not isinstance(value, str):
            raise IdentityError(f"field {key!r} must be a string")
        attr = fields[key]
        if attr in values and values[attr] != value:
            raise IdentityError(f"fields naming the {attr} disagree")
        values[attr] = value
    for key in _REQUIRED[kind]:
        if not values.get(fields[key]):
            raise IdentityError(f"kind {kind} needs field {key!r}")
    return Publisher(kind=kind, **values)


def pin_check(pin: Pin, actual: Publisher) -> IdentityResult:
    """Does the identity a signature proved (``actual``) satisfy ``pin``?

    The verifier's own rules (`pyvouch.verify.matching.match_identity`): same kind, GitHub
    owner/repository without regard to ASCII case, everything else exact, a workflow only when
    the pin names one. A pin's environment is not compared: it is not in the signing
    certificate, only in the index's unsigned label, which findings do not carry; comparing it
    would report every environment-pinned package as changed.
    """
    expected = pin.identity
    if expected.environment is not None:
        expected = replace(expected, environment=None)
    return match_identity(expected, actual)


def matching_pin(pins: tuple[Pin, ...], actual: Publisher) -> Pin | None:
    for pin in pins:
        if pin_check(pin, actual).matched:
            return pin
    return None


def mismatch_detail(pins: tuple[Pin, ...], actual: Publisher) -> str:
    """Why ``actual`` matches none of ``pins`` (the verifier's reason for each pin)."""
    return "; ".join(dict.fromkeys(pin_check(p, actual).reason for p in pins))


def describe_pins(pins: tuple[Pin, ...]) -> str:
    """``github:a/b:release.yml or github:c/d (pinned in pylock.toml)``."""
    specs = " or ".join(dict.fromkeys(p.identity.to_spec() for p in pins))
    return f"{specs} ({pin_origins(pins)})"


def pin_origins(pins: tuple[Pin, ...]) -> str:
    """``pinned in pylock.toml`` / ``pinned in pyvouch.toml [publishers], --pin``."""
    return "pinned in " + ", ".join(dict.fromkeys(p.origin for p in pins))


def package_pins(package: Package, policy: Policy) -> tuple[Pin, ...]:
    """The pins that apply to ``package`` (see the module docstring for the order)."""
    key = normalize(package.name)
    if key in policy.publishers:
        return policy.publishers[key]
    if package.attestation_identities:
        return records_as_pins(package.attestation_identities, package.source or "the lock file")
    return policy.lock_pins.get(key, ()) or policy.history_pins.get(key, ())


def records_as_pins(records: Iterable[Mapping[str, Any]], origin: str) -> tuple[Pin, ...]:
    """A lock's identity records as pins. An identity this version cannot read still pins
    the package: it is kept as an identity nothing matches, so the package cannot pass
    silently."""
    pins: list[Pin] = []
    for record in records:
        try:
            pins.append(Pin(identity_from_dict(record), origin))
        except IdentityError as err:
            pins.append(Pin(_unreadable(err), origin))
    return tuple(pins)


def _unreadable(err: IdentityError) -> Publisher:
    return Publisher(kind="Unreadable", issuer="an unreadable identity", subject=f"({err})")


def parse_pin_data(data: Mapping[str, Any], path: Path | str) -> dict[str, tuple[Pin, ...]]:
    """Validate the parsed ``pyvouch.lock.toml`` content (see `load_pin_file`)."""
    origin = Path(path).name
    unknown = sorted(set(data) - {"lock-version", "created-by", "packages"})
    if unknown:
        raise ConfigError(path, "unknown key", where=toml_key(unknown[0]))
    version = data.get("lock-version")
    if version != PIN_FILE_VERSION:
        raise ConfigError(
            path, f"must be {PIN_FILE_VERSION!r} (got {version!r})", where="lock-version"
        )
    if not isinstance(data.get("created-by", ""), str):
        raise ConfigError(path, "must be a string", where="created-by")
    packages = data.get("packages", [])
    if not isinstance(packages, list):
        raise ConfigError(path, "must be an array of tables ([[packages]])", where="packages")
    out: dict[str, tuple[Pin, ...]] = {}
    for i, entry in enumerate(packages):
        where = f"packages[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(path, "must be a table", where=where)
        extra = sorted(set(entry) - {"name", "version", "attestation-identities"})
        if extra:
            raise ConfigError(path, "unknown key", where=f"{where}.{toml_key(extra[0])}")
        name = entry.get("name")
        if not isinstance(name, str) or check_name(name):
            raise ConfigError(path, "must be a package name", where=f"{where}.name")
        if not isinstance(entry.get("version", ""), str):
            raise ConfigError(path, "must be a string", where=f"{where}.version")
        records = entry.get("attestation-identities")
        if not isinstance(records, list) or not records:
            raise ConfigError(
                path,
                "must be a non-empty array of tables",
                where=f"{where}.attestation-identities",
            )
        pins: list[Pin] = []
        for j, record in enumerate(records):
            rwhere = f"{where}.attestation-identities[{j}]"
            if not isinstance(record, dict):
                raise ConfigError(path, "must be a table", where=rwhere)
            try:
                pins.append(Pin(identity_from_dict(record), origin))
            except IdentityError as err:
                raise ConfigError(path, str(err), where=rwhere) from None
        key = normalize(name)
        if key in out:
            raise ConfigError(path, f"{key} is listed twice", where=f"{where}.name")
        out[key] = tuple(pins)
    return out


def check_against_pins(result: PackageResult, pins: tuple[Pin, ...]) -> PackageResult:
    """``result`` with its verified files checked against ``pins`` (DESIGN.md's vocabulary).

    A verified file whose identity matches a pin becomes "identity checked"; one whose
    identity matches none becomes `mismatch` (the signature verified, the publisher is not the
    pinned one). Without pins, or for files that did not verify, nothing changes.
    """
    if not pins:
        return result
    findings: list[Finding] = []
    for f in result.findings:
        if f.status is not Status.VERIFIED or f.publisher is None:
            findings.append(f)
        elif (pin := matching_pin(pins, f.publisher)) is not None:
            pinned = replace(pin.identity, environment=None).to_spec()
            unchecked = (
                f"; its environment {pin.identity.environment!r} is not in the certificate and "
                "was not checked"
                if pin.identity.environment
                else ""
            )
            note = f"; matches the pinned {pinned} ({pin.origin}){unchecked}"
            reason = f.reason.split("; identity NOT checked", 1)[0] + note
            findings.append(replace(f, identity_checked=True, reason=reason))
        else:
            reason = (
                f"the signature verified, but the publisher {f.publisher.to_spec()} is not the "
                f"pinned {describe_pins(pins)}: {mismatch_detail(pins, f.publisher)}"
            )
            findings.append(
                replace(f, status=Status.MISMATCH, identity_checked=False, reason=reason)
            )
    return replace(result, findings=tuple(findings))
