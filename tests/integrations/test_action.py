"""The GitHub Action (action.yml) run step by step as a runner runs it, against a loopback
index serving wheels with attestations minted by the test authority, in a real git repository
with a bare ``origin``.

A push is scanned; a pull request is reviewed with `diff` against the base the payload names,
once the repository confirms it is the base branch's. The attacks: a pull request that edits
the policy and the pins (the base's still decide), a forged base in the payload (a commit of the
pull request, the head itself, an unknown commit, another branch name), inputs carrying shell
metacharacters, and lock paths outside the workspace.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integrations.action_world import (
    GOOD,
    MALLORY,
    Repo,
    World,
    pins,
    policy,
    pr_payload,
    pylock,
)
from tests.support.action_runner import ACTION, ActionRun, load_action, run_action
from tests.support.sarif_schema import sarif_errors

# The action's install step is run by test_action_install.py (it needs PyPI); here it is
# taken to have installed pyvouch into this interpreter (PYTHONPATH reaches the sources).
INSTALLED = {"install": {"python": sys.executable}}


@pytest.fixture
def repo(tmp_path: Path, world: World) -> Repo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    r = Repo(tmp_path / "repo")
    r.commit(
        {
            "pyvouch.toml": policy(world.index),
            "app/pylock.toml": pylock(world, ("vault", "1.0"), ("helper", "1.0")),
            "app/pyvouch.lock.toml": pins(vault=GOOD),
        },
        "base",
    )
    r.push_main()
    return r


def run(
    repo: Repo,
    world: World,
    tmp_path: Path,
    *,
    event: str = "push",
    payload: dict[str, Any] | None = None,
    base_ref: str = "",
    **inputs: str,
) -> ActionRun:
    values = {"lock": "app/pylock.toml", "trust-root": str(world.trust_root), **inputs}
    return run_action(
        workspace=repo.workspace,
        runner_temp=tmp_path / "runner-temp",
        event_name=event,
        payload=payload,
        base_ref=base_ref,
        inputs={k.replace("_", "-"): v for k, v in values.items()},
        given_outputs=INSTALLED,
    )


def check_step(result: ActionRun) -> Any:
    return result.step("check")


def one_line_error(result: ActionRun, needle: str) -> None:
    step = check_step(result)
    assert step.returncode == 2, (step.stdout, step.stderr)
    lines = step.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyvouch: error: "), step.stderr
    assert needle in lines[0], lines[0]
    assert "Traceback" not in step.stderr
    assert step.outputs == {}, "nothing is written for bad input"
    assert result.summary == ""


def sarif(result: ActionRun) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(Path(check_step(result).outputs["sarif"]).read_text())
    assert sarif_errors(doc) == []
    return doc


# ---- a push: scan ---------------------------------------------------------------------------


def test_a_push_is_scanned_with_the_summary_sarif_and_outputs(
    repo: Repo, world: World, tmp_path: Path
) -> None:
    result = run(repo, world, tmp_path)
    step = check_step(result)
    assert step.returncode == 0, step.stderr
    assert step.outputs["command"] == "scan" and step.outputs["exit-code"] == "0"
    assert step.outputs["lock"] == "app/pylock.toml"
    assert "vault" in result.summary and "verified" in result.summary
    assert result.summary.lstrip().startswith("#")  # Markdown, from report/markdown.py
    doc = sarif(result)
    assert doc["runs"][0]["results"] == []  # everything verified: nothing to flag
    assert "vault" in step.stdout  # the text report in the log


def test_a_push_that_breaks_the_policy_fails_by_its_mode(
    repo: Repo, world: World, tmp_path: Path
) -> None:
    repo.commit({"app/pylock.toml": pylock(world, ("vault", "1.1"), ("helper", "1.0"))}, "bump")
    repo.push_main()
    result = run(repo, world, tmp_path, format="json")
    step = check_step(result)
    assert step.returncode == 1, step.stderr
    assert step.outputs["exit-code"] == "1"
    results = sarif(result)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("PYV003", "error")]
    assert json.loads(Path(step.outputs["report"]).read_text())["packages"]
    # collect mode reports the same and passes
    collected = run(repo, world, tmp_path / "again", mode="collect")
    assert check_step(collected).returncode == 0
    assert "mismatch" in collected.summary


# ---- a pull request: diff against the trusted base ------------------------------------------


def pull_request(repo: Repo, files: dict[str, str]) -> str:
    repo.branch("feature")
    return repo.commit(files, "pull request")


def test_an_honest_pull_request_passes(repo: Repo, world: World, tmp_path: Path) -> None:
    base = repo.git("rev-parse", "HEAD")
    pull_request(repo, {"app/pylock.toml": pylock(world, ("vault", "1.0"), ("helper", "2.0"))})
    result = run(
        repo, world, tmp_path, event="pull_request", payload=pr_payload(base), base_ref="main"
    )
    step = check_step(result)
    assert step.returncode == 0, step.stderr
    assert step.outputs["command"] == "diff" and step.outputs["base"] == base
    assert "helper" in result.summary and "changed" in result.summary
    assert sarif(result)["runs"][0]["results"] == []


def test_a_pull_request_that_edits_the_policy_is_still_judged_by_the_base(
    repo: Repo, world: World, tmp_path: Path
) -> None:
    base = repo.git("rev-parse", "HEAD")
    pull_request(
        repo,
        {
            "pyvouch.toml": policy(world.index, mode="collect", critical=()),
            "app/pyvouch.lock.toml": pins(vault=MALLORY),
            "app/pylock.toml": pylock(world, ("vault", "1.1"), ("helper", "1.0")),
        },
    )
    for n, mode in enumerate(("", "collect")):  # the mode input cannot weaken it either
        result = run(
            repo, world, tmp_path / str(n), event="pull_request", payload=pr_payload(base),
            base_ref="main", mode=mode,
        )  # fmt: skip
        step = check_step(result)
        assert step.returncode == 1, (mode, step.stdout, step.stderr)
        assert "Trust inputs changed" in result.summary
        assert "mode enforce" in result.summary
        rules = {r["ruleId"] for r in sarif(result)["runs"][0]["results"]}
        assert "PYV008" in rules and "PYV003" in rules
        if mode:
            assert "base's mode applies" in step.stderr


def test_a_stricter_mode_input_applies_to_a_pull_request(
    repo: Repo, world: World, tmp_path: Path
) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "main")
    repo.commit({"pyvouch.toml": policy(world.index, mode="collect")}, "collect")
    base = repo.push_main()
    pull_request(repo, {"app/pylock.toml": pylock(world, ("vault", "1.1"), ("helper", "1.0"))})
    kw: dict[str, Any] = {"event": "pull_request", "payload": pr_payload(base), "base_ref": "main"}
    assert check_step(run(repo, world, tmp_path / "a", **kw)).returncode == 0
    assert check_step(run(repo, world, tmp_path / "b", mode="enforce", **kw)).returncode == 1


# ---- a forged base --------------------------------------------------------------------------


def test_a_base_on_the_pull_requests_own_branch_is_refused(
    repo: Repo, world: World, tmp_path: Path
) -> None:
    # The attacker's "base" weakens the policy; the next commit swaps the publisher.
    repo.branch("feature")
    forged = repo.commit({"pyvouch.toml": policy(world.index, mode="collect")}, "weaken")
    repo.commit({"app/pylock.toml": pylock(world, ("vault", "1.1"), ("helper", "1.0"))}, "swap")
    result = run(
        repo, world, tmp_path, event="pull_request", payload=pr_payload(forged), base_ref="main"
    )
    one_line_error(result, "is not on the base branch 'main'")
    assert not Path(tmp_path / "runner-temp" / "pyvouch.sarif").exists()


@pytest.mark.parametrize("which", ["head", "unknown", "not-a-sha", "other-ref"])
def test_other_forged_bases_are_refused(
    repo: Repo, world: World, tmp_path: Path, which: str
) -> None:
    base = repo.git("rev-parse", "HEAD")
    head = pull_request(repo, {"app/pylock.toml": pylock(world, ("vault", "1.1"))})
    payload, needle = {
        "head": (pr_payload(head), "cannot be its own base"),
        "unknown": (pr_payload("ab" * 20), "is not a commit of this repository"),
        "not-a-sha": (pr_payload("main"), "is not a commit id"),
        "other-ref": (pr_payload(base, base_ref="feature"), "differs from $GITHUB_BASE_REF"),
    }[which]
    result = run(repo, world, tmp_path, event="pull_request", payload=payload, base_ref="main")
    one_line_error(result, needle)


def test_a_pull_request_event_without_a_payload_base_is_refused(
    repo: Repo, world: World, tmp_path: Path
) -> None:
    result = run(repo, world, tmp_path, event="pull_request_target", payload={"number": 1})
    one_line_error(result, "without a pull_request object")


# ---- hostile inputs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "needle"),
    [
        ({"mode": "enforce; touch PWNED"}, "unknown mode"),
        ({"mode": "$(touch PWNED)"}, "unknown mode"),
        ({"format": "`touch PWNED`"}, "unknown format"),
        ({"lock": "app/pylock.toml; touch PWNED"}, "no such file in the workspace"),
        ({"lock": "$(touch PWNED)/pylock.toml"}, "no such file in the workspace"),
        ({"index-url": "http://x/ $(touch PWNED)"}, "holds white space"),
        ({"store": "postgresql://x/db\ntouch PWNED"}, "holds a line break"),
        ({"store": "postgresql://x/db $(touch PWNED)"}, "holds white space"),
        ({"lock": "../outside/pylock.toml"}, "outside the workspace"),
        ({"lock": "/etc/passwd"}, "outside the workspace"),
        ({"lock": "app/missing.lock"}, "no such file in the workspace"),
        ({"mode": "strict"}, "unknown mode"),
    ],
)
def test_hostile_or_bad_inputs_get_one_line_and_run_nothing(
    repo: Repo, world: World, tmp_path: Path, inputs: dict[str, str], needle: str
) -> None:
    outside = repo.workspace.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "pylock.toml").write_text(pylock(world, ("vault", "1.0")), "utf-8")
    result = run(repo, world, tmp_path, **inputs)
    one_line_error(result, needle)
    for where in (repo.workspace, tmp_path, Path.cwd()):
        assert not (where / "PWNED").exists()


def test_a_symlink_out_of_the_workspace_is_refused(
    repo: Repo, world: World, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "pylock.toml").write_text(pylock(world, ("vault", "1.0")), "utf-8")
    (repo.workspace / "linked").symlink_to(outside)
    one_line_error(run(repo, world, tmp_path, lock="linked/pylock.toml"), "outside the workspace")


def test_metacharacters_in_a_real_path_are_data(repo: Repo, world: World, tmp_path: Path) -> None:
    odd = "we$(touch PWNED) `id`; ird"
    repo.commit({f"{odd}/pylock.toml": pylock(world, ("vault", "1.0"))}, "odd path")
    result = run(repo, world, tmp_path, lock=f"{odd}/pylock.toml")
    step = check_step(result)
    assert step.returncode == 0, step.stderr
    assert step.outputs["lock"] == f"{odd}/pylock.toml"
    assert not (repo.workspace / "PWNED").exists()


# ---- the action's own text ------------------------------------------------------------------


def interpolated(spec: dict[str, Any]) -> list[str]:
    """The expressions written into a `run:` script (GitHub substitutes them into the
    script's text before bash reads it: an input holding `"; curl ... | sh; "` runs)."""
    return [e for step in spec["runs"]["steps"] for e in re.findall(r"\$\{\{.*?\}\}", step["run"])]


def test_no_expression_is_interpolated_into_a_script() -> None:
    spec = load_action()
    assert spec["runs"]["using"] == "composite"
    assert interpolated(spec) == []
    passed = {
        value
        for step in spec["runs"]["steps"]
        for value in (step.get("env") or {}).values()
        if "inputs." in value
    }
    assert passed == {f"${{{{ inputs.{name} }}}}" for name in spec["inputs"]}


def test_the_injection_check_finds_an_interpolated_input(tmp_path: Path) -> None:
    evil = tmp_path / "action.yml"
    evil.write_text(
        ACTION.read_text("utf-8").replace(
            """run: '"$PYVOUCH_PYTHON" -m pyvouch ci github'""",
            """run: '"$PYVOUCH_PYTHON" -m pyvouch ci github --mode "${{ inputs.mode }}"'""",
        ),
        "utf-8",
    )
    assert interpolated(load_action(evil)) == ["${{ inputs.mode }}"]


# ---- the history store: passed through only when set ------------------------------------------


def test_the_store_is_passed_verbatim_and_only_for_a_scan(tmp_path: Path) -> None:
    from pyvouch.integrations.github import ActionInputs, ActionOutcome, record_command
    from pyvouch.integrations.github_event import Event, PullRequestBase

    store = "postgresql://u@db.example/history?sslmode=require&x=$(id)"
    push = ActionInputs(tmp_path, Event("push", None), mode="enforce", store=store)
    outcome = ActionOutcome("scan", 0, "", "", "", "app/pylock.toml")
    args = record_command(push, outcome)
    assert args[args.index("--store") + 1] == store and "--record" in args
    assert args[3:5] == ["scan", "app/pylock.toml"] and args[args.index("--mode") + 1] == "enforce"

    from pyvouch.integrations.github import record_scan

    review = ActionOutcome("diff", 0, "", "", "", "app/pylock.toml")
    pr = ActionInputs(
        tmp_path, Event("pull_request", PullRequestBase("main", "a" * 40)), store=store
    )
    assert record_scan(pr, review) is None  # a pull request review is never recorded
    assert record_scan(ActionInputs(tmp_path, Event("push", None)), outcome) is None  # no store


def test_diff_writes_sarif_from_the_command_line_too(
    repo: Repo, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from pyvouch.cli.main import cli

    pull_request(repo, {"app/pylock.toml": pylock(world, ("vault", "1.1"), ("helper", "1.0"))})
    monkeypatch.chdir(repo.workspace)
    result = CliRunner().invoke(
        cli,
        ["diff", "--base", "main", "app/pylock.toml", "--format", "sarif",
         "--trust-root", str(world.trust_root)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert sarif_errors(doc) == []
    (found,) = doc["runs"][0]["results"]
    assert found["ruleId"] == "PYV003" and found["level"] == "error"
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/pylock.toml"
