"""`pyvouch index ...`: build a static index that serves PEP 740 provenance."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch.index.static_site import build_site


@click.group()
def index() -> None:
    """Work with package indexes."""


@index.command("build")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to write the site to (replaced as a whole; only a site pyvouch built).",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Write absolute URLs under URL (the site's root) instead of relative ones.",
)
@click.option(
    "--link", is_flag=True, help="Hard-link the dists into the site instead of copying them."
)
def build(directory: Path, out: Path, base_url: str | None, link: bool) -> None:
    """Build a static PEP 503/691/740 index from the dists and attestations in DIRECTORY.

    DIRECTORY holds wheels and sdists, and next to a dist D: D.publish.attestation (or any
    D.<label>.attestation, or D.attestation) and D.provenance files. Serve the result with
    any static file server; point pip at <root>/simple/.
    """
    result = build_site(directory, out, base_url=base_url, link=link)
    for warning in result.warnings:
        click.echo(f"pyvouch: warning: {warning}", err=True)
    click.echo(
        f"built {result.out}: {result.projects} projects, {result.files} files, "
        f"{result.files_with_provenance} with provenance ({result.attestations} attestations)"
    )
