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
from pyvouch.workflows.generate import BUILD_BACKENDS, DEFAULT_OUTPUT, generate_workflow
from pyvouch.workflows.lint import lint_paths, lint_workflows
from pyvouch.workflows.model import parse_workflow_text


def _publisher(spec: str | None) -> Publisher | None:
    return parse_publisher_spec(spec) if spec else None


@click.group()
def workflow() -> None:
    """Generate and lint GitHub Actions release workflows."""


@exit_codes(
    "no errors (warnings are shown; with --strict there are none)",
    "errors were found (or warnings, with --strict)",
)
@workflow.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.option(
    "--publisher",
    metavar="SPEC",
    help="The Trusted Publisher registered on PyPI: github:OWNER/REPO[:WORKFLOW][@ENV]; "
    "the workflow file name and the publishing job's environment must match it.",
)
@format_option(formats.offered(sarif=True), "text")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
def lint(paths: tuple[Path, ...], publisher: str | None, output_format: str, strict: bool) -> None:
    """Lint release workflows for the known failure modes of publishing to PyPI.

    PATH is a workflow file or a directory of them (default: .github/workflows). Files linted
    together are read as one repository, so a reusable workflow is checked through its callers.
    """
    expected = _publisher(publisher)
    targets = list(paths) or [Path(".github/workflows")]
    result = lint_paths(targets, expected)
    emit(lint_report.build(result), output_format)
    if result.failed(strict):
        sys.exit(EXIT_FINDINGS)


@exit_codes("the workflow was written (or printed with --output -)")
@workflow.command()
@click.option(
    "--publisher",
    metavar="SPEC",
    help="github:OWNER/REPO[:WORKFLOW][@ENVIRONMENT]; the environment defaults to 'pypi'.",
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
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="Where to write the workflow ('-' for standard output).",
)
@click.option("--project", metavar="NAME", help="PyPI project name (default: pyproject.toml).")
@click.option("--dispatch", is_flag=True, help="Also allow manual runs (workflow_dispatch).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(
    publisher: str | None,
    build_backend: str,
    output: Path,
    project: str | None,
    dispatch: bool,
    force: bool,
) -> None:
    """Write the canonical release workflow and print the Trusted Publisher to register."""
    expected = _publisher(publisher)
    to_stdout = str(output) == "-"
    target = DEFAULT_OUTPUT if to_stdout else output
    generated = generate_workflow(
        expected,
        output=target,
        build_backend=build_backend,
        dispatch=dispatch,
        project=project,
    )
    # The generator's own promise: what it writes lints clean.
    check = lint_workflows([parse_workflow_text(generated.text, target)], expected, together=False)
    if check.failed(strict=True):  # pragma: no cover - a bug in the generator
        raise UsageError(f"internal error: the generated workflow does not lint clean: {check}")
    if to_stdout:
        click.echo(generated.text, nl=False)
        for note in generated.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(generated.settings.render(generated.project), err=True)
        return
    if target.exists() and not force:
        raise UsageError(f"{target} exists; pass --force to overwrite it")
    if output == DEFAULT_OUTPUT:  # the usual place is made; a folder the user names is not
        target.parent.mkdir(parents=True, exist_ok=True)
    write_file(target, generated.text)
    click.echo(f"wrote {target}")
    for note in generated.notes:
        click.echo(f"note: {note}")
    click.echo(generated.settings.render(generated.project))
