"""The `pyvouch` command: parse, call the spine, render, map errors to exit codes."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from pyvouch import __version__
from pyvouch.errors import EXIT_USAGE, PyvouchError
from pyvouch.redact import message

# Command name -> "module:attribute". Commands are imported only when run, so `pyvouch
# --help` and a command that needs no cryptography do not pay for importing sigstore.
COMMANDS: dict[str, str] = {
    "verify": "pyvouch.cli.verify_cmd:verify",
    "verify-blob": "pyvouch.cli.blob_cmd:verify_blob_cmd",
    "inspect": "pyvouch.cli.inspect_cmd:inspect",
    "scan": "pyvouch.cli.scan_cmd:scan_cmd",
    "sign": "pyvouch.cli.sign_cmd:sign",
    "sign-blob": "pyvouch.cli.blob_cmd:sign_blob_cmd",
    "index": "pyvouch.cli.index_cmd:index",
    "trust": "pyvouch.cli.trust_cmd:trust",
    "pin": "pyvouch.cli.pin_cmd:pin",
    "readiness": "pyvouch.cli.readiness_cmd:readiness",
    "diff": "pyvouch.cli.diff_cmd:diff",
    "policy": "pyvouch.cli.policy_cmd:policy",
    "workflow": "pyvouch.cli.workflow_cmd:workflow",
    "check": "pyvouch.cli.check_cmd:check",
    "install": "pyvouch.cli.install_cmd:install",
    "reachability": "pyvouch.cli.reachability_cmd:reachability",
    "ci": "pyvouch.cli.ci_cmd:ci",
    "record": "pyvouch.cli.record_cmd:record",
    "history": "pyvouch.cli.history_cmd:history",
    "dashboard": "pyvouch.cli.dashboard_cmd:dashboard",
}


def _one_line(err: PyvouchError) -> str:
    """The error's message on one line, redacted and bounded, whatever input it quotes."""
    return message(" ".join(str(err).splitlines()))


class _Group(click.Group):
    """Turns every PyvouchError into one line on stderr and its exit code; never a traceback.

    Subcommands load lazily from COMMANDS.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PyvouchError as err:
            click.echo(f"pyvouch: error: {_one_line(err)}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("pyvouch: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pyvouch")
def cli() -> None:
    """Sign, verify and inventory PEP 740 attestations of Python packages.

    \b
    Exit codes, for every command (its --help says what each means there):
      0  all good
      1  findings: verification or policy failed
      2  bad usage, configuration or input (one line on stderr)
      3  incomplete: the answer could not be determined
    """


def main() -> None:
    """Console-script entry point. Click's own usage errors exit 2, as DESIGN.md wants."""
    try:
        cli.main(prog_name="pyvouch", standalone_mode=True)
    except PyvouchError as err:  # raised outside a subcommand (e.g. while parsing)
        click.echo(f"pyvouch: error: {_one_line(err)}", err=True)
        sys.exit(err.exit_code)
    sys.exit(EXIT_USAGE)  # pragma: no cover - cli.main always exits
