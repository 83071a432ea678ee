# ruff: noqa: E501  (lock files written verbatim)
"""Finding and recognising inputs; the installed environment; parameters."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pyvouch.errors import InputError, UsageError
from pyvouch.sources import detect, find_lock, load_packages
from tests.support.sources_inputs import digest

PYLOCK = f"""lock-version = "1.0"
created-by = "t"
[[packages]]
name = "a"
version = "1"
wheels = [{{ url = "https://f.example/a-1-py3-none-any.whl", hashes = {{ sha256 = "{digest("a")}" }} }}]
"""
UV = 'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\n'
POETRY = '[[package]]\nname = "a"\nversion = "1"\nfiles = []\n[metadata]\nlock-version = "2.1"\ncontent-hash = "x"\n'
PDM = '[metadata]\nlock_version = "4.5.0"\ncontent_hash = "x"\n[[package]]\nname = "a"\nversion = "1"\n'
PIPFILE = json.dumps({"_meta": {"sources": []}, "default": {"a": {"version": "==1"}}})
BOM = json.dumps({"bomFormat": "CycloneDX", "components": [{"purl": "pkg:pypi/a@1"}]})


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (PYLOCK, "pylock"),
        (UV, "uv"),
        (POETRY, "poetry"),
        (PDM, "pdm"),
        (PIPFILE, "pipfile"),
        (BOM, "cyclonedx"),
    ],
)
def test_content_detection_under_an_unknown_name(tmp_path: Path, text: str, fmt: str) -> None:
    path = tmp_path / "lockfile.data"
    path.write_text(text)
    assert detect(path)[0] == fmt
    result = load_packages(path)
    assert result.format == fmt
    assert [(p.name, p.version) for p in result.packages] == [("a", "1")]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("pylock.toml", "pylock"),
        ("pylock.dev.toml", "pylock"),
        ("proj.pylock.toml", "pylock"),
        ("uv.lock", "uv"),
        ("poetry.lock", "poetry"),
        ("Pipfile.lock", "pipfile"),
        ("pdm.lock", "pdm"),
        ("bom.json", "cyclonedx"),
        ("x.cdx.json", "cyclonedx"),
        ("requirements-dev.txt", "requirements"),
        ("deps.in", "requirements"),
    ],
)
def test_detection_by_name(tmp_path: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_text("garbage that is not read for detection")
    assert detect(path) == (fmt, None)


def test_unknown_content_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "mystery.dat"
    path.write_text('title = "not a lock"\n')
    with pytest.raises(InputError) as err:
        load_packages(path)
    assert "cannot tell the format" in err.value.problem
    assert "uv.lock" in err.value.problem  # says which names are known
    assert "--format" not in err.value.problem  # --format is the output format


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_file_of_unknown_name_says_it_is_empty(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.lock"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_packages(path)
    assert err.value.problem.startswith("the file is empty")


def test_find_lock_priority_and_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "requirements.txt").write_text("a==1\n")
    (tmp_path / "poetry.lock").write_text(POETRY)
    (tmp_path / "uv.lock").write_text(UV)
    monkeypatch.chdir(tmp_path)
    result = load_packages(None)
    assert result.format == "uv" and result.path == tmp_path / "uv.lock"
    assert result.warnings == ["read uv.lock; also found poetry.lock, requirements.txt"]
    (tmp_path / "pylock.dev.toml").write_text(PYLOCK)
    assert find_lock(tmp_path)[0].name == "pylock.dev.toml"
    (tmp_path / "pylock.toml").write_text(PYLOCK)
    assert find_lock(tmp_path)[0].name == "pylock.toml"


def test_find_lock_ambiguity_and_absence(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        find_lock(tmp_path)
    assert "no lock file found" in err.value.problem
    (tmp_path / "requirements-a.txt").write_text("a==1\n")
    assert find_lock(tmp_path)[0].name == "requirements-a.txt"
    (tmp_path / "requirements-b.txt").write_text("b==1\n")
    with pytest.raises(InputError) as err:
        find_lock(tmp_path)
    assert "several candidates" in err.value.problem


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_packages(tmp_path / "uv.lock")
    assert err.value.problem == "no such file"


def test_bad_parameters_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_packages(tmp_path, python_version="three")
    with pytest.raises(UsageError):
        load_packages(tmp_path, platform="amiga")
    with pytest.raises(UsageError):
        load_packages(tmp_path, format="conda")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_bytes(b"version = 1\n\xff\xfe")
    with pytest.raises(InputError) as err:
        load_packages(path)
    assert "not UTF-8" in err.value.problem


# ---- environment ----------------------------------------------------------------------------


def _dist_info(site: Path, name: str, version: str, direct_url: dict[str, object] | None) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))


def test_environment_site_packages(tmp_path: Path) -> None:
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    _dist_info(site, "Plain_Dist", "1.0", None)
    _dist_info(
        site, "editable-one", "0.1", {"url": "file:///src/one", "dir_info": {"editable": True}}
    )
    _dist_info(
        site,
        "from-git",
        "2.0",
        {"url": "https://github.com/o/r.git", "vcs_info": {"vcs": "git", "commit_id": "abc"}},
    )
    _dist_info(
        site,
        "archive",
        "3.0",
        {
            "url": "https://f.example/archive-3.0.tar.gz",
            "archive_info": {"hashes": {"sha256": digest("x")}},
        },
    )
    _dist_info(site, "broken", "4.0", {"url": "x"})
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = load_packages(tmp_path / "venv")
    assert result.format == "environment"
    pkgs = {p.name: p for p in result.packages}
    assert pkgs["plain-dist"].origin is None and pkgs["plain-dist"].files == ()
    assert pkgs["editable-one"].origin == "editable:file:///src/one"
    assert pkgs["from-git"].origin == "vcs:git+https://github.com/o/r.git@abc"
    assert pkgs["archive"].origin == "url:https://f.example/archive-3.0.tar.gz"
    assert pkgs["archive"].files[0].sha256 == digest("x")
    assert pkgs["broken"].origin == "unknown-direct-url:"
    assert any("direct_url.json" in w for w in result.warnings)
    # a site-packages directory directly gives the same
    again = load_packages(site)
    assert {p.name for p in again.packages} == set(pkgs)


def test_environment_of_a_python_executable() -> None:
    result = load_packages(Path(sys.executable), format="environment")
    names = {p.name for p in result.packages}
    assert {"packaging", "pyvouch"} <= names
    assert {p.name: p for p in result.packages}["pyvouch"].origin is not None  # editable
