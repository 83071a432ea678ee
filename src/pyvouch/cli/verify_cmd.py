"""`pyvouch verify`: verify the attestations of distribution files."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from pyvouch.errors import UsageError
from pyvouch.index.client import resolve_index_url
from pyvouch.pipeline.verify import VerifyRequest, run_verify
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.verify.render import exit_code, print_text, render_json, unchecked_warning

_FILE = click.Path(path_type=Path, dir_okay=True)


@click.command()
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option(
    "--publisher",
    "publisher_spec",
    metavar="SPEC",
    help="Expected publisher: github:OWNER/REPO[:WORKFLOW][@ENV], "
    "gitlab:NAMESPACE/PROJECT[:WORKFLOW_FILEPATH][@ENV], google:EMAIL, "
    "circleci:PROJECT_ID:PIPELINE_DEFINITION_ID, or a JSON object. "
    "Without it the identity is recorded but NOT checked.",
)
@click.option(
    "--attestation",
    "attestations",
    multiple=True,
    type=_FILE,
    metavar="FILE",
    help="A PEP 740 attestation or Sigstore bundle (repeatable). Matched to FILEs by subject.",
)
@click.option(
    "--provenance",
    type=_FILE,
    metavar="FILE",
    help="A PEP 740 provenance object, as an index serves it.",
)
@click.option(
    "--index-url",
    metavar="URL",
    help="Index to fetch provenance from (default: $PIP_INDEX_URL, else PyPI).",
)
@click.option("--offline", is_flag=True, help="Use cached index answers only; no network.")
@click.option("--staging", is_flag=True, help="Verify against Sigstore's staging trust root.")
@click.option(
    "--trust-root",
    type=_FILE,
    metavar="FILE",
    help="A Sigstore trusted root (or client trust config) JSON to verify against.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.pass_context
def verify(
    ctx: click.Context,
    files: tuple[Path, ...],
    publisher_spec: str | None,
    attestations: tuple[Path, ...],
    provenance: Path | None,
    index_url: str | None,
    offline: bool,
    staging: bool,
    trust_root: Path | None,
    output_format: str,
) -> None:
    """Verify the PEP 740 attestations of distribution FILEs.

    Each file is verified against its sha256, every attestation's Sigstore signature and
    transparency log proof, and the expected publisher. Exit 0 when all verify, 1 when any
    is mismatch/invalid/unattested, 3 when any could not be determined (and none failed).
    """
    if attestations and provenance is not None:
        raise UsageError("give --attestation or --provenance, not both")
    if (attestations or provenance is not None) and (index_url or offline):
        raise UsageError("--index-url and --offline apply only when reading from the index")
    if index_url:
        resolve_index_url(index_url, "--index-url")  # before any work
    expected = parse_publisher_spec(publisher_spec) if publisher_spec is not None else None
    report = run_verify(
        VerifyRequest(
            files,
            expected,
            attestations + ((provenance,) if provenance is not None else ()),
            staging=staging,
            trust_root=trust_root,
            index_url=index_url,
            offline=offline,
        )
    )
    outcome, root = report.outcome, report.root
    if output_format == "json":
        click.echo(render_json(outcome.findings, root, outcome.warnings))
        unchecked = unchecked_warning(outcome.findings)
        for warning in [*outcome.warnings, *([unchecked] if unchecked else [])]:
            click.echo(f"pyvouch: warning: {warning}", err=True)
    else:
        print_text(Console(highlight=False), outcome.findings, root, outcome.warnings)
    ctx.exit(exit_code(outcome.findings))
