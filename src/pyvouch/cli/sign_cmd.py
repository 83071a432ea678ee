"""`pyvouch sign`: keyless PEP 740 attestations for every wheel and sdist, all or nothing."""

from __future__ import annotations

from pathlib import Path

import click

from pyvouch.cli.options import exit_codes
from pyvouch.errors import PyvouchError
from pyvouch.sign.attest import (
    check_destinations,
    choose_trust,
    destination,
    load_trust_config,
    sign_all,
    write_all,
)
from pyvouch.sign.dists import collect_dists
from pyvouch.sign.identity import describe_identity, obtain_token, unverified_claims

_PATH = click.Path(path_type=Path, dir_okay=True)


@exit_codes(
    "every dist signed and its attestation written (--dry-run: the plan shown)",
    "signing or writing failed; nothing was written",
)
@click.command()
@click.argument("files", nargs=-1, required=True, type=_PATH)
@click.option(
    "--identity-token",
    metavar="TOKEN",
    envvar="PYVOUCH_IDENTITY_TOKEN",
    help="OIDC identity token (default: the ambient CI credential: GitHub Actions, GitLab CI, "
    "CircleCI, Google Cloud, Buildkite).",
)
@click.option(
    "--trust-config",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="FILE",
    help="A Sigstore ClientTrustConfig JSON (trusted root + signing config) for a private "
    "Sigstore instance.",
)
@click.option("--staging", is_flag=True, help="Sign with Sigstore's staging instance.")
@click.option("--dry-run", is_flag=True, help="Say what would be signed, by whom; write nothing.")
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Write attestations into this existing directory instead of next to each dist.",
)
@click.option(
    "--allow-test-signature-beside-dists",
    is_flag=True,
    help="Allow a staging/custom-instance attestation next to the dists, where upload tools "
    "would publish it.",
)
def sign(
    files: tuple[Path, ...],
    identity_token: str | None,
    trust_config: Path | None,
    staging: bool,
    dry_run: bool,
    output_dir: Path | None,
    allow_test_signature_beside_dists: bool,
) -> None:
    """Sign every wheel and sdist in FILES (files or directories) with a PEP 740 attestation.

    Each FILE gets FILE.publish.attestation, the name twine, uv and gh-action-pypi-publish
    upload. Either every file is signed and written, or nothing is written.
    """
    dists = collect_dists(list(files))
    choice = choose_trust(staging=staging, trust_config=trust_config)
    check_destinations(dists, choice, output_dir, allow_beside=allow_test_signature_beside_dists)
    if dry_run:
        # The plan is shown wherever it runs; the identity only where one can be had.
        try:
            source = obtain_token(identity_token)
            identity = (
                f"identity ({source.origin}, not yet verified): "
                f"{describe_identity(unverified_claims(source.token))}"
            )
        except PyvouchError as err:
            identity = f"identity: none here ({err}); signing would fail"
        click.echo(f"would sign {len(dists)} file(s) with {choice.describe()}")
        click.echo(identity)
        for dist in dists:
            click.echo(f"  {dist.kind:5}  {dist.path} -> {destination(dist, output_dir)}")
        click.echo("dry run: nothing signed, nothing written")
        return
    source = obtain_token(identity_token)
    who = describe_identity(unverified_claims(source.token))
    config = load_trust_config(choice)
    signed = sign_all(dists, source.token, config)
    written = write_all(signed, output_dir)
    click.echo(f"signed {len(written)} file(s) with {choice.describe()} as {who}")
    for (dist, _), path in zip(signed, written, strict=True):
        click.echo(f"  {dist.kind:5}  {dist.path} -> {path}")
