"""The release-workflow linter: known ways a PyPI release workflow fails or weakens attestations.

Every finding names a rule (PYV-W001...), a severity, the file and line, what is wrong and how
to fix it. Errors are things that break publishing or attestations, or let untrusted code
publish; warnings are weaker setups; info is context that needs no change.

Workflows linted together (a ``.github/workflows`` directory) are read as one repository: a
reusable workflow (``on: workflow_call``) that publishes is checked through the workflows that
call it, because PyPI's Trusted Publisher and the attestation identity (the certificate's Build
Config URI) name the caller, the top-level workflow, not the reusable one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pyvouch.errors import InputError, UsageError
from pyvouch.model import Publisher, Severity
from pyvouch.workflows.detect import attesting_steps, build_steps, publish_steps
from pyvouch.workflows.gitlab_lint import lint_pipelines
from pyvouch.workflows.gitlab_model import is_gitlab_file, load_pipeline
from pyvouch.workflows.model import Workflow, load_workflow
from pyvouch.workflows.rules import RULES, STEP_CHECKS, WORKFLOW_CHECKS, Rule
from pyvouch.workflows.rules.base import (
    SEVERITY_ORDER,
    Linter,
    LintFinding,
    LintResult,
    Scope,
    local_target,
)

__all__ = [
    "RULES",
    "LintFinding",
    "LintResult",
    "Rule",
    "Severity",
    "collect_paths",
    "default_targets",
    "lint_paths",
    "lint_workflows",
]


def _scope(linter: Linter, wf: Workflow) -> Scope | None:
    """The workflow as the rules see it, or None when it neither publishes nor calls a
    workflow of this repository that does."""
    pubs = publish_steps(wf)
    calls_publisher = any(
        job.uses
        and (target := local_target(job.uses, linter.publisher)) in linter.by_name
        and publish_steps(linter.by_name[target])
        for job in wf.jobs.values()
    )
    if not pubs and not calls_publisher:
        return None
    return Scope(wf, pubs, build_steps(wf), bool(attesting_steps(wf)))


def _run(linter: Linter) -> list[LintFinding]:
    for wf in linter.workflows:
        scope = _scope(linter, wf)
        if scope is None:
            continue
        for pub in scope.publishes:
            for step_check in STEP_CHECKS:
                step_check(linter, scope, pub)
        for workflow_check in WORKFLOW_CHECKS:
            workflow_check(linter, scope)
    unique = {(f.rule, str(f.path), f.line, f.message): f for f in linter.findings}
    return sorted(
        unique.values(), key=lambda f: (str(f.path), f.line, SEVERITY_ORDER.index(f.severity))
    )


def collect_paths(paths: Iterable[Path]) -> tuple[list[Path], bool]:
    """The workflow files named (directories expand to their *.yml / *.yaml files); and whether
    they are linted together as one repository (a directory, or several files)."""
    files: list[Path] = []
    together = False
    for path in paths:
        if path.is_dir():
            together = True
            found = sorted(
                p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file()
            )
            if not found:
                raise InputError(path, "no *.yml or *.yaml workflow files in this directory")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError(path, "no such file or directory")
    if len(files) > 1:
        together = True
    return files, together


def lint_workflows(
    workflows: list[Workflow], publisher: Publisher | None = None, *, together: bool = True
) -> LintResult:
    if publisher is not None and publisher.kind != "GitHub":
        raise UsageError(
            f"--publisher must be a GitHub publisher (github:OWNER/REPO[:WORKFLOW][@ENV]) to "
            f"lint GitHub Actions workflows, not {publisher.kind}"
        )
    findings = _run(Linter(workflows, publisher, together=together))
    return LintResult(workflows, findings)


def lint_paths(paths: Iterable[Path], publisher: Publisher | None = None) -> LintResult:
    """Lint GitHub workflows and GitLab CI/CD files (``.gitlab-ci.yml``, ``*.gitlab-ci.yml``,
    or every file when the publisher is a GitLab one); each kind is checked by its own rules
    and the publisher applies to the files of its kind."""
    files, together = collect_paths(paths)
    gitlab_publisher = publisher is not None and publisher.kind == "GitLab"
    gitlab = [p for p in files if gitlab_publisher or is_gitlab_file(p)]
    github = [p for p in files if p not in gitlab]
    result = LintResult([])
    if github:
        result = lint_workflows(
            [load_workflow(p) for p in github],
            None if gitlab_publisher else publisher,
            together=together,
        )
    if gitlab:
        found = lint_pipelines(
            [load_pipeline(p) for p in gitlab], publisher if gitlab_publisher else None
        )
        result = LintResult(
            [*result.workflows, *found.workflows], [*result.findings, *found.findings]
        )
    return result


def default_targets() -> list[Path]:
    """What `workflow lint` reads without a PATH: .github/workflows, else .gitlab-ci.yml."""
    github = Path(".github/workflows")
    gitlab = Path(".gitlab-ci.yml")
    return [gitlab] if not github.exists() and gitlab.is_file() else [github]
