"""What a warm scan of a lock costs, counted rather than timed (issue 14): the cache files it
opens per locked file and the modules it does not import. The speed itself is in
benchmarks/README.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.scan_corpus import latest_files, make_corpus, write_pylock
from tests.support.static_server import serve_directory

# Records every file opened under the cache dir (io.open, which pathlib uses, and os.open)
# and every module imported, then runs `python -m pyvouch` as the console script does.
_WRAPPER = textwrap.dedent(
    """
    import atexit, io, json, os, runpy, sys
    out, cache = sys.argv[1], os.path.realpath(sys.argv[2])
    opened = []
    def note(path):
        try:
            full = os.path.realpath(os.fspath(path))
        except TypeError:
            return
        if full.startswith(cache + os.sep):
            opened.append(full)
    real_open, real_os_open = io.open, os.open
    def io_open(file, *args, **kwargs):
        note(file)
        return real_open(file, *args, **kwargs)
    def os_open(path, *args, **kwargs):
        note(path)
        return real_os_open(path, *args, **kwargs)
    io.open = io_open
    os.open = os_open
    import builtins
    builtins.open = io_open
    def dump():
        loaded = sorted(k for k, v in sys.modules.items() if v is not None)  # None: absent
        with real_open(out, "w") as f:
            json.dump({"modules": loaded, "opened": opened}, f)
    atexit.register(dump)
    sys.argv = ["pyvouch", *sys.argv[3:]]
    runpy.run_module("pyvouch", run_name="__main__")
    """
)

# Modules a warm scan of a lock file has no use for: trio (httpcore, pyvouch's HTTP stack until
# it moved to aiohttp, imported it when installed; pyvouch runs on asyncio), anything of
# --vulns (the advisory sources and models, the reachability analysis and its model) and yaml
# (only a YAML advisory database, with --vulns, is parsed with it).
NOT_IMPORTED = (
    "trio", "pyvouch.reachability", "pyvouch.reachability.model", "pyvouch.reachability.analyse",
    "pyvouch.reachability.graph", "yaml", "pyvouch.pipeline.vulns", "pyvouch.vulns.model",
    "pyvouch.vulns.local_db",
)  # fmt: skip


@dataclass(frozen=True)
class Counted:
    returncode: int
    stderr: str
    modules: frozenset[str]
    opened: list[str]


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Counted, int, Counted]]:
    """One cold scan of the corpus's latest files, then one warm scan, counted; then one
    offline (the third element)."""
    tmp = tmp_path_factory.mktemp("warm-costs")
    manifest = make_corpus(tmp / "corpus")
    files = latest_files(manifest)
    lock = tmp / "pylock.toml"
    write_pylock(lock, files)
    cache = tmp / "cache"
    env = {
        **os.environ,
        "PYVOUCH_DATA_DIR": str(tmp / "data"),
        "PYVOUCH_CACHE_DIR": str(cache),
        "NO_COLOR": "1",
    }
    env.pop("PIP_INDEX_URL", None)
    with serve_directory(tmp / "corpus" / "site", negotiate=True) as server:
        argv = [
            "scan", str(lock), "--index-url", server.index_url,
            "--trust-root", str(tmp / "corpus" / "trusted_root.json"),
            "--cache-dir", str(cache), "--format", "json", "--output", str(tmp / "report.json"),
        ]  # fmt: skip
        runs = []
        for label in ("cold", "warm", "offline"):
            record = tmp / f"{label}.json"
            extra = ["--offline"] if label == "offline" else []
            done = subprocess.run(
                [sys.executable, "-c", _WRAPPER, str(record), str(cache), *argv, *extra],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            data = json.loads(record.read_text())
            runs.append(
                Counted(done.returncode, done.stderr, frozenset(data["modules"]), data["opened"])
            )
    cold, counted, offline = runs
    assert cold.returncode in (0, 1), cold.stderr[-2000:]
    assert counted.returncode == cold.returncode, counted.stderr[-2000:]
    yield counted, len(files), offline


def test_a_warm_scan_reads_each_cache_entry_once_and_two_per_locked_file_at_most(
    warm: tuple[Counted, int, Counted],
) -> None:
    counted, locked, _ = warm
    reads = [p for p in counted.opened if not Path(p).name.startswith(".")]  # not temp writes
    assert any("/verdicts-v1/" in p for p in reads)  # the counting is real
    # No entry read twice (a signature entry and a "nothing beside" entry share a key: one
    # read answers both).
    assert len(set(reads)) == len(reads), sorted(reads)
    # Per locked file at most a verdict and a provenance entry's sealed metadata: its body is
    # read only when there is no verdict (the verdict key takes the sealed body digest).
    per_file = [p for p in reads if "/verdicts-v1/" in p or "/index-v2/provenance/" in p]
    assert len(per_file) <= 2 * locked, sorted(per_file)
    assert any(p.endswith(".json") and "/index-v2/provenance/" in p for p in reads)
    bodies = [p for p in reads if "/index-v2/provenance/" in p and p.endswith(".body")]
    assert bodies == [], sorted(bodies)


def test_a_warm_scan_imports_no_trio_nothing_of_vulns_and_no_yaml(
    warm: tuple[Counted, int, Counted],
) -> None:
    counted, _, _ = warm
    assert "aiohttp" in counted.modules and "pyvouch.pipeline.scan" in counted.modules  # real
    for module in NOT_IMPORTED:
        assert module not in counted.modules, module


@pytest.mark.parametrize(
    "first",
    ["from pyvouch.reachability.analyse import analyse_counted", "import pyvouch.reachability"],
)
def test_reachability_analyse_is_the_function_whichever_import_comes_first(first: str) -> None:
    code = (
        f"{first}\n"
        "import pyvouch.reachability as r\n"
        "from pyvouch.reachability import analyse\n"
        "from pyvouch.reachability.analyse import analyse as direct\n"
        "assert callable(analyse) and analyse is r.analyse is direct, analyse\n"
        "assert analyse.__module__ == 'pyvouch.reachability.analyse'\n"
        "import importlib\n"
        "assert getattr(importlib.import_module('pyvouch.reachability'), 'analyse') is analyse\n"
    )
    subprocess.run([sys.executable, "-c", code], timeout=60, check=True)


def test_a_scan_that_asks_nothing_imports_no_http_client(
    warm: tuple[Counted, int, Counted],
) -> None:
    """Offline from the warm cache no request is made, so aiohttp (and the TLS stack it
    brings) is never imported; the warm scan above, which asks the unattested files again,
    does import it (the listing is real)."""
    counted, _, offline = warm
    assert offline.returncode in (0, 1, 3), offline.stderr[-2000:]
    assert "aiohttp" in counted.modules
    assert "pyvouch.index.client" in offline.modules  # it did look things up, from the cache
    for module in (
        "aiohttp",
        "yarl",
        "multidict",
        "httpx",
        "httpcore",
        "pyvouch.index.http_engine",
    ):
        assert module not in offline.modules, module
