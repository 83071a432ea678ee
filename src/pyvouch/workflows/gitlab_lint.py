"""`pyvouch workflow lint` for GitLab CI/CD files: the failure modes of the GitHub rules, in
GitLab's terms (PYV-G001...).

A job publishes when a script line runs an upload (`workflows.detect.upload_tool`: twine, uv,
pdm, maturin, poetry, flit, hatch). Trusted Publishing on GitLab is an ``id_tokens`` entry
``PYPI_ID_TOKEN`` with ``aud: pypi`` (the `id` library twine and others use reads
``<AUDIENCE>_ID_TOKEN``), attestations are signed with ``SIGSTORE_ID_TOKEN`` (``aud:
sigstore``) and uploaded with ``twine upload --attestations``.

A job is tag-gated when every way it can run needs a tag (or a protected ref): its ``rules:``
(read in order: a ``when: never`` rule for "no tag" gates the rules after it; each other rule's
``if:`` needs ``$CI_COMMIT_TAG`` or ``$CI_COMMIT_REF_PROTECTED == "true"`` in every ``||``
branch), ``only: [tags]``, or the file's ``workflow: rules:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyvouch.model import Publisher, Severity
from pyvouch.workflows.commands import Command, has_flag, step_commands
from pyvouch.workflows.detect import (
    BOTH,
    SDIST,
    WHEEL,
    Evidence,
    argument_token,
    command_build,
    trusted_capable,
    upload_tool,
    variable_token,
)
from pyvouch.workflows.gitlab_model import GitLabJob, IdToken, Pipeline, RuleEntry
from pyvouch.workflows.rules.base import LintFinding, LintResult
from pyvouch.workflows.rules.catalogue import RULES

_TAG = re.compile(r"(?<![!\w])\$CI_COMMIT_TAG\b(?!\s*==\s*(?:null|\"\"|''))")
_NO_TAG = re.compile(r"(?:!\$CI_COMMIT_TAG\b|\$CI_COMMIT_TAG\s*==\s*(?:null|\"\"|''))")
_PROTECTED = re.compile(r"\$CI_COMMIT_REF_PROTECTED\s*==\s*[\"']true[\"']")
_MERGE_REQUEST = re.compile(r"merge_request_event|\$CI_MERGE_REQUEST_")
_ATTEST = re.compile(r"\b(pyvouch|pypi-attestations|pypi_attestations)\s+sign\b")


@dataclass(frozen=True, slots=True)
class Upload:
    job: GitLabJob
    command: Command
    tool: str
    token: Evidence | None


def _gates(condition: str | None) -> bool:
    """Whether an ``if:`` needs a tag (or a protected ref) in every ``||`` branch."""
    if not condition:
        return False
    return all(_TAG.search(side) or _PROTECTED.search(side) for side in condition.split("||"))


def _rules_gate(rules: tuple[RuleEntry, ...]) -> bool:
    for rule in rules:
        if rule.when == "never":
            if rule.if_ is None or _NO_TAG.search(rule.if_):
                return True  # everything below runs for tags only (or nothing runs)
            continue
        if not _gates(rule.if_):
            return False
    return True


def _tag_gated(pipeline: Pipeline, job: GitLabJob) -> bool:
    if pipeline.workflow_rules is not None and _rules_gate(pipeline.workflow_rules):
        return True
    if job.rules is not None:
        return _rules_gate(job.rules)
    if job.only is not None:
        return bool(job.only) and all(ref == "tags" for ref in job.only)
    return False


def _variables(pipeline: Pipeline, job: GitLabJob) -> list[tuple[str, str, int]]:
    own = [(k, v, job.variable_lines.get(k, job.line)) for k, v in job.variables.items()]
    return own + [(k, v, pipeline.variable_lines.get(k, 0)) for k, v in pipeline.variables.items()]


def uploads(pipeline: Pipeline) -> list[Upload]:
    out: list[Upload] = []
    for job in pipeline.jobs.values():
        for step in job.scripts:
            for command in step_commands(step):
                tool = upload_tool(command)
                if tool is None:
                    continue
                token = argument_token(tool, command) or variable_token(
                    tool, _variables(pipeline, job)
                )
                out.append(Upload(job, command, tool, token))
    return out


def _audience(tokens: tuple[IdToken, ...], audience: str) -> IdToken | None:
    return next((t for t in tokens if audience in t.audiences), None)


class GitLabLinter:
    def __init__(self, pipeline: Pipeline, publisher: Publisher | None) -> None:
        self.pipeline = pipeline
        self.publisher = publisher
        self.findings: list[LintFinding] = []

    def add(self, rule: str, line: int, message: str, fix: str, job: str | None) -> None:
        self.findings.append(
            LintFinding(rule, RULES[rule].severity, self.pipeline.path, line, message, fix, job)
        )

    def upload(self, up: Upload) -> None:
        job, line = up.job, up.command.line
        shown = " ".join((up.command.name, *up.command.args))[:100]
        if up.token is not None or not trusted_capable(up.tool):
            what = up.token.text if up.token else f"{up.tool} (no Trusted Publishing)"
            self.add(
                "PYV-G002",
                up.token.line if up.token and up.token.line else line,
                f"'{shown}' in job '{job.name}' uploads with a credential ({what[:80]}): PyPI "
                "accepts attestations only from Trusted Publishing uploads",
                "remove the token variable and upload with Trusted Publishing (twine 6.1+, "
                "uv, pdm) and an id_tokens entry PYPI_ID_TOKEN with aud: pypi",
                job.name,
            )
        else:
            pypi = _audience(job.id_tokens, "pypi")
            if pypi is None or pypi.name != "PYPI_ID_TOKEN":
                found = ", ".join(
                    f"{t.name} (aud {'/'.join(t.audiences) or '-'})" for t in job.id_tokens
                )
                self.add(
                    "PYV-G001",
                    job.id_tokens_line,
                    f"job '{job.name}' uploads with Trusted Publishing but has no id_tokens "
                    f"entry PYPI_ID_TOKEN with aud: pypi ({found or 'no id_tokens'})",
                    "add to the job:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi",
                    job.name,
                )
        if not _tag_gated(self.pipeline, job):
            mr = any(
                r.if_ and _MERGE_REQUEST.search(r.if_) and r.when != "never"
                for r in (job.rules or ())
            )
            self.add(
                "PYV-G003",
                job.rules_line if job.rules is not None else job.only_line,
                f"job '{job.name}' uploads and can run "
                + ("in merge request pipelines" if mr else "for branches, not only for tags")
                + ": a push to any branch (or a merge request) could publish",
                "gate the job on protected tags:\n"
                '  rules:\n    - if: $CI_COMMIT_TAG && $CI_COMMIT_REF_PROTECTED == "true"',
                job.name,
            )
        if job.environment is None:
            self.add(
                "PYV-G004",
                job.line,
                f"job '{job.name}' uploads without an environment: it cannot be a protected "
                "environment, and PyPI's Trusted Publisher cannot name one",
                "add `environment: {name: pypi, url: https://pypi.org/p/PROJECT}` and protect "
                "it (Operate > Environments)",
                job.name,
            )
        if up.tool == "twine" and not has_flag(up.command.args, "--attestations"):
            self.add(
                "PYV-G007",
                line,
                f"'{shown}' uploads without --attestations: attestation files are not sent",
                "sign with `python -m pypi_attestations sign dist/*` and upload with "
                "`twine upload --attestations dist/*`",
                job.name,
            )
        self.publisher_match(job)

    def publisher_match(self, job: GitLabJob) -> None:
        expected = self.publisher
        if expected is None:
            return
        path = expected.workflow or ".gitlab-ci.yml"
        posix = self.pipeline.path.as_posix()
        if not (posix == path or posix.endswith("/" + path)):
            self.add(
                "PYV-G005",
                job.line,
                f"the Trusted Publisher names pipeline file {path}, this is {posix}",
                "register the top-level pipeline file path PyPI will see, or move the job",
                job.name,
            )
        wanted = expected.environment
        if wanted and (job.environment or "").lower() != wanted.lower():
            self.add(
                "PYV-G005",
                job.environment_line,
                f"job '{job.name}' runs in environment {job.environment or '(none)'!r}, the "
                f"Trusted Publisher names {wanted!r}",
                f"set `environment: {wanted}` on the job",
                job.name,
            )

    def pipeline_checks(self, ups: list[Upload]) -> None:
        made: set[str] = set()
        signed = False
        for job in self.pipeline.jobs.values():
            for step in job.scripts:
                if step.run and _ATTEST.search(step.run):
                    signed = True
                    if _audience(job.id_tokens, "sigstore") is None:
                        self.add(
                            "PYV-G008",
                            step.line,
                            f"job '{job.name}' signs attestations without an id_tokens entry "
                            "with aud: sigstore: signing cannot get an identity",
                            "add to the job:\n"
                            "  id_tokens:\n    SIGSTORE_ID_TOKEN:\n      aud: sigstore",
                            job.name,
                        )
                for command in step_commands(step):
                    built = command_build(command)
                    if built is not None:
                        made |= built[0]
        first = ups[0]
        if not signed and trusted_capable(first.tool):
            self.add(
                "PYV-G007",
                first.command.line,
                "no job makes PEP 740 attestations (pypi-attestations sign): the upload has "
                "none to send",
                "run `python -m pypi_attestations sign dist/*` before the upload, with an "
                "id_tokens entry SIGSTORE_ID_TOKEN (aud: sigstore)",
                first.job.name,
            )
        if made and made != BOTH:
            only = "wheels only" if made == {WHEEL} else "an sdist only"
            missing = SDIST if made == {WHEEL} else WHEEL
            self.add(
                "PYV-G006",
                first.command.line,
                f"the pipeline builds {only}: the release would have no {missing}",
                "build both (`python -m build` or `uv build`, without --wheel/--sdist)",
                first.job.name,
            )

    def run(self) -> list[LintFinding]:
        ups = uploads(self.pipeline)
        for up in ups:
            self.upload(up)
        if ups:
            self.pipeline_checks(ups)
        unique = {(f.rule, f.line, f.message): f for f in self.findings}
        return sorted(unique.values(), key=lambda f: (f.line, list(Severity).index(f.severity)))


def lint_pipelines(pipelines: list[Pipeline], publisher: Publisher | None) -> LintResult:
    findings = [f for p in pipelines for f in GitLabLinter(p, publisher).run()]
    return LintResult(pipelines, findings)
