"""Lint output: SARIF from the one builder, valid under the OASIS schema; JSON and text by the
report conventions; one severity enum; every rule in the registry has its checks."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pyvouch import model, publish_check
from pyvouch.report import RenderOptions, sarif
from pyvouch.report.sarif_builder import LEVELS
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.workflows import gitlab_lint
from pyvouch.workflows import lint as lint_module
from pyvouch.workflows import rules as registry
from pyvouch.workflows.lint import RULES, LintResult, Severity, lint_paths
from pyvouch.workflows.render import SCHEMA_ID, render_json, render_sarif, render_text
from tests.support.report_samples import every_status
from tests.support.sarif_schema import sarif_errors
from tests.support.workflow_samples import PUBLISH_SHA, SHARED_WORKFLOWS

# Findings of every severity, and on several lines: a token upload from a pull request, wheels
# only in one job with the sdist published by another, unpinned actions, no permissions.
SAMPLE = f"""\
name: release
on:
  pull_request:
  release:
    types: [published]
jobs:
  wheels:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run cibuildwheel
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{{{ secrets.PYPI_TOKEN }}}}
        continue-on-error: true
  sdist:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - run: python -m build --sdist
      - uses: {PUBLISH_SHA}
"""


def _sample(tmp_path: Path) -> tuple[Path, LintResult]:
    # A directory name a URI must escape: a space, non-ASCII, a '#'.
    folder = tmp_path / "wörk flows #1"
    folder.mkdir()
    path = folder / "release.yml"
    path.write_text(SAMPLE, encoding="utf-8")
    return path, lint_paths([path])


def _sarif(result: LintResult, base_dir: str | None = None) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_sarif(result, base_dir))
    return loaded


def test_the_sample_has_findings_of_every_severity(tmp_path: Path) -> None:
    _, result = _sample(tmp_path)
    assert {f.severity for f in result.findings} == set(Severity)


def test_lint_sarif_validates_and_every_finding_is_one_result(tmp_path: Path) -> None:
    path, result = _sample(tmp_path)
    doc = _sarif(result, str(tmp_path))
    assert sarif_errors(doc) == []
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    assert len(run["results"]) == len(result.findings)
    uri = "w%C3%B6rk%20flows%20%231/release.yml"
    for finding, item in zip(result.findings, run["results"], strict=True):
        assert item["ruleId"] == finding.rule == rules[item["ruleIndex"]]["id"]
        assert item["level"] == LEVELS[finding.severity]
        assert item["locations"] == [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": finding.line},
                }
            }
        ]
        assert item["message"]["text"] == f"{finding.message} Fix: {finding.fix}"
        assert item["properties"] == {"job": finding.job, "fix": finding.fix}
        fingerprint = f"release.yml:{finding.job or ''}:{finding.rule}:{finding.line}"
        assert item["partialFingerprints"] == {"pyvouchWorkflow/v1": fingerprint}
    assert run["artifacts"] == [{"location": {"uri": uri}, "roles": ["analysisTarget"]}]
    # Outside the base directory: an absolute file URI, still valid.
    outside = _sarif(result, str(tmp_path / "elsewhere"))
    assert sarif_errors(outside) == []
    assert outside["runs"][0]["artifacts"][0]["location"]["uri"].startswith("file:///")
    assert path.exists()


def test_schema_validation_of_lint_sarif_can_fail(tmp_path: Path) -> None:
    _, result = _sample(tmp_path)
    doc = _sarif(result, str(tmp_path))
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    doc["runs"][0]["results"][1]["level"] = "info"  # a severity is not a SARIF level
    assert len(sarif_errors(doc)) == 2


def test_scan_and_lint_sarif_are_one_shape(tmp_path: Path) -> None:
    _, result = _sample(tmp_path)
    lint_doc = _sarif(result, str(tmp_path))
    scan_doc = json.loads(sarif.render(every_status(), RenderOptions()))
    for key in ("$schema", "version"):
        assert lint_doc[key] == scan_doc[key]
    lint_run, scan_run = lint_doc["runs"][0], scan_doc["runs"][0]
    assert lint_run["columnKind"] == scan_run["columnKind"]
    lint_driver, scan_driver = lint_run["tool"]["driver"], scan_run["tool"]["driver"]
    assert lint_driver.keys() == scan_driver.keys()
    assert {k: v for k, v in lint_driver.items() if k != "rules"} == {
        k: v for k, v in scan_driver.items() if k != "rules"
    }
    assert lint_driver["rules"][0].keys() == scan_driver["rules"][0].keys()
    assert list(lint_run["results"][0]) == list(scan_run["results"][0])


def test_lint_json_follows_the_report_conventions(tmp_path: Path) -> None:
    path, result = _sample(tmp_path)
    text = render_json(result)
    assert text.endswith("}\n") and "wörk" in text  # json_text: non-ASCII kept as is
    doc = json.loads(text)
    assert doc["schema"] == SCHEMA_ID == "pyvouch-workflow-lint/1"
    assert list(doc["summary"]) == ["error", "warning", "info"]
    for severity in Severity:
        assert doc["summary"][severity.value] == result.count(severity) > 0
    assert doc["workflows"] == [str(path)]
    assert [(f["rule"], f["line"], f["severity"]) for f in doc["findings"]] == [
        (f.rule, f.line, f.severity.value) for f in result.findings
    ]


def test_lint_json_summary_lists_every_severity_when_clean(tmp_path: Path) -> None:
    path = tmp_path / "ci.yml"
    path.write_text("on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n")
    doc = json.loads(render_json(lint_paths([path])))
    assert doc["summary"] == {"error": 0, "warning": 0, "info": 0}
    assert doc["findings"] == []
    assert sarif_errors(_sarif(lint_paths([path]))) == []


def test_lint_text_summary_counts_by_severity(tmp_path: Path) -> None:
    _, result = _sample(tmp_path)
    last = render_text(result).splitlines()[-1]
    counts = [result.count(s) for s in Severity]
    assert last == (
        f"1 workflow file: {counts[0]} error(s), {counts[1]} warning(s), {counts[2]} info"
    )


def test_one_severity_enum() -> None:
    assert Severity is model.Severity is lint_module.Severity
    assert publish_check.CheckFinding.__annotations__["level"] == "Severity"
    assert publish_check.Severity is model.Severity


def _rule_ids_in(module: object) -> set[str]:
    source = Path(module.__file__).read_text("utf-8")  # type: ignore[attr-defined]
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"PYV-[WG]\d{3}", node.value)
    }


def test_every_rule_is_checked_by_exactly_one_family() -> None:
    families = [
        registry.credentials,
        registry.triggers,
        registry.identity,
        registry.dists,
        registry.hardening,
    ]
    owners: dict[str, list[str]] = {}
    for family in families:
        for rule_id in _rule_ids_in(family):
            owners.setdefault(rule_id, []).append(family.__name__)
    assert set(owners) == {r for r in RULES if r.startswith("PYV-W")}
    assert all(len(names) == 1 for names in owners.values()), owners
    # the GitLab rules are all checked by the GitLab linter, and only there
    assert _rule_ids_in(gitlab_lint) == {r for r in RULES if r.startswith("PYV-G")}
    assert not any(_rule_ids_in(f) & _rule_ids_in(gitlab_lint) for f in families)
    checks = [*registry.STEP_CHECKS, *registry.WORKFLOW_CHECKS]
    assert len(set(checks)) == len(checks)
    for family in families:
        exported = [*family.STEP_CHECKS, *getattr(family, "WORKFLOW_CHECKS", ())]
        assert set(exported) <= set(checks)
        public = {n for n in vars(family) if n.startswith("check_")}
        assert public == {c.__name__ for c in exported}, family.__name__


CORPUS = (
    sorted(p for p in SHARED_WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))
    if SHARED_WORKFLOWS.is_dir()
    else []
)


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS, reason=f"shared workflows not found at {SHARED_WORKFLOWS}")
@pytest.mark.parametrize("publisher", [None, "github:pypa/pip:release.yml@pypi"])
def test_lint_sarif_of_every_real_workflow_validates(publisher: str | None) -> None:
    expected = parse_publisher_spec(publisher) if publisher else None
    documents = [_sarif(lint_paths([SHARED_WORKFLOWS], expected), str(SHARED_WORKFLOWS.parent))]
    documents += [_sarif(lint_paths([p], expected)) for p in CORPUS]
    together = documents[0]["runs"][0]
    assert len(together["artifacts"]) == len(CORPUS)
    assert len(together["results"]) > len(CORPUS)
    for doc in documents:
        assert sarif_errors(doc) == []
        for item in doc["runs"][0]["results"]:
            assert item["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
