"""`run_lock_install_plan`: what `pyvouch install --lock FILE` would install, verified.

1. the target interpreter (``--python``, ``$VIRTUAL_ENV``, ``python3``) says which markers
   hold and which wheels it takes (`gate.target`);
2. the lock is read through `pyvouch.sources` (every format scan reads), narrowed to the
   target's exact marker environment, and each package gets the one file the installer would
   take there (`gate.lock_choice`; files a lock names only by digest are found on the index
   page by digest);
3. the spine checks exactly those files, as `scan` does (same statuses), and the policy with
   the gate's floor decides (`gate.plan`), as for `pyvouch install`;
4. on exit 0 `install.install_pinned` has pip or uv install exactly those digests, with
   ``--require-hashes --no-deps`` and no resolution, from the index that was checked.

Nothing here prints: warnings go to the caller's ``warn``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from packaging.utils import canonicalize_name

from pyvouch.errors import EXIT_INCOMPLETE, EXIT_OK, IndexLookupError, UsageError
from pyvouch.gate.installers import (
    InstallerName,
    PipInstaller,
    UvInstaller,
    choose_installer,
    refuse_uv_options,
)
from pyvouch.gate.lock_choice import Locked, admit, choose, item
from pyvouch.gate.pip_args import install_time, refuse_controlled
from pyvouch.gate.pip_options import parse_command_line, render
from pyvouch.gate.pip_runner import find_pip, target_python
from pyvouch.gate.target import Target, probe_target
from pyvouch.index.urls import resolve_index_url
from pyvouch.model import FileRef, Finding, PackageResult, ScanResult, Status
from pyvouch.pipeline.install import InstallPlan, gate_policy_for
from pyvouch.pipeline.options import FileChoice, ScanOptions
from pyvouch.pipeline.packages import PackageChecks, each_bounded, package_limit
from pyvouch.pipeline.service import Pipeline
from pyvouch.pipeline.settings import LookupFlags
from pyvouch.policy.decide import decide_all
from pyvouch.policy.overrides import Overrides
from pyvouch.redact import redact_text
from pyvouch.sources import SourceResult, load_packages
from pyvouch.sources.pip_report import ReportItem
from pyvouch.verify.deferred import DeferredVerifier


@dataclass(frozen=True, slots=True)
class LockInstallRequest:
    """What `pyvouch install --lock` was asked."""

    lock: Path
    lookup: LookupFlags
    overrides: Overrides = field(default_factory=Overrides)
    python: str | None = None
    allow_sdists: bool = False
    allow_not_indexed: bool = False
    pip_options: tuple[str, ...] = ()
    """pip's install-time options only (--target, --cert, ...): there is nothing to resolve."""
    env: Mapping[str, str] = field(default_factory=dict)
    installer: InstallerName | None = None
    cwd: Path | None = None
    resolved: bool = False
    """The lock is a resolution of requirements the user named (`uv_install`): a local
    project in it was asked for, so it is refused rather than left out."""


@dataclass(frozen=True, slots=True)
class _Choice:
    """How a locked package's file is chosen: the target's tags and what to say of it."""

    tags: tuple[str, ...]
    target: str
    lock: Path
    allow_sdists: bool

    def file(self, locked: Locked, files: Sequence[FileRef]) -> FileRef:
        return choose(
            locked,
            files,
            self.tags,
            self.lock,
            allow_sdists=self.allow_sdists,
            target=self.target,
        )


def _install_options(request: LockInstallRequest) -> tuple[str, ...]:
    given = parse_command_line(request.pip_options)
    if given.positional:
        raise UsageError(
            f"--lock installs exactly the lock; {given.positional[0]!r} is a requirement: "
            "name no requirements with --lock"
        )
    refuse_controlled(given.given)
    allowed = install_time(given.given)
    for g in given.given:
        if g not in allowed:
            raise UsageError(
                f"{g.origin}: pip option {g.show()}: with --lock pip resolves nothing, so it "
                "takes only install options (--target, --user, --cert, --proxy, ...)"
            )
    return tuple(render(given.given))


def _installer(request: LockInstallRequest, target: Target) -> PipInstaller | UvInstaller:
    options = _install_options(request)
    name, uv = choose_installer(
        request.installer,
        lock=request.lock,
        cwd=request.cwd or Path.cwd(),
        target_has_pip=target.has_pip,
        env=request.env,
    )
    if name is InstallerName.UV and uv is not None:
        refuse_uv_options(options)
        return UvInstaller(uv, target.python, request.env)
    pip = find_pip(target.python, request.env, has_pip=target.has_pip)
    return PipInstaller(pip, options, reinstall=True)


def _declared(source: SourceResult) -> list[str]:
    """The indexes the lock names (its own, then its packages'), when it names exactly one."""
    named = dict.fromkeys(
        [*source.index_urls, *(p.index_url for p in source.packages if p.index_url)]
    )
    if len(named) > 1:
        listed = ", ".join(redact_text(u) for u in list(named)[:3])
        raise UsageError(
            f"{source.path}: the lock names several indexes ({listed}); pyvouch installs from "
            "one: give --index-url"
        )
    return list(named)


def run_lock_install_plan(
    request: LockInstallRequest,
    *,
    warn: Callable[[str], None] | None = None,
    today: date | None = None,
) -> InstallPlan:
    """Read the lock for the target, verify the file each package installs, decide; install
    nothing."""
    say = warn or (lambda _message: None)
    env = dict(request.env)
    target = probe_target(target_python(request.python, env), env)
    installer = _installer(request, target)
    source = load_packages(request.lock, resolve=False, marker_environment=target.environment)
    policy = gate_policy_for(
        request.lookup,
        request.overrides,
        request.allow_not_indexed,
        None if request.resolved else request.lock,
    )
    options = request.lookup.scan_options(policy, _declared(source), FileChoice.BEST)
    index_url = resolve_index_url(options.index_url, "the index")
    left_out: list[str] = []
    admitted = admit(
        source.packages,
        request.lock,
        allow_not_indexed=request.allow_not_indexed,
        leave_out_local=not request.resolved,
        warn=left_out.append,
    )
    choice = _Choice(target.tags, target.describe(), request.lock, request.allow_sdists)
    # Files the lock names are chosen before anything is looked up (bad input costs nothing).
    chosen = {n: choice.file(lk, lk.files) for n, lk in enumerate(admitted) if not lk.digests}
    for warning in (*source.warnings, *left_out):  # after the refusals: one line for those
        say(warning)

    def plan(items: tuple[ReportItem, ...], result: ScanResult | None, code: int) -> InstallPlan:
        return InstallPlan(
            items, result, code, policy.mode.value, installer, index_url, request.allow_sdists
        )

    if not admitted:
        return plan((), None, EXIT_OK)
    checked = asyncio.run(
        _check(admitted, chosen, choice, request.lookup.deferred_verifier(), options)
    )
    result = ScanResult(
        source=str(request.lock),
        source_format=source.format,
        index_url=checked.index_url,
        packages=tuple(r for _, r in checked.results),
        warnings=checked.warnings,
    )
    decided, code = decide_all(result, policy, today or date.today())
    items = tuple(i for i, _ in checked.results if i is not None)
    if code == EXIT_OK and len(items) != len(checked.results):
        code = EXIT_INCOMPLETE  # a package with no file found to install cannot be pinned
    if isinstance(installer, UvInstaller):  # what is there already is replaced, not kept
        present = tuple(i.name for i in items if canonicalize_name(i.name) in target.installed)
        installer = replace(installer, reinstall=present)
    return plan(items, decided, code)


@dataclass(frozen=True, slots=True)
class _Checked:
    results: list[tuple[ReportItem | None, PackageResult]]
    index_url: str
    warnings: tuple[str, ...]


async def _check(
    admitted: list[Locked],
    chosen: dict[int, FileRef],
    choice: _Choice,
    verifier: DeferredVerifier,
    options: ScanOptions,
) -> _Checked:
    async with Pipeline(verifier, options, len(admitted)) as pipe:
        checks = PackageChecks(pipe, options.files, None, len(admitted))

        async def one(entry: tuple[int, Locked]) -> tuple[ReportItem | None, PackageResult]:
            n, locked = entry
            file = chosen.get(n)
            if file is None:
                found = await _by_digest(pipe, locked, choice)
                if isinstance(found, PackageResult):
                    return None, found
                file = found
            package = replace(locked.package, files=(file,), hashes=())
            return item(locked, file), await checks.package(package)

        # a bounded number of packages at a time, as a scan does (not a task per package)
        limit = package_limit(options.jobs)
        results = await each_bounded(list(enumerate(admitted)), one, limit)
        return _Checked(results, pipe.index_url, pipe.warnings)


async def _by_digest(pipe: Pipeline, locked: Locked, choice: _Choice) -> FileRef | PackageResult:
    """The file to install of a package the lock pins by digest only: of the index page's files
    with one of those digests, the one the installer would take (an `unknown` result when the
    page cannot be read or lists none of them)."""
    package = locked.package
    try:
        page = await pipe.project(canonicalize_name(package.name))
    except IndexLookupError as err:
        unknown = Finding(FileRef(filename=""), Status.UNKNOWN, str(err))
        return PackageResult(package, (unknown,), note=str(err))
    wanted = set(locked.digests)
    listed = [
        FileRef(f.filename, f.sha256.lower(), f.url)
        for f in page.files
        if f.sha256 and f.sha256.lower() in wanted
    ]
    if not listed:
        shown = ", ".join(sorted(wanted)[:2]) + (", ..." if len(wanted) > 2 else "")
        reason = f"no file with the lock's sha256 ({shown}) is listed at {page.url}"
        unknown = Finding(FileRef(filename="", sha256=sorted(wanted)[0]), Status.UNKNOWN, reason)
        return PackageResult(package, (pipe.note(unknown, page.warnings),))
    return choice.file(locked, [*locked.files, *listed])
