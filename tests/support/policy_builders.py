"""Builders for policy tests: packages, findings and configurations written as TOML text."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pyvouch.model import FileRef, Finding, Package, PackageResult, Publisher, Status
from pyvouch.policy.config import parse_config
from pyvouch.policy.schema import Policy

TODAY = date(2026, 1, 15)
VALID_UNTIL = date(2027, 3, 31)
EXPIRED_ON = date(2025, 12, 31)

PIN_A = "github:psf/requests:publish.yml"
ID_A = Publisher(
    kind="GitHub",
    repository="psf/requests",
    workflow="publish.yml",
    issuer="https://token.actions.githubusercontent.com",
)
ID_B = Publisher(
    kind="GitHub",
    repository="evil/requests",
    workflow="publish.yml",
    issuer="https://token.actions.githubusercontent.com",
)


def finding(
    status: Status, filename: str, publisher: Publisher | None = None, reason: str = ""
) -> Finding:
    if publisher is None and status in (Status.VERIFIED, Status.MISMATCH):
        raise ValueError("a verified or mismatched finding names its publisher")
    return Finding(
        file=FileRef(filename=filename, sha256="0" * 64),
        status=status,
        reason=reason or f"{status.value} (test)",
        publisher=publisher,
    )


def result(
    name: str,
    *statuses: Status,
    publisher: Publisher | None = ID_A,
    origin: str | None = None,
    identities: tuple[dict[str, Any], ...] = (),
    note: str | None = None,
) -> PackageResult:
    """A package whose files have ``statuses`` (verified/mismatch ones signed by ``publisher``)."""
    package = Package(
        name=name,
        version=None if origin else "1.0",
        origin=origin,
        source="pylock.toml",
        attestation_identities=identities,
    )
    findings = tuple(
        finding(
            s,
            f"{name}-1.0-{i}-py3-none-any.whl",
            publisher if s in (Status.VERIFIED, Status.MISMATCH) else None,
        )
        for i, s in enumerate(statuses)
    )
    return PackageResult(package=package, findings=findings, note=note)


def config_text(
    *,
    mode: str = "enforce",
    critical: tuple[str, ...] = ("requests", "django*"),
    critical_require: str | None = None,
    long_tail_require: str | None = None,
    publishers: dict[str, str] | None = None,
    exception: tuple[str, date] | None = None,
) -> str:
    """A pyvouch.toml as a user would write it."""
    lines = [f'mode = "{mode}"', "[tiers.critical]"]
    lines.append("packages = [" + ", ".join(f'"{c}"' for c in critical) + "]")
    if critical_require:
        lines.append(f'require = "{critical_require}"')
    if long_tail_require:
        lines += ["[tiers.long-tail]", f'require = "{long_tail_require}"']
    if publishers:
        lines.append("[publishers]")
        lines += [f'{name} = "{spec}"' for name, spec in publishers.items()]
    if exception:
        package, expires = exception
        lines += [
            "[[exceptions]]",
            f'package = "{package}"',
            'reason = "vendor does not sign yet"',
            'owner = "alice@example.com"',
            f"expires = {expires.isoformat()}",
        ]
    return "\n".join(lines) + "\n"


def policy_from(text: str, path: str = "pyvouch.toml") -> Policy:
    return parse_config(tomllib.loads(text), Path(path))
