"""The corpus generator: deterministic plan and bytes, and every file verifies as declared."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from pyvouch.model import Status
from pyvouch.testing.corpus import (
    ALTERED_STATEMENT,
    ATTESTATION_SUFFIX,
    BAD_SIGNATURE,
    CorpusConfig,
    Manifest,
    build_sdist,
    build_wheel,
    generate,
    plan,
)
from pyvouch.verify.attestations import AttestationVerifier, DistFile
from pyvouch.verify.load import load_attestation_file, parse_attestations
from pyvouch.verify.publisher_spec import parse_publisher_spec
from pyvouch.verify.trust import load_trust_root
from tests.benchmarks_support.conftest import SMALL


def test_plan_is_a_function_of_the_seed() -> None:
    config = CorpusConfig(packages=200, seed=5)
    assert plan(config) == plan(config)
    other = plan(CorpusConfig(packages=200, seed=6))
    assert [p.name for p in plan(config)] != [p.name for p in other]


def test_plan_honours_the_shares_and_names_are_distinct() -> None:
    packages = plan(
        CorpusConfig(packages=400, seed=1, unattested=0.1, invalid=0.05, identity_changed=0.05)
    )
    assert len({p.name for p in packages}) == 400
    counts = Counter(p.category for p in packages)
    assert counts == {"attested": 320, "unattested": 40, "invalid": 20, "identity-changed": 20}
    for package in packages:
        if package.category == "identity-changed":
            first, last = package.releases
            assert first.signer == package.repository
            assert last.signer != package.repository
        else:
            assert len(package.releases) == 1
    defects = Counter(p.releases[-1].defect for p in packages if p.category == "invalid")
    assert defects == {BAD_SIGNATURE: 10, ALTERED_STATEMENT: 10}


def test_plan_refuses_impossible_configs() -> None:
    with pytest.raises(ValueError, match="packages"):
        plan(CorpusConfig(packages=10_001))
    with pytest.raises(ValueError, match="shares"):
        plan(CorpusConfig(packages=10, unattested=0.6, invalid=0.6))


def test_dists_are_valid_and_byte_identical_for_a_seed() -> None:
    wheel = build_wheel("abc-def", "1.2.3", 9)
    assert wheel == build_wheel("abc-def", "1.2.3", 9)
    assert wheel != build_wheel("abc-def", "1.2.3", 10)
    with zipfile.ZipFile(io.BytesIO(wheel)) as zf:
        names = set(zf.namelist())
        record = zf.read("abc_def-1.2.3.dist-info/RECORD").decode()
        assert "Name: abc-def" in zf.read("abc_def-1.2.3.dist-info/METADATA").decode()
    assert names == {
        "abc_def/__init__.py",
        "abc_def-1.2.3.dist-info/METADATA",
        "abc_def-1.2.3.dist-info/WHEEL",
        "abc_def-1.2.3.dist-info/RECORD",
    }
    assert all(name in record for name in names)
    sdist = build_sdist("abc-def", "1.2.3", 9)
    assert sdist == build_sdist("abc-def", "1.2.3", 9)
    with tarfile.open(fileobj=io.BytesIO(sdist)) as tar:
        info = tar.extractfile("abc_def-1.2.3/PKG-INFO")
        assert info is not None and b"Version: 1.2.3" in info.read()


def test_every_file_verifies_as_the_manifest_says(small_corpus: tuple[Path, Manifest]) -> None:
    out, manifest = small_corpus
    verifier = AttestationVerifier(load_trust_root(trust_root_file=out / "trusted_root.json"))
    seen: Counter[tuple[str, str, str]] = Counter()
    for f in manifest.files:
        dist = DistFile(f.filename, f.sha256)
        path = out / "dists" / (f.filename + ATTESTATION_SUFFIX)
        assert path.exists() == (f.signed_by is not None)
        attestations = load_attestation_file(path).attestations if path.exists() else ()
        unpinned = verifier.verify_file(dist, attestations, None)
        pinned = verifier.verify_file(dist, attestations, parse_publisher_spec(f.publisher))
        assert (unpinned.status.value, pinned.status.value) == (f.expected, f.expected_pinned), (
            f.filename,
            unpinned.reason,
            pinned.reason,
        )
        if unpinned.status is Status.VERIFIED:
            assert unpinned.publisher is not None
            assert unpinned.publisher.to_spec() == f.signed_by
        seen[(f.kind, unpinned.status.value, pinned.status.value)] += 1
    assert set(seen) == {
        ("attested", "verified", "verified"),
        ("unattested", "unattested", "unattested"),
        ("invalid", "invalid", "invalid"),
        ("identity-changed", "verified", "mismatch"),
    }


def test_the_site_serves_the_attestations(small_corpus: tuple[Path, Manifest]) -> None:
    out, manifest = small_corpus
    site = out / "site"
    projects = json.loads((site / "simple" / "index.json").read_text())["projects"]
    assert len(projects) == SMALL.packages
    for f in manifest.files:
        page = json.loads((site / "simple" / f.project / "index.json").read_text())
        entry = next(e for e in page["files"] if e["filename"] == f.filename)
        assert entry["hashes"]["sha256"] == f.sha256
        provenance = site / "integrity" / f.project / f.version / f.filename / "provenance"
        assert provenance.is_file() == (f.signed_by is not None)
        if f.signed_by is not None:
            parsed = parse_attestations(provenance.read_bytes(), str(provenance))
            assert len(parsed.attestations) == 1


def test_manifest_does_not_depend_on_the_worker_count(
    small_corpus: tuple[Path, Manifest], tmp_path: Path
) -> None:
    out, _ = small_corpus
    serial = generate(SMALL, tmp_path / "serial", jobs=1)
    assert json.loads((out / "manifest.json").read_text()) == serial.to_json()
    for f in serial.files:  # same dist bytes, whoever built them
        assert (tmp_path / "serial" / "dists" / f.filename).read_bytes() == (
            out / "dists" / f.filename
        ).read_bytes()


def test_refuses_a_non_empty_output(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate(CorpusConfig(packages=1), tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"
