"""Parallel verification gives exactly the serial findings, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pyvouch.index.client import ProvenanceLookup, ProvenanceState
from pyvouch.model import Finding, Status
from pyvouch.testing.corpus import ATTESTATION_SUFFIX, Manifest
from pyvouch.verify import parallel
from pyvouch.verify.attestations import AttestationVerifier, DistFile
from pyvouch.verify.lookup import finding_for_lookup
from pyvouch.verify.parallel import LookupVerifier
from pyvouch.verify.run import verify_with_files
from pyvouch.verify.trust import load_trust_root

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork"
)


def _verifier(out: Path) -> AttestationVerifier:
    return AttestationVerifier(load_trust_root(trust_root_file=out / "trusted_root.json"))


def test_verify_with_files_is_unchanged_by_the_pool(
    small_corpus: tuple[Path, Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, manifest = small_corpus
    verifier = _verifier(out)
    dists = [out / "dists" / f.filename for f in manifest.files]
    atts = [p for p in (out / "dists").iterdir() if p.name.endswith(ATTESTATION_SUFFIX)]
    monkeypatch.setattr(parallel, "available_cores", lambda: 1)
    serial = verify_with_files(dists, atts, verifier, None)
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    pooled = verify_with_files(dists, atts, verifier, None)
    assert pooled.findings == serial.findings
    assert pooled.warnings == serial.warnings
    expected = {f.filename: f.expected for f in manifest.files}
    assert {f.file.filename: f.status.value for f in pooled.findings} == expected


def _lookups(out: Path, manifest: Manifest) -> list[tuple[DistFile, ProvenanceLookup]]:
    items = []
    for f in manifest.files:
        provenance = out / "site" / "integrity" / f.project / f.version / f.filename / "provenance"
        served = provenance.is_file()
        lookup = ProvenanceLookup(
            filename=f.filename,
            sha256=f.sha256,
            state=ProvenanceState.SERVED if served else ProvenanceState.NONE,
            provenance=provenance.read_bytes() if served else None,
            reason="test",
            url=None,
        )
        items.append((DistFile(f.filename, f.sha256), lookup))
    return items


@pytest.mark.parametrize("workers", [1, 2])
def test_lookup_verifier_equals_finding_for_lookup(
    small_corpus: tuple[Path, Manifest], workers: int
) -> None:
    out, manifest = small_corpus
    verifier = _verifier(out)
    items = _lookups(out, manifest)
    serial = [finding_for_lookup(d, lookup, verifier, None) for d, lookup in items]

    async def run() -> list[Finding]:
        async with LookupVerifier(verifier, len(items), workers=workers, min_parallel=1) as c:
            return list(await asyncio.gather(*(c.finding(d, lookup) for d, lookup in items)))

    assert asyncio.run(run()) == serial
    assert {f.status for f in serial} == {
        Status.VERIFIED,
        Status.INVALID,
        Status.UNATTESTED,
    }
