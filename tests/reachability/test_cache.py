"""The parsed-imports cache: a warm run reads it; an entry planted by someone who can write
the cache directory (but not the data directory holding the machine key) costs a parse,
never an exposure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyvouch.index.sealed import entry_path, seal
from pyvouch.reachability import Exposure, LockedDistribution, ReachabilityRequest
from pyvouch.reachability.analyse import analyse_counted
from pyvouch.reachability.cache import _MAC_PURPOSE, LAYOUT, Parsed, cache_key, encode
from pyvouch.reachability.parse import FileImports

FOREIGN_KEY = b"\x5a" * 32
NOTHING = encode(Parsed(FileImports((), ())))
"""An entry that says: this file imports nothing."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text("import requests\n", encoding="utf-8")
    (app / "other.py").write_text("x = 1\n", encoding="utf-8")
    return app


def _request(app: Path, cache: Path) -> ReachabilityRequest:
    return ReachabilityRequest(
        source_dirs=(app,),
        locked=(LockedDistribution("requests"),),
        cache_dir=cache,
        fetch_wheels=False,
    )


def _entry(cache: Path, source: Path) -> Path:
    return entry_path(cache / LAYOUT, cache_key(source.read_bytes(), attributes=False))


def test_a_warm_run_reads_every_file_from_the_cache(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold, counts = analyse_counted(_request(project, cache))
    assert (counts.parsed, counts.cached) == (2, 0)
    warm, counts = analyse_counted(_request(project, cache))
    assert (counts.parsed, counts.cached) == (0, 2)
    assert warm == cold
    assert warm.by_distribution["requests"].exposure is Exposure.DIRECT


def test_an_edited_file_is_parsed_again(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    analyse_counted(_request(project, cache))
    (project / "main.py").write_text("import os\n", encoding="utf-8")
    report, counts = analyse_counted(_request(project, cache))
    assert (counts.parsed, counts.cached) == (1, 1)
    assert report.by_distribution["requests"].exposure is not Exposure.DIRECT


@pytest.mark.parametrize("plant", ["foreign key", "no mac", "another file's entry"])
def test_a_planted_entry_cannot_hide_an_import(project: Path, tmp_path: Path, plant: str) -> None:
    cache = tmp_path / "cache"
    analyse_counted(_request(project, cache))  # honest entries for both files
    target = _entry(cache, project / "main.py")
    key = target.stem
    if plant == "foreign key":
        entry = {"value": NOTHING.decode(), "mac": seal(FOREIGN_KEY, _MAC_PURPOSE, key, NOTHING)}
        target.write_text(json.dumps(entry), encoding="utf-8")
    elif plant == "no mac":
        target.write_text(json.dumps({"value": NOTHING.decode()}), encoding="utf-8")
    else:  # a genuine entry (other.py imports nothing), copied under main.py's key
        target.write_bytes(_entry(cache, project / "other.py").read_bytes())
    report, counts = analyse_counted(_request(project, cache))
    assert report.by_distribution["requests"].exposure is Exposure.DIRECT
    assert counts.parsed == 1  # the planted entry was a miss


def test_without_a_machine_key_outside_the_cache_nothing_is_cached(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(cache / "data"))  # travels with the cache
    analyse_counted(_request(project, cache))
    _, counts = analyse_counted(_request(project, cache))
    assert (counts.parsed, counts.cached) == (2, 0)
    assert not (cache / LAYOUT).exists()
