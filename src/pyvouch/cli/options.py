"""Options and help text that several commands share, declared once so they read the same
everywhere: the trust root, the index, the marker narrowing, and each command's exit codes.

Imports nothing but click (the marker table, which loads every lock-file format, only when a
command with a platform option is built): any command may use it without paying for the
spine's imports.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=click.Command)

USAGE_EXIT = "bad usage, configuration or input (one line on stderr)"
"""What exit 2 means, for every command alike."""


def exit_codes(
    ok: str,
    findings: str | None = None,
    incomplete: str | None = None,
    *,
    note: str | None = None,
) -> Callable[[C], C]:
    """Append the command's exit codes to its help as a paragraph click keeps as written.

    0 (``ok``) and 2 are listed for every command; 1 and 3 where the command has them.
    Put it above ``@click.command``: it edits the command's help text."""
    lines = [f"  0  {ok}"]
    if findings is not None:
        lines.append(f"  1  {findings}")
    lines.append(f"  2  {USAGE_EXIT}")
    if incomplete is not None:
        lines.append(f"  3  {incomplete}")
    block = "\b\nExit codes:\n" + "\n".join(lines)
    if note:
        block += f"\n\n{note}"

    def decorate(command: C) -> C:
        # The docstring's indentation is taken off first, as click would: the block is not
        # indented, so click's own cleandoc would no longer find the docstring's.
        command.help = f"{inspect.cleandoc(command.help or '')}\n\n{block}"
        return command

    return decorate


class PlatformChoice(click.Choice[str]):
    """The canonical platform names as the choices shown; an alias (macos, windows, ...) is
    accepted and turned into its canonical name."""

    def __init__(self) -> None:
        from pyvouch.sources.markers import PLATFORM_NAMES

        super().__init__(PLATFORM_NAMES, case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pyvouch.sources.markers import PLATFORM_ALIASES

        if isinstance(value, str):
            value = PLATFORM_ALIASES.get(value.strip().lower(), value)
        return super().convert(value, param, ctx)


TRUST_ROOT_HELP = (
    "Verify against this Sigstore trusted root JSON (or a ClientTrustConfig JSON) instead of "
    "production Sigstore's."
)
STAGING_HELP = "Verify against Sigstore's staging trust root instead of production's."
OFFLINE_HELP = "Use cached index answers only; no network."
INDEX_URL_HELP = "The index to look up (a PEP 503 simple URL); default: {default}."
PLATFORM_HELP = (
    "Narrow environment markers to this platform (macos, osx, windows and win are "
    "accepted as aliases)."
)
PYTHON_VERSION_HELP = "Narrow environment markers to this Python version (X.Y or X.Y.Z)."
FORMAT_HELP = "Output format."
TIMEOUT_HELP = "Seconds to wait for each index answer."
RETRIES_HELP = "Retries of a failed index request (with backoff)."
CONFIG_HELP = "Policy file (default: pyvouch.toml or [tool.pyvouch] in pyproject.toml here)."
LOCK_INDEX_DEFAULT = (
    "the policy's index-url, else the index the lock declares, else $PIP_INDEX_URL, else PyPI"
)


CACHE_DIR_HELP = "Cache directory (default: the user cache dir, or $PYVOUCH_CACHE_DIR)."


def cache_dir_option(func: F) -> F:
    return click.option(
        "--cache-dir", type=click.Path(path_type=Path), metavar="DIR", help=CACHE_DIR_HELP
    )(func)


def trust_root_option(func: F) -> F:
    return click.option(
        "--trust-root",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help=TRUST_ROOT_HELP,
    )(func)


def staging_option(func: F) -> F:
    return click.option("--staging", is_flag=True, help=STAGING_HELP)(func)


def offline_option(func: F) -> F:
    return click.option("--offline", is_flag=True, help=OFFLINE_HELP)(func)


def index_url_option(default: str) -> Callable[[F], F]:
    """``--index-url``, its help naming where this command's default comes from."""
    return click.option("--index-url", metavar="URL", help=INDEX_URL_HELP.format(default=default))


def signature_options(func: F) -> F:
    """``--key`` and ``--allow-no-tlog``: signatures beside files on a private index."""
    func = click.option(
        "--allow-no-tlog",
        is_flag=True,
        help="Accept signatures beside files that carry no transparency log entry (cosign's "
        ".sig/.crt, key bundles without a log entry) for every package; per package: "
        "[packages.NAME] allow-no-tlog.",
    )(func)
    return click.option(
        "--key",
        "signature_key",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help="Public key (cosign.pub) that signatures beside files on the index must be made "
        "with, for every package without a [packages.NAME] key of its own.",
    )(func)


def narrowing_options(func: F) -> F:
    """``--python-version`` and ``--platform``: the environment a lock is narrowed to."""
    func = click.option("--platform", type=PlatformChoice(), help=PLATFORM_HELP)(func)
    return click.option("--python-version", metavar="X.Y", help=PYTHON_VERSION_HELP)(func)


def format_option(choices: list[str] | tuple[str, ...], default: str) -> Callable[[F], F]:
    """``--format`` with its choices and default shown."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=FORMAT_HELP,
    )


STORE_HELP = (
    "The history store: a SQLite file, or postgresql://USER@HOST/DB (default: $PYVOUCH_STORE, "
    "else the policy's `store`, else history.sqlite3 in pyvouch's data directory). Put a "
    "password in $PYVOUCH_STORE or PGPASSWORD rather than on the command line."
)


def store_option(func: F) -> F:
    return click.option("--store", metavar="PATH|URL", help=STORE_HELP)(func)


def repo_options(func: F) -> F:
    """``--repo``, ``--commit``, ``--branch``: which repository a recorded scan belongs to."""
    for option in reversed(
        (
            click.option(
                "--repo",
                metavar="NAME",
                help="The repository this scan belongs to (default: the git remote 'origin' "
                "as host/owner/name).",
            ),
            click.option("--commit", metavar="SHA", help="The commit (default: git HEAD)."),
            click.option("--branch", metavar="NAME", help="The branch (default: git's)."),
            click.option(
                "--org",
                is_flag=True,
                help="Trust on first use from every repository in the store, not only this one.",
            ),
        )
    ):
        func = option(func)
    return func
