"""Resolve a requirements file with pip: ``pip install --dry-run --report -``.

pip runs in this interpreter with ``--ignore-installed`` so the report lists everything the
file would install, with the exact file pip chose (URL and sha256). Nothing is installed. The
index is the one the file names, else ``index_url``, else pip's own configuration.

No build code runs: pip resolves wheels only (``--only-binary :all:`` last on the command
line) and runs fenced (`pyvouch.fenced_pip`: an audit hook lets it start no process), so a
requirements file under review that names a local directory, an sdist, ``-e`` or
``--no-binary`` cannot make a scan run its build backend. Such a file is an error that says
so; scan a lock or hash-pinned requirements instead.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pyvouch import jsontext
from pyvouch.errors import InputError, UsageError
from pyvouch.fenced_pip import Pip
from pyvouch.model import Package
from pyvouch.sources.base import Context, index_or_none, norm_name
from pyvouch.sources.direct import file_of, origin_of
from pyvouch.sources.direct import read as read_direct

TIMEOUT_S = 600.0


def command(path: Path, index_url: str | None) -> list[str]:
    """pip's arguments (the interpreter and launcher come from `pyvouch.fenced_pip`)."""
    cmd = [
        "install",
        "--dry-run",
        "--report",
        "-",
        "--ignore-installed",
        "--quiet",
        "--no-input",
        "--disable-pip-version-check",
        "-r",
        str(path),
    ]
    if index_url:
        cmd += ["--index-url", index_url]
    return [*cmd, "--only-binary", ":all:"]  # last: the command line's word on formats


def resolve(path: Path, ctx: Context, *, index_url: str | None = None) -> list[Package]:
    pip = Pip(Path(sys.executable), "", os.environ)
    try:
        proc = pip.run(command(path, index_url), guard=True, user_config=True, timeout=TIMEOUT_S)
    except UsageError as err:
        raise InputError(path, str(err)) from None
    if proc.guard_tripped:
        raise InputError(
            path,
            "resolving these requirements would run build code (a local directory, an sdist, "
            "-e, a VCS URL or --no-binary): pyvouch never runs build code before verification; "
            "scan a lock file or hash-pinned requirements instead",
        )
    if proc.returncode != 0:
        lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("ERROR:")]
        detail = (errors or lines or [f"exit status {proc.returncode}"])[-1]
        raise InputError(path, f"pip could not resolve the requirements: {detail}")
    try:
        report = jsontext.loads(proc.stdout)
    except json.JSONDecodeError as err:
        raise InputError(path, f"pip's report is not JSON: {err.msg}") from None
    ctx.warn(f"{path}: resolved with pip (ranges or unpinned requirements)")
    return from_report(report, path, ctx, index_url=index_url)


def from_report(
    report: Any, path: Path, ctx: Context, *, index_url: str | None = None
) -> list[Package]:
    """Packages from a pip installation report (https://pip.pypa.io/en/stable/reference/installation-report/)."""
    if not isinstance(report, dict) or not isinstance(report.get("install"), list):
        raise InputError(path, "pip's report has no `install` list")
    out = []
    for i, item in enumerate(report["install"]):
        where = f"install[{i}]"
        if not isinstance(item, dict):
            raise InputError(path, "pip's report: expected an object", where=where)
        meta = item.get("metadata") or {}
        info = item.get("download_info") or {}
        name = norm_name(ctx, str(meta.get("name", "")), f"{where}.metadata.name")
        version = meta.get("version")
        try:
            direct = read_direct(info)
        except ValueError as err:
            raise InputError(path, f"pip's report: {err}", where=f"{where}.download_info") from None
        try:
            found = file_of(direct)
        except ValueError as err:
            raise InputError(path, f"pip's report: {err}", where=f"{where}.download_info") from None
        if found is not None and not item.get("is_direct"):
            # pip's hash for an index file is the index's own link hash, not a pin: only its
            # sha256 means anything (the scan checks it against the attestation).
            found = replace(found, other_digests=())
        files = (found,) if found is not None else ()
        origin = origin_of(direct) if item.get("is_direct") or found is None else None
        out.append(
            Package(
                name=name,
                version=str(version) if version is not None else None,
                files=files,
                source=str(path),
                origin=origin,
                index_url=index_or_none(index_url) if origin is None else None,
            )
        )
    return out
