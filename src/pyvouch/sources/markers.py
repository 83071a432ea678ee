"""Narrowing a lock to a Python version and/or a platform by its environment markers.

By default nothing is narrowed: every package the lock can install in some environment is
kept. When ``python_version`` and/or ``platform`` are given, a marker is evaluated in
three-valued logic: a comparison on a variable that was fixed is true or false, a comparison
on anything else (``platform_machine``, ``implementation_name``, ``extra``, ``extras``,
``dependency_groups``, ...) is *unknown*. A package is dropped only when its marker is false
for every value the unfixed variables could take, so narrowing never drops a package that
could be installed in the asked-for environment.

Fixed variables:

- ``python_version="3.11"`` fixes ``python_version``; ``python_full_version`` is known to be
  ``3.11.*`` (a comparison true for all of 3.11.0 .. 3.11.39 is true, false for all is false,
  otherwise unknown). ``"3.11.4"`` fixes both exactly.
- ``platform`` is one of ``linux``, ``darwin`` (alias ``macos``), ``win32`` (alias
  ``windows``) and fixes ``sys_platform``, ``platform_system`` and ``os_name``.
- ``environment`` (instead of both): one interpreter's whole marker environment, as
  ``packaging.markers.default_environment()`` gives it in that interpreter (`pyvouch install
  --lock` evaluates a lock for the interpreter it installs into). Every variable is fixed; only
  ``extra``, ``extras`` and ``dependency_groups`` stay unknown, so every extra and group of the
  lock is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison

_PLATFORMS: dict[str, dict[str, str]] = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
    "darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
    "win32": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
}
PLATFORM_ALIASES: dict[str, str] = {
    "macos": "darwin",
    "osx": "darwin",
    "windows": "win32",
    "win": "win32",
}
"""Other names accepted for a platform, and the canonical name each stands for."""
PLATFORM_NAMES: tuple[str, ...] = tuple(_PLATFORMS)
"""The canonical platform names (``sys.platform`` values), as help and errors list them."""
PLATFORMS = (*PLATFORM_NAMES, *PLATFORM_ALIASES)
"""Every name accepted: the canonical ones and their aliases."""

_PY_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")

# Three-valued results.
_T, _F, _U = True, False, None


class Narrowing:
    """Which environment a lock is narrowed to (nothing by default)."""

    def __init__(
        self,
        python_version: str | None = None,
        platform: str | None = None,
        *,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.python_version = python_version
        self.platform = platform
        self.environment = dict(environment) if environment is not None else None
        self._known: dict[str, list[str]] = {}
        if environment is not None:
            if python_version is not None or platform is not None:
                raise ValueError("an exact environment fixes the python version and platform")
            # One interpreter's marker environment (`install --lock`): every variable is
            # known; only ``extra``, ``extras`` and ``dependency_groups`` stay unknown.
            self._known = {k: [v] for k, v in environment.items() if isinstance(v, str)}
        if python_version is not None:
            m = _PY_RE.match(python_version.strip())
            if not m:
                raise ValueError(f"python version {python_version!r} is not like 3.11 or 3.11.4")
            major, minor, micro = m.groups()
            self._known["python_version"] = [f"{major}.{minor}"]
            if micro is not None:
                self._known["python_full_version"] = [f"{major}.{minor}.{micro}"]
            else:
                self._known["python_full_version"] = [f"{major}.{minor}.{i}" for i in range(40)]
        if platform is not None:
            key = PLATFORM_ALIASES.get(platform.strip().lower(), platform.strip().lower())
            if key not in _PLATFORMS:
                raise ValueError(
                    f"platform {platform!r} is not one of {', '.join(PLATFORM_NAMES)} "
                    f"(aliases: {', '.join(PLATFORM_ALIASES)})"
                )
            self._known.update({k: [v] for k, v in _PLATFORMS[key].items()})
        self._cache: dict[str, bool] = {}

    @property
    def active(self) -> bool:
        return bool(self._known)

    def describe(self) -> str:
        if self.environment is not None:
            python = self.environment.get("python_full_version", "?")
            return f"python {python} on {self.environment.get('sys_platform', '?')}"
        parts = []
        if self.python_version:
            parts.append(f"python {self.python_version}")
        if self.platform:
            parts.append(f"platform {self.platform}")
        return ", ".join(parts) or "every environment"

    def may_match(self, marker: str | None) -> bool:
        """False only when ``marker`` is false for every environment the narrowing allows.

        Raises ValueError for a marker that does not parse (only when narrowing is active).
        """
        if not self._known or not marker or not marker.strip():
            return True
        cached = self._cache.get(marker)
        if cached is not None:
            return cached
        try:
            parsed = Marker(marker)
        except InvalidMarker as err:
            raise ValueError(str(err).splitlines()[0]) from None
        result = self._eval_list(getattr(parsed, "_markers", None))
        verdict = result is not _F
        self._cache[marker] = verdict
        return verdict

    def _eval_list(self, items: Any) -> bool | None:
        if not isinstance(items, list):
            return _U  # an unexpected structure: never drop on it
        groups: list[list[bool | None]] = [[]]
        for item in items:
            if item == "or":
                groups.append([])
            elif item == "and":
                continue
            elif isinstance(item, list):
                groups[-1].append(self._eval_list(item))
            elif isinstance(item, tuple) and len(item) == 3:
                groups[-1].append(self._eval_atom(item))
            else:
                groups[-1].append(_U)
        return _or([_and(g) for g in groups])

    def _eval_atom(self, atom: Sequence[Any]) -> bool | None:
        lhs, _op, rhs = atom
        var = None
        for node in (lhs, rhs):
            if type(node).__name__ == "Variable":
                var = getattr(node, "value", None)
        if var is None or var not in self._known:
            return _U
        try:
            text = " ".join(node.serialize() for node in atom)
            single = Marker(text)
            results = {
                single.evaluate({var: value}, context="lock_file") for value in self._known[var]
            }
        except (InvalidMarker, UndefinedComparison, ValueError, TypeError, KeyError):
            return _U
        if len(results) == 1:
            return results.pop()
        return _U


def _and(values: list[bool | None]) -> bool | None:
    if any(v is _F for v in values):
        return _F
    if all(v is _T for v in values):
        return _T
    return _U


def _or(values: list[bool | None]) -> bool | None:
    if any(v is _T for v in values):
        return _T
    if all(v is _F for v in values):
        return _F
    return _U
