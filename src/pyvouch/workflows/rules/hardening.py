"""PYV-W010, W011, W012: what lets a failure pass or widens what can change the release."""

from __future__ import annotations

import re

from pyvouch.workflows.detect import PYPA_ACTION, PublishStep, action_name
from pyvouch.workflows.rules.base import Linter, Scope, StepCheck, WorkflowCheck

_SHA = re.compile(r"[0-9a-f]{40}")
_FIRST_PARTY_OWNERS = {"actions", "github"}
_PIN_HOWTO = (
    "pin it to the full commit SHA of a release tag and keep the tag in a comment, e.g. "
    "`uses: OWNER/REPO@<40-hex SHA> # vX.Y.Z`; find the SHA with "
    "`git ls-remote --tags https://github.com/OWNER/REPO` (a peeled `^{}` line for annotated "
    "tags) and let Dependabot or Renovate keep it current"
)


def check_continue_on_error(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf = scope.workflow
    for value, line, where in (
        (pub.step.continue_on_error, pub.step.continue_on_error_line, "the step"),
        (pub.job.continue_on_error, pub.job.continue_on_error_line, f"job '{pub.job.id}'"),
    ):
        if value is not None and value.strip().lower() not in ("false", "") and line:
            lint.add(
                "PYV-W012",
                wf.path,
                line,
                f"`continue-on-error: {value}` on {where}: a failed or partial upload "
                "(some files published, some not; a rejected attestation) passes silently.",
                "remove `continue-on-error` from publishing steps and jobs",
                job=pub.job.id,
            )


def check_pins(lint: Linter, scope: Scope) -> None:
    wf = scope.workflow
    for job in wf.jobs.values():
        uses_list = [(s.uses, s.uses_line) for s in job.steps if s.uses]
        if job.uses and "@" in job.uses:
            uses_list.append((job.uses, job.uses_line or job.line))
        for uses, line in uses_list:
            assert uses is not None
            if uses.startswith(("./", "docker://", "$/")) or "@" not in uses:
                continue
            name, _, ref = uses.partition("@")
            owner = name.split("/", 1)[0].lower()
            if owner in _FIRST_PARTY_OWNERS or _SHA.fullmatch(ref.strip()):
                continue
            extra = ""
            if action_name(uses) == PYPA_ACTION:
                extra = (
                    " For gh-action-pypi-publish, the SHA of v1.14.2 that pip, pip-audit "
                    "and black pin is dc37677b2e1c63e2034f94d8a5b11f265b73ba33 (check it "
                    "against the tag before trusting it)."
                )
            lint.add(
                "PYV-W010",
                wf.path,
                line,
                f"`{uses}` is used by the movable ref `{ref}`: whoever controls "
                f"{name} can change what runs here (in job '{job.id}').{extra}",
                _PIN_HOWTO,
                job=job.id,
            )


def check_top_permissions(lint: Linter, scope: Scope) -> None:
    wf = scope.workflow
    if wf.permissions is not None:
        return
    lint.add(
        "PYV-W011",
        wf.path,
        wf.on_line,
        "no top-level `permissions:`: every job without its own block gets the "
        "repository's default token scopes (read-write on older repositories and "
        "organisations).",
        "add `permissions: {}` at the top and grant each job only what it needs "
        "(`contents: read` to build, `id-token: write` to publish)",
    )


STEP_CHECKS: tuple[StepCheck, ...] = (check_continue_on_error,)
WORKFLOW_CHECKS: tuple[WorkflowCheck, ...] = (check_pins, check_top_permissions)
