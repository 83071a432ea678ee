"""Runs the composite GitHub Action (action.yml) step by step as a runner would: each `run:`
script exactly as written, with bash as GitHub calls it (``bash --noprofile --norc -e -o
pipefail``), the step's ``env:`` and ``working-directory:`` evaluated, and a GitHub-Actions-like
environment: GITHUB_WORKSPACE, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_BASE_REF,
GITHUB_STEP_SUMMARY, GITHUB_OUTPUT (one file per step, read back into ``steps.ID.outputs``),
GITHUB_ACTION_PATH and RUNNER_TEMP.

Only the expressions the action uses are understood (``inputs.X``, ``steps.ID.outputs.X``,
``github.workspace``, ``github.action_path``, ``runner.temp``); anything else fails the test,
so the action cannot grow an expression this runner would silently get wrong.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_action(path: Path = ACTION) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text("utf-8"))
    return data


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: ``key=value`` lines and ``key<<DELIM`` blocks."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            out[key] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
        i += 1
    return out


@dataclass
class StepRun:
    id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    summary: str = ""

    @property
    def returncode(self) -> int:
        return self.steps[-1].returncode if self.steps else 0

    def step(self, step_id: str) -> StepRun:
        return next(s for s in self.steps if s.id == step_id)


def run_action(
    *,
    workspace: Path,
    runner_temp: Path,
    event_name: str,
    payload: dict[str, Any] | None = None,
    inputs: dict[str, str] | None = None,
    base_ref: str = "",
    given_outputs: dict[str, dict[str, str]] | None = None,
    env: dict[str, str] | None = None,
    action: Path = ACTION,
) -> ActionRun:
    """Run the action's steps in order until one fails. A step whose id is in
    ``given_outputs`` is not run: it is taken to have produced those outputs (the install
    step, in the tests that do not install)."""
    spec = load_action(action)
    defaults = {k: str(v.get("default", "")) for k, v in spec.get("inputs", {}).items()}
    unknown = set(inputs or {}) - set(defaults)
    assert not unknown, f"inputs the action does not declare: {unknown}"
    values = {**defaults, **(inputs or {})}
    runner_temp.mkdir(parents=True, exist_ok=True)
    event_path = runner_temp / "event.json"
    event_path.write_text(json.dumps(payload or {}), "utf-8")
    summary = runner_temp / "step_summary.md"
    summary.touch()
    outputs: dict[str, dict[str, str]] = dict(given_outputs or {})
    context = {
        "github.workspace": str(workspace),
        "github.action_path": str(action.parent),
        "runner.temp": str(runner_temp),
    }

    def evaluate(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("inputs."):
                return values[expr.removeprefix("inputs.")]
            if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
                return outputs.get(m.group(1), {}).get(m.group(2), "")
            if expr in context:
                return context[expr]
            raise AssertionError(f"an expression the test runner does not know: {expr}")

        return _EXPR.sub(one, text)

    result = ActionRun()
    base_env = {
        **os.environ,
        **(env or {}),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_BASE_REF": base_ref,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTION_PATH": str(action.parent),
        "RUNNER_TEMP": str(runner_temp),
    }
    for n, step in enumerate(spec["runs"]["steps"]):
        step_id = step.get("id", f"step{n}")
        assert "if" not in step, "the test runner does not evaluate if: conditions"
        if step_id in (given_outputs or {}):
            continue
        assert step.get("shell") == "bash", step
        output_file = runner_temp / f"output-{step_id}"
        output_file.write_text("", "utf-8")
        script = runner_temp / f"script-{step_id}.sh"
        script.write_text(step["run"], "utf-8")  # exactly as written: never evaluated
        step_env = {k: evaluate(str(v)) for k, v in (step.get("env") or {}).items()}
        cwd = Path(evaluate(step.get("working-directory", str(workspace))))
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", str(script)],
            cwd=cwd,
            env={**base_env, **step_env, "GITHUB_OUTPUT": str(output_file)},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        outputs[step_id] = parse_outputs(output_file.read_text("utf-8"))
        result.steps.append(
            StepRun(step_id, proc.returncode, proc.stdout, proc.stderr, outputs[step_id])
        )
        if proc.returncode != 0:
            break
    result.summary = summary.read_text("utf-8")
    return result
