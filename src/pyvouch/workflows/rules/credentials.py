"""PYV-W001, W002, W003, W013: how the upload authenticates, and whether attestations are made."""

from __future__ import annotations

from pyvouch.workflows.detect import PublishStep
from pyvouch.workflows.model import Job, Permissions, Workflow
from pyvouch.workflows.rules.base import Caller, Linter, Scope, StepCheck


def _effective(workflow: Workflow, job: Job) -> Permissions | None:
    return job.permissions if job.permissions is not None else workflow.permissions


def _where_perms(workflow: Workflow, job: Job) -> str:
    if job.permissions is not None:
        perms = job.permissions
        return f"job '{job.id}' sets `permissions: {perms.text}` (line {perms.line})"
    if workflow.permissions is not None:
        return (
            f"the workflow sets `permissions: {workflow.permissions.text}` "
            f"(line {workflow.permissions.line}) and job '{job.id}' inherits it"
        )
    return "no `permissions:` block anywhere, and GitHub's default token never has id-token"


def check_id_token(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf = scope.workflow
    if not pub.trusted:
        return
    job = pub.job
    perms = _effective(wf, job)
    fix_job = (
        f"add to job '{job.id}':\n    permissions:\n      id-token: write\n"
        "(job-level permissions replace the workflow's entirely, so list every scope the "
        "job needs)"
    )
    if perms is None and wf.is_reusable:
        for caller in lint.callers_of(wf):
            _check_caller_grants(lint, wf, pub, caller)
        return  # without callers, W006 says what the caller must grant
    if perms is None or not perms.grants_write("id-token"):
        why = _where_perms(wf, job)
        top = wf.permissions
        if job.permissions is not None and top is not None and top.grants_write("id-token"):
            why += (
                "; the workflow-level `id-token: write` does not apply: job-level "
                "permissions replace the workflow's"
            )
        lint.add(
            "PYV-W001",
            wf.path,
            pub.line,
            f"{pub.display} uses Trusted Publishing but job '{job.id}' cannot request an "
            f"OIDC token: {why}. The upload will fail to authenticate.",
            fix_job,
            job=job.id,
        )
        return
    if wf.is_reusable:
        for caller in lint.callers_of(wf):
            _check_caller_grants(lint, wf, pub, caller)


def _check_caller_grants(lint: Linter, wf: Workflow, pub: PublishStep, caller: Caller) -> None:
    perms = _effective(caller.workflow, caller.job)
    if perms is not None and perms.grants_write("id-token"):
        return
    lint.add(
        "PYV-W001",
        caller.workflow.path,
        caller.job.uses_line or caller.job.line,
        f"job '{caller.job.id}' calls {wf.filename}, which publishes with Trusted "
        f"Publishing ({wf.filename}:{pub.line}), but does not grant `id-token: write` "
        f"({_where_perms(caller.workflow, caller.job)}); a called workflow can only "
        "narrow the caller's token, never widen it.",
        f"add to job '{caller.job.id}':\n    permissions:\n      id-token: write",
        job=caller.job.id,
    )


def check_token(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf = scope.workflow
    if pub.token is None:
        if not pub.can_trusted_publish:
            lint.add(
                "PYV-W002",
                wf.path,
                pub.line,
                f"`{pub.display}`: {pub.tool} has no Trusted Publishing support, so it "
                "uploads with a long-lived API token or password (none is visible in the "
                "workflow; it comes from a config file or the environment). No PEP 740 "
                "attestations can be made this way.",
                "publish with pypa/gh-action-pypi-publish (or `uv publish`) using Trusted "
                "Publishing: register this workflow on PyPI and grant `id-token: write`",
                job=pub.job.id,
            )
        return
    lint.add(
        "PYV-W002",
        wf.path,
        pub.token.line,
        f"{pub.display} uploads with an API token or password ({pub.token.text}): a "
        "long-lived secret that works from anywhere if it leaks, and PyPI accepts PEP 740 "
        "attestations only from Trusted Publishing uploads, so none are made.",
        "register this workflow as a Trusted Publisher on PyPI (`pyvouch workflow init` "
        "prints the settings), grant the job `permissions: id-token: write`, remove the "
        "credential from the step, then revoke the token on PyPI",
        job=pub.job.id,
    )


def check_attestations(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf, attesters = scope.workflow, scope.attesters
    if pub.attestations_off is not None:
        lint.add(
            "PYV-W003",
            wf.path,
            pub.attestations_off.line,
            "`attestations: false` turns off the PEP 740 attestations gh-action-pypi-publish "
            "makes for every file; consumers cannot verify who built this release.",
            "remove `attestations: false` (attestations are on by default and need Trusted "
            "Publishing)",
            job=pub.job.id,
        )
        return
    if pub.tool != "pypa-action" and pub.trusted and not attesters:
        lint.add(
            "PYV-W013",
            wf.path,
            pub.line,
            f"`{pub.display}` uploads the dists with Trusted Publishing, but {pub.tool} "
            "does not make PEP 740 attestations and no step in this workflow makes them "
            "(at most it uploads `*.publish.attestation` files that an earlier step made).",
            "sign the dists in the publishing job before the upload (`pyvouch sign "
            "dist/`), or publish with pypa/gh-action-pypi-publish, which attests by "
            "default",
            job=pub.job.id,
        )


STEP_CHECKS: tuple[StepCheck, ...] = (check_id_token, check_token, check_attestations)
