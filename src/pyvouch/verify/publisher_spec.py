"""Parse the publisher a user expects (`--publisher SPEC`) into a `model.Publisher`.

Two forms are accepted:

- a JSON object with PEP 740 publisher fields, e.g.
  ``{"kind": "GitHub", "repository": "pypa/sampleproject", "workflow": "release.yml"}``;
- a shorthand: ``github:OWNER/REPO[:WORKFLOW][@ENVIRONMENT]``,
  ``gitlab:NAMESPACE/PROJECT[:WORKFLOW_FILEPATH][@ENVIRONMENT]``,
  ``google:SERVICE_ACCOUNT_EMAIL``, ``circleci:PROJECT_ID:PIPELINE_DEFINITION_ID``.

Every value is checked against the forge's own naming rules, so a spec that could never match
a real identity is rejected here with a message instead of silently failing later.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pyvouch import jsontext
from pyvouch.errors import PublisherSpecError
from pyvouch.model import Publisher
from pyvouch.redact import excerpt, quote

ACCEPTED_FORMS = (
    "github:OWNER/REPO[:WORKFLOW][@ENVIRONMENT], "
    "gitlab:NAMESPACE/PROJECT[:WORKFLOW_FILEPATH][@ENVIRONMENT], "
    "google:SERVICE_ACCOUNT_EMAIL, circleci:PROJECT_ID:PIPELINE_DEFINITION_ID, "
    'or a JSON object such as {"kind": "GitHub", "repository": "OWNER/REPO", '
    '"workflow": "release.yml"}'
)

# GitHub: user/org names are ASCII letters, digits and single inner hyphens, at most 39 long
# (old accounts may end in a hyphen, so a trailing one is allowed); repository names are
# ASCII letters, digits, '.', '-', '_', at most 100 long, and not '.' or '..'.
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_GITHUB_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
# GitLab: each path segment of letters, digits, '_', '-', '.'; at least namespace/project.
_GITLAB_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_GITHUB_WORKFLOW = re.compile(r"[^/@\s:][^/@:]*\.ya?ml")
_GITLAB_WORKFLOW = re.compile(r"[^@\s:][^@:]*")
_EMAIL = re.compile(r"[^@\s:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_CIRCLECI_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_MAX_ENVIRONMENT = 255

_JSON_FIELDS: dict[str, frozenset[str]] = {
    "GitHub": frozenset({"kind", "repository", "workflow", "environment"}),
    "GitLab": frozenset({"kind", "repository", "workflow_filepath", "workflow", "environment"}),
    "Google": frozenset({"kind", "email"}),
    "CircleCI": frozenset({"kind", "project_id", "pipeline_definition_id"}),
}


def _fail(spec: str, problem: str) -> PublisherSpecError:
    # the problem may quote a part of the spec: bounded and redacted like the spec itself
    return PublisherSpecError(
        f"bad --publisher {quote(spec)}: {excerpt(problem, 200)}. Accepted forms: {ACCEPTED_FORMS}"
    )


def _check_environment(spec: str, environment: str) -> str:
    if not environment or len(environment) > _MAX_ENVIRONMENT:
        raise _fail(spec, f"environment must be 1 to {_MAX_ENVIRONMENT} characters")
    if _unprintable(environment):
        raise _fail(spec, "environment contains a control character or lone surrogate")
    return environment


def _check_github_repository(spec: str, repository: str) -> str:
    owner, slash, repo = repository.partition("/")
    if not slash or "/" in repo:
        raise _fail(spec, f"GitHub repository must be OWNER/REPO, got {repository!r}")
    if not _GITHUB_OWNER.fullmatch(owner) or "--" in owner:
        raise _fail(spec, f"{owner!r} is not a valid GitHub owner name")
    if not _GITHUB_REPO.fullmatch(repo) or repo in {".", ".."}:
        raise _fail(spec, f"{repo!r} is not a valid GitHub repository name")
    return repository


def _check_gitlab_repository(spec: str, repository: str) -> str:
    segments = repository.split("/")
    if len(segments) < 2:
        raise _fail(spec, f"GitLab repository must be NAMESPACE/PROJECT, got {repository!r}")
    for segment in segments:
        if not _GITLAB_SEGMENT.fullmatch(segment) or segment.endswith((".git", ".atom")):
            raise _fail(spec, f"{segment!r} is not a valid GitLab path segment")
    return repository


def _check_github_workflow(spec: str, workflow: str) -> str:
    if not _GITHUB_WORKFLOW.fullmatch(workflow):
        raise _fail(
            spec,
            f"{workflow!r} is not a GitHub workflow filename (NAME.yml or NAME.yaml, no '/')",
        )
    return workflow


def _check_gitlab_workflow(spec: str, workflow: str) -> str:
    if not _GITLAB_WORKFLOW.fullmatch(workflow) or workflow.startswith("/"):
        raise _fail(spec, f"{workflow!r} is not a GitLab CI/CD file path")
    return workflow


def _check_email(spec: str, email: str) -> str:
    if not _EMAIL.fullmatch(email):
        raise _fail(spec, f"{email!r} is not a service account email address")
    return email


def _check_circleci_id(spec: str, what: str, value: str) -> str:
    if not _CIRCLECI_ID.fullmatch(value):
        raise _fail(spec, f"{value!r} is not a CircleCI {what}")
    return value


def _split_environment(spec: str, rest: str) -> tuple[str, str | None]:
    head, at, environment = rest.partition("@")
    if not at:
        return head, None
    return head, _check_environment(spec, environment)


def _parse_shorthand(spec: str) -> Publisher:
    scheme, colon, rest = spec.partition(":")
    if not colon:
        raise _fail(spec, "no kind given")
    kind = scheme.strip().lower()
    if kind == "github":
        head, environment = _split_environment(spec, rest)
        repository, colon, workflow = head.partition(":")
        return Publisher(
            kind="GitHub",
            repository=_check_github_repository(spec, repository),
            workflow=_check_github_workflow(spec, workflow) if colon else None,
            environment=environment,
        )
    if kind == "gitlab":
        head, environment = _split_environment(spec, rest)
        repository, colon, workflow = head.partition(":")
        return Publisher(
            kind="GitLab",
            repository=_check_gitlab_repository(spec, repository),
            workflow=_check_gitlab_workflow(spec, workflow) if colon else None,
            environment=environment,
        )
    if kind == "google":
        return Publisher(kind="Google", email=_check_email(spec, rest))
    if kind == "circleci":
        project_id, colon, pipeline = rest.partition(":")
        if not colon:
            raise _fail(spec, "CircleCI needs PROJECT_ID:PIPELINE_DEFINITION_ID")
        return Publisher(
            kind="CircleCI",
            project_id=_check_circleci_id(spec, "project ID", project_id),
            pipeline_definition_id=_check_circleci_id(spec, "pipeline definition ID", pipeline),
        )
    raise _fail(spec, f"unknown kind {scheme!r}")


def _string_field(spec: str, obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(spec, f"field {key!r} must be a string, got {_json_type(value)}")
    if _unprintable(value):
        raise _fail(spec, f"field {key!r} contains a control character or lone surrogate")
    return value


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def _unprintable(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _parse_json(spec: str) -> Publisher:
    try:
        obj = jsontext.loads(spec)
    except (json.JSONDecodeError, RecursionError) as err:
        raise _fail(spec, f"invalid JSON ({err})") from None
    if not isinstance(obj, dict):
        raise _fail(spec, "JSON must be an object")
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in _JSON_FIELDS:
        raise _fail(spec, f"JSON field 'kind' must be one of {', '.join(_JSON_FIELDS)}")
    unknown = sorted(set(obj) - _JSON_FIELDS[kind])
    if unknown:
        raise _fail(spec, f"unknown field(s) for kind {kind}: {', '.join(unknown)}")

    def need(key: str) -> str:
        value = _string_field(spec, obj, key)
        if value is None:
            raise _fail(spec, f"kind {kind} needs field {key!r}")
        return value

    environment = _string_field(spec, obj, "environment")
    if environment:  # "" is allowed here and means "no environment"
        _check_environment(spec, environment)
    if kind == "GitHub":
        workflow = _string_field(spec, obj, "workflow")
        return Publisher(
            kind="GitHub",
            repository=_check_github_repository(spec, need("repository")),
            workflow=_check_github_workflow(spec, workflow) if workflow is not None else None,
            environment=environment,
        )
    if kind == "GitLab":
        workflow = _string_field(spec, obj, "workflow_filepath")
        alias = _string_field(spec, obj, "workflow")
        if workflow is not None and alias is not None and workflow != alias:
            raise _fail(spec, "'workflow' and 'workflow_filepath' disagree")
        workflow = workflow if workflow is not None else alias
        return Publisher(
            kind="GitLab",
            repository=_check_gitlab_repository(spec, need("repository")),
            workflow=_check_gitlab_workflow(spec, workflow) if workflow is not None else None,
            environment=environment,
        )
    if kind == "Google":
        return Publisher(kind="Google", email=_check_email(spec, need("email")))
    return Publisher(
        kind="CircleCI",
        project_id=_check_circleci_id(spec, "project ID", need("project_id")),
        pipeline_definition_id=_check_circleci_id(
            spec, "pipeline definition ID", need("pipeline_definition_id")
        ),
    )


def parse_publisher_spec(spec: str) -> Publisher:
    """The expected publisher named by ``spec``; `PublisherSpecError` if it is malformed."""
    text = spec.strip()
    if not text:
        raise _fail(spec, "empty")
    if _unprintable(text.replace("\n", " ").replace("\t", " ").replace("\r", " ")):
        raise _fail(spec, "contains a control character or lone surrogate")
    if text.startswith("{"):
        return _parse_json(text)
    if any(ch.isspace() for ch in text):
        raise _fail(spec, "whitespace is not allowed in the shorthand form")
    return _parse_shorthand(text)
