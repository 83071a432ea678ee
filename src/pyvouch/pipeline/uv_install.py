"""`plan_install`: `pyvouch install REQUIREMENTS` with the installer that will install them.

pip installs: pip resolves (`install.run_install_plan`). uv installs: uv resolves
(`gate.uv_resolve`: ``uv pip compile --format pylock.toml`` for the target, from the gate's
index) and the resulting lock goes through the lock gate (`lock_install`), so the files
verified are the files uv would take, and uv installs exactly those digests. Either way the
same spine verifies and the same policy decides.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from pyvouch.gate.installers import InstallerName, choose_installer
from pyvouch.gate.pip_args import refuse_controlled
from pyvouch.gate.pip_options import parse_command_line
from pyvouch.gate.pip_runner import target_python
from pyvouch.gate.target import probe_target
from pyvouch.gate.uv_resolve import uv_compile
from pyvouch.index.urls import resolve_index_url
from pyvouch.pipeline.install import InstallPlan, InstallRequest, gate_policy_for, run_install_plan
from pyvouch.pipeline.lock_install import LockInstallRequest, run_lock_install_plan


def plan_install(
    request: InstallRequest,
    *,
    warn: Callable[[str], None] | None = None,
    today: date | None = None,
) -> InstallPlan:
    """The gate's plan for ``request`` (see the module docstring); installs nothing."""
    if request.installer is InstallerName.PIP:
        return run_install_plan(request, warn=warn, today=today)
    env = dict(request.env)
    python = target_python(request.python, env)
    target = probe_target(python, env)
    name, uv = choose_installer(
        request.installer,
        lock=None,
        cwd=request.cwd or Path.cwd(),
        target_has_pip=target.has_pip,
        env=env,
    )
    if name is InstallerName.PIP or uv is None:
        return run_install_plan(request, warn=warn, today=today)
    given = parse_command_line(request.pip_args)
    refuse_controlled(given.given)
    lookup = request.lookup
    policy = gate_policy_for(lookup, request.overrides, request.allow_not_indexed)
    index_url = resolve_index_url(lookup.index_url or policy.index_url, "--index-url")
    with tempfile.TemporaryDirectory(prefix="pyvouch-uv-resolve-") as tmp:
        lock = uv_compile(
            uv, python, index_url, given, Path(tmp), env, allow_sdists=request.allow_sdists
        )
        plan = run_lock_install_plan(
            LockInstallRequest(
                lock,
                replace(lookup, index_url=index_url),
                request.overrides,
                python=str(python),
                allow_sdists=request.allow_sdists,
                allow_not_indexed=request.allow_not_indexed,
                env=env,
                installer=InstallerName.UV,
                cwd=request.cwd,
                resolved=True,
            ),
            warn=warn,
            today=today,
        )
    if plan.result is None:
        return plan
    source = "uv pip compile " + " ".join(request.pip_args)
    return replace(plan, result=replace(plan.result, source=source, source_format="uv-resolution"))
