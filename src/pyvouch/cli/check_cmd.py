"""`pyvouch check DIST_DIR`: check a dist folder before it is uploaded."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.options import exit_codes, format_option, trust_root_option
from pyvouch.cli.output import emit
from pyvouch.errors import EXIT_FINDINGS
from pyvouch.publish_check import check_dist_dir
from pyvouch.report import dist_check_report
from pyvouch.verify.publisher_spec import parse_publisher_spec


@exit_codes(
    "no errors (warnings are shown; with --strict there are none)",
    "errors were found (or warnings, with --strict)",
)
@click.command()
@click.argument("dist_dir", type=click.Path(path_type=Path), default=Path("dist"))
@click.option(
    "--publisher",
    metavar="SPEC",
    help="Expected signer of the attestations beside the dists, e.g. "
    "github:OWNER/REPO:release.yml[@ENV].",
)
@trust_root_option
@format_option(formats.offered(sarif=True), "text")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
def check(
    dist_dir: Path,
    publisher: str | None,
    trust_root: Path | None,
    output_format: str,
    strict: bool,
) -> None:
    """Check DIST_DIR (default: dist) before upload: names, metadata, wheel+sdist pairs,
    stray files, and the attestations beside the dists (a test signature is refused).
    """
    expected = parse_publisher_spec(publisher) if publisher else None
    result = check_dist_dir(dist_dir, expected=expected, trust_root=trust_root)
    emit(dist_check_report.build(result), output_format)
    if result.failed(strict):
        sys.exit(EXIT_FINDINGS)
