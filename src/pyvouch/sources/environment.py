"""An installed environment, read with ``importlib.metadata``.

The target is a virtual environment directory (one holding ``pyvenv.cfg``), a
``site-packages`` directory, a Python executable (asked for its ``sys.path``), or None for
the running interpreter. Every distribution found is a package (the first one on the path
wins, as at import time). ``direct_url.json`` (PEP 610) makes it not-indexed with its origin
(VCS, editable, local directory, direct archive URL, with the archive's sha256 when
recorded). Installed files carry no distribution digests, so index packages have no files:
the scan takes the wheel the installation came from off the index and compares the installed
files with it (``Package.installed`` names the ``.dist-info``; see `pyvouch.installed`). A
``.pth`` file in a site directory that no distribution's ``RECORD`` lists is a warning (Python
runs it at every start-up, and no package vouches for it). Nothing is narrowed: an environment
is already one environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.sources.base import Context, norm_name

if TYPE_CHECKING:  # imported by `load` alone: detecting a lock file needs neither (start-up)
    from importlib import metadata

FORMAT = "environment"
SITE_DIRS = ("site-packages", "dist-packages")
_PROBE = "import json, sys; print(json.dumps(sys.path))"


def is_environment(path: Path) -> bool:
    if path.is_dir():
        return (path / "pyvenv.cfg").is_file() or path.name in SITE_DIRS
    return path.is_file() and path.name.lower().startswith("python")


def search_path(target: Path | None) -> list[str]:
    if target is None:
        return list(sys.path)
    if target.is_dir():
        if (target / "pyvenv.cfg").is_file():
            found = sorted(target.glob("lib/python3*/site-packages")) + sorted(
                target.glob("Lib/site-packages")
            )
            if not found:
                raise InputError(target, "virtual environment without a site-packages directory")
            return [str(p) for p in found]
        return [str(target)]
    try:
        proc = subprocess.run(
            [str(target), "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise InputError(target, f"cannot run this Python: {err}") from None
    if proc.returncode != 0:
        raise InputError(target, f"this Python failed: {proc.stderr.strip()[-200:]}")
    try:
        paths = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise InputError(target, "this Python did not print its sys.path") from None
    return [p for p in paths if isinstance(p, str)]


def load(target: Path | None, ctx: Context) -> list[Package]:
    from importlib import metadata

    from pyvouch.sources.direct import file_of, origin_of
    from pyvouch.sources.direct import read as read_direct

    paths = search_path(target)
    out: dict[str, Package] = {}
    for dist in metadata.distributions(path=paths):
        raw_name = dist.metadata["Name"] if dist.metadata is not None else None
        if not raw_name:
            continue
        where = f"{raw_name} {dist.version}"
        name = norm_name(ctx, str(raw_name), where)
        if name in out:
            continue
        origin = None
        installed = _dist_info(dist)
        files: tuple[FileRef, ...] = ()
        text = dist.read_text("direct_url.json")
        if text:
            try:
                direct = read_direct(json.loads(text))
                found = file_of(direct)
            except (ValueError, json.JSONDecodeError) as err:
                ctx.warn(f"{where}: unreadable direct_url.json ({err}); read as not indexed")
                origin = "unknown-direct-url:"
            else:
                origin = origin_of(direct)
                files = (found,) if found is not None else ()
        out[name] = Package(
            name=name,
            version=dist.version,
            files=files,
            source=str(target) if target is not None else sys.executable,
            origin=origin,
            installed=str(installed) if installed is not None and origin is None else None,
        )
    _warn_unowned_pth(paths, ctx)
    return sorted(out.values(), key=lambda p: p.name)


def _dist_info(dist: metadata.Distribution) -> Path | None:
    """The metadata directory of an installed distribution (``.dist-info``, or ``.egg-info``
    which has no RECORD and so cannot be compared); None inside a zip file."""
    path = getattr(dist, "_path", None)  # PathDistribution keeps it; there is no public name
    return path if isinstance(path, Path) else None


def _warn_unowned_pth(paths: list[str], ctx: Context) -> None:
    from pyvouch.installed.files import listed_in, unowned_pth

    for entry in paths:
        site = Path(entry)
        # Python reads .pth files only in site directories (not the script's or cwd).
        if site.name not in SITE_DIRS or not site.is_dir() or not any(site.glob("*.pth")):
            continue
        for name in unowned_pth(site, listed_in(site)):
            ctx.warn(
                f"{site / name}: a .pth file that no installed distribution's RECORD lists "
                "(Python runs it at every start-up; nothing verified it)"
            )
