"""`pyvouch inspect`: show what attestations state, without verifying them."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch.cli.options import exit_codes, format_option
from pyvouch.verify.inspect import inspect_path, report_json, report_lines


@exit_codes("the claims were shown (nothing is verified, whatever they say)")
@click.command()
@click.argument("target", type=click.Path(path_type=Path))
@format_option(["text", "json"], "text")
def inspect(target: Path, output_format: str) -> None:
    """Show a dist's, attestation's, provenance object's or Sigstore bundle's claims.

    TARGET is judged by content. For a wheel or sdist, the attestation files next to it
    (TARGET.publish.attestation, TARGET.provenance, ...) are read. Nothing is verified.
    """
    report = inspect_path(target)
    if output_format == "json":
        click.echo(report_json(report))
    else:
        click.echo("\n".join(report_lines(report)))
