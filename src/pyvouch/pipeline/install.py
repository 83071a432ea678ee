"""`run_install_plan`: what `pyvouch install` would install, resolved by pip and verified.

1. pip resolves (``install --dry-run --report``) against one index, for the target interpreter;
2. the spine scans exactly the files pip chose, and the policy (with the gate's floor) decides;
3. on a block (exit 1) or an unanswered must-verify (exit 3) nothing is installed; otherwise
   `install_pinned` has pip install from a generated requirements file that pins every file by
   the checked sha256, with ``--require-hashes --no-deps``; pip's own exit code is returned.

Nothing here prints: warnings go to the caller's ``warn``; pip's error lines travel in
`PipFailed`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pyvouch.errors import EXIT_OK, UsageError
from pyvouch.gate.installers import (
    Installer,
    InstallerName,
    PipInstaller,
)
from pyvouch.gate.pip_args import pip_args as gate_pip_args
from pyvouch.gate.pip_args import refuse_controlled
from pyvouch.gate.pip_config import config_options
from pyvouch.gate.pip_inputs import GateFlags as InputFlags
from pyvouch.gate.pip_inputs import check_pip_inputs, name_sources
from pyvouch.gate.pip_options import parse_command_line
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
from pyvouch.model import ScanResult
from pyvouch.pipeline.options import ScanOptions
from pyvouch.pipeline.scan import scan
from pyvouch.pipeline.settings import LookupFlags, load_policy
from pyvouch.pipeline.signatures import signature_policy
from pyvouch.policy.decide import decide_all
from pyvouch.policy.overrides import Overrides, apply_overrides
from pyvouch.policy.schema import Policy
from pyvouch.sources.pip_report import ReportItem, parse_report

_ONLY_BINARY = ("--only-binary", ":all:")


class PipFailed(UsageError):
    """pip could not do what it was asked; ``lines`` are its own error lines (never its
    traceback), each naming where the requirements it mentions were given."""

    def __init__(self, message: str, lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lines = lines


@dataclass(frozen=True, slots=True)
class InstallRequest:
    """What `pyvouch install` was asked."""

    pip_args: tuple[str, ...]
    """pip's arguments: requirements, -r FILE, -c FILE, --pre, ..."""
    lookup: LookupFlags
    overrides: Overrides = field(default_factory=Overrides)
    """The command line's policy flags (their absence leaves the gate's floor)."""
    python: str | None = None
    """Interpreter or virtualenv to install into (default: $VIRTUAL_ENV, else python3)."""
    allow_sdists: bool = False
    allow_not_indexed: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    """The environment pip runs in (the gate takes out what would undo it)."""
    installer: InstallerName | None = None
    """pip or uv (None: `gate.installers.choose_installer` decides; see
    `pipeline.uv_install.plan_install`, which sends uv's requests there)."""
    cwd: Path | None = None
    """Where the command runs (a uv.lock there makes uv the default installer)."""


@dataclass(frozen=True)
class InstallPlan:
    """What the gate decided; `install_pinned` carries it out."""

    items: tuple[ReportItem, ...]
    """What will be installed; empty when everything is already satisfied."""
    result: ScanResult | None
    """The decided scan of every file (None when there is nothing to install)."""
    exit_code: int
    """0: install; 1: a package is blocked; 3: a file's attestation could not be told."""
    mode: str
    """The policy mode that decided."""
    installer: Installer
    index_url: str
    allow_sdists: bool

    @property
    def pinned(self) -> str:
        """The hash-pinned requirements pip installs from: every file by the checked sha256."""
        assert self.result is not None and self.exit_code == EXIT_OK, "the gate refused"
        return requirements_text(list(self.items), self.result.packages)


def _pip_failed(done: PipResult, what: str, sources: tuple[tuple[str, str], ...]) -> PipFailed:
    if done.guard_tripped:
        return PipFailed(
            f"{what}: pip tried to start a process (a build backend, or the install of "
            "build dependencies) and was stopped before it ran; nothing was installed"
        )
    lines = done.stderr.rstrip().splitlines()
    if any(line.startswith("Traceback") for line in lines):
        lines = [line for line in lines if line.startswith("ERROR:")] + lines[-1:]
    shown = tuple(
        name_sources(line, sources) if line.startswith("ERROR:") else line for line in lines
    )
    return PipFailed(f"{what} (pip exit {done.returncode}); nothing was installed", shown)


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
            raise _pip_failed(done, "pip could not resolve the requirements", sources)
        return path.read_text(encoding="utf-8")


def gate_policy_for(
    lookup: LookupFlags, overrides: Overrides, allow_not_indexed: bool, lock: Path | None = None
) -> Policy:
    """The configured policy (with the pin file next to ``lock``, else in the current folder),
    the command line's flags over it, the gate's floor where no flag spoke
    (`gate.plan.gate_policy`)."""
    policy = apply_overrides(load_policy(lookup.config_path, lock), overrides)
    return gate_policy(
        policy,
        GateFlags(
            mode_given=overrides.mode is not None,
            require_critical_given=overrides.require_critical is not None,
            require_long_tail_given=overrides.require_long_tail is not None,
            allow_not_indexed=allow_not_indexed,
        ),
    )


def run_install_plan(
    request: InstallRequest,
    *,
    warn: Callable[[str], None] | None = None,
    today: date | None = None,
) -> InstallPlan:
    """Resolve with pip, verify every file pip chose, decide; install nothing."""
    given = parse_command_line(request.pip_args)
    refuse_controlled(given.given)
    env = dict(request.env)
    pip = find_pip(target_python(request.python, env), env)
    pip_config = read_pip_config(pip)
    configured = config_options(pip_config)
    runs = gate_pip_args(configured, given)
    sources = check_pip_inputs(
        (*configured, *given.given),
        given.positional,
        InputFlags(allow_sdists=request.allow_sdists, allow_not_indexed=request.allow_not_indexed),
        gate_env(env),
    )
    lookup = request.lookup
    policy = gate_policy_for(lookup, request.overrides, request.allow_not_indexed)
    index_url = pip_index_url(pip_config, lookup.index_url or policy.index_url)
    items = tuple(
        parse_report(_resolve(pip, index_url, runs.resolve, request.allow_sdists, sources))
    )

    def plan(result: ScanResult | None, code: int) -> InstallPlan:
        return InstallPlan(
            items,
            result,
            code,
            policy.mode.value,
            PipInstaller(pip, runs.install),
            index_url,
            request.allow_sdists,
        )

    if not items:
        return plan(None, EXIT_OK)
    for item in items:
        if item.yanked and warn is not None:
            warn(f"{item.name} {item.version} is yanked")
    refuse_unpinnable(items, request.allow_not_indexed)
    options = ScanOptions(
        index_url=index_url,
        offline=lookup.offline,
        jobs=lookup.jobs,
        cache_dir=lookup.cache_dir,
        timeout=lookup.timeout,
        retries=lookup.retries,
        refresh=lookup.refresh,
        signatures=signature_policy(policy),
    )
    result = scan(
        [item.package() for item in items],
        lookup.deferred_verifier(),
        options,
        source="pip install " + " ".join(request.pip_args),
        source_format="pip-report",
    )
    decided, code = decide_all(result, policy, today or date.today())
    return plan(decided, code)


def install_pinned(plan: InstallPlan, *, machine: bool) -> int:
    """The real install of exactly the pinned files; the installer's exit code. ``machine``:
    the report is on stdout, so the installer's own output goes to stderr."""
    assert plan.exit_code == EXIT_OK, "install_pinned of a plan the gate refused"
    with tempfile.TemporaryDirectory(prefix="pyvouch-install-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(plan.pinned, encoding="utf-8")
        sys.stdout.flush()
        sys.stderr.flush()
        return plan.installer.install(
            requirements, plan.index_url, allow_sdists=plan.allow_sdists, machine=machine
        )
