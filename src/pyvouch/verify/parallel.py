"""Verify many files at once across the machine's cores, with results identical to serial.

Verification is CPU-bound (ECDSA, X.509 chains, Merkle proofs) and holds the GIL, so threads do
not help; processes do. `map_findings` runs ``check(verifier, item)`` for every item and returns
the findings in order:

- few items (fewer than `MIN_PARALLEL`), one core, or no ``fork`` on this platform: in-process,
  one after the other (a pool's start-up would cost more than it saves);
- otherwise a ``fork`` pool. The workers inherit the verifier (its sigstore ``Verifier`` built
  once from the trust root, in the parent) and the items from the parent's memory, so nothing
  is pickled on the way in but ``(start, stop)`` ranges, and nothing is rebuilt per worker; only
  the findings travel back. Chunks are small enough that both cores stay busy to the end.

A worker that dies takes the run down with an error, never with a missing or invented finding.
"""

from __future__ import annotations

import asyncio
import gc
import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pyvouch.model import Finding, Publisher
from pyvouch.verify.attestations import AttestationVerifier, DistFile
from pyvouch.verify.load import LoadedAttestation

if TYPE_CHECKING:  # the index client (httpx) is imported only when lookups are verified
    from pyvouch.index.client import ProvenanceLookup

T = TypeVar("T")

MIN_PARALLEL = 48
"""Below this many items, verify in-process: forking a pool costs about as much as ~50 checks."""

Check = Callable[[AttestationVerifier, Any], Finding]

# What forked workers inherit: set just before the pool forks, cleared after.
_STATE: tuple[AttestationVerifier, Sequence[Any], Check] | None = None


@dataclass(frozen=True, slots=True)
class VerifyJob:
    """One file and the attestations to verify it against."""

    dist: DistFile
    attestations: tuple[LoadedAttestation, ...]
    expected: Publisher | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run_range(bounds: tuple[int, int]) -> list[Finding]:
    assert _STATE is not None, "worker started without inherited state"
    verifier, items, check = _STATE
    start, stop = bounds
    return [check(verifier, items[n]) for n in range(start, stop)]


def _ranges(count: int, workers: int) -> list[tuple[int, int]]:
    size = max(4, math.ceil(count / (workers * 6)))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def map_findings(
    verifier: AttestationVerifier,
    items: Sequence[T],
    check: Callable[[AttestationVerifier, T], Finding],
    *,
    workers: int | None = None,
    min_parallel: int | None = None,
) -> list[Finding]:
    """``[check(verifier, item) for item in items]``, across processes when that pays off."""
    global _STATE
    min_parallel = MIN_PARALLEL if min_parallel is None else min_parallel
    workers = workers if workers is not None else available_cores()
    workers = min(workers, math.ceil(len(items) / 4)) if items else 1
    if workers <= 1 or len(items) < min_parallel or not _can_fork() or _STATE is not None:
        return [check(verifier, item) for item in items]
    _STATE = (verifier, items, check)
    gc.freeze()  # the workers' collector then leaves inherited objects (and their pages) alone
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunks = pool.map(_run_range, _ranges(len(items), workers), chunksize=1)
    finally:
        gc.unfreeze()
        _STATE = None
    return [finding for chunk in chunks for finding in chunk]


def _verify_job(verifier: AttestationVerifier, job: VerifyJob) -> Finding:
    return verifier.verify_file(job.dist, job.attestations, job.expected)


def verify_many(
    verifier: AttestationVerifier,
    jobs: Sequence[VerifyJob],
    *,
    workers: int | None = None,
    min_parallel: int | None = None,
) -> list[Finding]:
    """`AttestationVerifier.verify_file` for every job, in order."""
    return map_findings(verifier, jobs, _verify_job, workers=workers, min_parallel=min_parallel)


# ---- verifying lookups as they arrive (scan) ---------------------------------------------

BATCH = 24
"""Served provenances sent to a worker at once (one task per file costs more than it saves)."""
BATCH_WAIT = 0.01
"""Seconds a partial batch waits for more lookups before it is sent anyway."""

_WORKER_VERIFIER: AttestationVerifier | None = None

_LookupJob = tuple[DistFile, "ProvenanceLookup", Publisher | None]


def _init_worker(verifier: AttestationVerifier) -> None:
    global _WORKER_VERIFIER
    _WORKER_VERIFIER = verifier  # inherited through fork, not pickled


def _lookups_in_worker(jobs: list[_LookupJob]) -> list[Finding]:
    from pyvouch.verify.lookup import finding_for_lookup

    assert _WORKER_VERIFIER is not None, "worker started without its verifier"
    return [finding_for_lookup(d, lookup, _WORKER_VERIFIER, e) for d, lookup, e in jobs]


class LookupVerifier:
    """Verifies served provenance while other lookups are still in flight.

    ``async with LookupVerifier(verifier, expected_files) as checks: await checks.finding(...)``.
    With at least `MIN_PARALLEL` files expected, several cores and ``fork``, served provenances
    (raw bytes, a few KiB each) are gathered into batches of up to `BATCH` (or whatever arrived
    within `BATCH_WAIT`) and sent to a forked pool whose workers inherited the verifier; the
    event loop keeps fetching meanwhile. Otherwise it verifies inline. Findings are those of
    `pyvouch.verify.lookup.finding_for_lookup`, whichever way.
    """

    def __init__(
        self,
        verifier: AttestationVerifier,
        expected_files: int,
        *,
        workers: int | None = None,
        min_parallel: int | None = None,
    ) -> None:
        self.verifier = verifier
        min_parallel = MIN_PARALLEL if min_parallel is None else min_parallel
        count = workers if workers is not None else available_cores()
        self._workers = count if expected_files >= min_parallel and _can_fork() else 1
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[_LookupJob, asyncio.Future[Finding]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def __aenter__(self) -> LookupVerifier:
        if self._workers > 1:
            gc.freeze()  # see map_findings
            self._pool = ProcessPoolExecutor(
                self._workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker,
                initargs=(self.verifier,),
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._flush()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            gc.unfreeze()

    async def finding(
        self, dist: DistFile, lookup: ProvenanceLookup, expected: Publisher | None = None
    ) -> Finding:
        from pyvouch.index.client import ProvenanceState
        from pyvouch.verify.lookup import finding_for_lookup

        if self._pool is None or lookup.state is not ProvenanceState.SERVED:
            return finding_for_lookup(dist, lookup, self.verifier, expected)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Finding] = loop.create_future()
        self._pending.append(((dist, lookup, expected), future))
        if len(self._pending) >= BATCH:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(BATCH_WAIT, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending or self._pool is None:
            return
        batch, self._pending = self._pending, []
        loop = asyncio.get_running_loop()
        done = loop.run_in_executor(self._pool, _lookups_in_worker, [job for job, _ in batch])

        def deliver(task: asyncio.Future[list[Finding]]) -> None:
            error = task.exception()
            for n, (_, future) in enumerate(batch):
                if future.done():
                    continue
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(task.result()[n])

        done.add_done_callback(deliver)
