"""The pip arguments of each of the gate's two pip runs.

The resolution (``pip install --dry-run --report``) gets every option (pip's configuration
first, as options, then the user's, see `pip_config`) in the canonical spelling pyvouch parsed
(`pip_options`), then the requirements. The real install gets only the hash-pinned
requirements file, so of those options it receives only the ones that say where and how to
install or how to reach the network; requirement specifiers, ``-r``/``-c`` files,
``--upgrade``, ``--pre`` and the like have already done their work in the resolution. The few
options that would undo the gate are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyvouch.errors import UsageError
from pyvouch.gate.pip_options import Given, Parsed, render

# Forwarded to the real install as well: where to install, how, and how to reach the network.
_TO_INSTALL = frozenset(
    {
        "--target",
        "--root",
        "--prefix",
        "--user",
        "--no-user",
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
        "--find-links",
        "--no-index",
        "--proxy",
        "--no-proxy-env",
        "--retries",
        "--resume-retries",
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
        "--no-color",
        "--quiet",
        "--verbose",
        "--require-virtualenv",
    }
)

# Options pyvouch sets itself, or that would let pip install something it did not verify.
_REFUSED = {
    "--index-url": "give --index-url to pyvouch install (before any --), not to pip",
    "--python": "give --python to pyvouch install, not after --",
    "--dry-run": "give --dry-run to pyvouch install, not after --",
    "--report": "pyvouch install reads pip's report itself",
    "--no-build-isolation": "pyvouch install does not build sdists by default (see --allow-sdists)",
}


@dataclass(frozen=True, slots=True)
class PipArgs:
    resolve: tuple[str, ...]
    """Every option and requirement, for the resolution run."""
    install: tuple[str, ...]
    """The install-time options, for the real install."""


def refuse_controlled(given: Iterable[Given]) -> None:
    """`UsageError` for an option pyvouch must control (named with where it came from)."""
    for g in given:
        if g.option.name in _REFUSED:
            raise UsageError(f"{g.origin}: pip option {g.show()}: {_REFUSED[g.option.name]}")


def install_time(given: Iterable[Given]) -> list[Given]:
    """The options of ``given`` that also go to the real install."""
    return [g for g in given if g.option.name in _TO_INSTALL]


def pip_args(config: tuple[Given, ...], given: Parsed) -> PipArgs:
    """The two runs' arguments: configuration options, then the user's, then requirements."""
    options = (*config, *given.given)
    refuse_controlled(options)
    return PipArgs(
        resolve=(*render(options), *given.positional),
        install=tuple(render(install_time(options))),
    )
