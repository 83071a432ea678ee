"""A wheel's members and their digests: what an installation of that wheel must contain.

The digests are computed from the members themselves (not read from the wheel's own RECORD),
so the comparison rests on nothing but the verified wheel's bytes. A wheel is a zip file; the
reader refuses unsafe member names and stops at `Limits`.
"""

from __future__ import annotations

import configparser
import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from packaging.utils import canonicalize_name

from pyvouch.limits import MAX_ENTRY_POINTS_BYTES, MAX_WHEEL_MEMBERS, MAX_WHEEL_UNPACKED_BYTES

CHUNK = 1024 * 1024
SCRIPT_SHEBANG = b"#!python"
"""A script in ``.data/scripts/`` whose first line starts so is rewritten by the installer
(wheel spec: the first line becomes the target interpreter's)."""


class WheelProblem(Exception):
    """The wheel cannot be read as the verified wheel. ``warnings``: redirects to another host
    followed to download it."""

    def __init__(self, reason: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.warnings = warnings


@dataclass(frozen=True)
class Limits:
    """How much of a wheel is read (`pyvouch.limits`; tests lower them)."""

    members: int = MAX_WHEEL_MEMBERS
    unpacked_bytes: int = MAX_WHEEL_UNPACKED_BYTES
    entry_points_bytes: int = MAX_ENTRY_POINTS_BYTES


@dataclass(frozen=True, slots=True)
class Member:
    sha256: bytes
    size: int
    script_body_sha256: bytes | None = None
    """For a ``#!python`` script: the sha256 of everything after its first line."""


@dataclass(frozen=True)
class WheelManifest:
    filename: str
    dist_info: str
    """The wheel's ``NAME-VERSION.dist-info`` directory."""
    members: dict[str, Member]
    """Files by member name (directories excluded)."""
    entry_points: frozenset[str] = frozenset()
    """Names of its console and GUI scripts (the installer generates those)."""

    @property
    def data_dir(self) -> str:
        return self.dist_info.removesuffix(".dist-info") + ".data"


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not name.startswith("/") and "\\" not in name and ".." not in path.parts


def _digest(handle: IO[bytes], budget: list[int], script: bool) -> Member:
    whole = hashlib.sha256()
    body = hashlib.sha256()
    size = 0
    first = b""
    in_first_line = script
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise WheelProblem("unpacks to more than the limit; not compared")
        whole.update(chunk)
        if in_first_line:
            end = chunk.find(b"\n")
            if end < 0:
                first += chunk[:256]
                continue
            first += chunk[: end + 1]
            body.update(chunk[end + 1 :])
            in_first_line = False
        else:
            body.update(chunk)
    rewritten = script and first.startswith(SCRIPT_SHEBANG)
    return Member(whole.digest(), size, body.digest() if rewritten else None)


def _entry_point_names(text: str) -> frozenset[str]:
    parser = configparser.RawConfigParser(delimiters=("=",), strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as err:
        raise WheelProblem(f"its entry_points.txt cannot be parsed: {err}") from None
    names: set[str] = set()
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            names.update(parser.options(section))
    return frozenset(names)


def read_wheel(
    source: Path | IO[bytes], filename: str, limits: Limits | None = None
) -> WheelManifest:
    """The manifest of the wheel in ``source`` (named ``filename`` on the index)."""
    limits = limits or Limits()
    try:
        with zipfile.ZipFile(source) as archive:
            return _read(archive, filename, limits)
    except zipfile.BadZipFile as err:
        raise WheelProblem(f"not a readable zip file: {err}") from None
    except (OSError, EOFError, RuntimeError, NotImplementedError, ValueError, zlib.error) as err:
        raise WheelProblem(f"cannot be unpacked: {err}") from None


def _read(archive: zipfile.ZipFile, filename: str, limits: Limits) -> WheelManifest:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > limits.members:
        raise WheelProblem(f"holds more than {limits.members} files; not compared")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise WheelProblem("lists a file twice")
    bad = next((n for n in names if not _safe(n)), None)
    if bad is not None:
        raise WheelProblem(f"holds an unsafe path {bad[:200]!r}")
    dist_infos = {n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")}
    project = canonicalize_name(filename.split("-", 1)[0])
    ours = [d for d in dist_infos if canonicalize_name(d.split("-", 1)[0]) == project]
    if len(ours) != 1:
        raise WheelProblem("has no single .dist-info directory of its project")
    dist_info = ours[0]
    data_dir = dist_info.removesuffix(".dist-info") + ".data"
    budget = [limits.unpacked_bytes]
    members: dict[str, Member] = {}
    for info in infos:
        script = info.filename.startswith(f"{data_dir}/scripts/")
        with archive.open(info) as handle:
            members[info.filename] = _digest(handle, budget, script)
    entry_points: frozenset[str] = frozenset()
    ep_name = f"{dist_info}/entry_points.txt"
    if ep_name in members:
        if members[ep_name].size > limits.entry_points_bytes:
            raise WheelProblem("its entry_points.txt is larger than the limit")
        text = archive.read(ep_name).decode("utf-8", errors="replace")
        entry_points = _entry_point_names(text)
    return WheelManifest(filename, dist_info, members, entry_points)
