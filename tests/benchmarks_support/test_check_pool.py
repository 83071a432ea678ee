"""`pyvouch verify --attestation` on the streaming pool: workers parse and verify, the parent
reads bytes. Results stay in order and complete; a dead worker is an error, never a result;
a malformed attestation among good ones is the error it always was."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pyvouch.errors import InputError, VerificationAborted
from pyvouch.index.client import ProvenanceLookup, ProvenanceState
from pyvouch.model import Finding, Status
from pyvouch.testing.corpus import ATTESTATION_SUFFIX, Manifest
from pyvouch.verify import lookup as lookup_module
from pyvouch.verify import parallel
from pyvouch.verify.attestations import AttestationVerifier, DistFile
from pyvouch.verify.load import LoadedAttestation, load_attestation_file
from pyvouch.verify.lookup import finding_for_lookup
from pyvouch.verify.parallel import LookupVerifier
from pyvouch.verify.run import verify_with_files
from pyvouch.verify.trust import load_trust_root
from tests.support.verify_helpers import run_cli

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork"
)

COPIES = 2
"""Each corpus file twice (two folders): 2 x 32 files, over `parallel.MIN_PARALLEL`."""


@pytest.fixture(scope="module")
def verifier(small_corpus: tuple[Path, Manifest]) -> AttestationVerifier:
    return AttestationVerifier(
        load_trust_root(trust_root_file=small_corpus[0] / "trusted_root.json")
    )


@pytest.fixture(scope="module")
def copies(
    small_corpus: tuple[Path, Manifest], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Path], list[Path]]:
    """(the corpus files, each in `COPIES` folders, shuffled; its attestations, shuffled)."""
    out, manifest = small_corpus
    base = tmp_path_factory.mktemp("copies")
    dists = []
    for copy in range(COPIES):
        folder = base / str(copy)
        folder.mkdir()
        for f in manifest.files:
            (folder / f.filename).symlink_to(out / "dists" / f.filename)
            dists.append(folder / f.filename)
    atts = sorted(p for p in (out / "dists").iterdir() if p.name.endswith(ATTESTATION_SUFFIX))
    rng = random.Random(740)
    rng.shuffle(dists)
    rng.shuffle(atts)
    assert len(dists) >= parallel.MIN_PARALLEL
    return dists, atts


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Two cores whatever the machine has; the worker counts of the pools started."""
    started: list[int] = []
    real = parallel.ProcessPoolExecutor  # every verification pool is made there

    def counted(workers: int, **kwargs: Any) -> parallel.ProcessPoolExecutor:
        started.append(workers)
        return real(workers, **kwargs)

    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", counted)
    return started


def test_order_and_findings_are_the_serial_ones(
    small_corpus: tuple[Path, Manifest],
    copies: tuple[list[Path], list[Path]],
    verifier: AttestationVerifier,
    two_cores: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dists, atts = copies
    pooled = verify_with_files(dists, atts, verifier, None)
    assert two_cores == [2]  # the pool ran
    monkeypatch.setattr(parallel, "available_cores", lambda: 1)
    serial = verify_with_files(dists, atts, verifier, None)
    assert two_cores == [2]  # ... and this one did not
    assert [f.file.filename for f in pooled.findings] == [p.name for p in dists]
    assert pooled.findings == serial.findings
    assert pooled.warnings == serial.warnings
    expected = {f.filename: f.expected for f in small_corpus[1].files}
    assert [f.status.value for f in pooled.findings] == [expected[p.name] for p in dists]


def _kill_worker_on(monkeypatch: pytest.MonkeyPatch, victim: str) -> None:
    parent = os.getpid()
    real = AttestationVerifier.check

    def check(self: AttestationVerifier, dist: DistFile, loaded: LoadedAttestation) -> Any:
        if os.getpid() != parent and dist.filename == victim:
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
        return real(self, dist, loaded)

    monkeypatch.setattr(AttestationVerifier, "check", check)


def _a_verified_file(manifest: Manifest, dists: list[Path]) -> str:
    verified = {f.filename for f in manifest.files if f.expected == "verified"}
    middle = [p.name for p in dists[len(dists) // 3 :] if p.name in verified]
    return middle[0]


def test_a_worker_killed_mid_batch_is_an_error_not_a_result(
    small_corpus: tuple[Path, Manifest],
    copies: tuple[list[Path], list[Path]],
    verifier: AttestationVerifier,
    two_cores: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dists, atts = copies
    _kill_worker_on(monkeypatch, _a_verified_file(small_corpus[1], dists))
    with pytest.raises(VerificationAborted, match="worker process died"):
        verify_with_files(dists, atts, verifier, None)
    assert two_cores == [2]


def test_the_cli_reports_nothing_when_a_worker_dies(
    small_corpus: tuple[Path, Manifest],
    copies: tuple[list[Path], list[Path]],
    two_cores: list[int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    out, manifest = small_corpus
    dists, atts = copies
    _kill_worker_on(monkeypatch, _a_verified_file(manifest, dists))
    args: list[str] = ["verify", "--trust-root", str(out / "trusted_root.json")]
    for att in atts:
        args += ["--attestation", str(att)]
    run = run_cli([*args, *map(str, dists), "--format", "json"], tmp_path)
    assert run.code == 3, run.stderr
    assert "worker process died" in run.stderr
    assert "verified" not in run.stdout  # no report at all, so no file reads as verified
    assert two_cores == [2]


def _break(att: Path, into: Path, how: str) -> Path:
    """A copy of attestation ``att`` made malformed: ``model`` (JSON of the right shape that
    pydantic refuses, found by a worker) or ``json`` (not JSON, found by the parent)."""
    if how == "json":
        into.write_bytes(b"{not json")
        return into
    obj = json.loads(att.read_bytes())
    obj["envelope"]["signature"] = 5  # the statement, so the subject, stays readable
    into.write_text(json.dumps(obj))
    return into


@pytest.mark.parametrize("also", ["nothing", "a later file not JSON", "a missing file"])
def test_a_malformed_attestation_among_good_ones_is_the_error_it_always_was(
    small_corpus: tuple[Path, Manifest],
    copies: tuple[list[Path], list[Path]],
    verifier: AttestationVerifier,
    two_cores: list[int],
    tmp_path: Path,
    also: str,
) -> None:
    dists, atts = list(copies[0]), list(copies[1])
    middle = len(atts) // 2
    atts[middle] = _break(atts[middle], tmp_path / "bad.attestation", "model")
    if also == "a later file not JSON":
        atts[-1] = _break(atts[-1], tmp_path / "worse.attestation", "json")
    if also == "a missing file":
        dists.insert(3, tmp_path / "gone-1.0-py3-none-any.whl")
    with pytest.raises(InputError) as today:
        load_attestation_file(atts[middle])  # what reading the files one by one raises
    assert "not a valid PEP 740 attestation" in str(today.value)
    with pytest.raises(InputError) as info:
        verify_with_files(dists, atts, verifier, None)
    assert str(info.value) == str(today.value)
    assert two_cores == [2]


def _lookups(out: Path, manifest: Manifest) -> list[tuple[DistFile, ProvenanceLookup]]:
    items = []
    for copy in range(COPIES):
        for f in manifest.files:
            path = out / "site" / "integrity" / f.project / f.version / f.filename / "provenance"
            served = path.is_file()
            items.append(
                (
                    DistFile(f.filename, f.sha256),
                    ProvenanceLookup(
                        filename=f.filename,
                        sha256=f.sha256,
                        state=ProvenanceState.SERVED if served else ProvenanceState.NONE,
                        provenance=path.read_bytes() if served else None,
                        reason=f"copy {copy}",
                        url=None,
                    ),
                )
            )
    return items


def test_scan_pool_unusable_provenance_among_good_ones_is_invalid_as_serially(
    small_corpus: tuple[Path, Manifest], verifier: AttestationVerifier
) -> None:
    out, manifest = small_corpus
    items = _lookups(out, manifest)
    served = [n for n, (_, lookup) in enumerate(items) if lookup.provenance is not None]
    for n, junk in [(served[len(served) // 2], b"{not json"), (served[-1], b'{"hello": 1}')]:
        dist, lookup = items[n]
        items[n] = (dist, replace(lookup, provenance=junk))
    serial = [finding_for_lookup(d, lookup, verifier, None) for d, lookup in items]

    async def pooled() -> list[Finding]:
        async with LookupVerifier(verifier, len(items), workers=2, inline_first=0) as checks:
            return list(await asyncio.gather(*(checks.finding(d, lu) for d, lu in items)))

    assert asyncio.run(pooled()) == serial
    unusable = [f for f in serial if "unusable provenance" in f.reason]
    assert len(unusable) == 2
    assert {f.status for f in unusable} == {Status.INVALID}


def test_scan_pool_worker_killed_is_an_error_not_a_finding(
    small_corpus: tuple[Path, Manifest],
    verifier: AttestationVerifier,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, manifest = small_corpus
    items = _lookups(out, manifest)
    victim = next(d.filename for d, lu in items[len(items) // 2 :] if lu.provenance is not None)
    parent = os.getpid()
    real = lookup_module.verify_lookup

    def verify_lookup(dist: DistFile, lookup: ProvenanceLookup, *args: Any) -> Finding:
        if os.getpid() != parent and dist.filename == victim:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(dist, lookup, *args)

    monkeypatch.setattr(lookup_module, "verify_lookup", verify_lookup)

    async def pooled() -> list[Finding]:
        async with LookupVerifier(verifier, len(items), workers=2, inline_first=0) as checks:
            return list(await asyncio.gather(*(checks.finding(d, lu) for d, lu in items)))

    with pytest.raises(VerificationAborted, match="worker process died"):
        asyncio.run(pooled())


def test_an_attackers_attestation_in_a_batch_fails_only_its_file(
    tmp_path: Path, two_cores: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pairs travel to the workers in batches: a batch in which one file was signed by an
    attacker (a valid signature, the wrong identity) gives a mismatch for that file alone,
    every other file of the batch verified, as serially."""
    from pyvouch.testing import TestAuthority
    from pyvouch.verify.publisher_spec import parse_publisher_spec
    from tests.support.policy_sites import Minter, Signer, write_wheel

    minter = Minter(TestAuthority())
    trust = minter.authority.write_trust_files(tmp_path / "trust")["trusted_root"]
    dists = [write_wheel(tmp_path / "dists", "batched", f"1.0.{n}") for n in range(56)]
    victim = dists[21]
    good = Signer("owner/batched")
    minter.sign([d for d in dists if d != victim], good)
    minter.sign([victim], Signer("attacker/batched"))
    atts = [d.with_name(d.name + ".publish.attestation") for d in dists]
    verifier = AttestationVerifier(load_trust_root(trust_root_file=trust))
    expected = parse_publisher_spec(good.spec)

    pooled = verify_with_files(dists, atts, verifier, expected)
    assert two_cores == [2]  # the pool ran, with batches of several pairs
    statuses = {f.file.filename: f.status for f in pooled.findings}
    assert statuses.pop(victim.name) is Status.MISMATCH
    assert set(statuses.values()) == {Status.VERIFIED}
    found = next(f for f in pooled.findings if f.file.filename == victim.name)
    assert found.publisher is not None and found.publisher.repository == "attacker/batched"
    assert "attacker/batched" in found.reason
    monkeypatch.setattr(parallel, "available_cores", lambda: 1)
    assert verify_with_files(dists, atts, verifier, expected).findings == pooled.findings
