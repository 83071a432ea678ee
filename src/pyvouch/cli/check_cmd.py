"""`pyvouch check DIST_DIR`: check a dist folder before it is uploaded."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pyvouch.errors import EXIT_FINDINGS
from pyvouch.publish_check import check_dist_dir, render_check, render_check_json
from pyvouch.verify.publisher_spec import parse_publisher_spec


@click.command()
@click.argument("dist_dir", type=click.Path(path_type=Path), default=Path("dist"))
@click.option(
    "--publisher",
    metavar="SPEC",
    help="Expected signer of the attestations beside the dists, e.g. "
    "github:OWNER/REPO:release.yml[@ENV].",
)
@click.option(
    "--trust-root",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Verify attestations against this trusted_root.json instead of production Sigstore.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
def check(
    dist_dir: Path, publisher: str | None, trust_root: Path | None, fmt: str, strict: bool
) -> None:
    """Check DIST_DIR (default: dist) before upload: names, metadata, wheel+sdist pairs,
    stray files, and the attestations beside the dists (a test signature is refused).

    Exit 1 on errors (or warnings with --strict), 0 otherwise, 2 on unusable input.
    """
    expected = parse_publisher_spec(publisher) if publisher else None
    result = check_dist_dir(dist_dir, expected=expected, trust_root=trust_root)
    if fmt == "json":
        click.echo(render_check_json(result))
    else:
        click.echo(render_check(result), nl=False)
    if result.failed(strict):
        sys.exit(EXIT_FINDINGS)
