"""The walk through dependencies' code over a site-packages laid out as installers lay it out
(dist-info with METADATA and RECORD): relative imports, namespace packages, type-only and
computed imports inside dependencies, files no RECORD lists, unreadable dependency code."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.limits import MAX_PYTHON_SOURCE_BYTES
from pyvouch.reachability import (
    Exposure,
    LockedDistribution,
    ReachabilityReport,
    ReachabilityRequest,
    analyse,
)
from tests.reachability.projects import install

NAMES = ("alpha", "beta", "gamma", "ns-one", "ns-two", "planted-home", "heavy", "light")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site-packages"
    install(
        site, "alpha", {"alpha/__init__.py": "from . import sub\n", "alpha/sub.py": "import beta\n"}
    )
    install(
        site,
        "beta",
        {
            "beta/__init__.py": (
                "import importlib\nfrom typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    import gamma\n"
                "def plugin(name):\n    return importlib.import_module(name)\n"
            )
        },
    )
    install(site, "gamma", {"gamma/__init__.py": ""})
    install(site, "ns-one", {"ns/one/__init__.py": ""})
    install(site, "ns-two", {"ns/two/__init__.py": ""})
    install(site, "planted-home", {"home/__init__.py": ""})
    (site / "planted_home-1.0.dist-info" / "top_level.txt").write_text("home\nstray\n")
    (site / "stray.py").write_text("", encoding="utf-8")  # in no RECORD
    return site


def _analyse(tmp_path: Path, site: Path, code: str) -> ReachabilityReport:
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    (app / "main.py").write_text(code, encoding="utf-8")
    return analyse(
        ReachabilityRequest(
            source_dirs=(app,),
            locked=tuple(LockedDistribution(n) for n in NAMES),
            environment=site,
            use_cache=False,
        )
    )


def test_the_walk_follows_relative_imports_inside_a_dependency(tmp_path: Path, site: Path) -> None:
    report = _analyse(tmp_path, site, "import alpha\n")
    assert report.by_distribution["alpha"].chain == ("main", "alpha")
    beta = report.by_distribution["beta"]
    assert beta.exposure is Exposure.TRANSITIVE
    assert beta.chain == ("main", "alpha", "alpha.sub", "beta")
    assert (beta.file, beta.line) == (str(tmp_path / "app" / "main.py"), 1)


def test_type_only_and_computed_imports_in_dependencies_are_not_imports(
    tmp_path: Path, site: Path
) -> None:
    report = _analyse(tmp_path, site, "import alpha\n")
    gamma = report.by_distribution["gamma"]
    assert gamma.exposure is Exposure.NOT_IMPORTED
    assert "1 computed imports in dependencies' code" in gamma.note
    assert f"{site / 'beta' / '__init__.py'}:6 (name)" in gamma.note


def test_a_namespace_package_belongs_to_no_one_its_portions_to_their_own(
    tmp_path: Path, site: Path
) -> None:
    report = _analyse(tmp_path, site, "import ns.one\n")
    assert report.by_distribution["ns-one"].exposure is Exposure.DIRECT
    assert report.by_distribution["ns-one"].chain == ("main", "ns.one")
    assert report.by_distribution["ns-two"].exposure is Exposure.NOT_IMPORTED


def test_a_module_no_record_lists_maps_by_top_level_txt_and_says_so(
    tmp_path: Path, site: Path
) -> None:
    report = _analyse(tmp_path, site, "import stray\n")
    found = report.by_distribution["planted-home"]
    assert found.exposure is Exposure.DIRECT
    assert "its top-level names hold the module" in found.note


def test_metadata_headers_end_at_the_first_blank_line(tmp_path: Path, site: Path) -> None:
    report = _analyse(tmp_path, site, "import gamma\n")
    assert "no" not in report.by_distribution  # "Name: no" is in the description


def test_dependency_code_that_cannot_be_read_makes_the_unreached_unknown(
    tmp_path: Path, site: Path
) -> None:
    install(site, "heavy", {"heavy/__init__.py": "import light\n" + "#" * MAX_PYTHON_SOURCE_BYTES})
    install(site, "light", {"light/__init__.py": ""})
    report = _analyse(tmp_path, site, "import heavy\n")
    assert report.by_distribution["heavy"].exposure is Exposure.DIRECT
    assert "could not be read" in report.by_distribution["heavy"].note
    light = report.by_distribution["light"]
    assert light.exposure is Exposure.UNKNOWN
    assert "heavy" in light.note


def test_runtime_code_importing_a_test_named_module_makes_its_imports_direct(
    tmp_path: Path, site: Path
) -> None:
    """test_support.py looks like a test by its name, but runtime code imports it: what it
    imports is imported by first-party runtime code, from that file."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "test_support.py").write_text("x = 1\nimport gamma\n", encoding="utf-8")
    report = _analyse(tmp_path, site, "import test_support\n")
    gamma = report.by_distribution["gamma"]
    assert gamma.exposure is Exposure.DIRECT
    assert gamma.chain == ("main", "test_support", "gamma")
    assert (gamma.file, gamma.line) == (str(app / "test_support.py"), 2)
