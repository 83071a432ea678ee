"""A file the source records by digest only (no name: a hash-only pin, or an SBOM URL that
names no file) is matched to the index's files by that digest, never dropped."""

from __future__ import annotations

from pathlib import Path

from pyvouch.model import FileRef, Package, Status
from pyvouch.pipeline.options import ScanOptions
from pyvouch.pipeline.scan import scan
from pyvouch.verify.attestations import AttestationVerifier
from pyvouch.verify.trust import load_trust_root
from tests.support.scan_sites import DISTS
from tests.support.static_server import StaticServer


def test_unnamed_file_with_a_digest_is_checked_by_digest(
    served: StaticServer, tmp_path: Path
) -> None:
    dist = next(d for d in DISTS if d.filename == "sampleproject-3.0.0.tar.gz")
    package = Package(
        name="sampleproject",
        version="3.0.0",
        files=(FileRef(filename="", sha256=dist.sha256, url="https://example.invalid/"),),
    )
    other = Package(
        name="sampleproject",
        version="3.0.0",
        files=(FileRef(filename="", sha256="0" * 64),),
    )
    result = scan(
        [package, other],
        AttestationVerifier(load_trust_root()),
        ScanOptions(index_url=served.index_url, cache_dir=tmp_path / "cache"),
        source="sbom.json",
        source_format="cyclonedx",
    )
    checked, missing = result.packages
    assert [f.status for f in checked.findings] == [Status.VERIFIED]
    assert checked.findings[0].file.filename == dist.filename
    assert checked.findings[0].file.sha256 == dist.sha256
    # a digest the index does not list is unknown with the reason; the release's other files
    # are NOT checked in its place
    assert [f.status for f in missing.findings] == [Status.UNKNOWN]
    assert "no file with sha256 " + "0" * 64 in missing.findings[0].reason
