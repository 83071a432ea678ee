"""Keyless PEP 740 attestations for a set of distributions: all of them, or none.

Every distribution is signed into memory first (one short-lived certificate for the whole
set, as gh-action-pypi-publish does); files are written only when all succeeded, each through a
temporary file and a rename, and already written ones are rolled back if a later write fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pypi_attestations import Attestation, AttestationError, Distribution
from sigstore.errors import Error as SigstoreError
from sigstore.models import ClientTrustConfig

from pyvouch.errors import InputError, SigningError, UsageError
from pyvouch.sign.dists import DistToSign
from pyvouch.sign.files import check_output_dir, check_unique_targets, write_all_or_nothing
from pyvouch.sign.session import keyless_signer


@dataclass(frozen=True, slots=True)
class TrustChoice:
    """Which Sigstore instance signs: ``production``, ``staging`` or ``custom``."""

    name: str
    config_file: Path | None = None

    @property
    def is_production(self) -> bool:
        return self.name == "production"

    def describe(self) -> str:
        if self.config_file is not None:
            return f"custom trust config {self.config_file}"
        return f"Sigstore {self.name}"


def choose_trust(*, staging: bool, trust_config: Path | None) -> TrustChoice:
    if staging and trust_config is not None:
        raise UsageError("--staging and --trust-config exclude each other")
    if trust_config is not None:
        return TrustChoice("custom", trust_config)
    return TrustChoice("staging" if staging else "production")


def load_trust_config(choice: TrustChoice) -> ClientTrustConfig:
    """The ClientTrustConfig for the choice (production/staging refreshed over TUF)."""
    if choice.config_file is not None:
        path = choice.config_file
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(path, f"cannot read trust config ({err})") from None
        try:
            media = json.loads(raw).get("mediaType", "")
        except (ValueError, AttributeError, RecursionError):
            raise InputError(path, "not a JSON object") from None
        if "clienttrustconfig" not in str(media):
            raise InputError(
                path,
                f"mediaType {media!r} is not a ClientTrustConfig; signing needs the signing "
                "config (CA and log URLs) as well as the trusted root",
                where="mediaType",
            )
        try:
            config = ClientTrustConfig.from_json(raw)
            config.signing_config  # noqa: B018  (validates the services)
            config.trusted_root  # noqa: B018
        except (SigstoreError, ValueError) as err:
            raise InputError(path, f"invalid ClientTrustConfig: {err}") from None
        return config
    try:
        if choice.name == "staging":
            return ClientTrustConfig.staging()
        return ClientTrustConfig.production()
    except SigstoreError as err:
        raise SigningError(
            f"could not refresh the Sigstore {choice.name} trust configuration over TUF: {err}"
        ) from None


def destination(dist: DistToSign, output_dir: Path | None) -> Path:
    directory = output_dir if output_dir is not None else dist.path.parent
    return directory / dist.attestation_name()


def check_destinations(
    dists: list[DistToSign],
    choice: TrustChoice,
    output_dir: Path | None,
    *,
    allow_beside: bool,
) -> None:
    """No two dists write one attestation; a non-production attestation never lands where an
    upload tool would pick it up: next to the dist it signs, or next to a file of the same
    name in the output directory (``--output-dir dist`` while signing ``build/x.whl``)."""
    check_output_dir(output_dir)
    check_unique_targets([(d.path, destination(d, output_dir)) for d in dists])
    if choice.is_production or allow_beside:
        return
    beside = [
        d
        for d in dists
        if destination(d, output_dir).parent.resolve() == d.path.parent.resolve()
        or (destination(d, output_dir).parent / d.path.name).exists()
    ]
    if beside:
        raise UsageError(
            f"refusing to write a {choice.describe()} attestation next to {beside[0].path} "
            "(twine, uv and gh-action-pypi-publish upload every *.publish.attestation found "
            "beside a dist, and a published attestation cannot be taken back); pass "
            "--output-dir DIR elsewhere, or --allow-test-signature-beside-dists if you mean it"
        )


def sign_all(
    dists: list[DistToSign], token: str, config: ClientTrustConfig
) -> list[tuple[DistToSign, Attestation]]:
    """Sign every dist into memory; raise SigningError (nothing signed is kept) on any failure."""
    signed: list[tuple[DistToSign, Attestation]] = []
    current: DistToSign | None = None
    try:
        with keyless_signer(token, config) as signer:
            for dist in dists:
                current = dist
                distribution = Distribution.from_file(dist.path)
                signed.append((dist, Attestation.sign(signer, distribution)))
    except (AttestationError, SigstoreError, ValueError) as err:
        where = f" {current.path}" if current else ""
        raise SigningError(f"signing{where} failed: {err}") from None
    except OSError as err:
        raise InputError(current.path if current else "?", f"cannot read ({err})") from None
    return signed


def write_all(signed: list[tuple[DistToSign, Attestation]], output_dir: Path | None) -> list[Path]:
    """Write every attestation, or none (see `sign.files.write_all_or_nothing`)."""
    items = [(destination(d, output_dir), a.model_dump_json()) for d, a in signed]
    return write_all_or_nothing(items, output_dir, "attestations")
