"""Reachability over real packages installed from PyPI: each classified as it truly is."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.reachability import (
    Exposure,
    LockedDistribution,
    ReachabilityReport,
    ReachabilityRequest,
    analyse,
)
from tests.reachability.projects import write_demo

pytestmark = pytest.mark.slow

LOCKED = (
    "requests",
    "urllib3",
    "idna",
    "certifi",
    "charset-normalizer",
    "colorama",
    "iniconfig",
    "tomli",
    "attrs",
    "pyparsing",
)


def _request(project: Path, env: Path | None, **kw: object) -> ReachabilityRequest:
    locked = (
        *(LockedDistribution(n) for n in LOCKED),
        LockedDistribution("pluggy", dev_only=True),
        LockedDistribution("never-installed"),
    )
    return ReachabilityRequest(
        source_dirs=(project / "src",),
        test_dirs=(project / "tests",),
        locked=locked,
        environment=env,
        symbols=(("requests", "get"), ("requests.sessions", "Session"), ("requests", "put")),
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, demo_env: Path
) -> tuple[Path, ReachabilityReport]:
    project = write_demo(tmp_path_factory.mktemp("demo"))
    return project, analyse(_request(project, demo_env))


def test_a_package_imported_by_first_party_code_is_direct_with_file_and_line(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    project, report = demo
    found = report.by_distribution["requests"]
    assert found.exposure is Exposure.DIRECT
    assert found.chain == ("demo", "requests")
    assert found.file == str(project / "src" / "demo" / "__init__.py")
    assert found.line == 1


def test_a_package_reached_only_through_another_package_is_transitive_with_its_chain(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    _, report = demo
    for name, module in (("urllib3", "urllib3"), ("idna", "idna"), ("certifi", "certifi")):
        found = report.by_distribution[name]
        assert found.exposure is Exposure.TRANSITIVE, (name, found)
        assert found.chain[0] == "demo"
        assert found.chain[1].startswith("requests")
        assert found.chain[-1].split(".")[0] == module
        assert found.line == 1  # the first-party import the chain starts from


def test_an_installed_package_nothing_imports_is_not_imported(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    found = demo[1].by_distribution["colorama"]
    assert found.exposure is Exposure.NOT_IMPORTED
    assert found.chain == ()
    assert "colorama" in found.note  # its modules are named


def test_a_package_used_only_from_tests_is_test_only(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    project, report = demo
    found = report.by_distribution["iniconfig"]
    assert found.exposure is Exposure.TEST_ONLY
    assert found.file == str(project / "tests" / "test_demo.py")
    assert found.chain == ("test_demo", "iniconfig")


def test_a_dev_only_package_nothing_imports_is_test_only(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    found = demo[1].by_distribution["pluggy"]
    assert found.exposure is Exposure.TEST_ONLY
    assert "dev-only" in found.note


def test_a_literal_dynamic_import_is_direct_and_says_so(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    project, report = demo
    found = report.by_distribution["tomli"]
    assert found.exposure is Exposure.DIRECT
    assert (found.file, found.line) == (str(project / "src" / "demo" / "util.py"), 16)
    assert "literal name" in found.note


def test_a_tried_import_with_a_fallback_is_direct_and_says_so(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    found = demo[1].by_distribution["pyparsing"]
    assert found.exposure is Exposure.DIRECT
    assert found.line == 10
    assert "falls back on ImportError" in found.note


def test_a_type_checking_import_is_not_a_runtime_import(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    found = demo[1].by_distribution["attrs"]
    assert found.exposure is Exposure.NOT_IMPORTED
    assert "type checking only" in found.note and "util.py:7" in found.note


def test_a_locked_package_that_is_not_installed_is_unknown_never_not_imported(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    found = demo[1].by_distribution["never-installed"]
    assert found.exposure is Exposure.UNKNOWN
    assert "guess" in found.note


def test_symbol_references_are_found_through_attributes_and_aliases(
    demo: tuple[Path, ReachabilityReport],
) -> None:
    project, report = demo
    init = str(project / "src" / "demo" / "__init__.py")
    assert report.symbol_uses[("requests", "get")] == ((init, 8),)
    assert report.symbol_uses[("requests.sessions", "Session")] == ((init, 2),)
    assert report.symbol_uses[("requests", "put")] == ()


def test_a_computed_import_in_first_party_code_makes_the_unreached_unknown(
    tmp_path: Path, demo_env: Path
) -> None:
    project = write_demo(tmp_path)
    (project / "src" / "demo" / "plugins.py").write_text(
        "import importlib\n\ndef load(name):\n    return importlib.import_module(name)\n",
        encoding="utf-8",
    )
    report = analyse(_request(project, demo_env))
    found = report.by_distribution["colorama"]
    assert found.exposure is Exposure.UNKNOWN
    assert "plugins.py:4 (name)" in found.note
    assert report.by_distribution["requests"].exposure is Exposure.DIRECT


def test_without_an_environment_only_direct_imports_are_known(tmp_path: Path) -> None:
    project = write_demo(tmp_path)
    report = analyse(_request(project, None, fetch_wheels=False))
    direct = report.by_distribution["requests"]
    assert direct.exposure is Exposure.DIRECT
    assert "guess" in direct.note
    for name in ("urllib3", "colorama"):
        found = report.by_distribution[name]
        assert found.exposure is Exposure.UNKNOWN, (name, found)
