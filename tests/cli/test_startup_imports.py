"""`pyvouch --version` imports the command line alone: no HTTP stack, no cryptography, no
models, no command module (start-up; the warm scan's imports are in
tests/scan/test_verdict_cache.py)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "aiohttp", "yarl", "multidict", "httpx", "httpcore", "anyio", "asyncio", "ssl", "sigstore",
    "pypi_attestations", "cryptography", "pydantic", "rich", "packaging", "tuf",
    "pyvouch.cli.scan_cmd", "pyvouch.pipeline", "pyvouch.index", "pyvouch.sources",
)  # fmt: skip

_CODE = """
import atexit, runpy, sys
atexit.register(lambda: print("\\n".join(sorted(sys.modules))))
sys.argv = ["pyvouch", "--version"]
runpy.run_module("pyvouch", run_name="__main__")
"""


def test_version_imports_nothing_heavy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CODE], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("pyvouch, version ")
    loaded = set(lines[1:])
    assert "click" in loaded and "pyvouch.cli.main" in loaded  # the listing is real
    for module in HEAVY:
        assert not {m for m in loaded if m == module or m.startswith(module + ".")}, module
