"""`pyvouch verify`: verify the attestations of distribution files."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pyvouch import report as formats
from pyvouch.cli.options import (
    exit_codes,
    format_option,
    index_url_option,
    offline_option,
    signature_options,
    staging_option,
    trust_root_option,
)
from pyvouch.cli.output import emit
from pyvouch.errors import UsageError
from pyvouch.pipeline.verify import VerifyRequest, run_verify
from pyvouch.report import verify_report
from pyvouch.verify.publisher_spec import parse_publisher_spec

if TYPE_CHECKING:
    from pyvouch.pipeline.releases import Release

_FILE = click.Path(path_type=Path, dir_okay=True)


def _parse_releases(packages: tuple[str, ...]) -> tuple[Release, ...]:
    """``--package`` values; the index's modules are imported only when there are some (with
    files and attestations given, `verify` starts its workers sooner without them)."""
    if not packages:
        return ()
    from pyvouch.pipeline.releases import parse_release

    return tuple(parse_release(text) for text in packages)


@exit_codes(
    "every file verified",
    "a file is mismatch (another publisher), invalid or unattested",
    "a file could not be told (unknown) and none failed",
)
@click.command()
@click.argument("files", nargs=-1, type=_FILE)
@click.option(
    "--package",
    "packages",
    multiple=True,
    metavar="NAME==VERSION",
    help="Verify every file of this release on the index, without downloading it: the "
    "digests are the ones the index page lists (repeatable).",
)
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
@index_url_option("$PIP_INDEX_URL, else PyPI")
@offline_option
@staging_option
@trust_root_option
@signature_options
@format_option(formats.offered(sarif=True), "text")
@click.pass_context
def verify(
    ctx: click.Context,
    files: tuple[Path, ...],
    packages: tuple[str, ...],
    publisher_spec: str | None,
    attestations: tuple[Path, ...],
    provenance: Path | None,
    index_url: str | None,
    offline: bool,
    staging: bool,
    trust_root: Path | None,
    signature_key: Path | None,
    allow_no_tlog: bool,
    output_format: str,
) -> None:
    """Verify the PEP 740 attestations of distribution FILEs.

    FILES are paths to local wheel and sdist files, not package names; their attestations come
    from --attestation/--provenance, else from the index. Each file is verified against its
    sha256, every attestation's Sigstore signature and transparency log proof, and the expected
    publisher. --package NAME==VERSION verifies every file of a release the index lists,
    against the digests on its page, without downloading them. Where the index serves no PEP 740
    provenance for a file, a signature beside it (FILE.sigstore.json, or cosign's FILE.sig +
    FILE.crt) is verified instead, against --key or --publisher.
    """
    for file in files:
        if "==" in file.name and not file.exists():
            raise UsageError(
                f"{file}: no such file; FILES are local wheel and sdist files. To check a "
                f"release by name==version: pyvouch verify --package '{file}'"
            )
    releases = _parse_releases(packages)
    if not files and not releases:
        raise UsageError("name FILES to verify, or --package NAME==VERSION")
    if releases and (attestations or provenance is not None):
        raise UsageError("--package verifies what the index serves; it takes no --attestation")
    if attestations and provenance is not None:
        raise UsageError("give --attestation or --provenance, not both")
    if (attestations or provenance is not None) and (index_url or offline):
        raise UsageError("--index-url and --offline apply only when reading from the index")
    if index_url:
        from pyvouch.index.client import resolve_index_url

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
            releases=releases,
            key=signature_key,
            allow_no_tlog=allow_no_tlog,
        )
    )
    # What is left (the report, its rendering, the exit) only adds objects: the collector need
    # not walk the findings and every imported module again (at 10,000 files that walk cost
    # ~0.15 s at exit alone). Nothing is kept that would not live to the exit anyway.
    gc.freeze()
    outcome = report.outcome
    built = verify_report.build(outcome.findings, report.root, outcome.warnings, files)
    emit(built, output_format)
    ctx.exit(outcome.exit_code)
