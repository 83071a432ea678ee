"""The test authority: issuers + CA + CT log + transparency log, and the trust JSON naming them.

Use it in-process (``local_signing_context``: the real ``sigstore`` ``Signer`` with in-process
transports, for minting many attestations fast) or over HTTP (``serve()``: the real ``sigstore``
client talks to it through a ``ClientTrustConfig``). Both paths run the same CA and log code.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.testing.ca import CertificateAuthority, CTLog, public_key_der
from pyvouch.testing.claims import ClaimError, certificate_identity
from pyvouch.testing.oidc import IssuerKind, TestIssuer
from pyvouch.testing.tlog import LogError, TransparencyLog, canonicalize

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_ISSUER = "https://gitlab.com"
VALID_FROM = "2020-01-01T00:00:00Z"
OPERATOR = "pyvouch.test"


class AuthorityError(Exception):
    """A request the authority refuses, with the HTTP status the real service would give."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Faults:
    """Switches that make the authority misbehave, for negative tests. All off by default."""

    rogue_ca: bool = False
    """Issue leaf certificates from a CA that is not in the trusted root."""
    entry_for_other_body: bool = False
    """Log (and return, with valid proofs) a different body than the one proposed."""
    unknown_checkpoint_key: bool = False
    """Sign checkpoints with a key the trusted root does not name."""
    log_refuses_after: int | None = None
    """Answer HTTP 500 to every entry proposed once the log holds this many entries."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _public_key_json(key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    return {
        "rawBytes": _b64(public_key_der(key)),
        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
        "validFor": {"start": VALID_FROM},
    }


class TestAuthority:
    """A complete private Sigstore instance for tests. Not thread-safe to reconfigure."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "pyvouch-test") -> None:
        self.name = name
        self.base_url = "http://pyvouch.test"
        self.ca = CertificateAuthority(name)
        self.ct_log = CTLog()
        self.log = TransparencyLog(origin=f"{name}-log")
        self.faults = Faults()
        self._rogue_ca: CertificateAuthority | None = None
        self._unknown_key: ec.EllipticCurvePrivateKey | None = None
        self.issuers: dict[str, TestIssuer] = {}
        self.github = self.add_issuer(
            TestIssuer("github", IssuerKind.GITHUB, certificate_issuer=GITHUB_ISSUER)
        )
        self.gitlab = self.add_issuer(
            TestIssuer("gitlab", IssuerKind.GITLAB, certificate_issuer=GITLAB_ISSUER)
        )
        self.email = self.add_issuer(TestIssuer("email", IssuerKind.EMAIL))
        self._ambient: dict[str, tuple[TestIssuer, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.server_requests: list[tuple[str, str]] = []
        """(method, path) of every HTTP request while served: tests prove what was called."""

    # -- configuration -------------------------------------------------------------------

    def add_issuer(self, issuer: TestIssuer) -> TestIssuer:
        self.issuers[issuer.name] = issuer
        issuer.url = f"{self.base_url}/oidc/{issuer.name}"
        return issuer

    def set_base_url(self, url: str) -> None:
        self.base_url = url.rstrip("/")
        for issuer in self.issuers.values():
            issuer.url = f"{self.base_url}/oidc/{issuer.name}"

    def register_ambient_token(
        self, request_token: str, issuer: TestIssuer, claims: dict[str, Any]
    ) -> None:
        """Serve tokens for ``claims`` at ``/gha/token`` to a bearer of ``request_token``.

        This is how GitHub Actions hands out ID tokens (``ACTIONS_ID_TOKEN_REQUEST_URL`` and
        ``ACTIONS_ID_TOKEN_REQUEST_TOKEN``), so ``id.detect_credential`` works unchanged.
        """
        self._ambient[request_token] = (issuer, dict(claims))

    def ambient_token(self, request_token: str, audience: str) -> str:
        found = self._ambient.get(request_token)
        if found is None:
            raise AuthorityError(401, "unknown request token")
        issuer, claims = found
        return issuer.mint(claims, audience=audience)

    @property
    def unknown_key(self) -> ec.EllipticCurvePrivateKey:
        if self._unknown_key is None:
            self._unknown_key = ec.generate_private_key(ec.SECP256R1())
        return self._unknown_key

    @property
    def rogue_ca(self) -> CertificateAuthority:
        if self._rogue_ca is None:
            self._rogue_ca = CertificateAuthority(self.name)  # same names, other keys
        return self._rogue_ca

    # -- trust material ------------------------------------------------------------------

    def trusted_root(self) -> dict[str, Any]:
        """``trusted_root.json`` (application/vnd.dev.sigstore.trustedroot+json;version=0.1)."""
        chain = [self.ca.intermediate, self.ca.root]
        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [
                {
                    "baseUrl": self.base_url,
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": _public_key_json(self.log.key.public_key()),
                    "logId": {"keyId": _b64(self.log.log_id)},
                }
            ],
            "certificateAuthorities": [
                {
                    "subject": {"organization": OPERATOR, "commonName": self.name},
                    "uri": self.base_url,
                    "certChain": {
                        "certificates": [
                            {"rawBytes": _b64(c.public_bytes(serialization.Encoding.DER))}
                            for c in chain
                        ]
                    },
                    "validFor": {"start": VALID_FROM},
                }
            ],
            "ctlogs": [
                {
                    "baseUrl": self.base_url + "/ct",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": _public_key_json(self.ct_log.key.public_key()),
                    "logId": {"keyId": _b64(self.ct_log.log_id)},
                }
            ],
            "timestampAuthorities": [],
        }

    def signing_config(self, *, oidc_issuer: str = "github") -> dict[str, Any]:
        """``signing_config.json`` (v0.2): Fulcio, Rekor v1 and the OIDC issuer; no TSA."""

        def service(url: str) -> dict[str, Any]:
            return {
                "url": url,
                "majorApiVersion": 1,
                "validFor": {"start": VALID_FROM},
                "operator": OPERATOR,
            }

        return {
            "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": [service(self.base_url)],
            "oidcUrls": [service(self.issuers[oidc_issuer].url)],
            "rekorTlogUrls": [service(self.base_url)],
            "tsaUrls": [],
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaConfig": {"selector": "ANY"},
        }

    def client_trust_config(self) -> dict[str, Any]:
        """A ClientTrustConfig JSON: the trusted root plus the signing config."""
        return {
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": self.trusted_root(),
            "signingConfig": self.signing_config(),
        }

    def write_trust_files(self, directory: Path) -> dict[str, Path]:
        """Write trusted_root.json, signing_config.json and trust_config.json; return paths."""
        directory.mkdir(parents=True, exist_ok=True)
        out = {
            "trusted_root": directory / "trusted_root.json",
            "signing_config": directory / "signing_config.json",
            "trust_config": directory / "trust_config.json",
        }
        out["trusted_root"].write_text(json.dumps(self.trusted_root(), indent=2))
        out["signing_config"].write_text(json.dumps(self.signing_config(), indent=2))
        out["trust_config"].write_text(json.dumps(self.client_trust_config(), indent=2))
        return out

    # -- Fulcio --------------------------------------------------------------------------

    def verify_token(self, token: str) -> tuple[TestIssuer, dict[str, Any]]:
        """Fulcio's token check: known issuer, valid signature, audience, time. 401 if not."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as err:
            raise AuthorityError(401, f"malformed identity token: {err}") from err
        iss = unverified.get("iss")
        issuer = next((i for i in self.issuers.values() if i.url == iss), None)
        if issuer is None:
            raise AuthorityError(401, f"identity token issuer {iss!r} is not trusted")
        try:
            return issuer, issuer.verify(token)
        except jwt.ExpiredSignatureError as err:
            raise AuthorityError(401, "identity token has expired") from err
        except jwt.InvalidAudienceError as err:
            raise AuthorityError(401, "identity token audience is not 'sigstore'") from err
        except jwt.InvalidSignatureError as err:
            raise AuthorityError(401, "identity token signature does not verify") from err
        except jwt.PyJWTError as err:
            raise AuthorityError(401, f"identity token refused: {err}") from err

    def issue_certificate(
        self, token: str, csr: x509.CertificateSigningRequest
    ) -> list[x509.Certificate]:
        """The signingCert operation: leaf, intermediate, root."""
        issuer, claims = self.verify_token(token)
        if not csr.is_signature_valid:
            raise AuthorityError(400, "proof of possession failed: CSR signature is invalid")
        public_key = csr.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise AuthorityError(400, "only ECDSA keys are supported by this test CA")
        try:
            identity = certificate_identity(issuer.kind, claims, issuer.certificate_issuer)
        except ClaimError as err:
            raise AuthorityError(400, str(err)) from err
        ca = self.rogue_ca if self.faults.rogue_ca else self.ca
        leaf = ca.issue(public_key, identity, self.ct_log, now=dt.datetime.now(dt.UTC))
        return [leaf, *ca.chain]

    def signing_cert_response(self, request: dict[str, Any], token: str) -> dict[str, Any]:
        """``POST /api/v2/signingCert`` with a CSR, answered as Fulcio answers."""
        try:
            pem = base64.b64decode(request["certificateSigningRequest"])
            csr = x509.load_pem_x509_csr(pem)
        except (KeyError, TypeError, ValueError) as err:
            raise AuthorityError(400, f"invalid certificate signing request: {err}") from err
        chain = self.issue_certificate(token, csr)
        pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in chain]
        return {"signedCertificateEmbeddedSct": {"chain": {"certificates": pems}}}

    # -- Rekor ---------------------------------------------------------------------------

    def submit_entry(self, proposed: dict[str, Any]) -> dict[str, Any]:
        """``POST /api/v1/log/entries``: the integrated entry, ``{uuid: LogEntry}``."""
        limit = self.faults.log_refuses_after
        if limit is not None and len(self.log.entries) >= limit:
            raise AuthorityError(500, "transparency log unavailable (injected fault)")
        try:
            body = canonicalize(proposed)
        except LogError as err:
            raise AuthorityError(400, str(err)) from err
        if self.faults.entry_for_other_body:
            other = json.loads(body)
            if other["kind"] == "dsse":
                other["spec"]["payloadHash"]["value"] = "0" * 64
            else:
                other["spec"]["data"]["hash"]["value"] = "0" * 64
            body = bytes(rfc8785.dumps(other))
        entry = self.log.append(body)
        key = self.unknown_key if self.faults.unknown_checkpoint_key else None
        return self.log.response(entry, checkpoint_key=key)

    # -- serving -------------------------------------------------------------------------

    @contextmanager
    def serve(self) -> Iterator[TestAuthority]:
        """Serve every endpoint on 127.0.0.1 (ephemeral port) in a background thread."""
        from pyvouch.testing.server import serve

        with serve(self):
            yield self
