"""Load and validate the policy configuration.

It lives in ``pyvouch.toml`` (keys at the top level) or under ``[tool.pyvouch]`` in
``pyproject.toml``. Every problem is a `ConfigError` naming the file, the key path and the
problem; unknown keys are errors, because a typo must never silently weaken a security policy.
The schema is documented in docs/policy.md.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from pyvouch.errors import ConfigError, PublisherSpecError
from pyvouch.model import Publisher
from pyvouch.policy.schema import (
    DEFAULT_CRITICAL_REQUIRE,
    DEFAULT_LONG_TAIL_REQUIRE,
    Mode,
    PackageSignatures,
    Pin,
    Policy,
    PolicyException,
    Require,
    Tier,
    VulnException,
    VulnRules,
)
from pyvouch.policy.tiers import TierName, check_name, check_pattern, normalize
from pyvouch.redact import quote
from pyvouch.tomlfile import toml_key
from pyvouch.urls import url_problem
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.vulns.level import Level

CONFIG_FILE = "pyvouch.toml"
PYPROJECT_FILE = "pyproject.toml"

_TOP_KEYS = frozenset(
    {
        "mode",
        "index-url",
        "tiers",
        "publishers",
        "exceptions",
        "trust-changes",
        "packages",
        "vuln-db",
        "vulnerabilities",
        "store",
    }
)
_PACKAGE_KEYS = frozenset({"key", "allow-no-tlog"})
_VULN_KEYS = frozenset({"block-at", "block-unknown-severity", "exceptions"})
_VULN_EXCEPTION_KEYS = frozenset({"id", "package", "reason", "owner", "expires"})
_NEVER = "never"
_TRUST_CHANGE_KEYS = frozenset({"approved-by"})
_TIER_KEYS: dict[TierName, frozenset[str]] = {
    TierName.CRITICAL: frozenset({"packages", "require"}),
    TierName.LONG_TAIL: frozenset({"require"}),
}
_EXCEPTION_KEYS = frozenset({"package", "reason", "owner", "expires"})
_URL_SCHEMES = ("https://", "http://", "file://")


def _choices(enum: type[Mode] | type[Require]) -> str:
    return " | ".join(m.value for m in enum)


class _Checker:
    """Validates one configuration table; ``prefix`` is its key path in the file."""

    def __init__(self, path: Path, prefix: str) -> None:
        self.path = path
        self.prefix = prefix
        self.origin = f"{path.name} [{self.key('publishers')}]"

    def key(self, *parts: str | int) -> str:
        out = self.prefix
        for part in parts:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                shown = toml_key(part)
                out = f"{out}.{shown}" if out else shown
        return out

    def fail(self, problem: str, *parts: str | int) -> ConfigError:
        return ConfigError(self.path, problem, where=self.key(*parts) or None)

    def table(self, value: Any, allowed: frozenset[str], *parts: str | int) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"must be a table, got {_type(value)}", *parts)
        for name in value:
            if name not in allowed:
                hint = f"; allowed: {', '.join(sorted(allowed))}" if allowed else ""
                raise self.fail(f"unknown key{hint}", *parts, name)
        return value

    def string(self, value: Any, *parts: str | int) -> str:
        if not isinstance(value, str):
            raise self.fail(f"must be a string, got {_type(value)}", *parts)
        if not value.strip():
            raise self.fail("must not be empty", *parts)
        return value

    def enum(self, value: Any, enum: type[Mode] | type[Require], *parts: str | int) -> Any:
        text = self.string(value, *parts)
        try:
            return enum(text)
        except ValueError:
            raise self.fail(f"{quote(text)} is not one of {_choices(enum)}", *parts) from None


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def parse_config(data: dict[str, Any], path: Path, prefix: str = "") -> Policy:
    """Validate the configuration table ``data`` (found at key path ``prefix`` in ``path``)."""
    check = _Checker(path, prefix)
    check.table(data, _TOP_KEYS)
    mode = check.enum(data["mode"], Mode, "mode") if "mode" in data else Mode.COLLECT
    index_url = None
    if "index-url" in data:
        index_url = check.string(data["index-url"], "index-url")
        if not index_url.startswith(_URL_SCHEMES):
            raise check.fail("must be an http://, https:// or file:// URL", "index-url")
        problem = url_problem(index_url)
        if problem is not None:
            raise check.fail(f"is a {problem}", "index-url")
    store = None
    if "store" in data:
        store = check.string(data["store"], "store")
    critical, long_tail = _tiers(check, data.get("tiers", {}))
    return Policy(
        mode=mode,
        critical=critical,
        long_tail=long_tail,
        index_url=index_url,
        publishers=_publishers(check, data.get("publishers", {})),
        exceptions=_exceptions(check, data.get("exceptions", [])),
        trust_change_approvers=_approvers(check, data.get("trust-changes", {})),
        packages=_packages(check, data.get("packages", {})),
        vulns=_vulns(check, data.get("vuln-db"), data.get("vulnerabilities", {})),
        source=str(path),
        store=store,
    )


def _expires(check: _Checker, value: Any, *parts: str | int) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise check.fail(
            f"must be a TOML date such as 2027-03-31 (unquoted), got {_type(value)}", *parts
        )
    return value


def _vulns(check: _Checker, db: Any, value: Any) -> VulnRules:
    """``vuln-db`` and the ``[vulnerabilities]`` table (see docs/vulns.md)."""
    path = None
    if db is not None:
        text = check.string(db, "vuln-db")
        path = str(check.path.parent / Path(text).expanduser())
    table = check.table(value, _VULN_KEYS, "vulnerabilities")
    levels = [lv.value for lv in Level if lv not in (Level.NONE, Level.UNKNOWN)] + [_NEVER]
    block_at = check.table(
        table.get("block-at", {}),
        frozenset(t.value for t in TierName),
        "vulnerabilities",
        "block-at",
    )
    chosen: dict[str, Level | None] = {}
    for tier, given in block_at.items():
        text = check.string(given, "vulnerabilities", "block-at", tier)
        if text not in levels:
            raise check.fail(
                f"{quote(text)} is not one of {' | '.join(levels)}",
                "vulnerabilities",
                "block-at",
                tier,
            )
        chosen[tier] = None if text == _NEVER else Level(text)
    unknown = table.get("block-unknown-severity", False)
    if not isinstance(unknown, bool):
        raise check.fail(
            f"must be true or false, got {_type(unknown)}",
            "vulnerabilities",
            "block-unknown-severity",
        )
    defaults = VulnRules()
    return VulnRules(
        db=path,
        block_critical=chosen.get(TierName.CRITICAL.value, defaults.block_critical),
        block_long_tail=chosen.get(TierName.LONG_TAIL.value, defaults.block_long_tail),
        block_unknown_severity=unknown,
        exceptions=_vuln_exceptions(check, table.get("exceptions", [])),
    )


def _vuln_exceptions(check: _Checker, value: Any) -> tuple[VulnException, ...]:
    where = ("vulnerabilities", "exceptions")
    if not isinstance(value, list):
        raise check.fail(
            "must be an array of tables ([[vulnerabilities.exceptions]]), got " + _type(value),
            *where,
        )
    out: list[VulnException] = []
    for i, entry in enumerate(value):
        table = check.table(entry, _VULN_EXCEPTION_KEYS, *where, i)
        for required in ("id", "reason", "owner", "expires"):
            if required not in table:
                raise check.fail(f"missing required key {required!r}", *where, i)
        package = None
        if "package" in table:
            name = check.string(table["package"], *where, i, "package")
            problem = check_name(name)
            if problem:
                raise check.fail(problem, *where, i, "package")
            package = normalize(name)
        out.append(
            VulnException(
                id=check.string(table["id"], *where, i, "id").strip(),
                reason=check.string(table["reason"], *where, i, "reason"),
                owner=check.string(table["owner"], *where, i, "owner"),
                expires=_expires(check, table["expires"], *where, i, "expires"),
                package=package,
                where=f"{check.path.name} {check.key(*where, i)}",
            )
        )
    return tuple(out)


def _approvers(check: _Checker, value: Any) -> tuple[str, ...]:
    table = check.table(value, _TRUST_CHANGE_KEYS, "trust-changes")
    names = table.get("approved-by", [])
    if not isinstance(names, list):
        raise check.fail(
            f"must be an array of names, got {_type(names)}", "trust-changes", "approved-by"
        )
    out: list[str] = []
    for i, name in enumerate(names):
        text = check.string(name, "trust-changes", "approved-by", i).strip()
        if any(c.isspace() or c == "," for c in text):
            raise check.fail(
                "must be one name (no spaces or commas)", "trust-changes", "approved-by", i
            )
        out.append(text)
    return tuple(dict.fromkeys(out))


def _tiers(check: _Checker, value: Any) -> tuple[Tier, Tier]:
    tiers = check.table(value, frozenset(t.value for t in TierName), "tiers")
    critical = check.table(
        tiers.get("critical", {}), _TIER_KEYS[TierName.CRITICAL], "tiers", "critical"
    )
    long_tail = check.table(
        tiers.get("long-tail", {}), _TIER_KEYS[TierName.LONG_TAIL], "tiers", "long-tail"
    )
    packages = critical.get("packages", [])
    if not isinstance(packages, list):
        raise check.fail(
            f"must be an array, got {_type(packages)}", "tiers", "critical", "packages"
        )
    patterns: list[str] = []
    for i, pattern in enumerate(packages):
        text = check.string(pattern, "tiers", "critical", "packages", i)
        problem = check_pattern(text)
        if problem:
            raise check.fail(problem, "tiers", "critical", "packages", i)
        patterns.append(text)
    critical_require = DEFAULT_CRITICAL_REQUIRE
    if "require" in critical:
        critical_require = check.enum(critical["require"], Require, "tiers", "critical", "require")
    long_tail_require = DEFAULT_LONG_TAIL_REQUIRE
    if "require" in long_tail:
        long_tail_require = check.enum(
            long_tail["require"], Require, "tiers", "long-tail", "require"
        )
    return (
        Tier(TierName.CRITICAL, critical_require, tuple(patterns)),
        Tier(TierName.LONG_TAIL, long_tail_require),
    )


def parse_spec(spec: str) -> Publisher | str:
    """The identity ``spec`` names, or the problem with it (one line, without a flag name)."""
    try:
        identity = parse_publisher_spec(spec)
    except PublisherSpecError as err:
        message = str(err)
        for prefix in ("bad --publisher ",):
            if message.startswith(prefix):
                message = "bad publisher " + message[len(prefix) :]
        return message
    return identity


def _by_package(check: _Checker, value: Any, section: str) -> list[tuple[str, str, Any]]:
    """A table keyed by package name (``[publishers]``, ``[packages]``): each entry as (name as
    written, normalized name, value); a bad name, or two names of one package, is refused."""
    if not isinstance(value, dict):
        raise check.fail(f"must be a table, got {_type(value)}", section)
    first: dict[str, str] = {}
    out: list[tuple[str, str, Any]] = []
    for name, item in value.items():
        problem = check_name(name)
        if problem:
            raise check.fail(problem, section, name)
        key = normalize(name)
        if key in first:
            raise check.fail(f"names the same package as {first[key]!r} ({key})", section, name)
        first[key] = name
        out.append((name, key, item))
    return out


def _publishers(check: _Checker, value: Any) -> dict[str, tuple[Pin, ...]]:
    out: dict[str, tuple[Pin, ...]] = {}
    for name, key, specs in _by_package(check, value, "publishers"):
        items: list[tuple[str, tuple[str | int, ...]]]
        if isinstance(specs, str):
            items = [(specs, ("publishers", name))]
        elif isinstance(specs, list) and specs:
            items = []
            for i, spec in enumerate(specs):
                items.append((check.string(spec, "publishers", name, i), ("publishers", name, i)))
        else:
            raise check.fail(
                f"must be a publisher spec string or a non-empty array of them, got {_type(specs)}",
                "publishers",
                name,
            )
        pins: list[Pin] = []
        for spec, parts in items:
            parsed = parse_spec(spec)
            if isinstance(parsed, str):
                raise check.fail(parsed, *parts)
            pins.append(Pin(parsed, check.origin))
        out[key] = tuple(pins)
    return out


def _packages(check: _Checker, value: Any) -> dict[str, PackageSignatures]:
    """``[packages.NAME]``: ``key`` (a path, relative to the policy file) and
    ``allow-no-tlog`` (a boolean)."""
    out: dict[str, PackageSignatures] = {}
    for name, norm, table in _by_package(check, value, "packages"):
        settings = check.table(table, _PACKAGE_KEYS, "packages", name)
        key = None
        if "key" in settings:
            key = check.path.parent / check.string(settings["key"], "packages", name, "key")
        allow = settings.get("allow-no-tlog", False)
        if not isinstance(allow, bool):
            raise check.fail(
                f"must be true or false, got {_type(allow)}", "packages", name, "allow-no-tlog"
            )
        origin = f"{check.path.name} [{check.key('packages', name)}]"
        out[norm] = PackageSignatures(key=key, allow_no_tlog=allow, origin=origin)
    return out


def _exceptions(check: _Checker, value: Any) -> tuple[PolicyException, ...]:
    if not isinstance(value, list):
        raise check.fail(
            f"must be an array of tables ([[exceptions]]), got {_type(value)}", "exceptions"
        )
    out: list[PolicyException] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(value):
        table = check.table(entry, _EXCEPTION_KEYS, "exceptions", i)
        for required in ("package", "reason", "owner", "expires"):
            if required not in table:
                raise check.fail(f"missing required key {required!r}", "exceptions", i)
        package = check.string(table["package"], "exceptions", i, "package")
        problem = check_name(package)
        if problem:
            raise check.fail(
                f"{problem} (exceptions name one package each, no globs)",
                "exceptions",
                i,
                "package",
            )
        key = normalize(package)
        if key in seen:
            raise check.fail(
                f"a second exception for {key} (the first is exceptions[{seen[key]}])",
                "exceptions",
                i,
                "package",
            )
        seen[key] = i
        expires = table["expires"]
        if isinstance(expires, datetime) or not isinstance(expires, date):
            raise check.fail(
                f"must be a TOML date such as 2027-03-31 (unquoted), got {_type(expires)}",
                "exceptions",
                i,
                "expires",
            )
        out.append(
            PolicyException(
                package=key,
                reason=check.string(table["reason"], "exceptions", i, "reason"),
                owner=check.string(table["owner"], "exceptions", i, "owner"),
                expires=expires,
                where=f"{check.path.name} {check.key('exceptions', i)}",
            )
        )
    return tuple(out)


def policy_table(
    data: dict[str, Any], path: Path, file_name: str | None = None
) -> tuple[Any, str] | None:
    """The policy table of the parsed document ``data`` and its key path: ``[tool.pyvouch]``
    of a ``pyproject.toml`` (None when it has none), else the whole document. ``file_name``
    (default: ``path``'s) tells which; ``path`` names the document in messages."""
    if (file_name or path.name) == PYPROJECT_FILE:
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(path, "must be a table", where="tool")
        if "pyvouch" not in tool:
            return None
        return tool["pyvouch"], "tool.pyvouch"
    return data, ""


def config_from_document(data: dict[str, Any], path: Path, file_name: str | None = None) -> Policy:
    """The policy in the parsed document ``data`` read from ``path`` (see `load_config`)."""
    found = policy_table(data, path, file_name)
    if found is None:
        return Policy(source=None)
    return parse_config(found[0], path, found[1])
