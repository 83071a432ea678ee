"""`pyvouch index ...`: build a static index that serves PEP 740 provenance."""

from __future__ import annotations

import re
from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.options import RETRIES_HELP, TIMEOUT_HELP, exit_codes, format_option
from pyvouch.cli.output import emit
from pyvouch.errors import UsageError
from pyvouch.registry.static_site import build_site

_PROJECT_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
"""A project name as PEP 508 spells one."""


@click.group()
def index() -> None:
    """Work with package indexes."""


@exit_codes("the site was built")
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
    D.<label>.attestation, or D.attestation) and D.provenance files, and signatures copied
    beside D in the site: D.sigstore.json (a message signature, or signed with a key), D.sig
    and D.crt (cosign's detached pair). Serve the result with `pyvouch index serve`, or any
    static file server set up as docs/static-index.md says; point pip at <root>/simple/.
    """
    result = build_site(directory, out, base_url=base_url, link=link)
    for warning in result.warnings:
        click.echo(f"pyvouch: warning: {warning}", err=True)
    click.echo(
        f"built {result.out}: {result.projects} projects, {result.files} files, "
        f"{result.files_with_provenance} with provenance ({result.attestations} attestations)"
        + (f", {result.signatures} signature files beside them" if result.signatures else "")
    )


@exit_codes("the server was stopped (Ctrl-C)")
@index.command("serve")
@click.argument("site", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (the default reaches this machine only).",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, shown when it starts).",
)
def serve(site: Path, host: str, port: int) -> None:
    """Serve a SITE `pyvouch index build` wrote, with PEP 691 content negotiation.

    Clients that ask for PEP 691 JSON get it (so a file without provenance reads
    `unattested`, not `unknown`), others the HTML pages; the dists, their provenance and the
    signatures beside them are served as files. Stop it with Ctrl-C.
    """
    from pyvouch.registry.serve import serve_site

    serve_site(site, host, port, lambda url: click.echo(f"serving {site} at {url} (Ctrl-C stops)"))


@exit_codes(
    "the index serves the provenance the upstream serves",
    "it drops provenance the upstream serves (or serves none at all)",
    "cannot tell (the index or the upstream could not be asked)",
)
@index.command("check")
@click.argument("url")
@click.option(
    "--upstream",
    default="https://pypi.org/simple/",
    show_default=True,
    metavar="URL",
    help="The index to compare with.",
)
@click.option(
    "--sample",
    type=click.IntRange(1, 50),
    default=2,
    show_default=True,
    help="How many of each project's newest files to compare.",
)
@click.option(
    "--project",
    "projects",
    multiple=True,
    metavar="NAME",
    help="A project to compare (repeatable; default: well-known projects that attest).",
)
@format_option(formats.offered(), "text")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=10.0,
    show_default=True,
    help=TIMEOUT_HELP,
)
@click.option(
    "--retries", type=click.IntRange(0, 10), default=2, show_default=True, help=RETRIES_HELP
)
@click.pass_context
def check(
    ctx: click.Context,
    url: str,
    upstream: str,
    sample: int,
    projects: tuple[str, ...],
    output_format: str,
    timeout: float,
    retries: int,
) -> None:
    """Does the index at URL pass PEP 740 provenance through?

    Compares the newest files of a sample of projects with the upstream.
    """
    from pyvouch.index.check import DEFAULT_PROJECTS, CheckOptions, check_index
    from pyvouch.report import index_check_report

    for name in projects:
        if not _PROJECT_NAME.match(name):
            raise UsageError(f"--project {name!r} is not a project name")
    options = CheckOptions(
        upstream_url=upstream or None,
        projects=projects or DEFAULT_PROJECTS,
        sample=sample,
        timeout=timeout,
        retries=retries,
    )
    result = check_index(url, options)
    emit(index_check_report.build(result), output_format)
    ctx.exit(result.verdict.exit_code)
