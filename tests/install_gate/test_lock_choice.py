"""Which file `install --lock` takes for a target, and which packages it admits (no I/O).

Tag lists come from ``packaging.tags`` for interpreters other than the test's own, as the
target's ``sys_tags()`` would give them there.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.tags import compatible_tags, cpython_tags

from pyvouch.errors import InputError, UsageError
from pyvouch.gate.installers import InstallerName, choose_installer, uv_env
from pyvouch.gate.lock_choice import Locked, admit, choose
from pyvouch.model import FileRef, Package
from pyvouch.sources.markers import Narrowing

LOCK = Path("pylock.toml")
LINUX = ["manylinux_2_17_x86_64", "linux_x86_64"]
MAC = ["macosx_11_0_arm64"]


def tags(py: tuple[int, int], platforms: list[str]) -> list[str]:
    return [
        str(t)
        for t in (
            *cpython_tags(py, platforms=platforms),
            *compatible_tags(py, f"cp{py[0]}{py[1]}", platforms),
        )
    ]


def ref(filename: str, sha: str | None = "ab" * 32) -> FileRef:
    return FileRef(filename, sha, f"https://files.example/{filename}")


FILES = (
    ref("demo-1.0.tar.gz"),
    ref("demo-1.0-py3-none-any.whl"),
    ref("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
    ref("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
    ref("demo-1.0-cp312-cp312-macosx_11_0_arm64.whl"),
)


def locked(*files: FileRef) -> Locked:
    return Locked(Package("demo", "1.0", files), files, ())


def pick(target: list[str], files: tuple[FileRef, ...] = FILES, sdists: bool = False) -> str:
    chosen = choose(locked(*files), files, target, LOCK, allow_sdists=sdists, target="t")
    return chosen.filename


def test_each_target_gets_the_wheel_it_prefers_most() -> None:
    assert pick(tags((3, 12), LINUX)) == "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    assert pick(tags((3, 11), LINUX)) == "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    assert pick(tags((3, 12), MAC)) == "demo-1.0-cp312-cp312-macosx_11_0_arm64.whl"
    assert pick(tags((3, 13), LINUX)) == "demo-1.0-py3-none-any.whl"


def test_a_wheel_wins_over_the_sdist_even_when_sdists_are_allowed() -> None:
    assert pick(tags((3, 13), LINUX), sdists=True) == "demo-1.0-py3-none-any.whl"


def test_an_sdist_only_with_allow_sdists_and_only_when_no_wheel_fits() -> None:
    files = (FILES[0], FILES[3])
    assert pick(tags((3, 11), LINUX), files, sdists=True) == "demo-1.0.tar.gz"
    with pytest.raises(InputError, match="the gate installs wheels only"):
        pick(tags((3, 11), LINUX), (FILES[0],))


def test_no_file_for_the_target_names_the_files_and_the_cause() -> None:
    with pytest.raises(InputError) as info:
        pick(tags((3, 11), MAC), (FILES[2], FILES[3]))
    message = str(info.value)
    assert "demo 1.0: none of its files installs on t" in message
    assert "another interpreter or platform" in message
    assert info.value.exit_code == 2


def test_the_higher_build_tag_wins_among_equal_tags() -> None:
    files = (ref("demo-1.0-1-py3-none-any.whl"), ref("demo-1.0-2-py3-none-any.whl"))
    assert pick(tags((3, 12), LINUX), files) == "demo-1.0-2-py3-none-any.whl"


def test_a_chosen_file_without_sha256_is_refused() -> None:
    files = (ref("demo-1.0-py3-none-any.whl", None),)
    with pytest.raises(
        InputError, match=re.escape("records no sha256 for demo-1.0-py3-none-any.whl")
    ):
        pick(tags((3, 12), LINUX), files)


def test_admit_leaves_out_the_project_itself_and_refuses_what_it_cannot_pin() -> None:
    said: list[str] = []
    project = Package("app", "0.1", (), origin="editable:.")
    index = Package("demo", "1.0", (ref("demo-1.0-py3-none-any.whl"),))
    hashed = Package("other", "2.0", (), hashes=("CD" * 32,))
    (first, second) = admit(
        [project, index, hashed], LOCK, allow_not_indexed=False, warn=said.append
    )
    assert (first.package.name, second.package.name) == ("demo", "other")
    assert second.digests == ("cd" * 32,)
    assert said == ["app 0.1 is editable:.: not installed by --lock (install it yourself after)"]
    for package, problem in [
        (Package("v", "1", (), origin="vcs:git+https://g.example/v@1"), "cannot be pinned"),
        (
            Package("u", "1", (ref("u-1-py3-none-any.whl"),), origin="url:https://x/u"),
            "--allow-not-indexed",
        ),
        (Package("n", None, (ref("n-1-py3-none-any.whl"),)), "n has no pinned version"),
        (Package("h", "1", ()), "the lock pins no sha256 for it"),
    ]:
        with pytest.raises(InputError, match=problem):
            admit([package], LOCK, allow_not_indexed=False, warn=said.append)


def test_an_exact_environment_decides_every_marker_but_extras() -> None:
    env = {
        "python_version": "3.11",
        "python_full_version": "3.11.2",
        "sys_platform": "linux",
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
    }
    narrowing = Narrowing(environment=env)
    assert narrowing.may_match('python_full_version < "3.11.5"')
    assert not narrowing.may_match('python_full_version >= "3.11.5"')
    assert not narrowing.may_match('platform_machine == "aarch64"')
    assert narrowing.may_match('extra == "docs"')  # extras and groups stay open: kept
    assert not narrowing.may_match('extra == "docs" and sys_platform == "win32"')
    with pytest.raises(ValueError, match="fixes the python version"):
        Narrowing("3.11", environment=env)


# ---- which installer, and what uv is allowed to read ---------------------------------------------


@pytest.fixture
def uv_on_path(tmp_path: Path) -> dict[str, str]:
    tool = tmp_path / "bin" / "uv"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    tool.chmod(0o755)
    return {"PATH": str(tool.parent)}


def test_the_default_installer_is_uv_in_a_uv_project_or_without_pip(
    tmp_path: Path, uv_on_path: dict[str, str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()

    def chosen(lock: Path | None, has_pip: bool, env: dict[str, str]) -> str:
        name, _ = choose_installer(None, lock=lock, cwd=project, target_has_pip=has_pip, env=env)
        return name.value

    assert chosen(None, True, uv_on_path) == "pip"
    assert chosen(None, False, uv_on_path) == "uv"
    assert chosen(project / "uv.lock", True, uv_on_path) == "uv"
    assert chosen(project / "pylock.toml", True, uv_on_path) == "pip"
    (project / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    assert chosen(None, True, uv_on_path) == "uv"


def test_uv_asked_for_but_absent_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/bin/python")
    with pytest.raises(UsageError, match="--installer uv: uv is not on PATH"):
        choose_installer(
            InstallerName.UV, lock=None, cwd=Path(), target_has_pip=True, env={"PATH": ""}
        )


def test_uv_runs_without_its_configuration_variables_but_its_cache() -> None:
    env = {
        "PATH": "/bin",
        "UV_INDEX_URL": "http://evil.example/simple/",
        "uv_extra_index_url": "http://evil.example/simple/",
        "UV_FIND_LINKS": "http://evil.example/",
        "UV_CONFIG_FILE": "/tmp/uv.toml",
        "PIP_INDEX_URL": "http://evil.example/simple/",
        "UV_CACHE_DIR": "/tmp/cache",
    }
    assert uv_env(env) == {"PATH": "/bin", "UV_CACHE_DIR": "/tmp/cache"}
