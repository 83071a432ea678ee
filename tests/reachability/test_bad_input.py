"""First-party files that are not good Python: each is skipped with its reason, the rest is
still analysed, and nothing blocks or loops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.limits import MAX_PYTHON_SOURCE_BYTES
from pyvouch.reachability import Exposure, LockedDistribution, ReachabilityRequest, analyse

LOCKED = tuple(LockedDistribution(n) for n in ("requests", "pyparsing", "colorama", "six"))


def _project(root: Path) -> Path:
    app = root / "src" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("import requests\n", encoding="utf-8")
    (app / "syntax.py").write_text("import six\ndef broken(:\n", encoding="utf-8")
    (app / "latin1.py").write_bytes(b"import colorama\nname = '\xe9t\xe9'\n")
    (app / "declared.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nimport pyparsing\nname = '\xe9t\xe9'\n"
    )
    (app / "nul.py").write_bytes(b"import colorama\n\x00\n")
    (app / "deep.py").write_text("x = " + "(" * 5000 + ")" * 5000 + "\n", encoding="utf-8")
    (app / "huge.py").write_bytes(b"import colorama\n" + b"#" * MAX_PYTHON_SOURCE_BYTES)
    (app / "gone.py").symlink_to(root / "nowhere.py")
    (app / "loop").symlink_to(app, target_is_directory=True)
    os.mkfifo(app / "pipe.py")  # reading it would block: never opened
    return root


@pytest.fixture
def report(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    request = ReachabilityRequest(source_dirs=(project / "src",), locked=LOCKED, fetch_wheels=False)
    return project, analyse(request)


def test_each_bad_file_is_skipped_with_its_reason(report) -> None:  # type: ignore[no-untyped-def]
    project, found = report
    app = project / "src" / "app"
    skipped = "\n".join(found.skipped)
    assert f"{app / 'syntax.py'}: syntax error at line 2" in skipped
    assert f"{app / 'latin1.py'}: not UTF-8" in skipped
    assert f"{app / 'nul.py'}: holds null bytes" in skipped
    assert f"{app / 'deep.py'}: " in skipped
    assert f"{app / 'huge.py'}: larger than 4 MiB" in skipped
    assert f"{app / 'gone.py'}: cannot be read" in skipped
    assert f"{app / 'pipe.py'}: not a regular file" in skipped
    assert f"{app / 'loop'}: a link to {app}, already read" in skipped
    assert len(found.skipped) == 8, found.skipped


def test_the_good_files_are_still_analysed(report) -> None:  # type: ignore[no-untyped-def]
    _, found = report
    assert found.by_distribution["requests"].exposure is Exposure.DIRECT
    # A file that declares its encoding is read in it.
    assert found.by_distribution["pyparsing"].exposure is Exposure.DIRECT
    # Files that could not be read at all may import anything: unknown, never not-imported.
    for name in ("colorama", "six"):
        assert found.by_distribution[name].exposure is Exposure.UNKNOWN
        assert "first-party files could not be read" in found.by_distribution[name].note


@pytest.mark.slow
def test_a_file_that_does_not_parse_imports_nothing_one_not_read_may_import_anything(
    tmp_path: Path, demo_env: Path
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text("import requests\n", encoding="utf-8")
    (app / "broken.py").write_text("import colorama\ndef f(:\n", encoding="utf-8")
    locked = (LockedDistribution("requests"), LockedDistribution("colorama"))
    request = ReachabilityRequest(source_dirs=(app,), locked=locked, environment=demo_env)
    # Python cannot compile broken.py either, so it imports nothing at run time.
    assert analyse(request).by_distribution["colorama"].exposure is Exposure.NOT_IMPORTED
    (app / "huge.py").write_bytes(b"import colorama\n" + b"#" * MAX_PYTHON_SOURCE_BYTES)
    found = analyse(request).by_distribution["colorama"]
    assert found.exposure is Exposure.UNKNOWN
    assert str(app / "huge.py") in found.note


def test_a_missing_source_directory_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such source directory"):
        analyse(ReachabilityRequest(source_dirs=(tmp_path / "absent",), locked=LOCKED))


def test_no_first_party_file_means_unknown_not_unimported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    found = analyse(ReachabilityRequest(source_dirs=(tmp_path / "empty",), locked=LOCKED))
    assert {e.exposure for e in found.by_distribution.values()} == {Exposure.UNKNOWN}
    assert "no first-party Python file" in found.by_distribution["six"].note


def test_a_virtualenv_without_site_packages_follows_nothing(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /nowhere\n", encoding="utf-8")
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text("import requests\n", encoding="utf-8")
    request = ReachabilityRequest(
        source_dirs=(app,), locked=LOCKED, environment=venv, fetch_wheels=False
    )
    found = analyse(request)
    assert f"{venv}: no site-packages found; not read" in found.skipped
    assert found.by_distribution["requests"].exposure is Exposure.DIRECT
    assert found.by_distribution["six"].exposure is Exposure.UNKNOWN
