"""In-process transports: the real ``sigstore`` ``Signer`` against the authority without HTTP.

``local_signing_context(authority)`` returns a genuine ``sigstore.sign.SigningContext`` whose
Fulcio and Rekor clients call the authority's methods directly instead of POSTing JSON. The
``Signer`` (CSR, SCT check, DSSE signing, entry building, ``Bundle`` assembly) is sigstore's own;
only the transport differs, so the bundles have the shape and checks of the HTTP path (the same
request bodies go in, the same response JSON comes out). Use it to mint many attestations fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography.x509 import Certificate, CertificateSigningRequest
from sigstore.dsse import Envelope
from sigstore.hashes import Hashed
from sigstore.models import ClientTrustConfig, TransparencyLogEntry
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

from pyvouch.compat.sigstore_private import (
    EntryRequestBody,
    FulcioCertificateSigningResponse,
    FulcioClient,
    FulcioClientError,
    RekorClient,
    RekorLogSubmitter,
    build_dsse_request,
    build_hashed_rekord_request,
    log_entry_from_v1_response,
)
from pyvouch.testing.authority import AuthorityError

if TYPE_CHECKING:
    from pyvouch.testing.authority import TestAuthority


class _LocalSigningCert:
    def __init__(self, authority: TestAuthority) -> None:
        self._authority = authority

    def post(
        self, req: CertificateSigningRequest, identity: IdentityToken
    ) -> FulcioCertificateSigningResponse:
        try:
            chain = self._authority.issue_certificate(str(identity), req)
        except AuthorityError as err:
            raise FulcioClientError(err.message) from err
        return FulcioCertificateSigningResponse(chain[0], chain[1:])


class LocalFulcio(FulcioClient):
    """A ``FulcioClient`` whose ``signing_cert.post`` calls the authority in-process."""

    def __init__(self, authority: TestAuthority) -> None:
        super().__init__(authority.base_url)
        self._authority = authority

    @property
    def signing_cert(self) -> Any:
        return _LocalSigningCert(self._authority)


class LocalRekor(RekorLogSubmitter):
    """A Rekor v1 submitter that integrates entries in-process; requests built by sigstore."""

    def __init__(self, authority: TestAuthority) -> None:
        self._authority = authority
        self._builder = RekorClient(authority.base_url)

    def create_entry(self, request: EntryRequestBody) -> TransparencyLogEntry:
        return log_entry_from_v1_response(self._authority.submit_entry(request))

    def _build_hashed_rekord_request(  # type: ignore[override]
        self, hashed_input: Hashed, signature: bytes, certificate: Certificate
    ) -> EntryRequestBody:
        return build_hashed_rekord_request(self._builder, hashed_input, signature, certificate)

    def _build_dsse_request(  # type: ignore[override]
        self, envelope: Envelope, certificate: Certificate
    ) -> EntryRequestBody:
        return build_dsse_request(self._builder, envelope, certificate)


def local_signing_context(authority: TestAuthority) -> SigningContext:
    """A real ``SigningContext`` for the authority's trust root, with in-process transports."""
    trust = ClientTrustConfig.from_json(_dumps(authority.client_trust_config()))
    return SigningContext(
        fulcio=LocalFulcio(authority),
        rekor=LocalRekor(authority),
        trusted_root=trust.trusted_root,
    )


def _dumps(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data)
