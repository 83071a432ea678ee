"""A Fulcio-like certificate authority (root + intermediate) and a CT log that issues SCTs.

The leaf profile follows Fulcio's: empty subject, critical SAN, KeyUsage digitalSignature,
EKU codeSigning, SKI/AKI, the Sigstore OID extensions, and exactly one embedded SCT
(``precert_entry``) signed by the CT log key over the TBS certificate without the SCT extension,
bound to the issuer's key hash (RFC 6962 section 3.2). Keys are EC P-256 with ECDSA-SHA256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyasn1.codec.der.encoder import encode as der_encode
from pyasn1.type.char import UTF8String
from pyasn1.type.univ import OctetString

from pyvouch.testing.claims import OID_BY_CLAIM, CertIdentity

SCT_LIST_OID = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
LEAF_LIFETIME = dt.timedelta(minutes=10)
_EPOCH_START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_FAR_END = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)


def public_key_der(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: ec.EllipticCurvePublicKey) -> bytes:
    """RFC 6962 key ID: SHA-256 of the DER SubjectPublicKeyInfo (Sigstore's log ID too)."""
    return hashlib.sha256(public_key_der(key)).digest()


def _ecdsa(deterministic: bool) -> ec.ECDSA:
    return ec.ECDSA(hashes.SHA256(), deterministic_signing=deterministic)


class CTLog:
    """Signs SCTs for precertificates (the part of a CT log Sigstore clients check)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self.key = key or ec.generate_private_key(ec.SECP256R1())
        self.log_id = key_id(self.key.public_key())

    def sct_extension_value(
        self, tbs: bytes, issuer_key: ec.EllipticCurvePublicKey, when: dt.datetime
    ) -> bytes:
        """The DER value of the SCT list extension for a precertificate TBS."""
        timestamp_ms = int(when.timestamp()) * 1000  # whole seconds: exact through floats
        signed_entry = key_id(issuer_key) + struct.pack("!I", len(tbs))[1:] + tbs
        digitally_signed = (
            struct.pack("!BBQH", 0, 0, timestamp_ms, 1) + signed_entry + struct.pack("!H", 0)
        )
        signature = self.key.sign(digitally_signed, _ecdsa(False))
        sct = (
            struct.pack("!B", 0)
            + self.log_id
            + struct.pack("!QH", timestamp_ms, 0)
            + struct.pack("!BBH", 4, 3, len(signature))  # sha256, ecdsa
            + signature
        )
        sct_list = struct.pack("!H", len(sct) + 2) + struct.pack("!H", len(sct)) + sct
        return bytes(der_encode(OctetString(sct_list)))


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pyvouch.test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


class CertificateAuthority:
    """A root CA and an intermediate that issues short-lived code-signing leaf certificates."""

    def __init__(self, name: str = "pyvouch-test") -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate_key = ec.generate_private_key(ec.SECP256R1())
        root_pub = self.root_key.public_key()
        inter_pub = self.intermediate_key.public_key()
        self.root = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(root_pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(_EPOCH_START)
            .not_valid_after(_FAR_END)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_pub), critical=False)
            .sign(self.root_key, hashes.SHA256())
        )
        self.intermediate = (
            x509.CertificateBuilder()
            .subject_name(_name(name + "-intermediate"))
            .issuer_name(self.root.subject)
            .public_key(inter_pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(_EPOCH_START)
            .not_valid_after(_FAR_END)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(inter_pub), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_pub), critical=False
            )
            .sign(self.root_key, hashes.SHA256())
        )

    @property
    def chain(self) -> list[x509.Certificate]:
        """Intermediate then root, as Fulcio returns them after the leaf."""
        return [self.intermediate, self.root]

    def issue(
        self,
        public_key: ec.EllipticCurvePublicKey,
        identity: CertIdentity,
        ct_log: CTLog,
        *,
        now: dt.datetime | None = None,
        serial: int | None = None,
    ) -> x509.Certificate:
        """A leaf certificate for ``public_key`` with an embedded SCT from ``ct_log``."""
        issued = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        names: list[x509.GeneralName] = []
        if identity.san_uri:
            names.append(x509.UniformResourceIdentifier(identity.san_uri))
        if identity.san_email:
            names.append(x509.RFC822Name(identity.san_email))
        inter_pub = self.intermediate_key.public_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(self.intermediate.subject)
            .public_key(public_key)
            .serial_number(serial or secrets.randbits(150) | 1 << 150)
            .not_valid_before(issued)
            .not_valid_after(issued + LEAF_LIFETIME)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_pub), critical=False
            )
            .add_extension(x509.SubjectAlternativeName(names), critical=True)
        )
        for oid, raw in identity.raw_extensions.items():
            builder = builder.add_extension(
                x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), raw.encode()),
                critical=False,
            )
        for claim, value in identity.extensions.items():
            ext = x509.UnrecognizedExtension(
                x509.ObjectIdentifier(OID_BY_CLAIM[claim]), bytes(der_encode(UTF8String(value)))
            )
            builder = builder.add_extension(ext, critical=False)
        # The precertificate: the same TBS without the SCT list. Its TBS is what the log signs.
        precert = builder.sign(self.intermediate_key, hashes.SHA256())
        sct_value = ct_log.sct_extension_value(precert.tbs_certificate_bytes, inter_pub, issued)
        return builder.add_extension(
            x509.UnrecognizedExtension(SCT_LIST_OID, sct_value), critical=False
        ).sign(self.intermediate_key, hashes.SHA256())


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """A CA's key signs certificates (and CRLs); a leaf's key signs content, nothing else."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
