"""`pyvouch reachability`: the lock read, the project next to it analysed, rendered; bad
input in one line with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from tests.cli.test_bad_input_one_line import assert_one_line_exit_2
from tests.reachability.projects import install, write_demo

PYLOCK = """\
lock-version = "1.0"
created-by = "pyvouch-tests"
{packages}
"""


def _lock(project: Path, *names: str) -> Path:
    entries = []
    for n in names:
        wheel = f"{n}-1.0-py3-none-any.whl"
        entries.append(
            f'\n[[packages]]\nname = "{n}"\nversion = "1.0"\n'
            f'wheels = [{{ name = "{wheel}", url = "https://files.invalid/{wheel}", '
            f'hashes = {{ sha256 = "{"ab" * 32}" }} }}]\n'
        )
    path = project / "pylock.toml"
    path.write_text(PYLOCK.format(packages="".join(entries)), encoding="utf-8")
    return path


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(cli, [*args, "--offline"])


def test_the_project_next_to_the_lock_is_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_demo(tmp_path)
    lock = _lock(project, "requests", "iniconfig")
    result = _run(
        [
            "reachability",
            str(lock),
            "--format",
            "json",
            "--symbol",
            "requests:get",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        tmp_path,
        monkeypatch,
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["schema"], doc["command"]) == ("pyvouch-reachability/1", "reachability")
    assert doc["summary"]["direct"] == 1 and doc["summary"]["test-only"] == 1
    by_name = {d["name"]: d for d in doc["distributions"]}
    init = str(project / "src" / "demo" / "__init__.py")
    assert by_name["requests"]["exposure"] == "direct"  # src/ layout followed
    assert (by_name["requests"]["file"], by_name["requests"]["line"]) == (init, 1)
    assert by_name["iniconfig"]["exposure"] == "test-only"  # tests/ found
    assert doc["symbols"] == [
        {"module": "requests", "attribute": "get", "uses": [{"file": init, "line": 8}]}
    ]


def test_the_table_lists_each_package_with_its_exposure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_demo(tmp_path)
    _lock(project, "requests", "colorama")
    result = _run(["reachability", str(project / "pylock.toml")], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["distribution", "exposure", "where", "chain"]
    assert lines[2].split()[:2] == ["requests", "direct"]
    assert lines[3].split()[:2] == ["colorama", "unknown"]
    assert lines[-1] == "1 direct, 1 unknown"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--symbol", "yaml.load"], ("--symbol", "MODULE:ATTRIBUTE")),
        (["--source", "absent"], ("absent", "no such source directory")),
        (["--env", "no-env"], ("no-env", "no such environment")),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], words: tuple[str, ...]
) -> None:
    project = write_demo(tmp_path)
    lock = _lock(project, "requests")
    assert_one_line_exit_2(_run(["reachability", str(lock), *args], tmp_path, monkeypatch), *words)


def test_an_environment_in_place_of_the_lock_is_classified_and_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    install(site, "alpha", {"alpha/__init__.py": "import beta\n"})
    install(site, "beta", {"beta/__init__.py": ""})
    install(site, "gamma", {"gamma/__init__.py": ""})
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text("import alpha\n", encoding="utf-8")
    result = _run(
        ["reachability", str(site), "--source", str(app), "--format", "json"],
        tmp_path,
        monkeypatch,
    )
    assert result.exit_code == 0, result.output
    got = {d["name"]: d["exposure"] for d in json.loads(result.stdout)["distributions"]}
    assert got == {"alpha": "direct", "beta": "transitive", "gamma": "not-imported"}
