"""Every real release workflow in ../shared/fixtures/workflows, read in place.

SOURCES.tsv says what each one shows; these tests hold the linter to it. Skipped, saying why,
when the shared folder is absent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.workflows.lint import Severity, lint_paths
from tests.support.workflow_samples import SHARED_WORKFLOWS, rules

CORPUS = (
    sorted(p for p in SHARED_WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))
    if SHARED_WORKFLOWS.is_dir()
    else []
)
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS, reason=f"shared workflows not found at {SHARED_WORKFLOWS}"),
]

GOOD = [
    "pip-audit.release.yml",
    "dd-license-attribution.publish-pypi.yml",
    "pypi-attestations.release.yml",
    "black.pypi_upload.yml",
    "poetry.release.yaml",
    "pip.release.yml",
]
TOKEN = [
    "cartography.publish-to-pypi.yml",
    "pvlib-twoaxistracking.publish.1-token.yml",
    "black.pypi_upload.pre-trusted-publishing.yml",
    "pipenv.pypi_upload.yml",
    "openmed.publish.yml",
    "colossalai.release_nightly_on_schedule.yml",
    "ultralytics.publish.2023-01fde7bc.yml",
    "openastronomy.publish.yml",
    "openastronomy.publish_pure_python.yml",
]


def lint_one(name: str, publisher: str | None = None):  # type: ignore[no-untyped-def]
    expected = parse_publisher_spec(publisher) if publisher else None
    return lint_paths([SHARED_WORKFLOWS / name], expected)


@pytest.mark.parametrize("path", CORPUS or [Path("absent")], ids=lambda p: p.name)
def test_every_real_workflow_parses_and_lints(path: Path) -> None:
    result = lint_one(path.name)
    for finding in result.findings:
        assert finding.line > 0, finding
        assert finding.fix
        assert finding.path == SHARED_WORKFLOWS / path.name


@pytest.mark.parametrize("name", GOOD)
def test_good_workflows_have_no_errors(name: str) -> None:
    result = lint_one(name)
    assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    assert not result.failed(strict=False)


def test_pip_audit_baseline_is_entirely_clean() -> None:
    assert lint_one("pip-audit.release.yml").findings == []


@pytest.mark.parametrize("name", TOKEN)
def test_token_uploads_are_found(name: str) -> None:
    found = rules(lint_one(name), "PYV-W002")
    assert found and all(f.severity is Severity.ERROR for f in found)


def test_pvlib_step_2_misses_id_token_and_steps_3_4_do_not() -> None:
    step2 = rules(lint_one("pvlib-twoaxistracking.publish.2-missing-id-token.yml"), "PYV-W001")
    assert [(f.line, f.job) for f in step2] == [(34, "build-n-publish")]
    assert "default token never has id-token" in step2[0].message
    for name in (
        "pvlib-twoaxistracking.publish.1-token.yml",
        "pvlib-twoaxistracking.publish.3-job-id-token.yml",
        "pvlib-twoaxistracking.publish.4-current.yml",
    ):
        assert rules(lint_one(name), "PYV-W001") == [], name
    # step 4 builds on pull requests but publishes only on tags: no PR finding
    assert rules(lint_one("pvlib-twoaxistracking.publish.4-current.yml"), "PYV-W004") == []
    assert not lint_one("pvlib-twoaxistracking.publish.3-job-id-token.yml").failed(strict=False)


def test_colossalai_publishes_from_pull_requests() -> None:
    for name, line in (
        ("colossalai.release_test_pypi_before_merge.yml", 36),
        ("colossalai.release_pypi_after_merge.yml", 28),
    ):
        found = rules(lint_one(name), "PYV-W004")
        assert [f.line for f in found] == [line], name
        assert "`pull_request`" in found[0].message
    sdist_only = rules(lint_one("colossalai.release_pypi_after_merge.yml"), "PYV-W008")
    assert sdist_only and "only an sdist" in sdist_only[0].message


def test_ultralytics_pull_request_token_and_continue_on_error() -> None:
    result = lint_one("ultralytics.publish.2023-01fde7bc.yml")
    assert [f.line for f in rules(result, "PYV-W004")] == [63]
    token = rules(result, "PYV-W002")
    assert token[0].line == 63 and "-p $PYPI_TOKEN" in token[0].message
    assert rules(result, "PYV-W012")


def test_openastronomy_reusable_with_attestations_off_and_token() -> None:
    result = lint_one("openastronomy.publish.yml")
    assert [f.line for f in rules(result, "PYV-W003")] == [303]
    assert [f.line for f in rules(result, "PYV-W002")] == [301]
    reusable = rules(result, "PYV-W006")
    assert reusable and "linted alone, its callers are unknown" in reusable[0].message
    conditional = [f for f in rules(result, "PYV-W008") if "inputs.sdist" in f.message]
    assert conditional and conditional[0].severity is Severity.INFO


def test_black_wheels_only_job_is_named() -> None:
    for name, line in (
        ("black.pypi_upload.pre-trusted-publishing.yml", 118),
        ("black.pypi_upload.yml", 152),
    ):
        found = rules(lint_one(name), "PYV-W008")
        assert [(f.line, f.severity) for f in found] == [(line, Severity.INFO)], name
        assert "publishes only wheels" in found[0].message


def test_bentoml_dispatch_ref_and_unpinned_action() -> None:
    result = lint_one("bentoml.release.yml")
    assert [f.line for f in rules(result, "PYV-W005")] == [17]
    unpinned = rules(result, "PYV-W010")
    assert unpinned and "dc37677b2e1c63e2034f94d8a5b11f265b73ba33" in unpinned[0].message


def test_uv_caller_and_callee_in_one_directory(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(SHARED_WORKFLOWS / "uv.release.yml", workflows / "release.yml")
    shutil.copy(SHARED_WORKFLOWS / "uv.publish-pypi.yml", workflows / "publish-pypi.yml")

    alone = lint_paths([workflows / "publish-pypi.yml"])
    assert "linted alone" in rules(alone, "PYV-W006")[0].message

    together = lint_paths([workflows])
    reusable = rules(together, "PYV-W006")
    assert len(reusable) == 2
    assert "called by release.yml (job 'publish-pypi', line 286)" in reusable[0].message
    assert "register release.yml with environment 'release'" in reusable[0].message
    assert rules(together, "PYV-W001") == []  # the caller grants id-token: write

    right = lint_paths([workflows], parse_publisher_spec("github:astral-sh/uv:release.yml@release"))
    assert rules(right, "PYV-W007") == []
    wrong = lint_paths(
        [workflows], parse_publisher_spec("github:astral-sh/uv:publish-pypi.yml@pypi")
    )
    messages = [f.message for f in rules(wrong, "PYV-W007")]
    assert any("runs as release.yml" in m for m in messages)
    assert any("requires environment 'pypi'" in m for m in messages)


def test_uv_caller_without_id_token_is_an_error_on_the_caller(tmp_path: Path) -> None:
    text = (SHARED_WORKFLOWS / "uv.release.yml").read_text()
    block = '    permissions:\n      "id-token": "write"\n      "packages": "write"\n'
    assert text.count(block) == 1  # publish-pypi's, below its `uses:` on line 286
    edited = text.replace(block, '    permissions:\n      "packages": "write"\n')
    assert edited != text
    (tmp_path / "release.yml").write_text(edited)
    shutil.copy(SHARED_WORKFLOWS / "uv.publish-pypi.yml", tmp_path / "publish-pypi.yml")
    found = rules(lint_paths([tmp_path]), "PYV-W001")
    assert [(f.path.name, f.line, f.job) for f in found] == [
        ("release.yml", 286, "publish-pypi"),
        ("release.yml", 286, "publish-pypi"),
    ]  # once for each of the two publishing jobs of publish-pypi.yml
    assert "a called workflow can only narrow the caller's token" in found[0].message


def test_non_publishing_workflows_are_silent() -> None:
    assert lint_one("sigstore-python.pin-requirements.yml").findings == []
    assert lint_one("zizmor.release.yml").findings == []
