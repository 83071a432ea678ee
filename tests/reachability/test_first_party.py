"""Which files are first-party, under which module names, and which are tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.reachability import Exposure, LockedDistribution, ReachabilityRequest, analyse
from pyvouch.reachability.first_party import collect
from pyvouch.reachability.project import default_sources


def _write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_package_source_is_named_from_its_parent_and_tests_are_told_apart(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "app" / "__init__.py")
    _write(tmp_path / "app" / "core" / "models.py")
    _write(tmp_path / "app" / "tests" / "test_models.py")
    _write(tmp_path / "app" / "conftest.py")
    _write(tmp_path / "app" / ".venv" / "pyvenv.cfg")
    _write(tmp_path / "app" / ".venv" / "lib" / "x.py")
    _write(tmp_path / "app" / "env2" / "pyvenv.cfg")
    _write(tmp_path / "app" / "env2" / "y.py")
    _write(tmp_path / "app" / "generated" / "big.py")
    found = collect((tmp_path / "app",), (), exclude=("generated",))
    names = {f.module: f.is_test for f in found.files}
    assert names == {
        "app": False,
        "app.core.models": False,
        "app.tests.test_models": True,
        "app.conftest": True,
    }
    assert found.roots == [tmp_path]


def test_only_the_sources_own_top_level_names_are_first_party(tmp_path: Path) -> None:
    """A package given as source has its parent as import root; whatever else lies there
    (here a directory named like a dependency) is not first-party."""
    _write(tmp_path / "app" / "__init__.py", "import requests\n")
    _write(tmp_path / "requests" / "__init__.py")
    request = ReachabilityRequest(
        source_dirs=(tmp_path / "app",),
        locked=(LockedDistribution("requests"),),
        fetch_wheels=False,
    )
    assert analyse(request).by_distribution["requests"].exposure is Exposure.DIRECT


@pytest.mark.parametrize(
    ("pyproject", "made", "expected"),
    [
        ('[tool.setuptools]\npackage-dir = {"" = "lib"}\n', ["lib"], ["lib"]),
        ('[tool.setuptools.packages.find]\nwhere = ["code"]\n', ["code"], ["code"]),
        (
            '[tool.hatch.build.targets.wheel]\npackages = ["src/one", "two"]\n',
            ["src/one", "two"],
            ["src/one", "two"],
        ),
        (
            '[tool.poetry]\npackages = [{ include = "pkg", from = "source" }]\n',
            ["source/pkg"],
            ["source/pkg"],
        ),
        ('[project]\nname = "x"\n', ["src"], ["src"]),
        ('[project]\nname = "x"\n', [], ["."]),
    ],
)
def test_the_default_sources_follow_pyproject_then_src_then_the_project(
    tmp_path: Path, pyproject: str, made: list[str], expected: list[str]
) -> None:
    _write(tmp_path / "pyproject.toml", pyproject)
    for folder in made:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    sources, tests = default_sources(tmp_path)
    assert sources == tuple((tmp_path / e) if e != "." else tmp_path for e in expected)
    assert tests == (tmp_path / "tests",)


def test_a_broken_pyproject_is_bad_input(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[tool.setuptools\n")
    with pytest.raises(InputError, match=r"pyproject\.toml"):
        default_sources(tmp_path)
