"""An installed environment, read with ``importlib.metadata``.

The target is a virtual environment directory (one holding ``pyvenv.cfg``), a
``site-packages`` directory, a Python executable (asked for its ``sys.path``), or None for
the running interpreter. Every distribution found is a package (the first one on the path
wins, as at import time). ``direct_url.json`` (PEP 610) makes it not-indexed with its origin
(VCS, editable, local directory, direct archive URL, with the archive's sha256 when
recorded). Installed files carry no distribution digests, so index packages have no files:
the scan takes that release's files from the index. Nothing is narrowed: an environment is
already one environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.sources.base import Context, norm_name
from pyvouch.sources.direct import file_of, origin_of
from pyvouch.sources.direct import read as read_direct

FORMAT = "environment"
_PROBE = "import json, sys; print(json.dumps(sys.path))"


def is_environment(path: Path) -> bool:
    if path.is_dir():
        return (path / "pyvenv.cfg").is_file() or path.name in ("site-packages", "dist-packages")
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
        )
    return sorted(out.values(), key=lambda p: p.name)
