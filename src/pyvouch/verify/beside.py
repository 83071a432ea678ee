"""Signatures beside a file on an index, judged: a Sigstore bundle (``FILE.sigstore.json``)
or cosign's detached ``FILE.sig`` (+ ``FILE.crt``), fetched by `pyvouch.index.beside`.

The verifying is `verify-blob`'s own (`pyvouch.verify.blob.verify_bundle_bytes` for bundles,
`pyvouch.verify.blob_detached` for ``.sig``), given the file's sha256 from the index instead
of its bytes. This module turns its verdict into a `Finding` of the one status vocabulary,
with the signature kind (`SignatureKind.SIGSTORE_BUNDLE` or `COSIGN_SIG`):

- signatures that could not be used (served from another host, too large, not a signature)
  are `invalid`, with the reason; an index that did not answer (an HTTP error, after retries)
  leaves it `unknown`; nothing beside the file, or offline without a signature that verified
  earlier (the sealed cache), leaves the PEP 740 answer as it was;
- what the package expects (`SignatureExpectation`): a public key (``[tool.pyvouch.packages.
  NAME] key``, ``--key``), else a publisher identity when one is expected (``verify
  --publisher``; pins are applied afterwards as for PEP 740), and whether signatures without a
  transparency log entry are allowed (``allow-no-tlog``).
"""

from __future__ import annotations

from pathlib import Path

from pyvouch.index.beside import BesideFile, BesideSignatures, decode_crt, decode_sig
from pyvouch.model import Finding, Publisher, SignatureKind, Status
from pyvouch.verify.blob import verify_bundle_bytes
from pyvouch.verify.blob_detached import verify_detached
from pyvouch.verify.blob_result import BlobResult, ExpectedSigner
from pyvouch.verify.dist import DistFile
from pyvouch.verify.signature_policy import SignatureExpectation
from pyvouch.verify.trust import TrustRoot


def _problems(found: BesideSignatures) -> list[str]:
    files: list[BesideFile | None] = [found.bundle, found.sig, found.crt]
    return [f.problem for f in files if f is not None and f.problem is not None]


def _finding(dist: DistFile, kind: SignatureKind, result: BlobResult, url: str) -> Finding:
    reason = f"{kind.value} {url}: {result.reason}"
    if result.notes:
        reason += "; " + "; ".join(result.notes)
    publisher = result.publisher
    return Finding(
        dist.ref(),
        result.status,
        reason,
        publisher=publisher,
        identity_checked=result.identity_checked and result.status is Status.VERIFIED,
        signature_kind=kind,
    )


def verify_beside(
    dist: DistFile,
    found: BesideSignatures,
    expectation: SignatureExpectation,
    expected: Publisher | None,
    root: TrustRoot,
) -> Finding | None:
    """The finding the signatures beside ``dist`` give; None when nothing is beside it."""
    if found.offline_miss or not found.found:  # offline: only verified ones are cached
        return None
    kind = SignatureKind.SIGSTORE_BUNDLE if found.bundle is not None else SignatureKind.COSIGN_SIG
    problems = _problems(found)
    signer = ExpectedSigner(
        publisher=expected,
        key=expectation.key,
        key_source=expectation.key_source,
        allow_no_tlog=expectation.allow_no_tlog,
    )
    file, where = Path(dist.filename), Path(found.file_url)
    if found.bundle is not None and found.bundle.body is not None:
        result = verify_bundle_bytes(
            dist.sha256, found.bundle.body, signer, root, file=file, bundle=where
        )
        return _finding(dist, kind, result, found.bundle.url)
    if found.sig is not None and found.sig.body is not None and not problems:
        signature = decode_sig(found.sig.body)
        crt = found.crt.body if found.crt is not None else None
        pem = decode_crt(crt) if crt is not None else None
        assert signature is not None  # the fetcher keeps only base64 bodies
        result = verify_detached(dist.sha256, signature, pem, signer, root, file=file, bundle=where)
        return _finding(dist, kind, result, found.sig.url)
    files = [f for f in (found.bundle, found.sig, found.crt) if f is not None]
    if any(f.unanswered for f in files):
        return Finding(
            dist.ref(),
            Status.UNKNOWN,
            f"{kind.value}: the signatures beside the file could not be read: "
            + "; ".join(problems),
            signature_kind=kind,
        )
    return Finding(
        dist.ref(),
        Status.INVALID,
        f"{kind.value}: a signature is served beside the file but cannot be used: "
        + "; ".join(problems),
        signature_kind=kind,
    )
