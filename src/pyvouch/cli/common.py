"""What several commands (scan, pin, readiness, diff, policy init) share: the index and trust
options and the policy with its pin file. Files the user names are written by
`pyvouch.user_files`. `LookupFlags` and the policy with its pin file live in
`pyvouch.pipeline.settings` (the commands' application functions take them as plain data)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pyvouch.cli.options import (
    CONFIG_HELP,
    LOCK_INDEX_DEFAULT,
    RETRIES_HELP,
    TIMEOUT_HELP,
    cache_dir_option,
    index_url_option,
    offline_option,
    staging_option,
    trust_root_option,
)
from pyvouch.pipeline.settings import LookupFlags, load_policy, pin_file_for, with_pin_file

F = TypeVar("F", bound=Callable[..., Any])


def _options(index_default: str) -> list[Callable[[F], F]]:
    return [
        index_url_option(index_default),
        offline_option,
        click.option(
            "--jobs",
            type=click.IntRange(1, 256),
            default=16,
            show_default=True,
            help="Concurrent index requests.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1, 600),
            default=10.0,
            show_default=True,
            help=TIMEOUT_HELP,
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=3,
            show_default=True,
            help=RETRIES_HELP,
        ),
        staging_option,
        trust_root_option,
        cache_dir_option,
        click.option(
            "--refresh",
            is_flag=True,
            help="Ask the index again instead of using a remembered 'does not serve "
            "provenance' verdict (remembered for an hour after a scan learns it).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            metavar="FILE",
            help=CONFIG_HELP,
        ),
    ]


_NAMES = (
    "index_url",
    "offline",
    "jobs",
    "timeout",
    "retries",
    "staging",
    "trust_root",
    "cache_dir",
    "refresh",
    "config_path",
)


def lookup_options_with(index_default: str) -> Callable[[F], F]:
    """Add the index/trust/config options, ``--index-url``'s help naming ``index_default``;
    the command receives ``lookup: LookupFlags``."""

    def decorate(func: F) -> F:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in _NAMES}
            return func(*args, lookup=LookupFlags(**values), **kwargs)

        wrapper.__name__ = func.__name__
        wrapper.__doc__ = func.__doc__
        out: Any = wrapper
        for option in reversed(_options(index_default)):
            out = option(out)
        return out  # type: ignore[no-any-return]

    return decorate


lookup_options = lookup_options_with(LOCK_INDEX_DEFAULT)
"""The lookup options of the commands that read a lock (scan, pin, readiness, diff)."""


__all__ = [
    "LookupFlags",
    "load_policy",
    "lookup_options",
    "lookup_options_with",
    "pin_file_for",
    "with_pin_file",
]
