"""Split the pip arguments given to `pyvouch install` between pip's two runs.

The resolution (``pip install --dry-run --report``) gets every argument. The real install
gets only the hash-pinned requirements file, so of the user's arguments it receives only those
that say where and how to install or how to reach the network; requirement specifiers,
``-r``/``-c`` files, ``--upgrade``, ``--pre`` and the like have already done their work in the
resolution. The few arguments that would undo the gate are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyvouch.errors import UsageError
from pyvouch.redact import quote

# pip install options that take a value (pip 23-26); the value is the next argument
# unless given as ``--opt=value``.
_VALUED = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-t",
        "--target",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--root",
        "--prefix",
        "--src",
        "--upgrade-strategy",
        "-C",
        "--config-settings",
        "--global-option",
        "--no-binary",
        "--only-binary",
        "--progress-bar",
        "--root-user-action",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--log",
        "--keyring-provider",
        "--use-feature",
        "--use-deprecated",
        "--group",
        "--build-constraint",
        "--resume-retries",
        "--format",
    }
)

# Forwarded to the real install as well: where to install, how, and how to reach the network.
_TO_INSTALL = frozenset(
    {
        "-t",
        "--target",
        "--root",
        "--prefix",
        "--user",
        "--break-system-packages",
        "--force-reinstall",
        "--no-compile",
        "--compile",
        "--no-warn-script-location",
        "--no-warn-conflicts",
        "--root-user-action",
        "--progress-bar",
        "--exists-action",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--no-index",
        "--proxy",
        "--retries",
        "--timeout",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--no-cache-dir",
        "--keyring-provider",
        "--log",
        "--isolated",
        "--no-input",
        "--disable-pip-version-check",
        "-q",
        "--quiet",
        "-v",
        "--verbose",
    }
)

# Options pyvouch sets itself, or that would let pip install something it did not verify.
_REFUSED = {
    "-i": "give --index-url (pyvouch install's option) instead of -i",
    "--index-url": "give --index-url to pyvouch install, not after --",
    "--python": "give --python to pyvouch install, not after --",
    "--dry-run": "give --dry-run to pyvouch install, not after --",
    "--report": "pyvouch install reads pip's report itself",
    "--no-build-isolation": "pyvouch install does not build sdists by default (see --allow-sdists)",
}


@dataclass(frozen=True, slots=True)
class SplitArgs:
    resolve: tuple[str, ...]
    """Every argument, for the resolution run."""
    install: tuple[str, ...]
    """The install-time options, for the real install."""


def _option_name(arg: str) -> str:
    if arg.startswith("--"):
        return arg.split("=", 1)[0]
    return arg[:2]  # -rFILE, -qq


def split_pip_args(args: Sequence[str]) -> SplitArgs:
    """Sort the user's pip arguments; raise `UsageError` for one pyvouch must control."""
    install: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or not arg.startswith("-") or arg == "-":
            i += 1
            continue
        name = _option_name(arg)
        if name in _REFUSED:
            raise UsageError(f"pip argument {quote(arg)}: {_REFUSED[name]}")
        attached = ("=" in arg) if arg.startswith("--") else len(arg) > 2
        takes_value = name in _VALUED and not attached
        group = [arg, args[i + 1]] if takes_value and i + 1 < len(args) else [arg]
        if takes_value and i + 1 >= len(args):
            raise UsageError(f"pip argument {quote(arg)} needs a value")
        if name in _TO_INSTALL:
            install.extend(group)
        i += len(group)
    return SplitArgs(resolve=tuple(args), install=tuple(install))
