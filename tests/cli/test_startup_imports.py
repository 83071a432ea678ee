"""Start-up: each command imports what it uses and no more.

`pyvouch --version` imports the command line alone: no HTTP stack, no cryptography, no models,
no command module. The scan command imports no lock format's parser (each is imported when a
file of its format is read), nothing of ``--vulns``, no signatures-beside-files code, no HTTP
client. What a whole warm scan imports is in tests/scan/test_verdict_cache.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pyvouch.sources.formats import BUILT_IN
from tests.sources.test_sources_detect import BOM, PDM, PIPFILE, POETRY, PYLOCK, UV

HEAVY = (
    "aiohttp", "yarl", "multidict", "httpx", "httpcore", "anyio", "asyncio", "ssl", "sigstore",
    "pypi_attestations", "cryptography", "pydantic", "rich", "packaging", "tuf",
    "pyvouch.cli.scan_cmd", "pyvouch.pipeline", "pyvouch.index", "pyvouch.sources",
)  # fmt: skip

PARSERS = {reader.FORMAT: reader.module for reader in BUILT_IN}

NOT_FOR_A_SCAN = (
    *PARSERS.values(),
    # --vulns: the advisory sources, the models, the reachability analysis, the report section
    "pyvouch.pipeline.vulns", "pyvouch.vulns.model", "pyvouch.vulns.check",
    "pyvouch.vulns.osv_api", "pyvouch.policy.vulns", "pyvouch.reachability",
    "pyvouch.report.vulns_report", "pyvouch.report.vulns_common",
    # signatures beside files: only for a file the index serves no provenance for
    "pyvouch.index.beside", "pyvouch.verify.beside",
    # the HTTP client: only when a request is made
    "pyvouch.index.http_engine", "aiohttp",
    # verification: only when a verdict is not cached
    "sigstore", "pypi_attestations", "cryptography", "pydantic", "tuf", "rich",
)  # fmt: skip

MARK = "-- modules --"
_CODE = f"""
MARK = {MARK!r}
import atexit, runpy, sys
atexit.register(lambda: print("\\n".join([MARK, *sorted(sys.modules)])))
sys.argv = ["pyvouch", *sys.argv[1:]]
runpy.run_module("pyvouch", run_name="__main__")
"""


def _loaded(*args: str) -> tuple[list[str], set[str]]:
    """The output lines of ``pyvouch ARGS`` and the modules it had imported at exit."""
    done = subprocess.run(
        [sys.executable, "-c", _CODE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    split = lines.index(MARK)
    return lines[:split], set(lines[split + 1 :])


def _imported(loaded: set[str], module: str) -> bool:
    return any(m == module or m.startswith(module + ".") for m in loaded)


def test_version_imports_nothing_heavy() -> None:
    output, loaded = _loaded("--version")
    assert output[0].startswith("pyvouch, version ")
    assert "click" in loaded and "pyvouch.cli.main" in loaded  # the listing is real
    for module in HEAVY:
        assert not _imported(loaded, module), module


def test_the_scan_command_imports_no_parser_and_nothing_of_vulns_or_the_network() -> None:
    _, loaded = _loaded("scan", "--help")
    assert "pyvouch.cli.scan_cmd" in loaded and "pyvouch.pipeline.scan" in loaded  # real
    for module in NOT_FOR_A_SCAN:
        assert not _imported(loaded, module), module


_READ = """
import json, sys
from pathlib import Path
from pyvouch.sources import load_packages
result = load_packages(Path(sys.argv[1]))
print(json.dumps({"format": result.format, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("pylock.toml", PYLOCK, "pylock"),
        ("uv.lock", UV, "uv"),
        ("poetry.lock", POETRY, "poetry"),
        ("pdm.lock", PDM, "pdm"),
        ("Pipfile.lock", PIPFILE, "pipfile"),
        ("bom.cdx.json", BOM, "cyclonedx"),
        ("requirements.txt", "a==1\n", "requirements"),
        ("lockfile.data", PYLOCK, "pylock"),  # recognised by its content
        ("lockfile.data", BOM, "cyclonedx"),
    ],
    ids=[
        "pylock",
        "uv",
        "poetry",
        "pdm",
        "pipfile",
        "cyclonedx",
        "requirements",
        "pylock-content",
        "bom-content",
    ],
)
def test_reading_a_lock_imports_its_own_parser_alone(
    tmp_path: Path, name: str, text: str, fmt: str
) -> None:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _READ, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    read = json.loads(done.stdout)
    assert read["format"] == fmt
    parsers = {m for m in read["modules"] if m in PARSERS.values()}
    assert parsers == {PARSERS[fmt]}


def test_every_built_in_format_has_a_reader_module() -> None:
    """A typo in a module name would only show when a file of that format is read."""
    import importlib

    for reader in BUILT_IN:
        assert callable(importlib.import_module(reader.module).load), reader.FORMAT
