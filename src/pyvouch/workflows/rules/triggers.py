"""PYV-W004, W005: which events and inputs can reach the upload."""

from __future__ import annotations

import re

from pyvouch.workflows.conditions import PR_EVENTS, excludes_event, overrides_skips
from pyvouch.workflows.detect import PublishStep, action_name, upstream_jobs
from pyvouch.workflows.model import Job, Workflow
from pyvouch.workflows.rules.base import Caller, Linter, Scope, StepCheck

_INPUT_REF = re.compile(r"\b(?:github\.event\.inputs|inputs)\.([A-Za-z_][\w-]*)")


def _job_excludes(workflow: Workflow, job: Job, event: str, depth: int = 0) -> bool:
    if excludes_event(job.if_, event):
        return True
    if overrides_skips(job.if_) or depth > 50:
        return False
    return any(
        _job_excludes(workflow, workflow.jobs[name], event, depth + 1)
        for name in job.needs
        if name in workflow.jobs
    )


def check_pull_request(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf = scope.workflow
    _check_pr(lint, wf, wf, pub, None)
    for caller in lint.callers_of(wf):
        _check_pr(lint, caller.workflow, wf, pub, caller)


def _check_pr(
    lint: Linter, top: Workflow, wf: Workflow, pub: PublishStep, caller: Caller | None
) -> None:
    for event in reversed(PR_EVENTS):  # pull_request_target first: it is worse
        if event not in top.triggers:
            continue
        if excludes_event(pub.step.if_, event) or _job_excludes(wf, pub.job, event):
            continue
        if caller is not None and _job_excludes(top, caller.job, event):
            continue
        trigger = top.triggers[event]
        worse = (
            " `pull_request_target` runs in the base repository's context with its "
            "secrets and a token that can write, for pull requests anyone can open: this is "
            "the worst case."
            if event == "pull_request_target"
            else " A pull request from a branch of this repository (anyone with push "
            "access, or a compromised bot) runs with the publishing credential."
        )
        via = (
            f" (through job '{caller.job.id}' of {top.filename}, which calls this workflow)"
            if caller is not None
            else ""
        )
        lint.add(
            "PYV-W004",
            wf.path,
            pub.line,
            f"{pub.display} can run on `{event}` ({top.filename}:{trigger.line}){via}: "
            f"neither the step nor job '{pub.job.id}' (nor a job it needs) has an `if:` "
            f"that excludes it.{worse}",
            f"publish from a separate job gated with `if: github.event_name == 'release'` "
            "(or `startsWith(github.ref, 'refs/tags/')`), or move publishing to a workflow "
            f"that `{event}` does not trigger",
            job=pub.job.id,
        )
        return


def check_dispatch_ref(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf = scope.workflow
    if "workflow_dispatch" not in wf.triggers:
        return
    free = {n for n, i in wf.dispatch_inputs.items() if i.type == "string"}
    if not free:
        return
    for job in upstream_jobs(wf, pub.job):
        for step in job.steps:
            if not step.uses or action_name(step.uses) != "actions/checkout":
                continue
            ref = step.with_.get("ref", "")
            used = {m.group(1) for m in _INPUT_REF.finditer(ref)} & free
            if not used:
                continue
            name = sorted(used)[0]
            dispatch_line = wf.triggers["workflow_dispatch"].line
            lint.add(
                "PYV-W005",
                wf.path,
                step.with_lines.get("ref", step.line),
                f"a manual run (workflow_dispatch, line {dispatch_line}) "
                f"checks out the free-form input `{name}` (`ref: {ref.strip()}`) in job "
                f"'{job.id}', whose output job '{pub.job.id}' publishes: anyone who can "
                "dispatch the workflow can release any branch or commit, and the "
                "attestation will still name this trusted workflow.",
                "drop the input and release only the ref the workflow runs on (a tag or "
                "release event), or restrict it (`type: choice`) and require the `pypi` "
                "environment's reviewers to approve",
                job=job.id,
            )
            return


STEP_CHECKS: tuple[StepCheck, ...] = (check_pull_request, check_dispatch_ref)
