"""A GitLab CI/CD pipeline file (``.gitlab-ci.yml``) as the GitLab lint rules need it.

Jobs are the top-level mappings that are not GitLab keywords and not hidden (``.name``); each
keeps its ``script`` lines (with ``before_script``/``after_script``, its own or ``default:``'s)
as a `Step` so the GitHub linter's command reading (`workflows.commands`) finds builds and
uploads the same way, its ``variables`` (the file's global ones below its own), ``rules``,
``only``, ``environment`` and ``id_tokens``. YAML anchors and merge keys are resolved by the
parser; ``extends:`` and ``include:`` are not followed (a job completed elsewhere is read as
written here).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pyvouch.errors import InputError
from pyvouch.workflows.model import Step, load_document, node_line, read_text, scalar, string_map

KEYWORDS = frozenset(
    {
        "default", "include", "stages", "variables", "workflow", "image", "services", "cache",
        "before_script", "after_script", "types", "spec",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RuleEntry:
    if_: str | None
    when: str
    line: int


@dataclass(frozen=True, slots=True)
class IdToken:
    name: str
    audiences: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class GitLabJob:
    name: str
    line: int
    stage: str | None
    scripts: tuple[Step, ...]
    """One `Step` per script line (before_script, script, after_script)."""
    variables: dict[str, str]
    variable_lines: dict[str, int]
    rules: tuple[RuleEntry, ...] | None
    """None when the job has no ``rules:``."""
    rules_line: int
    only: tuple[str, ...] | None
    only_line: int
    environment: str | None
    environment_line: int
    id_tokens: tuple[IdToken, ...]
    id_tokens_line: int
    needs: tuple[str, ...]
    when: str | None


@dataclass(frozen=True, slots=True)
class Pipeline:
    path: Path
    jobs: dict[str, GitLabJob]
    variables: dict[str, str]
    variable_lines: dict[str, int]
    workflow_rules: tuple[RuleEntry, ...] | None


def _fail(path: Path, line: int, problem: str) -> InputError:
    return InputError(path, problem, where=str(line) if line else None)


def _rules(node: Any) -> tuple[RuleEntry, ...] | None:
    if not isinstance(node, CommentedSeq):
        return None
    out: list[RuleEntry] = []
    for i, rule in enumerate(node):
        if isinstance(rule, CommentedMap):
            when = scalar(rule.get("when", "on_success")).strip() or "on_success"
            condition = scalar(rule["if"]).strip() if "if" in rule else None
            out.append(RuleEntry(condition, when, node_line(node, i)))
    return tuple(out)


def _only(node: Any) -> tuple[str, ...] | None:
    if node is None:
        return None
    if isinstance(node, str):
        return (node.strip(),)
    if isinstance(node, CommentedMap):
        node = node.get("refs")
        if node is None:
            return None  # only: variables/changes/kubernetes: refs not narrowed
    if isinstance(node, CommentedSeq):
        return tuple(scalar(v).strip() for v in node)
    return None


def _script_steps(job: str, node: Any, key: str, first: int) -> list[Step]:
    lines: list[tuple[int, str]] = []
    if isinstance(node, str):
        lines.append((first, node))
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            if isinstance(item, CommentedSeq):  # a nested list (from an anchor)
                lines += [(node_line(item, j), scalar(v)) for j, v in enumerate(item)]
            else:
                lines.append((node_line(node, i), scalar(item)))
    return [
        Step(
            index=first + n,
            line=line,
            name=f"{job} {key}",
            id=None,
            uses=None,
            uses_line=0,
            with_={},
            with_lines={},
            run=text,
            run_first_line=line,
            run_folded=False,
            env={},
            env_lines={},
            if_=None,
            continue_on_error=None,
            continue_on_error_line=None,
        )
        for n, (line, text) in enumerate(lines)
    ]


def _id_tokens(node: Any) -> tuple[IdToken, ...]:
    if not isinstance(node, CommentedMap):
        return ()
    out: list[IdToken] = []
    for name, spec in node.items():
        aud = spec.get("aud") if isinstance(spec, CommentedMap) else None
        audiences = (
            tuple(scalar(a).strip() for a in aud)
            if isinstance(aud, CommentedSeq)
            else ((scalar(aud).strip(),) if aud is not None else ())
        )
        out.append(IdToken(str(name), audiences, node_line(node, name)))
    return tuple(out)


def _environment(node: Any) -> str | None:
    if isinstance(node, CommentedMap):
        name = node.get("name")
        return scalar(name).strip() if name is not None else None
    return scalar(node).strip() if node is not None else None


def _needs(node: Any) -> tuple[str, ...]:
    if not isinstance(node, CommentedSeq):
        return ()
    out = []
    for item in node:
        if isinstance(item, CommentedMap) and "job" in item:
            out.append(scalar(item["job"]).strip())
        elif isinstance(item, str):
            out.append(item.strip())
    return tuple(out)


def _job(name: str, node: CommentedMap, line: int, default: Any) -> GitLabJob:
    steps: list[Step] = []
    for key in ("before_script", "script", "after_script"):
        source = node if key in node else default if isinstance(default, CommentedMap) else None
        if source is not None and key in source:
            steps += _script_steps(name, source[key], key, node_line(source, key, value=True))
    variables, variable_lines = string_map(node.get("variables"))
    return GitLabJob(
        name=name,
        line=line,
        stage=scalar(node["stage"]).strip() if "stage" in node else None,
        scripts=tuple(steps),
        variables=variables,
        variable_lines={k: v for k, v in variable_lines.items()},
        rules=_rules(node.get("rules")),
        rules_line=node_line(node, "rules") if "rules" in node else line,
        only=_only(node.get("only")),
        only_line=node_line(node, "only") if "only" in node else line,
        environment=_environment(node.get("environment")),
        environment_line=node_line(node, "environment") if "environment" in node else line,
        id_tokens=_id_tokens(node.get("id_tokens")),
        id_tokens_line=node_line(node, "id_tokens") if "id_tokens" in node else line,
        needs=_needs(node.get("needs")),
        when=scalar(node["when"]).strip() if "when" in node else None,
    )


def parse_pipeline_text(text: str, path: Path) -> Pipeline:
    doc = load_document(text, path)
    if not isinstance(doc, CommentedMap):
        raise _fail(path, 1, "not a GitLab CI/CD file (the document is not a mapping)")
    if "on" in doc and "jobs" in doc:
        raise _fail(path, 1, "a GitHub Actions workflow, not a GitLab CI/CD file")
    default = doc.get("default")
    jobs: dict[str, GitLabJob] = {}
    for key, node in doc.items():
        name = str(key)
        if name in KEYWORDS or name.startswith(".") or not isinstance(node, CommentedMap):
            continue
        if not ({"script", "trigger", "extends", "run"} & set(map(str, node))):
            continue
        jobs[name] = _job(name, node, node_line(doc, key), default)
    if not jobs:
        raise _fail(path, 1, "not a GitLab CI/CD file (no job with a script)")
    variables, variable_lines = string_map(doc.get("variables"))
    workflow = doc.get("workflow")
    workflow_rules = _rules(workflow.get("rules")) if isinstance(workflow, CommentedMap) else None
    return Pipeline(path, jobs, variables, variable_lines, workflow_rules)


def load_pipeline(path: Path) -> Pipeline:
    return parse_pipeline_text(read_text(path), path)


def is_gitlab_file(path: Path) -> bool:
    """``.gitlab-ci.yml`` and ``*.gitlab-ci.yml`` (also ``.yaml``)."""
    return path.name.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")) or path.name in (
        "gitlab-ci.yml",
        "gitlab-ci.yaml",
    )
