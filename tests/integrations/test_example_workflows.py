"""The example workflows of docs/github-action.md: the pull-request workflow that uses the
action, and the release workflow `workflow init` writes. Both are clean under `pyvouch workflow
lint --strict` and under actionlint, which also checks the action's inputs against action.yml
(the example's `uses:` pointed at this checkout)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.model import Publisher
from pyvouch.workflows.generate import generate_workflow
from tests.integrations.conftest import venv_tool

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "github-action.md"
ACTION_USES = re.compile(r"uses: OWNER/pyvouch@[0-9a-f]{40}[^\n]*")


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text("utf-8"), re.S)


def actionlint() -> str:
    return venv_tool("actionlint")


def lint_with_actionlint(root: Path, workflows: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """actionlint in a scratch repository holding this action.yml and ``workflows``."""
    (root / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(REPO / "action.yml", root / "action.yml")
    for name, text in workflows.items():
        (root / ".github" / "workflows" / name).write_text(text, "utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=30)
    return subprocess.run(
        [actionlint(), "-no-color", "-oneline", "-shellcheck=", "-pyflakes="],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_doc_has_both_examples_and_the_release_one_is_what_init_writes() -> None:
    pull_request, release = yaml_blocks()
    assert ACTION_USES.search(pull_request)
    generated = generate_workflow(
        Publisher("GitHub", "octo/example", "release.yml", "pypi"), project="example"
    ).text
    # the first line names pyvouch's version; the rest is the workflow as written
    assert release == generated.split("\n", 1)[1]


@pytest.mark.parametrize("which", [0, 1])
def test_pyvouch_workflow_lint_strict_is_clean(tmp_path: Path, which: int) -> None:
    path = tmp_path / ("dependencies.yml", "release.yml")[which]
    path.write_text(yaml_blocks()[which], "utf-8")
    result = CliRunner().invoke(cli, ["workflow", "lint", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s), 0 info" in result.output


def test_actionlint_is_clean_with_the_action_checked_too(tmp_path: Path) -> None:
    pull_request, release = yaml_blocks()
    local = ACTION_USES.sub("uses: ./", pull_request)
    result = lint_with_actionlint(
        tmp_path / "ok", {"dependencies.yml": local, "release.yml": release}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # and actionlint did read action.yml: an input it does not declare is an error
    wrong = local.replace("lock: pylock.toml", "lockfile: pylock.toml")
    bad = lint_with_actionlint(tmp_path / "bad", {"dependencies.yml": wrong})
    assert bad.returncode == 1 and "lockfile" in bad.stdout, bad.stdout + bad.stderr
