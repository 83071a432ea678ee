"""`pyvouch verify-blob` and `pyvouch sign-blob`: cosign-compatible bundles beside a file."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pyvouch import report as formats
from pyvouch.cli.options import exit_codes, format_option, staging_option, trust_root_option
from pyvouch.cli.output import emit
from pyvouch.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from pyvouch.model import Status
from pyvouch.report import blob_report
from pyvouch.verify.blob import (
    BUNDLE_SUFFIX,
    ExpectedSigner,
    load_public_key,
    verify_blob,
)
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.verify.signed_content import DEFAULT_PREDICATE_TYPES, ContentPolicy
from pyvouch.verify.trust import load_trust_root

_FILE = click.Path(path_type=Path, dir_okay=False)


def _expected(
    identity: str | None,
    issuer: str | None,
    publisher_spec: str | None,
    key: Path | None,
    allow_no_tlog: bool,
) -> ExpectedSigner:
    chosen = [
        name
        for name, given in (
            ("--certificate-identity", identity is not None),
            ("--publisher", publisher_spec is not None),
            ("--key", key is not None),
        )
        if given
    ]
    if len(chosen) != 1:
        raise UsageError(
            "say who must have signed with exactly one of --certificate-identity (with "
            "--certificate-oidc-issuer), --publisher or --key"
            + (f"; got {', '.join(chosen)}" if chosen else "")
        )
    if (identity is None) != (issuer is None):
        raise UsageError("--certificate-identity and --certificate-oidc-issuer go together")
    if allow_no_tlog and key is None:
        raise UsageError("--allow-no-tlog applies only to --key")
    if key is not None:
        return ExpectedSigner(
            key=load_public_key(key), key_source=str(key), allow_no_tlog=allow_no_tlog
        )
    if publisher_spec is not None:
        return ExpectedSigner(publisher=parse_publisher_spec(publisher_spec))
    return ExpectedSigner(identity=identity, issuer=issuer)


def _content_policy(predicate_types: tuple[str, ...]) -> ContentPolicy:
    for value in predicate_types:
        if not value.strip() or value != value.strip():
            raise UsageError(f"--predicate-type {value!r}: give a predicate type URI")
    return ContentPolicy(required=tuple(dict.fromkeys(predicate_types)))


@exit_codes("every file verified", "a file is mismatch (another signer) or invalid")
@click.command("verify-blob")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option(
    "--bundle",
    type=_FILE,
    metavar="FILE",
    help="The Sigstore bundle (default: FILE.sigstore.json beside FILE; only with one FILE).",
)
@click.option(
    "--certificate-identity",
    "identity",
    metavar="ID",
    help="Expected certificate identity (SAN), exactly.",
)
@click.option(
    "--certificate-oidc-issuer",
    "issuer",
    metavar="ISSUER",
    help="Expected OIDC issuer of the certificate, exactly.",
)
@click.option(
    "--publisher",
    "publisher_spec",
    metavar="SPEC",
    help="Expected publisher: github:OWNER/REPO[:WORKFLOW], gitlab:..., google:EMAIL, ...",
)
@click.option(
    "--key",
    type=_FILE,
    metavar="KEY.pub",
    help="The signer's PEM public key (cosign.pub) for a managed-key bundle.",
)
@click.option(
    "--allow-no-tlog",
    is_flag=True,
    help="With --key: accept a bundle with no transparency log entry (proves possession of "
    "the key only, not time or transparency).",
)
@click.option(
    "--predicate-type",
    "predicate_types",
    multiple=True,
    metavar="URI",
    help="Require an in-toto statement with this predicate type (repeat: any of them); a "
    "message signature is then refused. Default: a message signature, or a statement whose "
    "predicate type is one of " + ", ".join(DEFAULT_PREDICATE_TYPES) + ".",
)
@staging_option
@trust_root_option
@format_option(formats.offered(sarif=True), "text")
@click.pass_context
def verify_blob_cmd(
    ctx: click.Context,
    files: tuple[Path, ...],
    bundle: Path | None,
    identity: str | None,
    issuer: str | None,
    publisher_spec: str | None,
    key: Path | None,
    allow_no_tlog: bool,
    predicate_types: tuple[str, ...],
    staging: bool,
    trust_root: Path | None,
    output_format: str,
) -> None:
    """Verify FILEs against cosign-compatible Sigstore bundles (FILE.sigstore.json).

    Keyless bundles are checked by sigstore (certificate chain, SCT, transparency log
    proof, signature) and then against the expected identity; managed-key bundles against
    the given public key and their transparency log entry. Every result says what was
    signed: a message signature, or an in-toto statement and its predicate type; content
    that is not accepted (see --predicate-type) is invalid. Exit 0 when every file is
    verified, 1 when any is mismatch or invalid.
    """
    if bundle is not None and len(files) != 1:
        raise UsageError(
            "--bundle names the bundle of one FILE; give one FILE, or none of --bundle"
        )
    expected = _expected(identity, issuer, publisher_spec, key, allow_no_tlog)
    accept = _content_policy(predicate_types)
    root = load_trust_root(staging=staging, trust_root_file=trust_root)
    results = [
        verify_blob(
            file,
            bundle if bundle is not None else file.with_name(file.name + BUNDLE_SUFFIX),
            expected,
            root,
            accept,
        )
        for file in files
    ]
    emit(blob_report.build(results, root, accept), output_format)
    ok = all(r.status is Status.VERIFIED for r in results)
    ctx.exit(EXIT_OK if ok else EXIT_FINDINGS)


@exit_codes(
    "every file signed and its bundle written",
    "signing or writing failed; nothing was written",
)
@click.command("sign-blob")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option(
    "--key",
    type=_FILE,
    metavar="KEY",
    help="ECDSA P-256 private key: PEM (PKCS#8/SEC1, password in COSIGN_PASSWORD if "
    "encrypted) or cosign's encrypted key. Without --key: keyless (Sigstore).",
)
@click.option(
    "--identity-token",
    metavar="TOKEN",
    envvar="PYVOUCH_IDENTITY_TOKEN",
    help="Keyless: OIDC identity token (default: the ambient CI credential).",
)
@click.option(
    "--trust-config",
    type=_FILE,
    metavar="FILE",
    help="Keyless: a Sigstore ClientTrustConfig JSON for a private Sigstore instance.",
)
@click.option("--staging", is_flag=True, help="Keyless: sign with Sigstore's staging instance.")
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Write bundles into this existing directory instead of next to each file.",
)
@click.option(
    "--output-signature",
    type=_FILE,
    metavar="FILE",
    help="Also write cosign's classic detached signature (base64) here (one FILE only); "
    "beside a dist on an index name it DIST.sig.",
)
@click.option(
    "--output-certificate",
    type=_FILE,
    metavar="FILE",
    help="Keyless: also write the signing certificate (PEM) here (one FILE only); beside a "
    "dist on an index name it DIST.crt. A .sig/.crt pair carries no transparency log entry.",
)
def sign_blob_cmd(
    files: tuple[Path, ...],
    key: Path | None,
    identity_token: str | None,
    trust_config: Path | None,
    staging: bool,
    output_dir: Path | None,
    output_signature: Path | None,
    output_certificate: Path | None,
) -> None:
    """Sign each FILE into a cosign-compatible Sigstore bundle, FILE.sigstore.json.

    FILEs that are themselves bundles (*.sigstore.json) are skipped with a note, so
    `sign-blob dist/*` can run again. Either every file is signed and written, or nothing
    is written. With --key no
    transparency log is used: the bundle proves possession of the key only.
    """
    from pyvouch.sign.attest import choose_trust, load_trust_config
    from pyvouch.sign.blob import (
        check_files,
        load_signing_key,
        sign_keyless,
        sign_with_key,
        split_bundles,
        write_all,
    )
    from pyvouch.sign.identity import describe_identity, obtain_token, unverified_claims
    from pyvouch.verify.blob import key_id

    paths, bundles = split_bundles(list(files))
    for bundle in bundles:
        click.echo(f"skipped {bundle}: a Sigstore bundle, not signed", err=True)
    check_files(paths, output_dir)
    classic = {"signature": output_signature, "certificate": output_certificate}
    if (output_signature or output_certificate) and len(paths) != 1:
        raise UsageError("--output-signature/--output-certificate name the outputs of one FILE")
    if key is not None and output_certificate is not None:
        raise UsageError("--output-certificate: a key signature has no certificate")
    if key is not None:
        if identity_token or trust_config or staging:
            raise UsageError(
                "--key signs without Sigstore; drop --identity-token/--trust-config/--staging"
            )
        signing_key = load_signing_key(key, os.environ.get("COSIGN_PASSWORD"))
        signed = sign_with_key(paths, signing_key, output_dir)
        written = write_all(signed, output_dir, **classic)
        click.echo(
            f"signed {len(written)} file(s) with key {key_id(signing_key.public_key())} ({key})"
        )
        click.echo(
            "note: no transparency log: these signatures prove possession of the key only, "
            "not when they were made nor that they were published"
        )
    else:
        choice = choose_trust(staging=staging, trust_config=trust_config)
        source = obtain_token(identity_token)
        who = describe_identity(unverified_claims(source.token))
        signed = sign_keyless(paths, source.token, load_trust_config(choice), output_dir)
        written = write_all(signed, output_dir, **classic)
        click.echo(f"signed {len(written)} file(s) with {choice.describe()} as {who}")
    for item in signed:
        click.echo(f"  {item.file} -> {item.target}")
    for extra in (output_signature, output_certificate):
        if extra is not None:
            click.echo(f"  {paths[0]} -> {extra}")
    if output_signature is not None:
        click.echo(
            "note: a .sig (and .crt) carries no transparency log entry: verifiers accept it "
            "only when their policy allows signatures without one (allow-no-tlog)"
        )
