"""`pyvouch workflow lint` and `pyvouch workflow init`: the publisher's release workflow."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.options import exit_codes, format_option
from pyvouch.cli.output import emit
from pyvouch.errors import EXIT_FINDINGS, UsageError
from pyvouch.model import Publisher
from pyvouch.user_files import write_file
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.workflows import render as lint_report
from pyvouch.workflows.generate import (
    BUILD_BACKENDS,
    DEFAULT_OUTPUT,
    generate_workflow,
    project_facts,
)
from pyvouch.workflows.gitlab_generate import (
    DEFAULT_GITLAB_OUTPUT,
    generate_gitlab,
    gitlab_output,
)
from pyvouch.workflows.gitlab_lint import lint_pipelines
from pyvouch.workflows.gitlab_model import parse_pipeline_text
from pyvouch.workflows.lint import default_targets, lint_paths, lint_workflows
from pyvouch.workflows.model import parse_workflow_text


def _publisher(spec: str | None) -> Publisher | None:
    return parse_publisher_spec(spec) if spec else None


@click.group()
def workflow() -> None:
    """Generate and lint release workflows (GitHub Actions, GitLab CI/CD)."""


@exit_codes(
    "no errors (warnings are shown; with --strict there are none)",
    "errors were found (or warnings, with --strict)",
)
@workflow.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.option(
    "--publisher",
    metavar="SPEC",
    help="The Trusted Publisher registered on PyPI: github:OWNER/REPO[:WORKFLOW][@ENV] (or "
    "gitlab:NAMESPACE/PROJECT[:PATH][@ENV]); the workflow file and the publishing job's "
    "environment must match it.",
)
@format_option(formats.offered(sarif=True), "text")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
def lint(paths: tuple[Path, ...], publisher: str | None, output_format: str, strict: bool) -> None:
    """Lint release workflows for the known failure modes of publishing to PyPI.

    PATH is a workflow file or a directory of them (default: .github/workflows, else
    .gitlab-ci.yml). Files linted together are read as one repository, so a reusable workflow
    is checked through its callers. GitLab CI/CD files (.gitlab-ci.yml, *.gitlab-ci.yml, or
    any file with a gitlab: --publisher) get the GitLab rules.
    """
    expected = _publisher(publisher)
    targets = list(paths) or default_targets()
    result = lint_paths(targets, expected)
    emit(lint_report.build(result), output_format)
    if result.failed(strict):
        sys.exit(EXIT_FINDINGS)


@exit_codes("the workflow was written (or printed with --output -)")
@workflow.command()
@click.option(
    "--publisher",
    metavar="SPEC",
    help="github:OWNER/REPO[:WORKFLOW][@ENVIRONMENT], or gitlab:NAMESPACE/PROJECT[:PATH]"
    "[@ENVIRONMENT] for a .gitlab-ci.yml; the environment defaults to 'pypi'.",
)
@click.option(
    "--build-backend",
    type=click.Choice(BUILD_BACKENDS),
    default="auto",
    show_default=True,
    help="How to build: `python -m build` (auto, build) or `uv build` (uv).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Where to write the workflow ('-' for standard output; default {DEFAULT_OUTPUT}, "
    f"or the publisher's path, else {DEFAULT_GITLAB_OUTPUT}, for GitLab).",
)
@click.option("--project", metavar="NAME", help="PyPI project name (default: pyproject.toml).")
@click.option("--dispatch", is_flag=True, help="Also allow manual runs (workflow_dispatch).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(
    publisher: str | None,
    build_backend: str,
    output: Path | None,
    project: str | None,
    dispatch: bool,
    force: bool,
) -> None:
    """Write the canonical release workflow and print the Trusted Publisher to register.

    With a GitLab publisher it writes a GitLab CI/CD pipeline instead: a build job for tags,
    and a publish job for protected tags in the protected environment that signs PEP 740
    attestations and uploads with Trusted Publishing (id_tokens with audience pypi).
    """
    expected = _publisher(publisher)
    to_stdout = output is not None and str(output) == "-"
    if expected is not None and expected.kind not in ("GitHub", "GitLab"):
        raise UsageError(
            "--publisher must be github:OWNER/REPO[:WORKFLOW][@ENV] or "
            f"gitlab:NAMESPACE/PROJECT[:PATH][@ENV], not a {expected.kind} publisher"
        )
    if expected is not None and expected.kind == "GitLab":
        target = gitlab_output(expected, None if to_stdout else output)
        found = project_facts(build_backend, project)
        text, gitlab_settings = generate_gitlab(
            expected, output=target, tool=found.tool, project=found.project
        )
        check = lint_pipelines([parse_pipeline_text(text, target)], expected)
        notes, settings_text = found.notes, gitlab_settings.render(found.project)
        if dispatch:
            notes = (*notes, "--dispatch has no GitLab meaning: run the pipeline for a tag")
    else:
        target = DEFAULT_OUTPUT if to_stdout or output is None else output
        generated = generate_workflow(
            expected,
            output=target,
            build_backend=build_backend,
            dispatch=dispatch,
            project=project,
        )
        text, notes = generated.text, generated.notes
        settings_text = generated.settings.render(generated.project)
        # The generator's own promise: what it writes lints clean.
        check = lint_workflows([parse_workflow_text(text, target)], expected, together=False)
    if check.failed(strict=True):  # pragma: no cover - a bug in the generator
        raise UsageError(f"internal error: the generated workflow does not lint clean: {check}")
    if to_stdout:
        click.echo(text, nl=False)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        click.echo(settings_text, err=True)
        return
    if target.exists() and not force:
        raise UsageError(f"{target} exists; pass --force to overwrite it")
    if output is None:  # the usual place is made; a folder the user names is not
        target.parent.mkdir(parents=True, exist_ok=True)
    write_file(target, text)
    click.echo(f"wrote {target}")
    for note in notes:
        click.echo(f"note: {note}")
    click.echo(settings_text)
