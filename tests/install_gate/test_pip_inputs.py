"""What pip would act on, read before pip starts (no pip here): requirements, -r/-c files,
pip's configuration; every way to make pip build is refused, naming where it came from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyvouch.errors import InputError, PyvouchError, UsageError
from pyvouch.gate.pip_config import (
    PipConfig,
    config_options,
    parse_config_debug,
    parse_config_list,
)
from pyvouch.gate.pip_inputs import GateFlags, What, check_pip_inputs, classify, name_sources
from pyvouch.gate.pip_options import parse_command_line, render

STRICT = GateFlags(allow_sdists=False, allow_not_indexed=False)
NOT_INDEXED = GateFlags(allow_sdists=False, allow_not_indexed=True)
BOTH = GateFlags(allow_sdists=True, allow_not_indexed=True)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "odd-1.0-py3-none-any.whl").mkdir()


def check(*args: str, flags: GateFlags = STRICT, env: dict[str, str] | None = None) -> None:
    parsed = parse_command_line(args)
    check_pip_inputs(parsed.given, parsed.positional, flags, env or {})


def refused(*args: str, flags: GateFlags = STRICT, env: dict[str, str] | None = None) -> str:
    with pytest.raises(PyvouchError) as info:
        check(*args, flags=flags, env=env)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert "\n" not in message
    return message


def write(path: str, text: str) -> Path:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


# ---- what a requirement names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("requests", What.INDEX),
        ("requests[socks]>=2; python_version > '3'", What.INDEX),
        ("src", What.INDEX),  # an existing directory, but not written as a path: pip's name
        ("./src/demo", What.TREE),
        ("src/demo[extra]", What.TREE),
        ("file:///{tmp}/src/demo", What.TREE),
        ("demo @ file:///{tmp}/src/demo", What.TREE),
        ("./odd-1.0-py3-none-any.whl", What.TREE),  # a directory named like a wheel
        ("git+https://git.example/demo.git#egg=demo", What.TREE),
        ("demo @ git+ssh://git@git.example/demo.git", What.TREE),
        ("hg+https://hg.example/demo", What.TREE),
        ("svn+ssh://svn.example/demo", What.TREE),
        ("bzr+lp:demo", What.TREE),
        ("demo-1.0.tar.gz", What.SOURCE),  # missing, but an archive name: pip's local path
        ("dist/demo-1.0.zip", What.SOURCE),
        ("demo-1.0.tar", What.SOURCE),
        ("https://files.example/demo-1.0.tar.gz", What.SOURCE),
        ("demo @ https://files.example/demo-1.0.tar.gz", What.SOURCE),
        ("demo@https://files.example/demo-1.0.tar.gz", What.SOURCE),
        ("demo @ https://files.example/download?id=3", What.SOURCE),
        ("https://files.example/demo-1.0-py3-none-any.WHL", What.SOURCE),  # pip: not a wheel
        ("dist/demo-1.0-py3-none-any.whl", What.WHEEL),
        ("demo @ https://files.example/demo-1.0-py3-none-any.whl#sha256=00", What.WHEEL),
        ("https://files.example/demo-1.0-py3-none-any.whl; python_version > '3'", What.WHEEL),
    ],
)
def test_a_requirement_is_read_as_pip_reads_it(text: str, what: What, tmp_path: Path) -> None:
    assert classify(text.replace("/{tmp}", str(tmp_path))).what is what


def test_a_wheel_from_outside_the_index_needs_allow_not_indexed() -> None:
    assert "--allow-not-indexed" in refused("dist/demo-1.0-py3-none-any.whl")
    check("dist/demo-1.0-py3-none-any.whl", flags=NOT_INDEXED)


@pytest.mark.parametrize(
    "text",
    [
        "demo-1.0.tar.gz",
        "demo @ https://files.example/demo-1.0.tar.gz",
        "https://user:secret@files.example/demo-1.0.tar.gz",
    ],
)
def test_a_source_archive_is_refused_even_when_not_indexed_is_allowed(text: str) -> None:
    message = refused(text, flags=NOT_INDEXED)
    assert message.startswith("command line: ")
    assert "source archive" in message and "--allow-sdists" in message
    assert "secret" not in message


@pytest.mark.parametrize(
    "args",
    [
        ("./src/demo",),
        ("git+https://git.example/demo.git#egg=demo",),
        ("-e", "./src/demo"),
        ("--editable=git+https://git.example/demo.git#egg=demo",),
        ("-esrc/demo",),
        ("--edit", "src/demo"),
    ],
)
def test_trees_and_editables_are_refused_whatever_is_allowed(args: tuple[str, ...]) -> None:
    message = refused(*args, flags=BOTH)
    assert message.startswith("command line: ")
    assert "build code" in message and "cannot pin it by hash" in message


def test_a_requirement_that_looks_like_an_option_is_refused() -> None:
    assert "is not a requirement" in refused("--", "--no-binary=:all:")


# ---- options that would let pip build ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--no-binary", ":all:"),
        ("--no-binary=demo",),
        ("--no-binary", ":none:"),  # any --no-binary: the forced --only-binary :all: decides
        ("--no-bin", ":all:"),
        ("--no-binar=:all:",),
        ("--only-binary", ":none:"),
        ("--only-binary=:all:,:none:",),
        ("--only-bin", "demo,:none:"),
    ],
)
def test_format_options_that_allow_sdists_are_refused(args: tuple[str, ...]) -> None:
    message = refused(*args, "demo")
    assert message.startswith("command line: --")
    assert "would let pip build an sdist" in message
    check(*args, "demo", flags=BOTH)


@pytest.mark.parametrize(
    "args",
    [("--only-binary", ":all:"), ("--only-binary=demo",), ("--prefer-binary",), ("-f", "dists")],
)
def test_options_that_keep_to_wheels_pass(args: tuple[str, ...]) -> None:
    check(*args, "demo")


PYPROJECT = """\
[project]
name = "app"

[dependency-groups]
Test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff", "demo @ https://files.example/demo-1.0.tar.gz"]
docs = ["sphinx"]
"""

SCRIPT = """\
#!/usr/bin/env python
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "requests<3",
#   "./src/demo",
# ]
# ///
print("hi")
"""


def test_dependency_groups_are_read_with_their_includes() -> None:
    write("pyproject.toml", PYPROJECT)
    check("--group", "docs")
    message = refused("--group=test")  # names are normalized, includes followed
    assert message.startswith(
        "pyproject.toml [dependency-groups] test: 'demo @ https://files.example/demo-1.0.tar.gz'"
        " is a source archive (direct URL)"
    )
    write("sub/pyproject.toml", PYPROJECT)
    assert refused("--group", "sub/pyproject.toml:lint").startswith("sub/pyproject.toml [")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[project]\n", "no [dependency-groups] table"),
        ('[dependency-groups]\na = [{include-group = "a"}]\n', "'a' includes itself"),
        ('[dependency-groups]\na = "x"\n', "'a' is not a list"),
        ("[dependency-groups\n", "invalid TOML"),
    ],
)
def test_a_bad_dependency_group_is_one_line(text: str, problem: str) -> None:
    write("pyproject.toml", text)
    assert problem in refused("--group=a")


def test_script_metadata_is_read() -> None:
    write("script.py", SCRIPT)
    message = refused("--requirements-from-script", "script.py")
    assert message.startswith("script.py (script metadata): './src/demo' is a local directory")
    write("plain.py", "print(1)\n")
    assert refused("--requirements-from-script=plain.py") == "plain.py: no '# /// script' block"


@pytest.mark.parametrize(
    "args",
    [("-r", "pylock.toml"), ("-r", "deps/pylock.dev.toml"), ("--group", "pylock.toml:dev")],
)
def test_a_pylock_file_is_refused(args: tuple[str, ...]) -> None:
    write("pylock.toml", 'lock-version = "1.0"\n')
    assert "is a pylock file" in refused(*args)


# ---- requirement and constraint files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("--no-binary :all:", "--no-binary :all:"),
        ("--no-binary=:all:", "--no-binary :all:"),
        ("--no-b :all:", "--no-binary :all:"),
        ("--only-binary :none:", "--only-binary :none:"),
        ("demo --no-binary :all:", "--no-binary :all:"),  # pip applies it on a requirement line
        ("demo==1.0 --hash=sha256:00 --no-binary demo", "--no-binary demo"),
        ("--no-binary \\\n :all:", "--no-binary :all:"),
        ("${OPTION} :all:", "--no-binary :all:"),
    ],
)
def test_build_options_in_a_requirements_file_are_refused_with_file_and_line(
    line: str, shown: str
) -> None:
    write("reqs.txt", f"# pinned\ndemo==1.0\n{line}\n")
    message = refused("-r", "reqs.txt", env={"OPTION": "--no-binary"})
    assert message.startswith(f"reqs.txt:3: {shown} would let pip build")


@pytest.mark.parametrize(
    "args",
    [
        ("-r", "reqs.txt"),
        ("--requirement=reqs.txt",),
        ("-rreqs.txt",),
        ("-qr", "reqs.txt"),
        ("--constr", "reqs.txt"),
        ("-c", "reqs.txt"),
        ("--constraint=reqs.txt",),
        ("-r", "{uri}/reqs.txt"),
    ],
)
def test_every_spelling_of_a_file_is_read(args: tuple[str, ...], tmp_path: Path) -> None:
    write("reqs.txt", "./src/demo\n")
    args = tuple(a.replace("{uri}", tmp_path.as_uri()) for a in args)
    message = refused(*args, flags=BOTH)
    assert message.split("reqs.txt:1: ")[1].startswith("'./src/demo' is a local directory")


def test_nested_files_are_read_relative_to_the_file_that_names_them() -> None:
    write("reqs.txt", "-r deps/base.txt\n")
    write("deps/base.txt", "demo\n-c pins/constraints.txt\n")
    write("deps/pins/constraints.txt", "demo==1.0\n-e ../../src/demo\n")
    message = refused("-r", "reqs.txt", flags=BOTH)
    assert message.startswith("deps/pins/constraints.txt:2: --editable ../../src/demo")


def test_comments_and_honest_files_pass() -> None:
    write("reqs.txt", "# --no-binary :all:\ndemo==1.0  # --no-binary :all:\n-r more.txt\n")
    write("more.txt", "--only-binary :all:\n--prefer-binary\nother>=2 --hash=sha256:00\n")
    check("-r", "reqs.txt")


def test_files_that_name_each_other_are_read_once() -> None:
    write("a.txt", "demo\n-r b.txt\n")
    write("b.txt", "-r a.txt\nother\n")
    check("-r", "a.txt")


def test_a_remote_requirements_file_is_refused() -> None:
    write("reqs.txt", "-r https://files.example/reqs.txt\n")
    message = refused("-r", "reqs.txt")
    assert message.startswith("reqs.txt:1: requirements file 'https://files.example/reqs.txt'")
    assert "is remote" in message


def test_an_unknown_option_in_a_file_is_one_line_with_its_place() -> None:
    write("reqs.txt", "demo\n--no-such-option\n")
    assert (
        refused("-r", "reqs.txt")
        == "reqs.txt:2: pip option error: no such option: --no-such-option"
    )


# ---- files that are not requirements files (one line, exit 2, nothing run) --------------------


def test_a_binary_file_is_named() -> None:
    Path("some.bin").write_bytes(b"\x7fELF\x02\x01\x00\x00junk")
    assert refused("-r", "some.bin") == (
        "some.bin: binary, not a requirements file (NUL at byte 6; given on the command line)"
    )


def test_a_file_that_is_not_utf8_is_named() -> None:
    Path("latin.txt").write_bytes("d\xe9mo==1.0\n".encode("latin-1"))
    write("reqs.txt", "-r latin.txt\n")
    assert refused("-r", "reqs.txt") == "latin.txt: not UTF-8 text (byte 1; named at reqs.txt:1)"


def test_a_utf8_bom_is_read() -> None:
    Path("reqs.txt").write_bytes("\ufeffdemo==1.0\n".encode())
    check("-r", "reqs.txt")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("src", "src: is a directory, not a requirements file"),
        ("missing.txt", "missing.txt: cannot read: No such file or directory"),
    ],
)
def test_a_directory_or_missing_file_is_named(name: str, problem: str) -> None:
    assert refused("-c", name).startswith(problem)


def test_a_fifo_is_refused_without_blocking() -> None:
    os.mkfifo("pipe")
    assert refused("-r", "pipe") == "pipe: not a regular file (given on the command line)"


def test_input_errors_are_input_errors() -> None:
    with pytest.raises(InputError):
        check("-r", "missing.txt")
    with pytest.raises(UsageError):
        check("--no-binary=:all:")


# ---- pip's configuration, handed over as options -----------------------------------------------

CONFIG_LIST = """\
global.cert='/etc/ssl/certs/ca.crt'
global.constraint='/etc/xdg/pip/constraints.txt'
global.target='/from-global'
install.target='/from-install'
install.no-binary=':all:'
install.no-compile='false'
global.verbose='2'
global.index-url='https://global.example/simple'
:env:.index-url='https://env.example/simple'
:env:.only-binary=':none:'
:env:.config-file='/tmp/pip.conf'
download.no-binary=':all:'
"""

CONFIG_DEBUG = """\
env_var:
  PIP_ONLY_BINARY=':none:'
env:
  /tmp/pip.conf, exists: True
    install.no-binary: :all:
global:
  /etc/xdg/pip/pip.conf, exists: True
    global.constraint: /etc/xdg/pip/constraints.txt
  /etc/pip.conf, exists: True
    global.cert: /etc/ssl/certs/ca.crt
    install.no-binary: :none:
site:
  /venv/pip.conf, exists: False
"""


def test_pip_configuration_becomes_options_in_pips_order() -> None:
    config = PipConfig(parse_config_list(CONFIG_LIST), parse_config_debug(CONFIG_DEBUG))
    assert config.index_url() == "https://env.example/simple"
    options = config_options(config)
    assert render(options) == [
        "--cert=/etc/ssl/certs/ca.crt",
        "--constraint=/etc/xdg/pip/constraints.txt",
        "--target=/from-install",  # [install] replaces [global]
        "--verbose",
        "--verbose",
        "--no-binary=:all:",
        "--no-compile",  # pip stores the value itself: no-compile = false sets compile false
        "--only-binary=:none:",
    ]
    origins = {g.option.name: g.origin for g in options}
    # the env file loads after the global ones, so it is the one that sets the value
    assert origins["--no-binary"] == "pip configuration install.no-binary (/tmp/pip.conf)"
    assert origins["--only-binary"] == "$PIP_ONLY_BINARY"
    assert origins["--cert"] == "pip configuration global.cert (/etc/pip.conf)"


def test_a_build_option_in_the_configuration_is_refused_naming_where() -> None:
    config = PipConfig(parse_config_list(CONFIG_LIST), parse_config_debug(CONFIG_DEBUG))
    options = tuple(g for g in config_options(config) if g.option.name != "--constraint")
    with pytest.raises(UsageError) as info:
        check_pip_inputs(options, ("demo",), STRICT, {})
    assert str(info.value).startswith(
        "pip configuration install.no-binary (/tmp/pip.conf): --no-binary :all: would let pip"
    )


def test_a_flag_with_a_value_pip_would_reject_is_refused() -> None:
    config = PipConfig(parse_config_list("install.pre='sometimes'\n"), {})
    with pytest.raises(UsageError, match=r"pip configuration install.pre: 'sometimes' is not"):
        config_options(config)


def test_a_requirements_file_from_the_environment_is_read() -> None:
    write("injected.txt", "./src/demo\n")
    config = PipConfig(parse_config_list(":env:.requirement='injected.txt'\n"), {})
    with pytest.raises(UsageError) as info:
        check_pip_inputs(config_options(config), (), STRICT, {})
    assert str(info.value).startswith("injected.txt:1: './src/demo' is a local directory")


def test_pips_error_lines_name_where_each_requirement_was_given() -> None:
    write("reqs.txt", "demo==1.0\nother>=2\n")
    sources = check_pip_inputs(
        parse_command_line(("-r", "reqs.txt")).given, ("demo-extra",), STRICT, {}
    )
    line = "ERROR: No matching distribution found for other>=2"
    assert name_sources(line, sources) == f"{line} [given at reqs.txt:2]"
    line = "ERROR: Could not find a version that satisfies the requirement demo-extra"
    assert name_sources(line, sources) == f"{line} [given on the command line]"
    assert name_sources("ERROR: something else", sources) == "ERROR: something else"
