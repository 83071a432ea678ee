"""`pyvouch reachability`: how the project's own code reaches each locked package."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.options import (
    cache_dir_option,
    exit_codes,
    format_option,
    index_url_option,
    narrowing_options,
    offline_option,
)
from pyvouch.cli.output import emit
from pyvouch.errors import UsageError
from pyvouch.pipeline.reachability import ReachabilityOptions, run_reachability
from pyvouch.report import reachability as reachability_report

_DIR = click.Path(path_type=Path, exists=False)
WHEEL_INDEX_DEFAULT = (
    "the index the lock declares, else $PIP_INDEX_URL, else PyPI; used only to download "
    "locked wheels no environment has, for their module names"
)


def _symbol(text: str) -> tuple[str, str]:
    module, sep, attribute = text.partition(":")
    if not sep or not module or not attribute:
        raise UsageError(f"--symbol {text!r}: expected MODULE:ATTRIBUTE (e.g. yaml:load)")
    return module, attribute


@exit_codes("every locked package was classified (unknown included: it is an answer)")
@click.command("reachability")
@click.argument("lock", required=False, type=click.Path(path_type=Path))
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=_DIR,
    metavar="DIR",
    help="First-party code (repeatable); default: the project next to the lock (its "
    "pyproject package settings, else src/, else the project directory).",
)
@click.option(
    "--tests",
    multiple=True,
    type=_DIR,
    metavar="DIR",
    help="Test code (repeatable); default: tests/ and test/ next to the lock.",
)
@click.option(
    "--env",
    "environment",
    type=_DIR,
    metavar="DIR",
    help="Installed environment (virtualenv or site-packages) to map modules and follow "
    "imports through; default: .venv or venv next to the lock.",
)
@click.option(
    "--dev-only",
    multiple=True,
    metavar="NAME",
    help="A package of the lock's dev/test groups (repeatable): test-only unless runtime code "
    "imports it.",
)
@click.option(
    "--symbol",
    "symbols",
    multiple=True,
    metavar="MODULE:ATTR",
    help="Report first-party references to this attribute (repeatable).",
)
@click.option("--no-cache", is_flag=True, help="Parse every file; read and write no cache.")
@cache_dir_option
@format_option(formats.offered(terminal="table"), "table")
@index_url_option(WHEEL_INDEX_DEFAULT)
@offline_option
@narrowing_options
def reachability(
    lock: Path | None,
    sources: tuple[Path, ...],
    tests: tuple[Path, ...],
    environment: Path | None,
    dev_only: tuple[str, ...],
    symbols: tuple[str, ...],
    no_cache: bool,
    cache_dir: Path | None,
    output_format: str,
    index_url: str | None,
    offline: bool,
    python_version: str | None,
    platform: str | None,
) -> None:
    """For each package in LOCK: does the project's own code import it?

    Reads the first-party code with Python's parser (nothing is run) and follows its imports
    through the installed dependencies' code. Each package is direct (first-party code
    imports it: file and line), transitive (through other packages: the chain), test-only,
    not-imported, or unknown (the analysis could not tell, and says why). Modules map to
    packages through the environment's RECORD files, else the locked wheels' files, else a
    guess from the name (said so). See docs/reachability.md.
    """
    options = ReachabilityOptions(
        lock=lock,
        sources=sources,
        tests=tests,
        environment=environment,
        dev_only=dev_only,
        symbols=tuple(_symbol(s) for s in symbols),
        index_url=index_url,
        offline=offline,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        python_version=python_version,
        platform=platform,
    )
    run = run_reachability(options)
    emit(reachability_report.build(run.report, run.warnings), output_format)
