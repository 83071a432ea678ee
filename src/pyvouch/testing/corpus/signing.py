"""Signing one package: its dists, their attestations (spoilt for invalid releases), and its
manifest rows.

Each release gets one short-lived certificate for both its files, as a CI job signing a release
does; attestations are made by sigstore's own ``Signer`` through ``pypi-attestations``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pypi_attestations import Attestation, Distribution
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

from pyvouch.testing.authority import TestAuthority
from pyvouch.testing.corpus.dists import build_sdist, build_wheel, sdist_filename, wheel_filename
from pyvouch.testing.corpus.manifest import ManifestFile, expected_status
from pyvouch.testing.corpus.plan import BAD_SIGNATURE, PlannedPackage
from pyvouch.testing.oidc import github_claims

ATTESTATION_SUFFIX = ".publish.attestation"


def spoil(attestation: Attestation, defect: str) -> Attestation:
    """An attestation that still names its file and digest but no longer verifies."""
    envelope = attestation.envelope
    if defect == BAD_SIGNATURE:
        signature = bytearray(envelope.signature)
        signature[-1] ^= 0x01  # the last byte of s: still DER, no longer the signature
        return attestation.model_copy(
            update={"envelope": envelope.model_copy(update={"signature": bytes(signature)})}
        )
    statement = json.loads(envelope.statement)
    statement["predicate"] = {"edited": "after signing"}
    edited = json.dumps(statement, separators=(",", ":")).encode()
    return attestation.model_copy(
        update={"envelope": envelope.model_copy(update={"statement": edited})}
    )


def sign_package(
    package: PlannedPackage,
    authority: TestAuthority,
    context: SigningContext,
    dists_dir: Path,
    seed: int,
) -> list[ManifestFile]:
    rows: list[ManifestFile] = []
    for release in package.releases:
        built = [
            (sdist_filename(package.name, release.version), build_sdist),
            (wheel_filename(package.name, release.version), build_wheel),
        ]
        dists = []
        for filename, builder in built:
            data = builder(package.name, release.version, seed)
            (dists_dir / filename).write_bytes(data)
            dists.append((filename, hashlib.sha256(data).hexdigest()))
        if release.signer is not None:
            token = authority.github.mint(github_claims(release.signer, release.workflow))
            with context.signer(IdentityToken(token), cache=True) as signer:
                for filename, digest in dists:
                    attestation = Attestation.sign(
                        signer, Distribution(name=filename, digest=digest)
                    )
                    if release.defect is not None:
                        attestation = spoil(attestation, release.defect)
                    path = dists_dir / (filename + ATTESTATION_SUFFIX)
                    path.write_text(attestation.model_dump_json(), encoding="utf-8")
        signed_by = (
            f"github:{release.signer}:{release.workflow}" if release.signer is not None else None
        )
        rows.extend(
            ManifestFile(
                project=package.name,
                version=release.version,
                filename=filename,
                sha256=digest,
                kind=release.kind,
                defect=release.defect,
                signed_by=signed_by,
                publisher=package.publisher,
                expected=expected_status(release.kind, pinned=False),
                expected_pinned=expected_status(release.kind, pinned=True),
            )
            for filename, digest in dists
        )
    return rows
