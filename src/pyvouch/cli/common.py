"""What several commands (scan, pin, readiness, diff, policy init) share: the index and trust
options and the policy with its pin file. Files the user names are written by
`pyvouch.user_files`. `LookupFlags` and the policy with its pin file live in
`pyvouch.pipeline.settings` (the commands' application functions take them as plain data)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pyvouch.pipeline.settings import LookupFlags, load_policy, pin_file_for, with_pin_file

F = TypeVar("F", bound=Callable[..., Any])


_OPTIONS: list[Callable[[F], F]] = [
    click.option(
        "--index-url",
        metavar="URL",
        help="Index to look up (default: config, the lock's index, $PIP_INDEX_URL, else PyPI).",
    ),
    click.option("--offline", is_flag=True, help="Use cached index answers only; no network."),
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
        help="Seconds to wait for each index answer.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(0, 10),
        default=3,
        show_default=True,
        help="Retries of a failed index request (with backoff).",
    ),
    click.option("--staging", is_flag=True, help="Verify against Sigstore's staging trust root."),
    click.option(
        "--trust-root",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="A Sigstore trusted root JSON to verify against.",
    ),
    click.option(
        "--cache-dir",
        type=click.Path(path_type=Path),
        metavar="DIR",
        help="Cache directory (default: the user cache dir, or $PYVOUCH_CACHE_DIR).",
    ),
    click.option(
        "--refresh",
        is_flag=True,
        help="Ask the index again instead of using a remembered 'does not serve provenance' "
        "verdict (remembered for an hour after a scan learns it).",
    ),
    click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="Policy file (default: pyvouch.toml or [tool.pyvouch] in pyproject.toml).",
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


def lookup_options(func: F) -> F:
    """Add the index/trust/config options; the command receives ``lookup: LookupFlags``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _NAMES}
        return func(*args, lookup=LookupFlags(**values), **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    out: Any = wrapper
    for option in reversed(_OPTIONS):
        out = option(out)
    return out  # type: ignore[no-any-return]


__all__ = ["LookupFlags", "load_policy", "lookup_options", "pin_file_for", "with_pin_file"]
