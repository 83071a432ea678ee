"""The install gate runs no build code: real pip, scratch venvs, a loopback index.

The index serves ``trap-pkg`` and ``trap-legacy`` as sdists only (their build code appends to a
marker file when it runs, see tests/support/build_traps.py), a fake ``setuptools`` wheel that
marks when imported as a build dependency, and the real attested ``rfc8785`` wheel. First the
traps are shown to fire under plain pip, for the ways in; then `pyvouch install` is run every
way an attacker (or a careless requirements file, or a pip.conf) could make pip build, and the
marker stays absent; then the audit-hook backstop is shown to stop pip by itself, with the
same inputs given to pip directly; last, the honest wheel still installs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyvouch.gate.pip_runner import find_pip
from tests.support.build_traps import PROJECT, SDIST, Trap, make_trap
from tests.support.install_sites import installed, pyvouch_install, real_dists
from tests.support.policy_sites import build_site
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv, quiet_pip_env

pytestmark = pytest.mark.slow

PIP_QUIET = ("--no-cache-dir", "--retries", "0", "--timeout", "30")


@dataclass(frozen=True)
class Site:
    trap: Trap
    server: StaticServer
    root: Path

    @property
    def index_url(self) -> str:
        return self.server.index_url

    def fill(self, text: str) -> str:
        """Placeholders in a test's arguments: paths and URLs of the trap."""
        return (
            text.replace("{tree}", str(self.trap.tree))
            .replace("{tree_uri}", self.trap.tree.as_uri())
            .replace("{repo_uri}", self.trap.repo.as_uri())
            .replace("{sdist}", str(self.trap.sdist))
            .replace("{dists}", str(self.trap.sdist.parent))
            .replace("{url}", f"{self.server.url}/files/{PROJECT}/{SDIST}")
            .replace("{root}", str(self.root))
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("traps")
    trap = make_trap(root, root / "marker")
    dists = real_dists(root / "index-dists")
    for path in (trap.sdist, trap.legacy_sdist, trap.setuptools_wheel):
        (dists / path.name).write_bytes(path.read_bytes())
    with serve_directory(build_site(dists, root / "site"), negotiate=True) as server:
        yield Site(trap, server, root)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return make_venv(tmp_path_factory.mktemp("venv") / "venv")


@pytest.fixture
def files(tmp_path: Path, site: Site) -> Path:
    """Requirements, constraints and configuration files in the test's working directory."""
    texts = {
        "reqs-nobinary.txt": "# looks harmless\n--no-binary :all:\ntrap-pkg\n",
        "cons-nobinary.txt": "--no-binary=trap-pkg\n",
        "reqline.txt": "trap-pkg --no-binary :all:\n",
        "nested/outer.txt": "trap-pkg\n-r inner/inner.txt\n",
        "nested/inner/inner.txt": "--only-binary=:none:\n",
        "editable.txt": "-e {tree}\n",
        "sdist.txt": "trap-pkg @ {url}\n",
        "abbrev.txt": "--no-b :all: trap-pkg\n",
        "expand.txt": "${TRAP_OPTION} :all:\ntrap-pkg\n",
        "pip.conf": "[install]\nno-binary = :all:\n",
        "honest.txt": "# pinned\n--only-binary :all:\n--prefer-binary\nrfc8785\n-c c.txt\n",
        "c.txt": "rfc8785==0.1.2\n",
        "pyproject.toml": '[dependency-groups]\ndev = ["trap-pkg @ {tree_uri}"]\n',
        "script.py": "# /// script\n# dependencies = ['trap-pkg @ {url}']\n# ///\n",
        "pylock.toml": 'lock-version = "1.0"\ncreated-by = "x"\n',
        "honest.conf": "[global]\ntimeout = 30\nretries = 0\n[install]\nonly-binary = :all:\n",
    }
    for name, text in texts.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(site.fill(text), encoding="utf-8")
    return tmp_path


def gate(
    venv: Venv, site: Site, *args: str, cwd: Path, env: dict[str, str | None] | None = None
) -> tuple[int, str, str]:
    filled = [site.fill(a) for a in args]
    run = pyvouch_install(
        "--python", venv.python, "--index-url", site.index_url, *filled, *PIP_QUIET,
        cwd=cwd, env={k: site.fill(v) if v else v for k, v in (env or {}).items()},
    )  # fmt: skip
    return run.returncode, run.stdout, run.stderr


# ---- the traps fire under plain pip (so the tests below can fail) ------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("trap-pkg",), id="index-sdist"),
        pytest.param(("-r", "reqs-nobinary.txt", "--only-binary", ":all:"), id="r-file-wins"),
        pytest.param(("{tree}", "--only-binary", ":all:"), id="local-dir"),
        pytest.param(("{sdist}", "--only-binary", ":all:"), id="local-sdist"),
        pytest.param(("trap-legacy",), id="build-dependency"),
        pytest.param(("--group", "dev", "--only-binary", ":all:"), id="dependency-group"),
    ],
)
def test_plain_pip_runs_the_trap(
    args: tuple[str, ...], site: Site, venv: Venv, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.trap.marker.unlink(missing_ok=True)
    filled = [site.fill(a) for a in args]
    monkeypatch.chdir(files)
    venv.pip_install("--dry-run", *filled, index_url=site.index_url)
    try:
        assert site.trap.marks(), "the trap did not fire under plain pip"
    finally:
        site.trap.marker.unlink(missing_ok=True)


# ---- pyvouch install refuses before pip starts -------------------------------------------------

REFUSED = [
    (("--no-binary", ":all:", "trap-pkg"), {}, "command line: --no-binary :all: would let pip"),
    (("--no-binary=trap-pkg", "trap-pkg"), {}, "command line: --no-binary trap-pkg would let"),
    (("--no-bin", ":all:", "trap-pkg"), {}, "command line: --no-binary :all: would let pip"),
    (("--only-binary", ":none:", "trap-pkg"), {}, "command line: --only-binary :none: would"),
    (("--only-binary=:all:,:none:", "trap-pkg"), {}, "command line: --only-binary :all:,:none:"),
    (("-r", "reqs-nobinary.txt"), {}, "reqs-nobinary.txt:2: --no-binary :all: would let pip"),
    (("--requirement=reqs-nobinary.txt",), {}, "reqs-nobinary.txt:2: --no-binary :all:"),
    (("-rreqs-nobinary.txt",), {}, "reqs-nobinary.txt:2: --no-binary :all:"),
    (("-qr", "reqs-nobinary.txt"), {}, "reqs-nobinary.txt:2: --no-binary :all:"),
    (("-c", "cons-nobinary.txt", "trap-pkg"), {}, "cons-nobinary.txt:1: --no-binary trap-pkg"),
    (("-r", "nested/outer.txt"), {}, "nested/inner/inner.txt:1: --only-binary :none: would"),
    (("-r", "reqline.txt"), {}, "reqline.txt:1: --no-binary :all: would let pip"),
    (("-r", "abbrev.txt"), {}, "abbrev.txt:1: --no-binary :all: would let pip"),
    (("-r", "expand.txt"), {"TRAP_OPTION": "--no-binary"}, "expand.txt:1: --no-binary :all:"),
    (("{tree}",), {}, "command line: '{tree}' is a local directory"),
    (("{tree_uri}",), {}, "command line: '{tree_uri}' is a local directory"),
    ((f"{PROJECT} @ {{tree_uri}}",), {}, f"command line: '{PROJECT} @ {{tree_uri}}' is a local"),
    (("{sdist}",), {}, "command line: '{sdist}' is a source archive (local file)"),
    (("--allow-not-indexed", "{sdist}"), {}, "command line: '{sdist}' is a source archive"),
    (("-e", "{tree}"), {}, "command line: --editable {tree}: an editable install"),
    (("--editable={tree}",), {}, "command line: --editable {tree}: an editable install"),
    (("-r", "editable.txt"), {}, "editable.txt:1: --editable {tree}: an editable install"),
    (("{url}",), {}, "command line: '{url}' is a source archive (direct URL)"),
    (("-r", "sdist.txt"), {}, f"sdist.txt:1: '{PROJECT} @ {{url}}' is a source archive"),
    ((f"git+{{repo_uri}}#egg={PROJECT}",), {}, "command line: 'git+{repo_uri}#egg=trap-pkg' is"),
    ((f"{PROJECT} @ git+{{repo_uri}}",), {}, f"command line: '{PROJECT} @ git+{{repo_uri}}' is"),
    (("--group", "dev"), {}, "pyproject.toml [dependency-groups] dev: 'trap-pkg @ {tree_uri}'"),
    (("--requirements-from-script", "script.py"), {}, "script.py (script metadata): 'trap-pkg"),
    (("-r", "pylock.toml"), {}, "command line: --requirement pylock.toml is a pylock file"),
    (("trap-pkg",), {"PIP_NO_BINARY": ":all:"}, "$PIP_NO_BINARY: --no-binary :all: would"),
    (("trap-pkg",), {"PIP_ONLY_BINARY": ":none:"}, "$PIP_ONLY_BINARY: --only-binary :none:"),
    (("trap-pkg",), {"PIP_REQUIREMENT": "reqs-nobinary.txt"}, "reqs-nobinary.txt:2: --no-binary"),
    (("trap-pkg",), {"PIP_EDITABLE": "{tree}"}, "$PIP_EDITABLE: --editable {tree}: an editable"),
    (("trap-pkg",), {"PIP_NO_BUILD_ISOLATION": "0"}, "$PIP_NO_BUILD_ISOLATION: pip option"),
    (
        ("trap-pkg",),
        {"PIP_CONFIG_FILE": "{root}/cfg/pip.conf"},
        "pip configuration install.no-binary ({root}/cfg/pip.conf): --no-binary :all:",
    ),
]


@pytest.mark.parametrize(("args", "env", "expected"), REFUSED)
def test_the_gate_refuses_before_pip_can_build(
    args: tuple[str, ...],
    env: dict[str, str | None],
    expected: str,
    site: Site,
    venv: Venv,
    files: Path,
) -> None:
    config = site.root / "cfg" / "pip.conf"
    config.parent.mkdir(exist_ok=True)
    config.write_text("[install]\nno-binary = :all:\n", encoding="utf-8")
    code, out, err = gate(venv, site, *args, cwd=files, env=env)
    assert code == 2, out + err
    (line,) = err.rstrip().splitlines()
    assert line.startswith("pyvouch: error: " + site.fill(expected)), line
    assert site.trap.marks() == ""


def test_a_build_option_in_the_venvs_own_pip_conf_is_refused_naming_it(
    site: Site, venv: Venv, files: Path
) -> None:
    (venv.root / "pip.conf").write_text("[install]\nno-binary = :all:\n", encoding="utf-8")
    try:
        env = {"PIP_CONFIG_FILE": None, "HOME": str(files), "XDG_CONFIG_HOME": str(files)}
        code, out, err = gate(venv, site, "trap-pkg", cwd=files, env=env)
    finally:
        (venv.root / "pip.conf").unlink()
    assert code == 2, out + err
    assert f"pip configuration install.no-binary ({venv.root}/pip.conf)" in err
    assert site.trap.marks() == ""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("trap-pkg",), id="index-sdist-only"),
        pytest.param(("--prefer-binary", "trap-pkg"), id="prefer-binary"),
        pytest.param(("--find-links", "{dists}", "trap-pkg"), id="find-links-sdist"),
        pytest.param(("trap-legacy",), id="legacy-setup-py"),
    ],
)
def test_an_sdist_pip_could_only_build_is_not_resolved(
    args: tuple[str, ...], site: Site, venv: Venv, files: Path
) -> None:
    code, out, err = gate(venv, site, *args, cwd=files)
    assert code == 2, out + err
    assert "No matching distribution found for trap-" in err
    assert err.rstrip().splitlines()[-1].startswith("pyvouch: error: pip could not resolve")
    assert site.trap.marks() == ""
    assert installed(venv) == {}


# ---- the backstop: the audit hook stops pip by itself ------------------------------------------

BACKSTOP = [
    pytest.param(("{tree}",), id="local-dir"),
    pytest.param(("{sdist}", "--only-binary", ":all:"), id="local-sdist"),
    pytest.param(("--no-binary", ":all:", "trap-pkg"), id="no-binary"),
    pytest.param(("-r", "reqs-nobinary.txt", "--only-binary", ":all:"), id="r-file"),
    pytest.param(("trap-legacy",), id="build-dependency"),
    pytest.param(("-e", "{tree}"), id="editable"),
    pytest.param(
        (f"git+{{repo_uri}}#egg={PROJECT}",),
        id="vcs",
        marks=pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    ),
]


@pytest.mark.parametrize("args", BACKSTOP)
@pytest.mark.parametrize("guard", [True, False], ids=["guarded", "unguarded"])
def test_the_hook_stops_pip_from_building_whatever_it_is_given(
    args: tuple[str, ...],
    guard: bool,
    site: Site,
    venv: Venv,
    files: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site.trap.marker.unlink(missing_ok=True)
    pip = find_pip(venv.python, quiet_pip_env())
    filled = [site.fill(a) for a in args]
    monkeypatch.chdir(files)
    done = pip.run(
        ["install", "--dry-run", *PIP_QUIET, "--index-url", site.index_url, *filled], guard=guard
    )
    try:
        if guard:
            assert done.returncode != 0
            assert done.guard_tripped, done.stderr
            assert site.trap.marks() == ""
        else:  # the same run without the hook: the trap fires, so the guarded run means it
            assert site.trap.marks(), done.stderr
    finally:
        site.trap.marker.unlink(missing_ok=True)


# ---- bad input files (issue 8, rule 13): one line, exit 2 --------------------------------------


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256))), "binary"),
        (lambda p: p.write_bytes("tr\xe4p-pkg\n".encode("latin-1")), "not UTF-8 text"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: None, "cannot read: No such file or directory"),
        (lambda p: os.mkfifo(p), "not a regular file"),
    ],
    ids=["binary", "latin-1", "directory", "missing", "fifo"],
)
def test_a_requirements_file_that_is_not_one_is_one_line_and_exit_2(
    make: Callable[[Path], object], problem: str, site: Site, venv: Venv, tmp_path: Path
) -> None:
    make(tmp_path / "some.bin")
    code, out, err = gate(venv, site, "-r", "some.bin", cwd=tmp_path)
    assert code == 2, out + err
    (line,) = err.rstrip().splitlines()
    assert line.startswith(f"pyvouch: error: some.bin: {problem}"), line
    assert "given on the command line" in line


# ---- the honest install still works ------------------------------------------------------------


def test_the_honest_wheel_installs_through_files_and_configuration(
    site: Site, files: Path, tmp_path: Path
) -> None:
    venv = make_venv(tmp_path / "honest-venv")
    code, out, err = gate(
        venv, site, "--staging", "-r", "honest.txt", cwd=files,
        env={"PIP_CONFIG_FILE": str(files / "honest.conf"), "PIP_ONLY_BINARY": ":all:"},
    )  # fmt: skip
    assert code == 0, out + err
    assert "verified" in out
    assert installed(venv) == {"rfc8785": "0.1.2"}
    assert site.trap.marks() == ""
