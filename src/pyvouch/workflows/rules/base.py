"""What every rule works with: findings, the result, and the linter's view of the repository.

A check is a function of the ``Linter`` (the workflows linted together, the expected publisher,
who calls which reusable workflow) and a ``Scope`` (one workflow that publishes, or calls a
workflow that does, with its upload, build and attestation steps). It reports through
``Linter.add``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pyvouch.model import Publisher, Severity
from pyvouch.workflows.detect import BuildStep, PublishStep
from pyvouch.workflows.model import Job, Workflow
from pyvouch.workflows.rules.catalogue import RULES

SEVERITY_ORDER: tuple[Severity, ...] = tuple(Severity)
"""Worst first, as the enum declares them: the order findings on one line are listed in."""


@dataclass(frozen=True, slots=True)
class LintFinding:
    rule: str
    severity: Severity
    path: Path
    line: int
    message: str
    fix: str
    job: str | None = None

    @property
    def name(self) -> str:
        return RULES[self.rule].name


class Linted(Protocol):
    """A file the linter read: a GitHub workflow or a GitLab pipeline."""

    @property
    def path(self) -> Path: ...


@dataclass(slots=True)
class LintResult:
    workflows: Sequence[Linted]
    findings: list[LintFinding] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(f.severity is severity for f in self.findings)

    def failed(self, strict: bool) -> bool:
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(f.severity in failing for f in self.findings)


@dataclass(frozen=True, slots=True)
class Caller:
    """A job (of ``workflow``) that calls a reusable workflow of the same repository."""

    workflow: Workflow
    job: Job


@dataclass(frozen=True, slots=True)
class Scope:
    """One workflow the rules look at, with what they need of it."""

    workflow: Workflow
    publishes: list[PublishStep]
    """Its upload steps (none when it only calls a reusable workflow that publishes)."""
    builds: list[BuildStep]
    attesters: bool
    """Whether some step makes PEP 740 attestations itself."""


_LOCAL_CALL = re.compile(r"(?:\./|\$/)?\.github/workflows/([^/@]+\.ya?ml)")
_REMOTE_CALL = re.compile(r"([^/@]+/[^/@]+)/\.github/workflows/([^/@]+\.ya?ml)@.+")


def local_target(uses: str, publisher: Publisher | None) -> str | None:
    """The workflow filename a job-level ``uses:`` calls in this repository, else None.

    ``./.github/workflows/x.yml`` (some exports show it as ``$/.github/...``), or
    ``OWNER/REPO/.github/workflows/x.yml@ref`` when OWNER/REPO is the publisher's repository.
    """
    text = uses.strip()
    local = _LOCAL_CALL.fullmatch(text)
    if local:
        return local.group(1)
    remote = _REMOTE_CALL.fullmatch(text)
    repository = publisher.repository if publisher is not None else None
    if remote and repository and remote.group(1).lower() == repository.lower():
        return remote.group(2)
    return None


def _callers(workflows: list[Workflow], publisher: Publisher | None) -> dict[str, list[Caller]]:
    out: dict[str, list[Caller]] = {}
    for workflow in workflows:
        for job in workflow.jobs.values():
            if job.uses:
                target = local_target(job.uses, publisher)
                if target is not None:
                    out.setdefault(target, []).append(Caller(workflow, job))
    return out


class Linter:
    """The workflows linted together, the expected publisher, and the findings so far."""

    def __init__(
        self,
        workflows: list[Workflow],
        publisher: Publisher | None,
        *,
        together: bool,
    ) -> None:
        self.workflows = workflows
        self.publisher = publisher
        self.together = together
        self.callers = _callers(workflows, publisher) if together else {}
        self.findings: list[LintFinding] = []
        self.by_name = {w.filename: w for w in workflows}

    def add(
        self,
        rule: str,
        path: Path,
        line: int,
        message: str,
        fix: str,
        *,
        job: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Report a finding of ``rule`` (at the rule's own severity unless one is given)."""
        self.findings.append(
            LintFinding(rule, severity or RULES[rule].severity, path, line, message, fix, job)
        )

    def callers_of(self, workflow: Workflow) -> list[Caller]:
        return self.callers.get(workflow.filename, [])


StepCheck = Callable[[Linter, Scope, PublishStep], None]
"""A check run once per upload step."""
WorkflowCheck = Callable[[Linter, Scope], None]
"""A check run once per workflow in scope."""
