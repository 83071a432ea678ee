"""A GitHub Actions workflow as the linter needs it, with 1-based line numbers.

Parsed with ruamel.yaml (YAML 1.2: the bare key ``on`` stays the string "on"; a file that
declares ``%YAML 1.1`` gets the boolean True, which is read as ``on`` too). Only the parts of
the workflow syntax the rules look at are modelled; everything else is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from pyvouch.errors import InputError
from pyvouch.limits import MAX_WORKFLOW_BYTES

# The token scopes GitHub knows; "write-all" grants all of them (id-token included).
_WRITE_ALL_SCOPES = (
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
)


@dataclass(frozen=True, slots=True)
class Permissions:
    """A ``permissions:`` block: ``read-all``, ``write-all``, ``{}`` or a scope map."""

    line: int
    scopes: dict[str, str]
    text: str
    """How it was written, for messages (``{}``, ``read-all``, ``id-token: write``...)."""

    def level(self, scope: str) -> str:
        return self.scopes.get(scope, "none")

    def grants_write(self, scope: str) -> bool:
        return self.level(scope) == "write"


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    line: int
    name: str | None
    id: str | None
    uses: str | None
    uses_line: int
    with_: dict[str, str]
    with_lines: dict[str, int]
    run: str | None
    run_first_line: int
    """The line of the run script's first line (block scalars start below the key)."""
    run_folded: bool
    env: dict[str, str]
    env_lines: dict[str, int]
    if_: str | None
    continue_on_error: str | None
    continue_on_error_line: int | None

    def label(self) -> str:
        return self.name or self.id or self.uses or f"step {self.index + 1}"

    def run_lines(self) -> list[tuple[int, str]]:
        """(line number, text) of each line of the run script."""
        if self.run is None:
            return []
        if self.run_folded:
            return [(self.run_first_line, self.run.replace("\n", " "))]
        return [(self.run_first_line + n, text) for n, text in enumerate(self.run.splitlines())]


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    line: int
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    line: int
    name: str | None
    if_: str | None
    if_line: int | None
    needs: tuple[str, ...]
    permissions: Permissions | None
    environment: Environment | None
    uses: str | None
    """A reusable workflow this job calls (job-level ``uses:``)."""
    uses_line: int | None
    with_: dict[str, str]
    secrets_inherit: bool
    secrets: dict[str, str]
    steps: tuple[Step, ...]
    env: dict[str, str]
    env_lines: dict[str, int]
    continue_on_error: str | None
    continue_on_error_line: int | None


@dataclass(frozen=True, slots=True)
class Trigger:
    event: str
    line: int
    config: Any


@dataclass(frozen=True, slots=True)
class DispatchInput:
    name: str
    line: int
    type: str
    """``string`` when not stated (GitHub's default), else boolean/choice/number/environment."""


@dataclass(frozen=True, slots=True)
class Workflow:
    path: Path
    name: str | None
    on_line: int
    triggers: dict[str, Trigger]
    permissions: Permissions | None
    env: dict[str, str]
    env_lines: dict[str, int]
    jobs: dict[str, Job]
    dispatch_inputs: dict[str, DispatchInput] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def is_reusable(self) -> bool:
        return "workflow_call" in self.triggers


def _line(node: Any, key: Any = None, *, value: bool = False) -> int:
    """1-based line of a mapping key (or its value), or of the node itself."""
    try:
        if key is None:
            return int(node.lc.line) + 1
        if isinstance(node, CommentedSeq):
            return int(node.lc.item(key)[0]) + 1
        pos = node.lc.value(key) if value else node.lc.key(key)
        return int(pos[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return 0


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, CommentedMap | CommentedSeq | dict | list):
        return str(value)
    return str(value)


def _string_map(node: Any) -> tuple[dict[str, str], dict[str, int]]:
    if not isinstance(node, CommentedMap):
        return {}, {}
    values = {str(k): _scalar(v) for k, v in node.items()}
    lines = {str(k): _line(node, k) for k in node}
    return values, lines


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int, problem: str) -> InputError:
        return InputError(self.path, problem, where=str(line) if line else None)

    def mapping(self, node: Any, line: int, what: str) -> CommentedMap:
        if not isinstance(node, CommentedMap):
            raise self.fail(line, f"{what} must be a mapping")
        return node

    def permissions(self, node: Any, line: int) -> Permissions:
        if isinstance(node, str):
            text = node.strip()
            if text == "read-all":
                return Permissions(line, dict.fromkeys(_WRITE_ALL_SCOPES, "read"), text)
            if text == "write-all":
                return Permissions(line, dict.fromkeys(_WRITE_ALL_SCOPES, "write"), text)
            raise self.fail(line, f"permissions must be read-all, write-all or a mapping: {text!r}")
        if node is None:
            return Permissions(line, {}, "{}")
        if not isinstance(node, CommentedMap):
            raise self.fail(line, "permissions must be read-all, write-all or a mapping")
        scopes: dict[str, str] = {}
        for key, value in node.items():
            level = _scalar(value).strip()
            if level not in ("read", "write", "none"):
                raise self.fail(
                    _line(node, key), f"permission {key!r} must be read, write or none: {level!r}"
                )
            scopes[str(key)] = level
        text = ", ".join(f"{k}: {v}" for k, v in scopes.items()) or "{}"
        return Permissions(line, scopes, text)

    def step(self, node: Any, index: int, line: int, job_id: str) -> Step:
        step = self.mapping(node, line, f"jobs.{job_id}.steps[{index}]")
        with_, with_lines = _string_map(step.get("with"))
        env, env_lines = _string_map(step.get("env"))
        run_value = step.get("run")
        run = _scalar(run_value) if run_value is not None else None
        run_first = _line(step, "run", value=True) if "run" in step else 0
        block = isinstance(run_value, LiteralScalarString | FoldedScalarString)
        if block:
            run_first += 1
        uses = step.get("uses")
        coe = step.get("continue-on-error")
        return Step(
            index=index,
            line=line,
            name=_scalar(step["name"]) if "name" in step else None,
            id=_scalar(step["id"]) if "id" in step else None,
            uses=_scalar(uses).strip() if uses is not None else None,
            uses_line=_line(step, "uses") if uses is not None else line,
            with_=with_,
            with_lines=with_lines,
            run=run,
            run_first_line=run_first,
            run_folded=isinstance(run_value, FoldedScalarString),
            env=env,
            env_lines=env_lines,
            if_=_scalar(step["if"]) if "if" in step else None,
            continue_on_error=_scalar(coe) if coe is not None else None,
            continue_on_error_line=_line(step, "continue-on-error") if coe is not None else None,
        )

    def environment(self, node: Any, line: int) -> Environment | None:
        if node is None:
            return None
        if isinstance(node, CommentedMap):
            name = node.get("name")
            url = node.get("url")
            return Environment(
                _scalar(name) if name is not None else "",
                line,
                _scalar(url) if url is not None else None,
            )
        return Environment(_scalar(node), line)

    def job(self, job_id: str, node: Any, line: int) -> Job:
        job = self.mapping(node, line, f"jobs.{job_id}")
        needs_raw = job.get("needs")
        if isinstance(needs_raw, str):
            needs: tuple[str, ...] = (needs_raw,)
        elif isinstance(needs_raw, CommentedSeq):
            needs = tuple(_scalar(n) for n in needs_raw)
        else:
            needs = ()
        steps_raw = job.get("steps")
        steps: list[Step] = []
        if steps_raw is not None:
            if not isinstance(steps_raw, CommentedSeq):
                raise self.fail(_line(job, "steps"), f"jobs.{job_id}.steps must be a list")
            for i, raw in enumerate(steps_raw):
                steps.append(self.step(raw, i, _line(steps_raw, i), job_id))
        with_, _ = _string_map(job.get("with"))
        secrets_raw = job.get("secrets")
        secrets, _ = _string_map(secrets_raw)
        env, env_lines = _string_map(job.get("env"))
        coe = job.get("continue-on-error")
        uses = job.get("uses")
        if uses is None and steps_raw is None:
            raise self.fail(line, f"job {job_id!r} has neither steps nor uses")
        return Job(
            id=job_id,
            line=line,
            name=_scalar(job["name"]) if "name" in job else None,
            if_=_scalar(job["if"]) if "if" in job else None,
            if_line=_line(job, "if") if "if" in job else None,
            needs=needs,
            permissions=(
                self.permissions(job["permissions"], _line(job, "permissions"))
                if "permissions" in job
                else None
            ),
            environment=self.environment(job.get("environment"), _line(job, "environment")),
            uses=_scalar(uses).strip() if uses is not None else None,
            uses_line=_line(job, "uses") if uses is not None else None,
            with_=with_,
            secrets_inherit=isinstance(secrets_raw, str) and secrets_raw.strip() == "inherit",
            secrets=secrets,
            steps=tuple(steps),
            env=env,
            env_lines=env_lines,
            continue_on_error=_scalar(coe) if coe is not None else None,
            continue_on_error_line=_line(job, "continue-on-error") if coe is not None else None,
        )

    def triggers(self, node: Any, line: int) -> dict[str, Trigger]:
        if isinstance(node, str):
            return {node.strip(): Trigger(node.strip(), line, None)}
        if isinstance(node, CommentedSeq):
            return {
                _scalar(e).strip(): Trigger(_scalar(e).strip(), _line(node, i), None)
                for i, e in enumerate(node)
            }
        if isinstance(node, CommentedMap):
            return {str(k): Trigger(str(k), _line(node, k), v) for k, v in node.items()}
        raise self.fail(line, "'on' must be an event name, a list of events or a mapping")

    def dispatch_inputs(self, trigger: Trigger | None) -> dict[str, DispatchInput]:
        if trigger is None or not isinstance(trigger.config, CommentedMap):
            return {}
        inputs = trigger.config.get("inputs")
        if not isinstance(inputs, CommentedMap):
            return {}
        out: dict[str, DispatchInput] = {}
        for key, spec in inputs.items():
            kind = "string"
            if isinstance(spec, CommentedMap) and spec.get("type") is not None:
                kind = _scalar(spec.get("type"))
            out[str(key)] = DispatchInput(str(key), _line(inputs, key), kind)
        return out

    def workflow(self, doc: Any) -> Workflow:
        if not isinstance(doc, CommentedMap):
            raise self.fail(1, "not a GitHub Actions workflow (the document is not a mapping)")
        on_key: Any = "on" if "on" in doc else (True if True in doc else None)
        if on_key is None:
            raise self.fail(1, "not a GitHub Actions workflow (no 'on:' triggers)")
        if "jobs" not in doc:
            raise self.fail(1, "not a GitHub Actions workflow (no 'jobs:')")
        on_line = _line(doc, on_key)
        triggers = self.triggers(doc[on_key], on_line)
        jobs_node = self.mapping(doc["jobs"], _line(doc, "jobs"), "jobs")
        jobs = {str(k): self.job(str(k), v, _line(jobs_node, k)) for k, v in jobs_node.items()}
        env, env_lines = _string_map(doc.get("env"))
        return Workflow(
            path=self.path,
            name=_scalar(doc["name"]) if "name" in doc else None,
            on_line=on_line,
            triggers=triggers,
            permissions=(
                self.permissions(doc["permissions"], _line(doc, "permissions"))
                if "permissions" in doc
                else None
            ),
            env=env,
            env_lines=env_lines,
            jobs=jobs,
            dispatch_inputs=self.dispatch_inputs(triggers.get("workflow_dispatch")),
        )


def load_document(text: str, path: Path) -> Any:
    """The YAML document in ``text`` (round-trip nodes, with line numbers); `InputError`
    naming file:line otherwise."""
    parser = _Parser(path)
    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = err.problem or err.context or "invalid YAML"
        raise parser.fail(line, f"invalid YAML: {problem}") from None
    except YAMLError as err:
        raise parser.fail(0, f"invalid YAML: {str(err).splitlines()[0]}") from None
    except RecursionError:  # ruamel.yaml recurses once per level of nesting
        raise parser.fail(0, "invalid YAML: nested too deeply to be a workflow") from None


def parse_workflow_text(text: str, path: Path) -> Workflow:
    """Parse ``text`` (the content of ``path``); `InputError` naming file:line otherwise."""
    parser = _Parser(path)
    doc = load_document(text, path)
    try:
        return parser.workflow(doc)
    except RecursionError:
        raise parser.fail(0, "nested too deeply to be a workflow") from None


def read_text(path: Path) -> str:
    """A workflow or pipeline file's text: bounded, UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None
    if len(data) > MAX_WORKFLOW_BYTES:
        raise InputError(path, f"larger than {MAX_WORKFLOW_BYTES} bytes; not a workflow")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start})") from None


def load_workflow(path: Path) -> Workflow:
    return parse_workflow_text(read_text(path), path)


node_line = _line
"""1-based line of a mapping key (or its value), or of the node itself (for other models)."""
scalar = _scalar
string_map = _string_map
