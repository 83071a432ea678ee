"""Help text that agrees with itself: every command lists its exit codes, every option says
what it does and shows its default, and an option that several commands share reads the same
in each (help text and choices)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.cli.options import INDEX_URL_HELP

INDEX_DEFAULT_AT = INDEX_URL_HELP.index("{default}")


def _walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from _walk(command, path)
        else:
            yield " ".join(path), command


COMMANDS = dict(_walk(cli))


def _options(command: click.Command) -> list[click.Option]:
    return [
        p
        for p in command.params
        if isinstance(p, click.Option) and "--help" not in p.opts and "--version" not in p.opts
    ]


def test_the_walk_finds_every_command_nested_groups_included() -> None:
    # A walk that found nothing would pass every check below.
    for name in ("scan", "verify", "index check", "index build", "policy init", "trust show"):
        assert name in COMMANDS
    assert "workflow lint" in COMMANDS and "workflow init" in COMMANDS
    assert len(COMMANDS) >= 19


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_lists_exit_codes(name: str) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Exit codes" in text, f"pyvouch {name} --help lists no exit codes"
    section = text[text.index("Exit codes") :]
    codes = [line.split()[0] for line in section.splitlines()[1:8] if line.strip()[:1].isdigit()]
    assert "0" in codes and "2" in codes, f"pyvouch {name}: exit codes {codes}"
    # the description above it kept its paragraphs (no docstring indentation left inside)
    description = text[: text.index("Exit codes")]
    assert not re.search(r"\S {3,}\S", description), description
    # the list is not wrapped by click, so each line must fit a terminal
    listed = [line for line in section.splitlines() if re.match(r" +[0-3]  \S", line)]
    assert all(len(line) <= 80 for line in listed), listed
    # click kept the list as written (the \b paragraph), one code per line
    assert re.search(r"\n +0  \S", section) and re.search(r"\n +2  \S", section), section


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help_and_shows_its_default(name: str) -> None:
    command = COMMANDS[name]
    ctx = click.Context(command)
    for option in _options(command):
        assert option.help and option.help.strip(), f"pyvouch {name} {option.opts[0]}: no help"
        default = option.get_default(ctx, call=False)
        has_default = (
            isinstance(default, str | int | float | Path)
            and not option.is_flag
            and not option.multiple
        )
        if has_default:
            assert option.show_default, f"pyvouch {name} {option.opts[0]}: default not shown"


def _shared() -> dict[str, dict[str, tuple[str, object]]]:
    """Option name -> command -> (help, choices), for options more than one command has."""
    seen: dict[str, dict[str, tuple[str, object]]] = {}
    for name, command in COMMANDS.items():
        for option in _options(command):
            choices = tuple(option.type.choices) if isinstance(option.type, click.Choice) else None
            seen.setdefault(option.opts[0], {})[name] = (option.help or "", choices)
    return {opt: by for opt, by in seen.items() if len(by) > 1}


SAME_EVERYWHERE = (
    "--trust-root",
    "--staging",
    "--offline",
    "--platform",
    "--python-version",
    "--jobs",
    "--timeout",
    "--retries",
    "--cache-dir",
    "--config",
)


# Where an option of the same name does another thing (signing or refreshing with staging,
# not verifying against it; a timeout for the whole TUF refresh), and so says another thing.
ANOTHER_MEANING = {
    "--staging": {"sign", "sign-blob", "trust show", "trust update"},
    "--timeout": {"trust update"},
}


def test_shared_options_read_the_same_in_every_command() -> None:
    shared = _shared()
    for option in SAME_EVERYWHERE:
        assert option in shared, f"{option} is no longer shared; drop it from the list"
        others = ANOTHER_MEANING.get(option, set())
        assert others <= set(shared[option])
        texts = {value for name, value in shared[option].items() if name not in others}
        assert len(texts) == 1, f"{option} differs between commands: {shared[option]}"
        assert len(shared[option]) - len(others) >= 2


def test_shared_choice_lists_are_the_same_everywhere() -> None:
    """--mode, --platform, --require-critical/--require-long-tail...: one list of choices
    (--format excepted: each command has its own formats)."""
    shared = _shared()
    checked = []
    for option, by_command in shared.items():
        choices = {value[1] for value in by_command.values()}
        if option == "--format" or choices == {None}:
            continue
        assert len(choices) == 1, f"{option} choices differ: {by_command}"
        checked.append(option)
    assert {"--mode", "--platform", "--require-critical", "--require-long-tail"} <= set(checked)


def test_index_url_reads_the_same_but_for_where_its_default_comes_from() -> None:
    shared = _shared()["--index-url"]
    assert {"scan", "verify", "install", "pin", "readiness", "diff"} <= set(shared)
    heads = {help_text[:INDEX_DEFAULT_AT] for help_text, _ in shared.values()}
    assert len(heads) == 1, shared
    # install looks where pip looks: its default names pip's configuration
    assert "pip's configuration" in shared["install"][0]
    assert "lock" in shared["scan"][0]


def test_platform_lists_canonical_names_and_takes_aliases() -> None:
    for name, command in COMMANDS.items():
        for option in _options(command):
            if option.opts[0] == "--platform":
                assert isinstance(option.type, click.Choice)
                assert list(option.type.choices) == ["linux", "darwin", "win32"], name
                ctx = click.Context(command)
                assert option.type.convert("macOS", option, ctx) == "darwin"
                assert option.type.convert("windows", option, ctx) == "win32"
                with pytest.raises(click.BadParameter):
                    option.type.convert("solaris", option, ctx)


def test_a_bad_platform_is_a_usage_error_that_lists_the_names() -> None:
    result = CliRunner().invoke(cli, ["scan", "--platform", "beos", "x.lock"])
    assert result.exit_code == 2
    assert "linux" in result.output and "win32" in result.output
    assert "macos" not in result.output.split("beos", 1)[1]


def test_verify_says_its_files_are_local_and_where_names_go() -> None:
    text = CliRunner().invoke(cli, ["verify", "--help"], terminal_width=100).output
    flat = " ".join(text.split())
    assert "FILES are paths to local wheel and sdist files, not package names" in flat
    assert "--package NAME==VERSION verifies every file of a release" in flat


@pytest.mark.parametrize("given", ["requests==2.31.0", "sampleproject==4.0.0"])
def test_verify_given_a_requirement_points_to_package(given: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", given])
    assert result.exit_code == 2
    assert f"{given}: no such file; FILES are local wheel and sdist files" in result.output
    assert f"pyvouch verify --package '{given}'" in result.output
    assert len(result.output.strip().splitlines()) == 1
