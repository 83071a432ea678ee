"""`pyvouch history`: what the scan history store holds (scans, coverage, a package across its
releases, regressions, newly added unsigned dependencies, who signs consistently) and its
retention (`prune`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pyvouch import report as formats
from pyvouch.cli.common import load_policy
from pyvouch.cli.options import CONFIG_HELP, exit_codes, format_option, store_option
from pyvouch.cli.output import emit
from pyvouch.pipeline.recording import reading_store
from pyvouch.pipeline.store_request import StoreRequest
from pyvouch.policy.tiers import normalize
from pyvouch.report import history as views
from pyvouch.store import queries
from pyvouch.store.engine import Store
from pyvouch.store.prune import cutoff, parse_age, prune

F = TypeVar("F", bound=Callable[..., Any])
_CODES = exit_codes("shown", incomplete="the store could not be reached")


def _common(func: F) -> F:
    func = store_option(func)
    func = click.option(
        "--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP
    )(func)
    return format_option(formats.offered(terminal="table"), "table")(func)


def _open(store: str | None, config_path: Path | None) -> Store:
    return reading_store(StoreRequest(store=store), load_policy(config_path, None))


def _since(text: str | None) -> Any:
    return cutoff(parse_age(text)) if text else None


def _show(view: views.HistoryView, output_format: str) -> None:
    emit(views.build(view), output_format)


@click.group("history")
def history() -> None:
    """What the scan history store holds (see docs/store.md)."""


@_CODES
@history.command("scans")
@click.option("--repo", metavar="NAME", help="Only this repository.")
@click.option("--since", metavar="AGE", help="Only scans of the last AGE (180d, 26w, 1y).")
@_common
def scans_cmd(
    repo: str | None,
    since: str | None,
    store: str | None,
    config_path: Path | None,
    output_format: str,
) -> None:
    """Scans over time, newest first: packages, verified share, regressions, blocks."""
    with _open(store, config_path) as opened:
        _show(views.scans_view(queries.scans_of(opened, repo, _since(since))), output_format)


@_CODES
@history.command("overview")
@_common
def overview_cmd(store: str | None, config_path: Path | None, output_format: str) -> None:
    """Every repository's latest scan and the share of its critical packages verified."""
    with _open(store, config_path) as opened:
        _show(views.overview_view(queries.overview(opened)), output_format)


@_CODES
@history.command("coverage")
@click.option("--repo", metavar="NAME", help="Only this repository.")
@click.option("--since", metavar="AGE", default="180d", show_default=True, help="Window.")
@_common
def coverage_cmd(
    repo: str | None, since: str, store: str | None, config_path: Path | None, output_format: str
) -> None:
    """Coverage per day, repository and tier (packages, verified, share)."""
    with _open(store, config_path) as opened:
        points = queries.coverage_over_time(opened, _since(since), repo)
        _show(views.coverage_view(points), output_format)


@_CODES
@history.command("package")
@click.argument("name")
@click.option("--repo", metavar="NAME", help="Only this repository.")
@_common
def package_cmd(
    name: str, repo: str | None, store: str | None, config_path: Path | None, output_format: str
) -> None:
    """NAME's versions, statuses and publishers as each scan observed them."""
    key = normalize(name)
    with _open(store, config_path) as opened:
        _show(views.package_view(key, queries.package_history(opened, key, repo)), output_format)


@_CODES
@history.command("regressions")
@click.option("--repo", metavar="NAME", help="Only this repository.")
@click.option("--since", metavar="AGE", help="Only the last AGE (180d, 26w, 1y).")
@_common
def regressions_cmd(
    repo: str | None,
    since: str | None,
    store: str | None,
    config_path: Path | None,
    output_format: str,
) -> None:
    """Packages whose publisher changed, or that lost their attestations, against history."""
    with _open(store, config_path) as opened:
        found = queries.regressions(opened, _since(since), repo)
        _show(views.regressions_view(found), output_format)


@_CODES
@history.command("new-unsigned")
@click.option("--repo", metavar="NAME", help="Only this repository.")
@click.option("--since", metavar="AGE", default="30d", show_default=True, help="Window.")
@_common
def new_unsigned_cmd(
    repo: str | None, since: str, store: str | None, config_path: Path | None, output_format: str
) -> None:
    """Dependencies without attestations that a repository's scan added."""
    with _open(store, config_path) as opened:
        found = queries.new_unsigned(opened, _since(since), repo)
        _show(views.new_unsigned_view(found), output_format)


@_CODES
@history.command("signing")
@click.option("--since", metavar="AGE", default="180d", show_default=True, help="Window.")
@click.option(
    "--package",
    "names",
    multiple=True,
    metavar="NAME",
    help="These packages (repeatable; default: those recorded in the critical tier).",
)
@_common
def signing_cmd(
    since: str,
    names: tuple[str, ...],
    store: str | None,
    config_path: Path | None,
    output_format: str,
) -> None:
    """Per critical dependency: did every observation in the window verify, as one identity?
    The evidence for moving it into enforcement."""
    with _open(store, config_path) as opened:
        found = queries.consistently_signing(
            opened, _since(since), names=tuple(normalize(n) for n in names)
        )
        _show(views.signing_view(found, since), output_format)


@exit_codes("pruned", incomplete="the store could not be reached; nothing was deleted")
@history.command("prune")
@click.option("--keep", metavar="AGE", required=True, help="Keep the scans of the last AGE (400d).")
@store_option
@click.option("--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP)
def prune_cmd(keep: str, store: str | None, config_path: Path | None) -> None:
    """Delete scans older than AGE, with their packages and files."""
    age = parse_age(keep, "--keep")
    with _open(store, config_path) as opened:
        deleted = prune(opened, age)
        click.echo(f"deleted {deleted} scan(s) older than {keep} from {opened.location.shown}")
