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

import os
import sys
from pathlib import Path

from pyvouch.errors import InputError, UsageError
from pyvouch.fenced_pip import Pip
from pyvouch.model import Package
from pyvouch.sources.base import Context
from pyvouch.sources.pip_report import parse_report

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
    ctx.warn(f"{path}: resolved with pip (ranges or unpinned requirements)")
    return [item.package(str(path), index_url) for item in parse_report(proc.stdout, path)]
