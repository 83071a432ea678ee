"""Each rule on small workflows written here: one that must fire, one that must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.workflows.lint import Severity
from tests.support.workflow_samples import PUBLISH_SHA, lint_text, rules

HEAD = """\
name: release
on:
  release:
    types: [published]
permissions: {}
"""


def publish_job(perms: str = "      id-token: write\n", extra: str = "", step: str = "") -> str:
    return (
        HEAD
        + f"""\
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
{extra}    permissions:
{perms}    steps:
      - uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c
{step or f"      - uses: {PUBLISH_SHA}"}
"""
    )


def test_clean_publish_job_has_no_findings() -> None:
    assert lint_text(publish_job()).findings == []


def test_job_permissions_replace_the_workflow_id_token() -> None:
    text = publish_job(perms="      contents: read\n").replace(
        "permissions: {}", "permissions:\n  id-token: write"
    )
    found = rules(lint_text(text), "PYV-W001")
    assert len(found) == 1 and found[0].line == 15
    assert "job-level permissions replace the workflow's" in found[0].message


def test_workflow_level_id_token_is_inherited() -> None:
    text = publish_job().replace("    permissions:\n      id-token: write\n", "")
    text = text.replace("permissions: {}", "permissions:\n  id-token: write")
    assert rules(lint_text(text), "PYV-W001") == []


@pytest.mark.parametrize("perm", ["write-all", "read-all", "{}"])
def test_permission_string_forms(perm: str) -> None:
    text = publish_job().replace(
        "    permissions:\n      id-token: write\n", f"    permissions: {perm}\n"
    )
    found = rules(lint_text(text), "PYV-W001")
    assert bool(found) == (perm != "write-all")


@pytest.mark.parametrize(
    ("step", "evidence"),
    [
        (
            "      - run: twine upload dist/*\n"
            "        env:\n          TWINE_PASSWORD: ${{ secrets.T }}",
            "TWINE_PASSWORD",
        ),
        (
            "      - run: uv publish\n        env:\n          UV_PUBLISH_TOKEN: ${{ secrets.T }}",
            "UV_PUBLISH_TOKEN",
        ),
        ("      - run: uv publish --token ${{ secrets.T }}", "--token"),
        (
            "      - run: poetry publish\n"
            "        env:\n          POETRY_PYPI_TOKEN_PYPI: ${{ secrets.T }}",
            "POETRY_PYPI_TOKEN_PYPI",
        ),
        ("      - run: python -m twine upload -p $TOKEN dist/*", "-p $TOKEN"),
        # a variable assigned on the command's own line is a credential too
        ("      - run: TWINE_PASSWORD=${{ secrets.T }} twine upload dist/*", "TWINE_PASSWORD="),
        ("      - run: env UV_PUBLISH_TOKEN=$T uv publish", "UV_PUBLISH_TOKEN=$T"),
        (
            f"      - uses: {PUBLISH_SHA}\n        with:\n          password: ${{{{ secrets.T }}}}",
            "password:",
        ),
    ],
)
def test_token_uploads(step: str, evidence: str) -> None:
    found = rules(lint_text(publish_job(step=step)), "PYV-W002")
    assert len(found) == 1 and evidence in found[0].message
    assert found[0].severity is Severity.ERROR


def test_a_variable_named_like_a_token_elsewhere_is_not_one() -> None:
    step = "      - run: echo OLD_TWINE_PASSWORD=x; twine upload dist/*"
    assert rules(lint_text(publish_job(step=step)), "PYV-W002") == []


def test_hatch_publish_is_always_a_credential_upload() -> None:
    found = rules(lint_text(publish_job(step="      - run: hatch publish")), "PYV-W002")
    assert found and "no Trusted Publishing support" in found[0].message


def test_uv_trusted_publishing_without_attestations_warns() -> None:
    result = lint_text(publish_job(step="      - run: uv publish dist/*"))
    assert rules(result, "PYV-W002") == [] and rules(result, "PYV-W001") == []
    assert [f.severity for f in rules(result, "PYV-W013")] == [Severity.WARNING]
    signed = publish_job(step="      - run: pyvouch sign dist/\n      - run: uv publish dist/*")
    assert rules(lint_text(signed), "PYV-W013") == []


def test_attestations_false() -> None:
    step = f"      - uses: {PUBLISH_SHA}\n        with:\n          attestations: false"
    found = rules(lint_text(publish_job(step=step)), "PYV-W003")
    assert [f.line for f in found] == [16]
    on = step.replace("false", "true")
    assert rules(lint_text(publish_job(step=on)), "PYV-W003") == []
    # a literal expression turns them off just the same
    expression = step.replace("false", "${{ false }}")
    assert [f.line for f in rules(lint_text(publish_job(step=expression)), "PYV-W003")] == [16]


@pytest.mark.parametrize(
    ("guard", "fires"),
    [
        ("", True),
        ("    if: github.event_name == 'release'\n", False),
        ("    if: startsWith(github.ref, 'refs/tags/')\n", False),
        ("    if: github.event_name != 'pull_request'\n", False),
        ("    if: github.repository == 'o/r'\n", True),
        ("    if: github.event_name == 'release' || github.event.pull_request.merged\n", True),
    ],
)
def test_publishing_from_pull_requests(guard: str, fires: bool) -> None:
    text = publish_job(extra=guard).replace(
        "  release:\n    types: [published]", "  release:\n    types: [published]\n  pull_request:"
    )
    assert bool(rules(lint_text(text), "PYV-W004")) is fires


def test_pull_request_target_is_named_worst_and_branch_guard_does_not_help() -> None:
    text = publish_job(extra="    if: github.ref == 'refs/heads/main'\n").replace(
        "  release:\n    types: [published]", "  pull_request_target:"
    )
    found = rules(lint_text(text), "PYV-W004")
    assert found and "worst case" in found[0].message


def test_needs_a_gated_job_excludes_unless_always() -> None:
    base = (
        HEAD.replace("  release:\n    types: [published]", "  push:\n  pull_request:")
        + f"""\
jobs:
  build:
    if: startsWith(github.ref, 'refs/tags/')
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
  publish:
    needs: build
    IFLINE
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: {PUBLISH_SHA}
"""
    )
    assert rules(lint_text(base.replace("    IFLINE\n", "")), "PYV-W004") == []
    always = base.replace("IFLINE", "if: always()")
    assert rules(lint_text(always), "PYV-W004")


def test_dispatch_free_form_ref() -> None:
    text = (
        HEAD.replace(
            "  release:\n    types: [published]",
            "  workflow_dispatch:\n    inputs:\n      ref:\n        required: true",
        )
        + f"""\
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1
        with:
          ref: ${{{{ inputs.ref }}}}
      - run: python -m build
      - uses: {PUBLISH_SHA}
"""
    )
    found = rules(lint_text(text), "PYV-W005")
    assert [f.line for f in found] == [16]
    choice = text.replace("        required: true", "        type: choice\n        options: [main]")
    assert rules(lint_text(choice), "PYV-W005") == []


def test_reusable_workflow_single_file_and_publisher_naming_it() -> None:
    text = publish_job().replace("  release:\n    types: [published]", "  workflow_call:")
    found = rules(lint_text(text, "publish.yml"), "PYV-W006")
    assert found and "CALLING workflow" in found[0].message
    spec = parse_publisher_spec("github:o/r:publish.yml")
    mismatch = rules(lint_text(text, "publish.yml", spec), "PYV-W007")
    assert mismatch and "reusable workflow" in mismatch[0].message


@pytest.mark.parametrize(
    ("spec", "count"),
    [
        ("github:o/r:release.yml@pypi", 0),
        ("github:o/r:release.yml@PyPI", 0),
        ("github:o/r:release.yml", 0),
        ("github:o/r:publish.yml@pypi", 1),
        ("github:o/r:release.yml@release", 1),
        ("github:o/r:other.yml@release", 2),
    ],
)
def test_publisher_workflow_and_environment(spec: str, count: int) -> None:
    result = lint_text(publish_job(), "release.yml", parse_publisher_spec(spec))
    assert len(rules(result, "PYV-W007")) == count


def test_wheels_only_and_build_in_publish_job() -> None:
    step = f"      - run: pipx run cibuildwheel\n      - uses: {PUBLISH_SHA}"
    result = lint_text(publish_job(step=step))
    dist = rules(result, "PYV-W008")
    assert [f.severity for f in dist] == [Severity.WARNING]
    assert "builds only wheels" in dist[0].message
    assert rules(result, "PYV-W009")
    both = step.replace("pipx run cibuildwheel", "python -m build")
    assert rules(lint_text(publish_job(step=both)), "PYV-W008") == []
    wheel_flag = step.replace("pipx run cibuildwheel", "python -m build --wheel")
    assert rules(lint_text(publish_job(step=wheel_flag)), "PYV-W008")


def test_unpinned_third_party_action_but_not_first_party() -> None:
    step = "      - uses: actions/checkout@v4\n      - uses: pypa/gh-action-pypi-publish@release/v1"
    found = rules(lint_text(publish_job(step=step)), "PYV-W010")
    assert [f.line for f in found] == [15]
    assert "git ls-remote" in found[0].fix


def test_no_top_level_permissions_and_continue_on_error() -> None:
    text = publish_job(step=f"      - uses: {PUBLISH_SHA}\n        continue-on-error: true")
    text = text.replace("permissions: {}\n", "")
    result = lint_text(text)
    assert [f.line for f in rules(result, "PYV-W011")] == [2]
    assert [f.line for f in rules(result, "PYV-W012")] == [14]


def test_yaml_1_1_on_key_is_read() -> None:
    text = "%YAML 1.1\n---\n" + publish_job()
    result = lint_text(text)
    assert result.workflows[0].triggers.keys() == {"release"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("on: push\njobs:\n  a:\n    steps: [\n", "5"),
        ("just a string\n", "1"),
        ("name: x\njobs: {}\n", "1"),
        ("on: push\njobs:\n  a:\n    runs-on: x\n", "3"),
        ("on: push\npermissions: read-most\njobs:\n  a:\n    uses: ./x.yml\n", "2"),
    ],
)
def test_malformed_input_names_file_and_line(text: str, where: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        lint_text(text, "bad.yml")
    assert err.value.where == where
    assert str(err.value).startswith(f"bad.yml:{where}: ")
