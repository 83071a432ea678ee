"""One keyless signing session: an identity token turned into a Sigstore signer, and every
refusal of the Sigstore services turned into one `SigningError` line.

Shared by `pyvouch sign` (PEP 740 attestations) and `pyvouch sign-blob` (Sigstore bundles).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from sigstore.errors import Error as SigstoreError
from sigstore.models import ClientTrustConfig
from sigstore.oidc import IdentityError, IdentityToken
from sigstore.sign import Signer, SigningContext

from pyvouch.compat.sigstore_private import FulcioClientError, RekorClientError
from pyvouch.errors import SigningError


def _fulcio_reason(err: FulcioClientError) -> str:
    if str(err):
        return str(err)
    cause = err.__cause__
    response = getattr(cause, "response", None)
    if response is not None:
        try:
            return str(response.json().get("message")) or f"HTTP {response.status_code}"
        except ValueError:
            return f"HTTP {response.status_code}"
    return "no reason given"


@contextmanager
def keyless_signer(token: str, config: ClientTrustConfig) -> Iterator[Signer]:
    """A signer for ``token``'s identity under ``config`` (one certificate for everything it
    signs). A refused token, an unusable configuration, and a certificate authority, log or
    network failure while it signs, are each a `SigningError`."""
    try:
        identity = IdentityToken(token)
    except IdentityError as err:
        raise SigningError(f"identity token refused: {err}") from None
    try:
        context = SigningContext.from_trust_config(config)
    except (SigstoreError, ValueError) as err:
        raise SigningError(f"signing configuration unusable: {err}") from None
    try:
        with context.signer(identity, cache=True) as signer:
            yield signer
    except FulcioClientError as err:
        raise SigningError(
            f"the certificate authority refused to issue a certificate: {_fulcio_reason(err)}"
        ) from None
    except RekorClientError as err:
        raise SigningError(f"the transparency log refused the entry: {err}") from None
    except requests.RequestException as err:
        raise SigningError(f"a Sigstore service could not be reached: {err}") from None
