"""`pyvouch workflow init` (its output lints clean) and `pyvouch workflow lint` on the command
line: exit codes, formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyvouch.model import Publisher
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.workflows.generate import ACTION_PINS, generate_workflow
from pyvouch.workflows.lint import lint_workflows
from pyvouch.workflows.model import parse_workflow_text
from tests.support.workflow_samples import invoke


@pytest.mark.parametrize("dispatch", [False, True])
@pytest.mark.parametrize("backend", ["auto", "build", "uv"])
@pytest.mark.parametrize(
    "spec", [None, "github:octo/demo@pypi", "github:octo/demo:release.yml@prod"]
)
def test_generated_workflow_lints_clean(
    dispatch: bool, backend: str, spec: str | None, tmp_path: Path
) -> None:
    publisher: Publisher | None = parse_publisher_spec(spec) if spec else None
    out = generate_workflow(
        publisher, build_backend=backend, dispatch=dispatch, pyproject=tmp_path / "none.toml"
    )
    workflow = parse_workflow_text(out.text, Path("release.yml"))
    result = lint_workflows([workflow], publisher, together=False)
    assert result.findings == []
    assert workflow.permissions is not None and workflow.permissions.scopes == {}
    publish = workflow.jobs["publish"]
    assert publish.permissions is not None and publish.permissions.grants_write("id-token")
    assert publish.environment is not None
    assert publish.environment.name == (publisher.environment if publisher else "pypi")
    assert workflow.jobs["build"].steps[0].with_["persist-credentials"] == "false"
    for action, (sha, tag, _) in ACTION_PINS.items():
        assert f"{action}@{sha} # {tag}" in out.text
    assert "attestations:" not in out.text  # left at the default: on
    assert "with:" not in out.text.split("pypa/gh-action-pypi-publish@")[1]


def test_generated_workflow_with_a_wrong_publisher_would_fail_lint() -> None:
    """The clean lint above can fail: the same text against another environment does."""
    out = generate_workflow(parse_publisher_spec("github:o/r@pypi"), pyproject=Path("/nonexistent"))
    workflow = parse_workflow_text(out.text, Path("release.yml"))
    other = parse_publisher_spec("github:o/r:release.yml@release")
    assert [f.rule for f in lint_workflows([workflow], other).findings] == ["PYV-W007"]


def test_init_writes_prints_settings_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo-pkg"\n')
    first = invoke(["workflow", "init", "--publisher", "github:octo/demo"])
    assert first.exit_code == 0, first.output
    target = tmp_path / ".github" / "workflows" / "release.yml"
    assert "url: https://pypi.org/p/demo-pkg" in target.read_text()
    for line in (
        "Owner:             octo",
        "Repository name:   demo",
        "Workflow name:     release.yml",
        "Environment name:  pypi",
    ):
        assert line in first.output
    target.write_text("# mine\n")
    again = invoke(["workflow", "init"])
    assert again.exit_code == 2 and "--force" in again.output
    assert target.read_text() == "# mine\n"
    forced = invoke(["workflow", "init", "--force"])
    assert forced.exit_code == 0 and "pypa/gh-action-pypi-publish@" in target.read_text()
    assert invoke(["workflow", "lint", "--strict"]).exit_code == 0


def test_init_makes_its_usual_folder_but_no_folder_the_user_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """.github/workflows is created for the default output (a fresh repository has none); a
    folder named with --output must exist, as for every file pyvouch writes."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo-pkg"\n')
    named = invoke(["workflow", "init", "--output", "ci/flows/release.yml"])
    assert named.exit_code == 2, named.output
    assert "ci/flows/release.yml: cannot write: no directory" in named.output
    assert not (tmp_path / "ci").exists()
    usual = invoke(["workflow", "init"])
    assert usual.exit_code == 0, usual.output
    assert (tmp_path / ".github" / "workflows" / "release.yml").is_file()


def test_init_rejects_a_publisher_naming_another_file(tmp_path: Path) -> None:
    result = invoke(
        [
            "workflow",
            "init",
            "--publisher",
            "github:o/r:publish.yml",
            "--output",
            str(tmp_path / "release.yml"),
        ]
    )
    assert result.exit_code == 2 and "must agree" in result.output
    assert not (tmp_path / "release.yml").exists()


BROKEN_TOKEN = """\
name: release
on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
"""


def test_lint_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    bad = tmp_path / "publish.yml"
    bad.write_text(BROKEN_TOKEN)
    text = invoke(["workflow", "lint", str(bad)])
    assert text.exit_code == 1
    assert f"{bad}:9: PYV-W002 error [token-upload]" in text.output
    assert "    fix: register this workflow as a Trusted Publisher" in text.output

    as_json = invoke(["workflow", "lint", "--format", "json", str(bad)])
    doc = json.loads(as_json.output)
    assert as_json.exit_code == 1 and doc["summary"]["error"] == 1
    assert {f["rule"] for f in doc["findings"]} >= {"PYV-W002", "PYV-W010", "PYV-W011"}

    sarif = json.loads(invoke(["workflow", "lint", "--format", "sarif", str(bad)]).output)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "pyvouch"
    token = next(r for r in run["results"] if r["ruleId"] == "PYV-W002")
    assert token["level"] == "error"
    assert token["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids[token["ruleIndex"]] == "PYV-W002"

    warn_only = tmp_path / "w.yml"
    warn_only.write_text(
        BROKEN_TOKEN.replace(
            "        with:\n          password: ${{ secrets.PYPI_TOKEN }}\n", ""
        ).replace("    steps:", "    permissions:\n      id-token: write\n    steps:")
    )
    assert invoke(["workflow", "lint", str(warn_only)]).exit_code == 0
    assert invoke(["workflow", "lint", "--strict", str(warn_only)]).exit_code == 1


def test_lint_cli_bad_input(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a: [\n")
    result = invoke(["workflow", "lint", str(broken)])
    assert result.exit_code == 2
    assert result.output.startswith(f"pyvouch: error: {broken}:4: invalid YAML")
    assert "Traceback" not in result.output
    assert invoke(["workflow", "lint", str(tmp_path / "missing.yml")]).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert invoke(["workflow", "lint", str(empty)]).exit_code == 2
    bad_spec = invoke(["workflow", "lint", "--publisher", "gitlab:a/b", str(broken)])
    assert bad_spec.exit_code == 2
