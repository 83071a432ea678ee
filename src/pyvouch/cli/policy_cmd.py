"""`pyvouch policy init`: a starting policy in collect mode, the critical tier suggested."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch.cli.options import CONFIG_HELP, exit_codes
from pyvouch.errors import UsageError
from pyvouch.policy.config import CONFIG_FILE, PYPROJECT_FILE, parse_config
from pyvouch.policy.init import render_policy, suggest_critical
from pyvouch.policy_files.config_file import find_config
from pyvouch.policy_files.edit import set_mode
from pyvouch.sources import load_packages
from pyvouch.sources.graph import dependents, direct
from pyvouch.user_files import read_document, write_document, write_file


@click.group("policy")
def policy() -> None:
    """Write and manage the pyvouch policy."""


@exit_codes("the policy was written (or printed with --stdout/--pyproject)")
@policy.command("init")
@click.argument("lock", required=False, type=click.Path(path_type=Path))
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the policy; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite an existing pyvouch.toml.")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help=f"Where to write (default: {CONFIG_FILE} in the current directory).",
)
@click.option(
    "--pyproject",
    "as_pyproject",
    is_flag=True,
    help="Render [tool.pyvouch] tables to paste into pyproject.toml (implies --stdout).",
)
@click.option("--top", type=click.IntRange(0, 100), default=5, show_default=True,
              help="Suggest this many of the most depended-upon packages.")  # fmt: skip
def init(
    lock: Path | None,
    to_stdout: bool,
    force: bool,
    output: Path | None,
    as_pyproject: bool,
    top: int,
) -> None:
    """Write a starting policy for LOCK, in collect mode, with a suggested critical tier.

    Suggested as critical: direct dependencies (from pyproject.toml next to the lock),
    packages with native code or that install from source (running build hooks), and the
    most depended-upon packages of the lock's graph; each with its reason as a comment.
    """
    if output is not None and (to_stdout or as_pyproject):
        given = "--stdout" if to_stdout else "--pyproject"
        raise UsageError(f"{given} prints the policy and writes nothing; drop --output, or {given}")
    loaded = load_packages(lock, resolve=False)
    source = loaded.path
    suggestions = suggest_critical(
        loaded.packages,
        direct=direct(source) if source is not None else (),
        dependents=dependents(source) if source is not None else None,
        top_n=top,
    )
    shown = source.name if source is not None else "the environment"
    text = render_policy(suggestions, source=shown, pyproject=as_pyproject)
    target = output or Path(CONFIG_FILE)
    parse_config(  # what we write must load back (a defect otherwise, never the user's)
        _table(text, as_pyproject), target, "tool.pyvouch" if as_pyproject else ""
    )
    if to_stdout or as_pyproject:
        click.echo(text, nl=False)
        return
    if target.exists() and not force:
        raise UsageError(f"{target} exists; pass --force to overwrite it, or --stdout")
    if output is None:
        existing = find_config(Path.cwd()) if not target.exists() else None
        if existing is not None and existing.name == PYPROJECT_FILE:
            raise UsageError(
                f"{existing} already has a [tool.pyvouch] table; a second policy in "
                f"{CONFIG_FILE} would conflict (use --stdout to see the suggestion)"
            )
    write_file(target, text)
    click.echo(
        f"wrote {target}: collect mode, {len(suggestions)} suggested critical package(s); "
        "next: pyvouch scan, then pyvouch readiness"
    )


@exit_codes("the mode is set (or already was)")
@policy.command("mode")
@click.argument("mode", type=click.Choice(["collect", "warn", "enforce"]))
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help=CONFIG_HELP,
)
def mode(mode: str, config_path: Path | None) -> None:
    """Set the policy's MODE (collect, warn, enforce), keeping the rest of the file as it is."""
    target = config_path or find_config(Path.cwd())
    if target is None:
        raise UsageError(
            f"no policy here ({CONFIG_FILE} or [tool.pyvouch]); run pyvouch policy init"
        )
    document = read_document(target)
    new = set_mode(document.text, target, mode)
    if new != document.text:
        write_document(target, document, new)
    click.echo(f"{target}: mode = {mode!r}")


def _table(text: str, as_pyproject: bool) -> dict[str, object]:
    import tomllib

    data = tomllib.loads(text)
    if as_pyproject:
        tool = data["tool"]
        assert isinstance(tool, dict)
        pyvouch = tool["pyvouch"]
        assert isinstance(pyvouch, dict)
        return pyvouch
    return data
