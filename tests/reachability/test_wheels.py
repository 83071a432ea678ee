"""Modules mapped through the locked wheel's files when no environment has the distribution:
the wheel downloaded from a loopback server, checked against the lock's sha256, its manifest
kept in the sealed manifest cache."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pyvouch.model import FileRef
from pyvouch.reachability import Exposure, LockedDistribution, ReachabilityRequest, analyse
from tests.support.static_server import serve_directory

pytestmark = pytest.mark.slow


def _project(root: Path) -> Path:
    app = root / "app"
    app.mkdir()
    (app / "scrape.py").write_text("from bs4 import BeautifulSoup\n", encoding="utf-8")
    return app


def _request(app: Path, url: str, wheel: Path, sha256: str, cache: Path) -> ReachabilityRequest:
    ref = FileRef(wheel.name, sha256, f"{url}/{wheel.name}")
    return ReachabilityRequest(
        source_dirs=(app,),
        locked=(LockedDistribution("beautifulsoup4", "4.12.3", (ref,)),),
        cache_dir=cache,
    )


def test_the_locked_wheel_maps_its_modules(tmp_path: Path, bs4_wheel: Path) -> None:
    app = _project(tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(bs4_wheel, served)
    sha256 = hashlib.sha256(bs4_wheel.read_bytes()).hexdigest()
    with serve_directory(served) as server:
        request = _request(app, server.url, bs4_wheel, sha256, tmp_path / "cache")
        found = analyse(request).by_distribution["beautifulsoup4"]
        assert found.exposure is Exposure.DIRECT
        assert found.chain == ("scrape", "bs4")
        assert "its wheel holds the module" in found.note
        downloads = len(server.requests)
        assert downloads == 1
        # Warm: the sealed manifest answers; nothing is downloaded again.
        assert analyse(request).by_distribution["beautifulsoup4"] == found
        assert len(server.requests) == downloads


def test_a_wheel_that_is_not_the_locked_one_maps_nothing(tmp_path: Path, bs4_wheel: Path) -> None:
    app = _project(tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    tampered = served / bs4_wheel.name
    tampered.write_bytes(bs4_wheel.read_bytes() + b"\0")  # another file under the same name
    sha256 = hashlib.sha256(bs4_wheel.read_bytes()).hexdigest()
    with serve_directory(served) as server:
        report = analyse(_request(app, server.url, bs4_wheel, sha256, tmp_path / "cache"))
    found = report.by_distribution["beautifulsoup4"]
    assert found.exposure is Exposure.UNKNOWN
    assert "guessed module 'beautifulsoup4'" in found.note
    assert any("not the verified" in s and bs4_wheel.name in s for s in report.skipped)
