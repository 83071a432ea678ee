"""`pyvouch inspect`: show what attestations state, without verifying them."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.options import exit_codes, format_option
from pyvouch.cli.output import emit
from pyvouch.report import inspect_report
from pyvouch.verify.inspect import inspect_path


@exit_codes("the claims were shown (nothing is verified, whatever they say)")
@click.command()
@click.argument("target", type=click.Path(path_type=Path))
@format_option(formats.offered(), "text")
def inspect(target: Path, output_format: str) -> None:
    """Show a dist's, attestation's, provenance object's or Sigstore bundle's claims.

    TARGET is judged by content. For a wheel or sdist, the attestation files next to it
    (TARGET.publish.attestation, TARGET.provenance, ...) are read. Nothing is verified.
    """
    emit(inspect_report.build(inspect_path(target)), output_format)
