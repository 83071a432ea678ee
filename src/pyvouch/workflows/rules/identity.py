"""PYV-W006, W007: the identity PyPI and the attestations see, against the Trusted Publisher."""

from __future__ import annotations

import re

from pyvouch.model import Severity
from pyvouch.workflows.detect import PublishStep
from pyvouch.workflows.rules.base import Linter, Scope, StepCheck

_REPO_CHECK = re.compile(r"github\.repository\s*==\s*'([^']+)'")


def check_reusable(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf = scope.workflow
    if not wf.is_reusable:
        return
    call_line = wf.triggers["workflow_call"].line
    env = pub.job.environment.name if pub.job.environment else None
    env_text = f" with environment '{env}'" if env else " (no environment)"
    callers = lint.callers_of(wf)
    if callers:
        names = ", ".join(
            f"{c.workflow.filename} (job '{c.job.id}', line {c.job.uses_line})" for c in callers
        )
        filenames = sorted({c.workflow.filename for c in callers})
        message = (
            f"this reusable workflow (workflow_call, line {call_line}) publishes and is "
            f"called by {names}: PyPI matches the Trusted Publisher against the calling "
            f"workflow and the attestations name it (certificate Build Config URI), so "
            f"register {' and '.join(filenames)}{env_text}, not {wf.filename}."
        )
        fix = (
            "on PyPI (project > Publishing > GitHub): workflow name "
            f"{filenames[0]}{', environment ' + env if env else ''}; pass `--publisher "
            f"github:OWNER/REPO:{filenames[0]}{'@' + env if env else ''}` to check it here"
        )
    else:
        known = (
            "no workflow linted with it calls it"
            if lint.together
            else "linted alone, its callers are unknown"
        )
        message = (
            f"this reusable workflow (workflow_call, line {call_line}) publishes; {known}. "
            "PyPI matches the Trusted Publisher against the CALLING workflow and the "
            f"attestations name it (certificate Build Config URI), not {wf.filename}; the "
            "calling job must grant `id-token: write`."
        )
        fix = (
            "register each calling workflow's filename on PyPI"
            f"{', environment ' + env if env else ''}; lint the whole `.github/workflows/` "
            "directory so pyvouch can name the callers and check their permissions"
        )
    lint.add("PYV-W006", wf.path, pub.line, message, fix, job=pub.job.id)


def check_publisher(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf = scope.workflow
    expected = lint.publisher
    if expected is None or not pub.trusted:
        return
    callers = lint.callers_of(wf) if wf.is_reusable else []
    identities = sorted({c.workflow.filename for c in callers}) or [wf.filename]
    if expected.workflow is not None and expected.workflow not in identities:
        if wf.is_reusable and not callers:
            pass  # the caller is unknown: only naming this file itself is surely wrong
        else:
            lint.add(
                "PYV-W007",
                wf.path,
                pub.line,
                f"the Trusted Publisher names workflow {expected.workflow}, but this upload "
                f"runs as {' / '.join(identities)}: PyPI will refuse the token exchange "
                "(invalid-publisher).",
                (
                    f"register {identities[0]} (the workflow that calls {wf.filename}) on PyPI"
                    if callers
                    else f"register {identities[0]} on PyPI, or rename the workflow file "
                    f"to {expected.workflow}"
                ),
                job=pub.job.id,
            )
    if wf.is_reusable and not callers and expected.workflow == wf.filename:
        lint.add(
            "PYV-W007",
            wf.path,
            pub.line,
            f"the Trusted Publisher names {wf.filename}, but this is a reusable workflow "
            "(workflow_call): PyPI sees the workflow that calls it and will refuse the "
            "token exchange (invalid-publisher).",
            "register the calling workflow's filename on PyPI instead",
            job=pub.job.id,
        )
    if expected.environment:  # None: not stated; "": none registered, any is accepted
        job_env = pub.job.environment
        got = job_env.name if job_env is not None else None
        if got is not None and "${{" in got:
            lint.add(
                "PYV-W007",
                wf.path,
                job_env.line if job_env else pub.job.line,
                f"job '{pub.job.id}' picks its environment with an expression ({got}); "
                f"the Trusted Publisher requires '{expected.environment}'. pyvouch cannot "
                "tell which one a run uses.",
                f"use a literal `environment: {expected.environment}`",
                job=pub.job.id,
                severity=Severity.WARNING,
            )
        elif got is None or got.lower() != expected.environment.lower():
            shown = f"'{got}'" if got else "none"
            lint.add(
                "PYV-W007",
                wf.path,
                job_env.line if job_env else pub.job.line,
                f"the Trusted Publisher requires environment '{expected.environment}', but "
                f"job '{pub.job.id}' runs in {shown}: PyPI will refuse the token exchange.",
                f"set `environment: {expected.environment}` on job '{pub.job.id}' (or "
                "change the environment registered on PyPI)",
                job=pub.job.id,
            )
    if expected.repository and pub.job.if_:
        for match in _REPO_CHECK.finditer(pub.job.if_):
            if match.group(1).lower() != expected.repository.lower():
                lint.add(
                    "PYV-W007",
                    wf.path,
                    pub.job.if_line or pub.job.line,
                    f"job '{pub.job.id}' runs only in {match.group(1)}, but the Trusted "
                    f"Publisher names {expected.repository}.",
                    "make the repository check and the Trusted Publisher agree",
                    job=pub.job.id,
                )


STEP_CHECKS: tuple[StepCheck, ...] = (check_reusable, check_publisher)
