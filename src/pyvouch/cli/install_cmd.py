"""`pyvouch install`: install with pip, but only files that verified (see docs/install-gate.md).

1. pip resolves (``install --dry-run --report``) against one index, for the target interpreter;
2. the spine scans exactly the files pip chose, and the policy (with the gate's floor) decides;
3. on a block (exit 1) or an unanswered must-verify (exit 3) nothing is installed; otherwise pip
   installs from a generated requirements file that pins every file by the checked sha256,
   with ``--require-hashes --no-deps``. pip's own exit code is passed through.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from pyvouch import report
from pyvouch.cli.common import LookupFlags, load_policy, lookup_options
from pyvouch.errors import EXIT_OK, UsageError
from pyvouch.gate.pip_args import pip_args as gate_pip_args
from pyvouch.gate.pip_args import refuse_controlled
from pyvouch.gate.pip_config import config_options
from pyvouch.gate.pip_inputs import GateFlags as InputFlags
from pyvouch.gate.pip_inputs import check_pip_inputs, name_sources
from pyvouch.gate.pip_options import parse_command_line
from pyvouch.gate.pip_report import parse_report
from pyvouch.gate.pip_runner import (
    Pip,
    PipResult,
    find_pip,
    gate_env,
    pip_index_url,
    read_pip_config,
    target_python,
)
from pyvouch.gate.plan import GateFlags, gate_policy, refuse_unpinnable, requirements_text
from pyvouch.policy.decide import decide_all
from pyvouch.policy.overrides import Overrides, apply_overrides
from pyvouch.redact import redact_text
from pyvouch.report import RenderOptions
from pyvouch.scan import ScanOptions, scan
from pyvouch.user_files import write_file

_ONLY_BINARY = ("--only-binary", ":all:")


def _resolve(
    pip: Pip,
    index_url: str,
    args: tuple[str, ...],
    allow_sdists: bool,
    sources: tuple[tuple[str, str], ...],
) -> str:
    """pip's installation report for ``args`` (nothing is installed). ``--only-binary :all:``
    comes last, so no earlier option can undo it."""
    binary = () if allow_sdists else _ONLY_BINARY
    with tempfile.TemporaryDirectory(prefix="pyvouch-install-") as tmp:
        path = Path(tmp) / "report.json"
        done = pip.run(
            [
                "install",
                "--dry-run",
                "--quiet",
                "--report",
                str(path),
                "--index-url",
                index_url,
                *args,
                *binary,
            ],
            guard=not allow_sdists,
        )
        if done.returncode != 0 or not path.is_file():
            _pip_failed(done, "pip could not resolve the requirements", sources)
        return path.read_text(encoding="utf-8")


def _pip_failed(done: PipResult, what: str, sources: tuple[tuple[str, str], ...]) -> NoReturn:
    """Show pip's own error lines (never its traceback), each with where the requirements it
    names were given, and raise `UsageError`."""
    if done.guard_tripped:
        raise UsageError(
            f"{what}: pip tried to start a process (a build backend, or the install of "
            "build dependencies) and was stopped before it ran; nothing was installed"
        )
    lines = done.stderr.rstrip().splitlines()
    if any(line.startswith("Traceback") for line in lines):
        lines = [line for line in lines if line.startswith("ERROR:")] + lines[-1:]
    for line in lines:
        click.echo(name_sources(line, sources) if line.startswith("ERROR:") else line, err=True)
    raise UsageError(f"{what} (pip exit {done.returncode}); nothing was installed")


@click.command(
    "install",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True},
)
@click.argument("pip_args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--python",
    "python",
    metavar="PY",
    help="Interpreter (or virtualenv) to install into (default: $VIRTUAL_ENV, else python3).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Resolve and verify, print the hash-pinned requirements; install nothing.",
)
@click.option(
    "--allow-sdists",
    is_flag=True,
    help="Let pip pick sdists (their build runs code and fetches build deps, ungated).",
)
@click.option(
    "--allow-not-indexed",
    is_flag=True,
    help="Install local or direct-URL archives pinned by their hash (nothing to verify).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(report.names()),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Write the report to FILE (atomically) instead of stdout.",
)
@click.option(
    "--mode",
    type=click.Choice(["collect", "warn", "enforce"]),
    help="Policy mode for this run (default: enforce, whatever the policy file says).",
)
@click.option("--critical", multiple=True, metavar="NAME", help="Add to the critical tier.")
@click.option(
    "--pin", "pins", multiple=True, metavar="NAME=SPEC", help="Expected publisher (repeatable)."
)
@click.option(
    "--require-critical", metavar="LEVEL", help="What passes in the critical tier (this run)."
)
@click.option(
    "--require-long-tail",
    metavar="LEVEL",
    help="What passes in the long tail (this run; default: verified).",
)
@lookup_options
@click.pass_context
def install(
    ctx: click.Context,
    pip_args: tuple[str, ...],
    python: str | None,
    dry_run: bool,
    allow_sdists: bool,
    allow_not_indexed: bool,
    output_format: str,
    output: Path | None,
    mode: str | None,
    critical: tuple[str, ...],
    pins: tuple[str, ...],
    require_critical: str | None,
    require_long_tail: str | None,
    lookup: LookupFlags,
) -> None:
    """pip install PIP_ARGS, but only files whose attestations verified.

    pip resolves PIP_ARGS (requirements, -r FILE, -c FILE, --pre, ...) for the target
    interpreter without installing; every file it chose is looked up on the index and verified;
    the policy decides, with the gate's floor: enforce, and every file `verified` (flags relax
    it for one run, policy exceptions for named packages). Nothing is installed on a block
    (exit 1) or when a file cannot be told (exit 3); otherwise pip installs exactly the
    checked files (--require-hashes --no-deps) and its exit code is returned. pyvouch's
    options may come anywhere; what it does not know is pip's, and so is all after --.
    """
    if not pip_args:
        raise UsageError("name what to install (requirements, -r FILE, ...)")
    given = parse_command_line(pip_args)
    refuse_controlled(given.given)
    env = dict(os.environ)
    pip = find_pip(target_python(python, env), env)
    pip_config = read_pip_config(pip)
    configured = config_options(pip_config)
    runs = gate_pip_args(configured, given)
    sources = check_pip_inputs(
        (*configured, *given.given),
        given.positional,
        InputFlags(allow_sdists=allow_sdists, allow_not_indexed=allow_not_indexed),
        gate_env(env),
    )
    policy = load_policy(lookup.config_path, None)
    policy = apply_overrides(
        policy,
        Overrides(
            mode=mode,
            critical=critical,
            pins=pins,
            require_critical=require_critical,
            require_long_tail=require_long_tail,
        ),
    )
    policy = gate_policy(
        policy,
        GateFlags(
            mode_given=mode is not None,
            require_critical_given=require_critical is not None,
            require_long_tail_given=require_long_tail is not None,
            allow_not_indexed=allow_not_indexed,
        ),
    )
    index_url = pip_index_url(pip_config, lookup.index_url or policy.index_url)
    items = parse_report(_resolve(pip, index_url, runs.resolve, allow_sdists, sources))
    if not items:
        click.echo("pyvouch: pip would install nothing (everything is already satisfied)", err=True)
        ctx.exit(EXIT_OK)
    for item in items:
        if item.yanked:
            click.echo(f"pyvouch: warning: {item.name} {item.version} is yanked", err=True)
    refuse_unpinnable(items, allow_not_indexed)

    options = ScanOptions(
        index_url=index_url,
        offline=lookup.offline,
        jobs=lookup.jobs,
        cache_dir=lookup.cache_dir,
        timeout=lookup.timeout,
        retries=lookup.retries,
        refresh=lookup.refresh,
    )
    result = scan(
        [item.package() for item in items],
        lookup.deferred_verifier(),
        options,
        source="pip install " + " ".join(pip_args),
        source_format="pip-report",
    )
    decided, code = decide_all(result, policy, date.today())
    machine = output is None and output_format != "table"
    color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = report.render(
        output_format, decided, RenderOptions(color=color, base_dir=str(Path.cwd()))
    )
    if output is None:
        click.echo(text)
    else:
        write_file(output, text if text.endswith("\n") else text + "\n")
    if code != EXIT_OK:
        click.echo(
            f"pyvouch: nothing was installed: {_why(code)} (policy mode {policy.mode.value})",
            err=True,
        )
        ctx.exit(code)

    pinned = requirements_text(items, decided.packages)
    if dry_run:
        # shown, so without the credentials of direct URLs (pip gets them, below)
        click.echo(redact_text(pinned), nl=False, err=machine)
        click.echo("pyvouch: --dry-run: nothing was installed", err=True)
        ctx.exit(EXIT_OK)
    ctx.exit(_install(pip, index_url, pinned, runs.install, allow_sdists, machine))


def _why(code: int) -> str:
    return "a package is blocked" if code == 1 else "a file's attestation could not be told"


def _install(
    pip: Pip,
    index_url: str,
    pinned: str,
    install_args: tuple[str, ...],
    allow_sdists: bool,
    machine: bool,
) -> int:
    """The real install of exactly the pinned files; pip's exit code."""
    with tempfile.TemporaryDirectory(prefix="pyvouch-install-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(pinned, encoding="utf-8")
        sys.stdout.flush()
        sys.stderr.flush()
        done = pip.run(
            [
                "install",
                "--require-hashes",
                "--no-deps",
                "--index-url",
                index_url,
                *install_args,
                *(() if allow_sdists else _ONLY_BINARY),
                "-r",
                str(requirements),
            ],
            capture=False,
            stdout_to_stderr=machine,
            guard=not allow_sdists,
        )
    return done.returncode
