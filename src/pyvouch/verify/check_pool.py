"""Check (file, attestation) pairs on forked workers as they are handed in; results in order.

`pyvouch verify --attestation ...` starts a `CheckPool` as soon as the verifier is built, before
it reads a single file: the workers fork from a small process (nothing loaded yet, so nothing
for copy-on-write to copy) and inherit the verifier (sigstore's ``Verifier``, built once). The
parent then reads each attestation file (bytes only, see `pyvouch.verify.raw`), digests the
file it names and hands the pair in; pairs travel in batches, the workers parse
(``Attestation.model_validate_json``, ``to_bundle``), verify and send back a small `Checked`
each. At most `MAX_BATCHES_PER_WORKER` batches per worker are in flight: the parent waits for
the oldest beyond that, so it holds the bytes of a few hundred attestations at a time, never
the models.

- Results come back in the order the pairs were handed in, one per pair, or the run fails.
- An attestation that does not parse comes back as `ParseFailed` (its `InputError`'s parts:
  exceptions with their own arguments do not cross processes whole).
- A worker that dies (killed, out of memory) breaks the pool: every pair not yet answered
  raises `VerificationAborted`, so nothing is reported that was not verified.
- Without a pool (one core, no ``fork``, few pairs) each pair is checked when handed in, in
  this process, by the same code.
"""

from __future__ import annotations

import math
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyvouch.errors import InputError, VerificationAborted
from pyvouch.verify.dist import DistFile
from pyvouch.verify.parallel import (
    close_verifier_pool,
    fork_verifier_pool,
    worker_died,
    worker_verifier,
)
from pyvouch.verify.raw import LastParsed

if TYPE_CHECKING:
    from pyvouch.verify.attestations import AttestationVerifier, Checked
    from pyvouch.verify.raw import RawAttestation

MAX_BATCH = 32
"""Pairs per batch at most (a task per pair costs ~0.1 ms of pickling and queueing)."""
MAX_BATCHES_PER_WORKER = 4
"""Batches in flight per worker before the parent waits for the oldest."""


@dataclass(frozen=True, slots=True)
class ParseFailed:
    """An attestation that did not parse: the parts of its `InputError`."""

    path: str
    problem: str
    where: str | None

    def error(self) -> InputError:
        return InputError(self.path, self.problem, where=self.where)


Pair = tuple[DistFile, "RawAttestation"]


def _started() -> list[Checked | ParseFailed]:
    return []


def check_pair(
    verifier: AttestationVerifier, dist: DistFile, raw: RawAttestation, last: LastParsed
) -> Checked | ParseFailed:
    """Parse ``raw`` and check it against ``dist`` (`AttestationVerifier.check`)."""
    try:
        loaded = raw.load(last)
    except InputError as err:
        return ParseFailed(err.path, err.problem, err.where)
    return verifier.check(dist, loaded)


def _check_batch(pairs: list[Pair]) -> list[Checked | ParseFailed]:
    verifier = worker_verifier()
    last = LastParsed()  # a provenance object's attestations parse it once
    return [check_pair(verifier, dist, raw, last) for dist, raw in pairs]


class CheckPool:
    """``with CheckPool(verifier, workers, expected_pairs) as pool: pool.submit(dist, raw) ...;
    pool.results()``. With ``workers`` > 1 the pool forks here, at once."""

    def __init__(self, verifier: AttestationVerifier, workers: int, expected_pairs: int) -> None:
        self._verifier = verifier
        self._done: list[Checked | ParseFailed] = []
        self._batch: list[Pair] = []
        self._sent: deque[Future[list[Checked | ParseFailed]]] = deque()
        self._last = LastParsed()
        self._submitted = 0
        self._pool: ProcessPoolExecutor | None = None
        self._workers = workers
        self._batch_size = max(1, min(MAX_BATCH, math.ceil(expected_pairs / (workers * 8))))
        if workers > 1:
            self._pool = fork_verifier_pool(verifier, workers)
            self._sent.append(self._pool.submit(_started))  # forks the workers now

    def __enter__(self) -> CheckPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            close_verifier_pool(pool)

    def submit(self, dist: DistFile, raw: RawAttestation) -> int:
        """Hand in one pair; its index in `results`."""
        self._submitted += 1
        if self._pool is None:
            self._done.append(check_pair(self._verifier, dist, raw, self._last))
        else:
            self._batch.append((dist, raw))
            if len(self._batch) >= self._batch_size:
                self._send()
        return self._submitted - 1

    def _send(self) -> None:
        assert self._pool is not None
        if not self._batch:
            return
        while len(self._sent) >= self._workers * MAX_BATCHES_PER_WORKER:
            self._collect_oldest()
        batch, self._batch = self._batch, []
        try:
            self._sent.append(self._pool.submit(_check_batch, batch))
        except BrokenProcessPool:
            raise worker_died() from None

    def _collect_oldest(self) -> None:
        try:
            self._done.extend(self._sent.popleft().result())
        except BrokenProcessPool:
            raise worker_died() from None

    def results(self) -> list[Checked | ParseFailed]:
        """Every pair's result, in the order handed in (waits for the workers)."""
        if self._pool is not None:
            self._send()
            while self._sent:
                self._collect_oldest()
        if len(self._done) != self._submitted:  # never silently short
            raise VerificationAborted(
                f"verification returned {len(self._done)} results for {self._submitted} "
                "attestations; nothing is reported"
            )
        return self._done
