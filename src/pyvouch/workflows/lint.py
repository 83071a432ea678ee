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

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pyvouch.errors import InputError, UsageError
from pyvouch.model import Publisher
from pyvouch.workflows.conditions import PR_EVENTS, excludes_event, overrides_skips
from pyvouch.workflows.detect import (
    PYPA_ACTION,
    SDIST,
    WHEEL,
    BuildStep,
    PublishStep,
    action_name,
    attesting_steps,
    build_steps,
    publish_steps,
    upstream_jobs,
)
from pyvouch.workflows.model import Job, Permissions, Workflow, load_workflow


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "PYV-W001",
            "missing-id-token",
            Severity.ERROR,
            "Trusted Publishing needs `id-token: write` on the publishing job.",
        ),
        Rule(
            "PYV-W002",
            "token-upload",
            Severity.ERROR,
            "The upload uses an API token or password: no PEP 740 attestations can be made.",
        ),
        Rule(
            "PYV-W003",
            "attestations-disabled",
            Severity.ERROR,
            "gh-action-pypi-publish runs with `attestations: false`.",
        ),
        Rule(
            "PYV-W004",
            "publish-from-pull-request",
            Severity.ERROR,
            "A pull request event can reach the publishing step.",
        ),
        Rule(
            "PYV-W005",
            "dispatch-arbitrary-ref",
            Severity.WARNING,
            "A manual run can build and publish any ref named in a free-form input.",
        ),
        Rule(
            "PYV-W006",
            "reusable-workflow-identity",
            Severity.WARNING,
            "A reusable workflow publishes: PyPI and the attestations see the caller workflow.",
        ),
        Rule(
            "PYV-W007",
            "trusted-publisher-mismatch",
            Severity.ERROR,
            "The workflow does not match the Trusted Publisher registered on PyPI.",
        ),
        Rule(
            "PYV-W008",
            "incomplete-dist-set",
            Severity.WARNING,
            "Only wheels, or only an sdist, are built for upload.",
        ),
        Rule(
            "PYV-W009",
            "build-in-publish-job",
            Severity.WARNING,
            "The job that holds the upload credential also runs the build.",
        ),
        Rule(
            "PYV-W010",
            "unpinned-action",
            Severity.WARNING,
            "A third-party action or reusable workflow is used by tag or branch, not by commit.",
        ),
        Rule(
            "PYV-W011",
            "no-top-level-permissions",
            Severity.WARNING,
            "The workflow has no top-level `permissions:`; jobs get the default token scopes.",
        ),
        Rule(
            "PYV-W012",
            "continue-on-error-publish",
            Severity.WARNING,
            "A failed upload would not fail the run.",
        ),
        Rule(
            "PYV-W013",
            "no-attestations-made",
            Severity.WARNING,
            "The upload tool does not make PEP 740 attestations and no step makes them.",
        ),
    )
}

_SHA = re.compile(r"[0-9a-f]{40}")
_FIRST_PARTY_OWNERS = {"actions", "github"}
_INPUT_REF = re.compile(r"\b(?:github\.event\.inputs|inputs)\.([A-Za-z_][\w-]*)")
_REPO_CHECK = re.compile(r"github\.repository\s*==\s*'([^']+)'")
_PIN_HOWTO = (
    "pin it to the full commit SHA of a release tag and keep the tag in a comment, e.g. "
    "`uses: OWNER/REPO@<40-hex SHA> # vX.Y.Z`; find the SHA with "
    "`git ls-remote --tags https://github.com/OWNER/REPO` (a peeled `^{}` line for annotated "
    "tags) and let Dependabot or Renovate keep it current"
)


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


@dataclass(frozen=True, slots=True)
class Caller:
    workflow: Workflow
    job: Job


@dataclass(slots=True)
class LintResult:
    workflows: list[Workflow]
    findings: list[LintFinding] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(f.severity is severity for f in self.findings)

    def failed(self, strict: bool) -> bool:
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(f.severity in failing for f in self.findings)


_LOCAL_CALL = re.compile(r"(?:\./|\$/)?\.github/workflows/([^/@]+\.ya?ml)")
_REMOTE_CALL = re.compile(r"([^/@]+/[^/@]+)/\.github/workflows/([^/@]+\.ya?ml)@.+")


def _local_target(uses: str, publisher: Publisher | None) -> str | None:
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
                target = _local_target(job.uses, publisher)
                if target is not None:
                    out.setdefault(target, []).append(Caller(workflow, job))
    return out


def _effective(workflow: Workflow, job: Job) -> Permissions | None:
    return job.permissions if job.permissions is not None else workflow.permissions


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


class _Linter:
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
        self.findings.append(
            LintFinding(rule, severity or RULES[rule].severity, path, line, message, fix, job)
        )

    def callers_of(self, workflow: Workflow) -> list[Caller]:
        return self.callers.get(workflow.filename, [])

    # -- rules -------------------------------------------------------------------------------

    def check_id_token(self, wf: Workflow, pub: PublishStep) -> None:
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
            for caller in self.callers_of(wf):
                self.check_caller_grants(wf, pub, caller)
            return  # without callers, W006 says what the caller must grant
        if perms is None or not perms.grants_write("id-token"):
            why = _where_perms(wf, job)
            top = wf.permissions
            if job.permissions is not None and top is not None and top.grants_write("id-token"):
                why += (
                    "; the workflow-level `id-token: write` does not apply: job-level "
                    "permissions replace the workflow's"
                )
            self.add(
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
            for caller in self.callers_of(wf):
                self.check_caller_grants(wf, pub, caller)

    def check_caller_grants(self, wf: Workflow, pub: PublishStep, caller: Caller) -> None:
        perms = _effective(caller.workflow, caller.job)
        if perms is not None and perms.grants_write("id-token"):
            return
        self.add(
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

    def check_token(self, wf: Workflow, pub: PublishStep) -> None:
        if pub.token is None:
            if not pub.can_trusted_publish:
                self.add(
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
        self.add(
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

    def check_attestations(self, wf: Workflow, pub: PublishStep, attesters: bool) -> None:
        if pub.attestations_off is not None:
            self.add(
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
            self.add(
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

    def check_pull_request(self, wf: Workflow, pub: PublishStep) -> None:
        self._check_pr(wf, wf, pub, None)
        for caller in self.callers_of(wf):
            self._check_pr(caller.workflow, wf, pub, caller)

    def _check_pr(
        self, top: Workflow, wf: Workflow, pub: PublishStep, caller: Caller | None
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
            self.add(
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

    def check_dispatch_ref(self, wf: Workflow, pub: PublishStep) -> None:
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
                self.add(
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

    def check_reusable(self, wf: Workflow, pub: PublishStep) -> None:
        if not wf.is_reusable:
            return
        call_line = wf.triggers["workflow_call"].line
        env = pub.job.environment.name if pub.job.environment else None
        env_text = f" with environment '{env}'" if env else " (no environment)"
        callers = self.callers_of(wf)
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
            scope = (
                "no workflow linted with it calls it"
                if self.together
                else "linted alone, its callers are unknown"
            )
            message = (
                f"this reusable workflow (workflow_call, line {call_line}) publishes; {scope}. "
                "PyPI matches the Trusted Publisher against the CALLING workflow and the "
                f"attestations name it (certificate Build Config URI), not {wf.filename}; the "
                "calling job must grant `id-token: write`."
            )
            fix = (
                "register each calling workflow's filename on PyPI"
                f"{', environment ' + env if env else ''}; lint the whole `.github/workflows/` "
                "directory so pyvouch can name the callers and check their permissions"
            )
        self.add("PYV-W006", wf.path, pub.line, message, fix, job=pub.job.id)

    def check_publisher(self, wf: Workflow, pub: PublishStep) -> None:
        expected = self.publisher
        if expected is None or not pub.trusted:
            return
        callers = self.callers_of(wf) if wf.is_reusable else []
        identities = sorted({c.workflow.filename for c in callers}) or [wf.filename]
        if expected.workflow is not None and expected.workflow not in identities:
            if wf.is_reusable and not callers:
                pass  # the caller is unknown: only naming this file itself is surely wrong
            else:
                self.add(
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
            self.add(
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
                self.add(
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
                self.add(
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
                    self.add(
                        "PYV-W007",
                        wf.path,
                        pub.job.if_line or pub.job.line,
                        f"job '{pub.job.id}' runs only in {match.group(1)}, but the Trusted "
                        f"Publisher names {expected.repository}.",
                        "make the repository check and the Trusted Publisher agree",
                        job=pub.job.id,
                    )

    def check_same_job_build(self, wf: Workflow, pub: PublishStep, builds: list[BuildStep]) -> None:
        own = [b for b in builds if b.job.id == pub.job.id]
        if pub.builds:
            what, line = f"`{pub.display}` (it builds before uploading)", pub.line
        elif own:
            what, line = f"`{own[0].display}` (line {own[0].line})", own[0].line
        else:
            return
        credential = "`id-token: write`" if pub.trusted else "the upload credential"
        self.add(
            "PYV-W009",
            wf.path,
            line,
            f"job '{pub.job.id}' builds the dists with {what} and publishes them: the build "
            f"backend, build dependencies and project code all run in the job that holds "
            f"{credential}.",
            "build in a separate job without extra permissions, upload the dists with "
            "actions/upload-artifact, and publish from a job that only downloads and uploads",
            job=pub.job.id,
            severity=Severity.WARNING,
        )

    def check_continue_on_error(self, wf: Workflow, pub: PublishStep) -> None:
        for value, line, where in (
            (pub.step.continue_on_error, pub.step.continue_on_error_line, "the step"),
            (pub.job.continue_on_error, pub.job.continue_on_error_line, f"job '{pub.job.id}'"),
        ):
            if value is not None and value.strip().lower() not in ("false", "") and line:
                self.add(
                    "PYV-W012",
                    wf.path,
                    line,
                    f"`continue-on-error: {value}` on {where}: a failed or partial upload "
                    "(some files published, some not; a rejected attestation) passes silently.",
                    "remove `continue-on-error` from publishing steps and jobs",
                    job=pub.job.id,
                )

    def check_dist_set(
        self, wf: Workflow, pubs: list[PublishStep], builds: list[BuildStep]
    ) -> None:
        per_step: list[tuple[PublishStep, frozenset[str], list[BuildStep]]] = []
        for pub in pubs:
            ups = {j.id for j in upstream_jobs(wf, pub.job)}
            sources = [b for b in builds if b.job.id in ups]
            kinds: frozenset[str] = pub.builds | frozenset().union(*(b.kinds for b in sources))
            if not kinds:
                continue  # nothing known about what it uploads
            if pub.only is not None:
                kinds = kinds & pub.only
            per_step.append((pub, kinds, sources))
        if not per_step:
            return
        published = frozenset().union(*(k for _, k, _ in per_step))
        for pub, kinds, sources in per_step:
            shown = (
                ", ".join(f"`{b.display}` in job '{b.job.id}' (line {b.line})" for b in sources[:3])
                or f"`{pub.display}`"
            )
            if kinds == {WHEEL}:
                if SDIST in published:
                    others = [p.job.id for p, k, _ in per_step if SDIST in k]
                    self.add(
                        "PYV-W008",
                        wf.path,
                        pub.line,
                        f"job '{pub.job.id}' publishes only wheels (built by {shown}); the "
                        f"sdist is published by job '{others[0]}'.",
                        "nothing to change if both jobs run for every release",
                        job=pub.job.id,
                        severity=Severity.INFO,
                    )
                else:
                    self.add(
                        "PYV-W008",
                        wf.path,
                        pub.line,
                        f"this workflow builds only wheels for upload ({shown}); no sdist is "
                        "published, so platforms without a wheel cannot install the release "
                        "and nobody can rebuild it from the published source.",
                        "also build an sdist (`python -m build --sdist`, or `pipx run build "
                        "--sdist`) in a job this publishing job needs",
                        job=pub.job.id,
                    )
            elif kinds == {SDIST} and WHEEL not in published:
                self.add(
                    "PYV-W008",
                    wf.path,
                    pub.line,
                    f"this workflow builds only an sdist for upload ({shown}); no wheel is "
                    "published, so every install builds from source (running the build backend "
                    "on the user's machine).",
                    "build both with `python -m build` (sdist and wheel) instead of "
                    "`setup.py sdist`",
                    job=pub.job.id,
                )
            for build in sources:
                cond = build.step.if_ or build.job.if_
                if cond and "inputs." in cond and build.kinds == {SDIST} and kinds >= {SDIST}:
                    self.add(
                        "PYV-W008",
                        wf.path,
                        build.line,
                        f"the sdist is built only when `{cond.strip()}` holds (job "
                        f"'{build.job.id}'): a caller that turns it off publishes wheels only.",
                        "build the sdist unconditionally",
                        job=build.job.id,
                        severity=Severity.INFO,
                    )

    def check_pins(self, wf: Workflow) -> None:
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
                self.add(
                    "PYV-W010",
                    wf.path,
                    line,
                    f"`{uses}` is used by the movable ref `{ref}`: whoever controls "
                    f"{name} can change what runs here (in job '{job.id}').{extra}",
                    _PIN_HOWTO,
                    job=job.id,
                )

    def check_top_permissions(self, wf: Workflow) -> None:
        if wf.permissions is not None:
            return
        self.add(
            "PYV-W011",
            wf.path,
            wf.on_line,
            "no top-level `permissions:`: every job without its own block gets the "
            "repository's default token scopes (read-write on older repositories and "
            "organisations).",
            "add `permissions: {}` at the top and grant each job only what it needs "
            "(`contents: read` to build, `id-token: write` to publish)",
        )

    # -- driver ------------------------------------------------------------------------------

    def run(self) -> list[LintFinding]:
        for wf in self.workflows:
            pubs = publish_steps(wf)
            calls_publisher = any(
                job.uses
                and (target := _local_target(job.uses, self.publisher)) in self.by_name
                and publish_steps(self.by_name[target])
                for job in wf.jobs.values()
            )
            if not pubs and not calls_publisher:
                continue
            builds = build_steps(wf)
            attesters = bool(attesting_steps(wf))
            for pub in pubs:
                self.check_id_token(wf, pub)
                self.check_token(wf, pub)
                self.check_attestations(wf, pub, attesters)
                self.check_pull_request(wf, pub)
                self.check_dispatch_ref(wf, pub)
                self.check_reusable(wf, pub)
                self.check_publisher(wf, pub)
                self.check_same_job_build(wf, pub, builds)
                self.check_continue_on_error(wf, pub)
            self.check_dist_set(wf, pubs, builds)
            self.check_pins(wf)
            self.check_top_permissions(wf)
        unique = {(f.rule, str(f.path), f.line, f.message): f for f in self.findings}
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        return sorted(unique.values(), key=lambda f: (str(f.path), f.line, order[f.severity]))


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
    findings = _Linter(workflows, publisher, together=together).run()
    return LintResult(workflows, findings)


def lint_paths(paths: Iterable[Path], publisher: Publisher | None = None) -> LintResult:
    files, together = collect_paths(paths)
    workflows = [load_workflow(p) for p in files]
    return lint_workflows(workflows, publisher, together=together)
