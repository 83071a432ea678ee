"""Helpers for verification tests: fixture paths, a network-cut CLI runner, file mutations."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.support.cli_runs import Run, invoke, run_process

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "attestations"
CUT = "http://127.0.0.1:9"  # discard port: nothing listens, every proxied connection fails


def cut_env(tmp: Path) -> dict[str, str | None]:
    """Variables that cut the network and put pyvouch's cache and data dirs in ``tmp``."""
    return {
        "HTTPS_PROXY": CUT,
        "HTTP_PROXY": CUT,
        "https_proxy": CUT,
        "http_proxy": CUT,
        "ALL_PROXY": CUT,
        "NO_PROXY": "",
        "no_proxy": "",
        "PYVOUCH_CACHE_DIR": str(tmp / "cache"),
        "PYVOUCH_DATA_DIR": str(tmp / "data"),
        "NO_COLOR": "1",
        "PIP_INDEX_URL": None,
    }


def run_cli(args: list[str], tmp: Path, **env: str) -> Run:
    """``pyvouch ARGS`` in this process with the network cut (`cut_env`)."""
    return invoke(args, env={**cut_env(tmp), **env})


def run_cli_process(args: list[str], tmp: Path, *, timeout: float = 120, **env: str) -> Run:
    """The same through the real entry point (``python -m pyvouch``): for smoke tests."""
    return run_process(args, env={**cut_env(tmp), **env}, timeout=timeout)


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
