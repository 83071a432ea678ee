"""`--publisher` parsing: every accepted form, rejected forms with one-line messages, no crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyvouch.errors import PublisherSpecError
from pyvouch.model import Publisher
from pyvouch.verify.publisher_spec import parse_publisher_spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("github:pypa/sampleproject", Publisher(kind="GitHub", repository="pypa/sampleproject")),
        (
            "github:pypa/sampleproject:release.yml",
            Publisher(kind="GitHub", repository="pypa/sampleproject", workflow="release.yml"),
        ),
        (
            "github:pypa/sampleproject:release.yaml@pypi",
            Publisher(
                kind="GitHub",
                repository="pypa/sampleproject",
                workflow="release.yaml",
                environment="pypi",
            ),
        ),
        (
            "github:pypa/sampleproject@pypi",
            Publisher(kind="GitHub", repository="pypa/sampleproject", environment="pypi"),
        ),
        (
            "gitlab:group/sub/project:ci/release.yml@prod",
            Publisher(
                kind="GitLab",
                repository="group/sub/project",
                workflow="ci/release.yml",
                environment="prod",
            ),
        ),
        ("gitlab:ns/proj", Publisher(kind="GitLab", repository="ns/proj")),
        (
            "google:sa@project.iam.gserviceaccount.com",
            Publisher(kind="Google", email="sa@project.iam.gserviceaccount.com"),
        ),
        (
            "circleci:8a3f0c2e-1111-2222-3333-444455556666:0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff",
            Publisher(
                kind="CircleCI",
                project_id="8a3f0c2e-1111-2222-3333-444455556666",
                pipeline_definition_id="0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff",
            ),
        ),
        (
            '{"kind": "GitHub", "repository": "o/r", "workflow": "w.yml", "environment": ""}',
            Publisher(kind="GitHub", repository="o/r", workflow="w.yml", environment=""),
        ),
        (
            '{"kind": "GitLab", "repository": "a/b/c", "workflow_filepath": ".gitlab-ci.yml"}',
            Publisher(kind="GitLab", repository="a/b/c", workflow=".gitlab-ci.yml"),
        ),
        ('{"kind": "Google", "email": "a@b.com"}', Publisher(kind="Google", email="a@b.com")),
        (
            '{"kind": "CircleCI", "project_id": "p1", "pipeline_definition_id": "d1"}',
            Publisher(kind="CircleCI", project_id="p1", pipeline_definition_id="d1"),
        ),
    ],
)
def test_accepted(spec: str, expected: Publisher) -> None:
    assert parse_publisher_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("", "empty"),
        ("pypa/sampleproject", "no kind"),
        ("bitbucket:o/r", "unknown kind"),
        ("github:pypa", "OWNER/REPO"),
        ("github:evil/pypa/sampleproject", "OWNER/REPO"),
        ("github:/r", "GitHub owner"),
        ("github:-pypa/r", "GitHub owner"),
        ("github:pypa/", "GitHub repository"),
        ("github:pypa/..", "GitHub repository"),
        ("github:pyp\u0430/r", "GitHub owner"),  # Cyrillic a
        ("github:o/r:", "workflow"),
        ("github:o/r:release", "workflow"),
        ("github:o/r:dir/release.yml", "workflow"),
        ("github:o/r:release.yml@", "environment"),
        ("github:o/r release.yml", "whitespace"),
        ("gitlab:project", "NAMESPACE/PROJECT"),
        ("gitlab:a//b", "GitLab path segment"),
        ("gitlab:a/b.git", "GitLab path segment"),
        ("google:not-an-email", "service account email"),
        ("google:a@b", "service account email"),
        ("circleci:only-one", "PROJECT_ID:PIPELINE_DEFINITION_ID"),
        ("circleci::x", "project ID"),
        ("{", "invalid JSON"),
        ("[1]", "no kind"),
        ('{"kind": "Pulp User"}', "'kind' must be one of"),
        ('{"kind": "GitHub"}', "needs field 'repository'"),
        ('{"kind": "GitHub", "repository": "o/r", "workflw": "x.yml"}', "unknown field"),
        ('{"kind": "GitHub", "repository": 5}', "must be a string"),
        (
            '{"kind": "GitLab", "repository": "a/b", "workflow": "x", "workflow_filepath": "y"}',
            "disagree",
        ),
    ],
)
def test_rejected_with_a_one_line_message(spec: str, words: str) -> None:
    with pytest.raises(PublisherSpecError) as info:
        parse_publisher_spec(spec)
    message = str(info.value)
    assert words in message
    assert "\n" not in message
    assert "Accepted forms" in message


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_crashes(spec: str) -> None:
    try:
        result = parse_publisher_spec(spec)
    except PublisherSpecError as err:
        assert "\n" not in str(err)
    else:
        assert result.kind in {"GitHub", "GitLab", "Google", "CircleCI"}


_prefix = st.sampled_from(["github:", "gitlab:", "google:", "circleci:", "GitHub:", '{"kind":'])


@settings(max_examples=400, deadline=None)
@given(_prefix, st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_near_miss_specs_never_crash(prefix: str, rest: str) -> None:
    try:
        parse_publisher_spec(prefix + rest)
    except PublisherSpecError as err:
        assert "\n" not in str(err)


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,20}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,30}", fullmatch=True),
    st.from_regex(r"[a-z0-9_-]{1,20}\.ya?ml", fullmatch=True),
)
def test_valid_github_specs_round_trip(owner: str, repo: str, workflow: str) -> None:
    if "--" in owner or repo in {".", ".."}:
        return
    parsed = parse_publisher_spec(f"github:{owner}/{repo}:{workflow}")
    assert parsed.repository == f"{owner}/{repo}"
    assert parsed.workflow == workflow
    assert parse_publisher_spec(parsed.to_spec()) == parsed
