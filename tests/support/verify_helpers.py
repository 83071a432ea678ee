"""Helpers for verification tests: fixture paths, a network-cut CLI runner, file mutations."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "attestations"
PYVOUCH = [sys.executable, "-m", "pyvouch"]
CUT = "http://127.0.0.1:9"  # discard port: nothing listens, every proxied connection fails


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.stdout)


def cut_env(tmp: Path) -> dict[str, str]:
    """An environment with the network cut and pyvouch's cache and data dirs in ``tmp``."""
    env = dict(os.environ)
    env.update(
        HTTPS_PROXY=CUT,
        HTTP_PROXY=CUT,
        https_proxy=CUT,
        http_proxy=CUT,
        ALL_PROXY=CUT,
        NO_PROXY="",
        no_proxy="",
        PYVOUCH_CACHE_DIR=str(tmp / "cache"),
        PYVOUCH_DATA_DIR=str(tmp / "data"),
        NO_COLOR="1",
    )
    env.pop("PIP_INDEX_URL", None)
    return env


def run_cli(args: list[str], tmp: Path, *, timeout: float = 120, **env: str) -> Run:
    environment = cut_env(tmp)
    environment.update(env)
    start = time.monotonic()
    proc = subprocess.run(
        [*PYVOUCH, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def asset(name: str) -> Path:
    return ASSETS / name


def load_json(path: Path) -> dict[str, Any]:
    obj = json.loads(path.read_text())
    assert isinstance(obj, dict)
    return obj


def write_json(path: Path, obj: Any) -> Path:
    path.write_text(json.dumps(obj))
    return path


def edit_statement(attestation: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """A copy of a PEP 740 attestation whose statement has ``change`` merged in."""
    statement = json.loads(base64.b64decode(attestation["envelope"]["statement"]))
    statement.update(change)
    copy = json.loads(json.dumps(attestation))
    copy["envelope"]["statement"] = base64.b64encode(json.dumps(statement).encode()).decode()
    return copy
