"""An installation against the verified wheel it should have come from.

Every member of the wheel must be installed (listed in ``RECORD``) with the member's exact
bytes, except:

- ``.dist-info/RECORD``, which every installer rewrites (its lines are checked instead);
- a ``.data/scripts/`` file whose first line starts ``#!python``: the installer rewrites that
  line to the target interpreter (wheel spec), so the installed script must start with a
  ``#!`` line naming a Python (or the ``#!/bin/sh`` exec trampoline installers use for long
  paths, naming a Python and no other shell command) and everything after it must be the
  member's bytes after their first line.

Every file the installed ``RECORD`` lists must come from the wheel, except what installers add:
``INSTALLER``, ``REQUESTED``, ``direct_url.json``, ``RECORD`` and uv's ``uv_cache.json`` in
the distribution's own ``.dist-info``; ``.pyc`` files in ``__pycache__`` beside an installed
``.py`` of the wheel (the spec lets them go without a hash; their contents are not judged);
and the launchers of the wheel's own ``console_scripts`` / ``gui_scripts`` entry points
outside site-packages (their contents are the installer's, checked only against ``RECORD``;
pip writes its own version-suffixed ``pip`` / ``easy_install`` launchers instead of the
wheel's).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pyvouch.installed.files import CHUNK, Difference, LocalCheck, hash_file
from pyvouch.installed.record import Row
from pyvouch.installed.wheel import Member, WheelManifest

ADDED_BY_INSTALLERS = frozenset(
    {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD", "uv_cache.json"}
)
"""Files installers write into the distribution's own .dist-info (uv adds its cache info)."""
LAUNCHER_SUFFIXES = ("", ".exe", "-script.py", "-script.pyw")
LIB_SCHEMES = frozenset({"purelib", "platlib"})
_VERSIONED = re.compile(r"(pip|easy_install)(?:-?\d+(?:\.\d+)?)?")


_PYTHON = re.compile(r"(python|pypy)[\w.\-]*")
_TRAMPOLINE = re.compile(rb"'''exec' (?P<exe>.+) \"\$0\" \"\$@\"\r?\n")
_TRAMPOLINE_END = b"' '''"
_RELOCATABLE = '"$(dirname -- "$(realpath -- "$0")")"/'
"""How a relocatable environment's trampoline names its interpreter (beside the script)."""


def _names_python(path: str) -> bool:
    """Whether an interpreter path (quotes removed) names a Python, with no shell in it."""
    if any(c in path for c in "`;|&<>\n"):
        return False
    if path.startswith(_RELOCATABLE):
        path = path[len(_RELOCATABLE) :]
    elif "$" in path:
        return False
    name = path.replace('"', "").replace("'", "").rsplit("/", 1)[-1]
    return _PYTHON.fullmatch(name) is not None


def _shebang_names_python(line: bytes) -> bool:
    text = line[2:].decode("utf-8", errors="replace").strip()
    words = text.split()
    if len(words) == 2 and words[0] == "/usr/bin/env":
        return _names_python(words[1])
    return _names_python(text)


def _script_body_sha256(path: Path) -> bytes | None:
    """sha256 of the script after the interpreter line(s) an installer wrote, or None unless
    it starts with them: a ``#!`` line naming a Python, or the ``#!/bin/sh`` exec trampoline
    (three lines) that installers write for long interpreter paths or paths with spaces."""
    body = hashlib.sha256()
    with path.open("rb") as handle:
        first = handle.readline(64 * 1024)
        if not first.startswith(b"#!") or not first.endswith(b"\n"):
            return None
        if first.rstrip(b"\r\n") == b"#!/bin/sh":
            match = _TRAMPOLINE.fullmatch(handle.readline(64 * 1024))
            exe = match["exe"].decode("utf-8", errors="replace") if match else ""
            if not _names_python(exe) or handle.readline(64).rstrip(b"\r\n") != _TRAMPOLINE_END:
                return None
        elif not _shebang_names_python(first):
            return None
        while chunk := handle.read(CHUNK):
            body.update(chunk)
    return body.digest()


class _Installed:
    """The installed RECORD's rows, found by where the wheel's members go."""

    def __init__(self, local: LocalCheck) -> None:
        self.local = local
        self.site = local.record.site
        self.inside: dict[str, Row] = {}
        self.outside: list[Row] = []
        for row in local.record.rows:
            if row.location.is_relative_to(self.site):
                self.inside[row.location.relative_to(self.site).as_posix()] = row
            else:
                self.outside.append(row)

    def find(self, member: str, wheel: WheelManifest) -> Row | None:
        data = wheel.data_dir + "/"
        if member.startswith(data):
            scheme, _, rest = member[len(data) :].partition("/")
            if scheme in LIB_SCHEMES and rest in self.inside:
                return self.inside[rest]
            # scripts, data, headers, and purelib/platlib where they are not the directory
            # holding the .dist-info (lib vs lib64): outside it, under the scheme's directory
            ends = [r for r in self.outside if r.location.as_posix().endswith("/" + rest)]
            return ends[0] if len(ends) == 1 else None
        if member.startswith(wheel.dist_info + "/"):
            member = self.local.record.dist_info.name + member[len(wheel.dist_info) :]
        return self.inside.get(member)

    def sha256(self, row: Row) -> bytes | None:
        known = self.local.sha256.get(row.location)
        if known is not None:
            return known
        try:
            return hash_file(row.location, ("sha256",))["sha256"]
        except OSError:
            return None


def _member_differs(row: Row, member: Member, installed: _Installed) -> str | None:
    actual = installed.sha256(row)
    if actual is None:
        return "cannot be read"
    if actual == member.sha256:
        return None
    if member.script_body_sha256 is not None:
        try:
            body = _script_body_sha256(row.location)
        except OSError:
            body = None
        if body == member.script_body_sha256:
            return None
        return "differs from the verified wheel's script after its #! line"
    return "differs from the verified wheel"


def _added_by_installer(
    row: Row, installed: _Installed, wheel: WheelManifest, used: set[Path]
) -> bool:
    location = row.location
    if location.parent == installed.local.record.dist_info:
        return location.name in ADDED_BY_INSTALLERS
    if location.suffix == ".pyc" and location.parent.name == "__pycache__":
        source = location.parent.parent / (location.name.split(".", 1)[0] + ".py")
        return source in used
    if not location.is_relative_to(installed.site):
        name = location.name
        return any(
            name.endswith(suffix) and _is_launcher(name[: len(name) - len(suffix)], wheel)
            for suffix in LAUNCHER_SUFFIXES
        )
    return False


def _is_launcher(name: str, wheel: WheelManifest) -> bool:
    """A script named after one of the wheel's entry points; pip writes ``pip`` and
    ``easy_install`` launchers for its own Python version (``pip3.11``, ``easy_install-3.11``)
    instead of the ones the wheel names."""
    if name in wheel.entry_points:
        return True
    versioned = _VERSIONED.fullmatch(name)
    if versioned is None:
        return False
    base = versioned[1]
    return any((m := _VERSIONED.fullmatch(e)) and m[1] == base for e in wheel.entry_points)


def compare(local: LocalCheck, wheel: WheelManifest) -> list[Difference]:
    """How the installation in ``local`` differs from ``wheel`` (empty: it is that wheel)."""
    installed = _Installed(local)
    already = {d.path for d in local.differences}
    differences: list[Difference] = []
    used: set[Path] = set()
    for name, member in sorted(wheel.members.items()):
        if name == f"{wheel.dist_info}/RECORD":
            continue
        row = installed.find(name, wheel)
        if row is None:
            differences.append(Difference(name, "in the verified wheel, but not in RECORD"))
            continue
        used.add(row.location)
        if row.path in already:
            continue
        problem = _member_differs(row, member, installed)
        if problem is not None:
            differences.append(Difference(row.path, problem))
    record = local.record
    for row in record.rows:
        if row.location in used:
            continue
        if not _added_by_installer(row, installed, wheel, used):
            differences.append(Difference(row.path, "in RECORD, but not in the verified wheel"))
        elif row.digest is None and not record.unhashed_allowed(row):
            differences.append(Difference(row.path, "in RECORD without a hash"))
    return differences
