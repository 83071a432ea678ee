"""`pyvouch install`: install with pip or uv, but only files that verified (see
docs/install-gate.md and docs/install-lock.md).

The gate itself (pip resolves, or a lock is read for the target; the spine verifies, the policy
decides, pip or uv installs the pinned files) is `pyvouch.pipeline.install` and
`pyvouch.pipeline.lock_install`; this command parses, renders and maps the outcome to exit
codes.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from pyvouch import report
from pyvouch.cli.common import LookupFlags, lookup_options_with
from pyvouch.cli.options import exit_codes, format_option, signature_options
from pyvouch.cli.output import emit
from pyvouch.errors import EXIT_OK, UsageError
from pyvouch.gate.installers import InstallerName
from pyvouch.pipeline.install import InstallRequest, PipFailed, install_pinned
from pyvouch.pipeline.lock_install import LockInstallRequest, run_lock_install_plan
from pyvouch.pipeline.uv_install import plan_install
from pyvouch.policy.overrides import Overrides
from pyvouch.policy.schema import Require
from pyvouch.redact import redact_text
from pyvouch.report import scan_report

INSTALL_INDEX_DEFAULT = (
    "the policy's index-url, else pip's ($PIP_INDEX_URL, then pip's configuration files), "
    "else PyPI; pip resolves and installs from this same index"
)


@exit_codes(
    "the gate passed and pip or uv ran (its own exit code is returned)",
    "a package is blocked; nothing was installed",
    "a file's attestation could not be told; nothing was installed",
)
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
    "--lock",
    "lock",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Install exactly this lock (pylock.toml, uv.lock, poetry.lock, pdm.lock, Pipfile.lock, "
    "hashed requirements): markers and wheels for the target, every file verified, no "
    "resolution.",
)
@click.option(
    "--installer",
    type=click.Choice([n.value for n in InstallerName]),
    help="Who installs the verified files (default: uv in a uv project or when the target has "
    "no pip, if uv is found; else pip).",
)
@format_option(report.names(), "table")
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
    "--require-critical",
    type=click.Choice([r.value for r in Require]),
    help="What passes in the critical tier (this run; default: the policy's, at least verified).",
)
@click.option(
    "--require-long-tail",
    type=click.Choice([r.value for r in Require]),
    help="What passes in the long tail (this run; default: the policy's, at least verified).",
)
@signature_options
@lookup_options_with(INSTALL_INDEX_DEFAULT)
@click.pass_context
def install(
    ctx: click.Context,
    pip_args: tuple[str, ...],
    python: str | None,
    dry_run: bool,
    allow_sdists: bool,
    allow_not_indexed: bool,
    lock: Path | None,
    installer: str | None,
    output_format: str,
    output: Path | None,
    mode: str | None,
    critical: tuple[str, ...],
    pins: tuple[str, ...],
    require_critical: str | None,
    require_long_tail: str | None,
    signature_key: Path | None,
    allow_no_tlog: bool,
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

    With --lock FILE there is nothing to resolve: the lock's markers are evaluated for the
    target, each package's file is the one the installer would take there, every one is
    verified, and pip or uv (--installer) installs exactly those digests. A lock file without
    a sha256 for a chosen file, or with no file for the target, is refused (exit 2).
    """
    overrides = Overrides(
        mode=mode,
        critical=critical,
        pins=pins,
        require_critical=require_critical,
        require_long_tail=require_long_tail,
        key=signature_key,
        allow_no_tlog=allow_no_tlog,
    )
    chosen = InstallerName(installer) if installer else None
    if lock is not None:
        plan = run_lock_install_plan(
            LockInstallRequest(
                lock,
                lookup,
                overrides,
                python=python,
                allow_sdists=allow_sdists,
                allow_not_indexed=allow_not_indexed,
                pip_options=pip_args,
                env=dict(os.environ),
                installer=chosen,
            ),
            warn=_warn,
        )
    else:
        if not pip_args:
            raise UsageError("name what to install (requirements, -r FILE, ...), or --lock FILE")
        request = InstallRequest(
            pip_args,
            lookup,
            overrides,
            python=python,
            allow_sdists=allow_sdists,
            allow_not_indexed=allow_not_indexed,
            env=dict(os.environ),
            installer=chosen,
        )
        try:
            plan = plan_install(request, warn=_warn)
        except PipFailed as err:
            for line in err.lines:
                click.echo(line, err=True)
            raise
    if plan.result is None:
        nothing = (
            "the lock has nothing to install on this target"
            if lock
            else "pip would install nothing (everything is already satisfied)"
        )
        click.echo(f"pyvouch: {nothing}", err=True)
        ctx.exit(EXIT_OK)
    machine = output is None and output_format != "table"
    emit(scan_report.build(plan.result, command="install"), output_format, output=output)
    if plan.exit_code != EXIT_OK:
        click.echo(
            f"pyvouch: nothing was installed: {_why(plan.exit_code)} (policy mode {plan.mode})",
            err=True,
        )
        ctx.exit(plan.exit_code)
    if dry_run:
        # shown, so without the credentials of direct URLs (pip gets them, below)
        click.echo(redact_text(plan.pinned), nl=False, err=machine)
        click.echo("pyvouch: --dry-run: nothing was installed", err=True)
        ctx.exit(EXIT_OK)
    _say(f"installing {len(plan.items)} verified file(s) with {plan.installer.name}")
    ctx.exit(install_pinned(plan, machine=machine))


def _say(message: str) -> None:
    click.echo(f"pyvouch: {message}", err=True)


def _warn(warning: str) -> None:
    click.echo(f"pyvouch: warning: {warning}", err=True)


def _why(code: int) -> str:
    return "a package is blocked" if code == 1 else "a file's attestation could not be told"
