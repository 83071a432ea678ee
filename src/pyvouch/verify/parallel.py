"""Verify on every core in forked worker processes, with results identical to serial.

Verification is CPU-bound (ECDSA, X.509 chains, Merkle proofs) and holds the GIL, so threads do
not help; processes do. `fork_verifier_pool` makes a ``fork`` pool whose workers inherit the
verifier (its sigstore ``Verifier`` built once from the trust root, in the parent), so nothing
is rebuilt per worker; `pool_workers` says how many workers a run gets (1, in-process, where a
pool's start-up would cost more than it saves). Two users:

- `pyvouch verify --attestation` (`pyvouch.verify.check_pool`): forks before the attestations
  are read and takes them as they are;
- scans (`LookupVerifier`, below): verifies what the index serves as it arrives.

A worker that dies takes the run down with an error (`VerificationAborted`), never with a
missing or invented finding.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from pyvouch.errors import VerificationAborted
from pyvouch.model import Finding, Publisher
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.dist import DistFile

# cryptography is imported only when something is verified, and asyncio only by
# `LookupVerifier` (`pyvouch verify --attestation` forks its workers sooner without it).
if TYPE_CHECKING:
    import asyncio

    from pyvouch.index.client import ProvenanceLookup
    from pyvouch.verify.attestations import AttestationVerifier
    from pyvouch.verify.verdicts import VerdictCache

MIN_PARALLEL = 48
"""Below this many items, verify in-process: forking a pool costs about as much as ~50 checks."""


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_died() -> VerificationAborted:
    """The error for a pool whose worker died (killed, out of memory) before answering."""
    return VerificationAborted(
        "a verification worker process died before returning its results (killed, or out "
        "of memory?); nothing is reported"
    )


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def pool_workers(count: int) -> int:
    """The workers for ``count`` verifications (the available cores, at most one per 4
    items): 1 (in-process) where a pool would not pay off (fewer than `MIN_PARALLEL`, one
    core, or no ``fork``)."""
    chosen = min(available_cores(), math.ceil(count / 4))
    if chosen <= 1 or count < MIN_PARALLEL or not _can_fork():
        return 1
    return chosen


# ---- verifying lookups as they arrive (scan) ---------------------------------------------

BATCH = 24
"""Served provenances sent to a worker at once (one task per file costs more than it saves)."""
BATCH_WAIT = 0.01
"""Seconds a partial batch waits for more lookups before it is sent anyway."""
INLINE_FIRST = 8
"""Verifications done in-process before a pool is forked (a warm scan with a few new files
should not pay for a pool)."""

_WORKER_VERIFIER: AttestationVerifier | None = None

_LookupJob = tuple[DistFile, "ProvenanceLookup", Publisher | None]


def _init_worker(verifier: AttestationVerifier) -> None:
    global _WORKER_VERIFIER
    _WORKER_VERIFIER = verifier  # inherited through fork, not pickled


def worker_verifier() -> AttestationVerifier:
    """In a worker of `fork_verifier_pool`: the verifier it inherited."""
    assert _WORKER_VERIFIER is not None, "worker started without its verifier"
    return _WORKER_VERIFIER


def fork_verifier_pool(verifier: AttestationVerifier, workers: int) -> ProcessPoolExecutor:
    """A ``fork`` pool whose workers inherit ``verifier`` (`worker_verifier`); the parent's
    collector is frozen first so the workers' leaves inherited objects (and their pages)
    alone. Close it with `close_verifier_pool`."""
    gc.freeze()
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(verifier,),
    )


def close_verifier_pool(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=True, cancel_futures=True)
    gc.unfreeze()


def _lookups_in_worker(jobs: list[_LookupJob]) -> list[Finding]:
    from pyvouch.verify.lookup import verify_lookup

    verifier = worker_verifier()
    return [verify_lookup(d, lookup, verifier, e) for d, lookup, e in jobs]


class LookupVerifier:
    """Verifies served provenance while other lookups are still in flight.

    ``async with LookupVerifier(verifier, expected_files) as checks: await checks.finding(...)``.

    - An answer without provenance (none published, not served, an error) becomes its finding
      at once, with no cryptography imported.
    - With a `VerdictCache` (``verdicts``), a verdict cached for exactly this file, provenance
      and trust root is returned as is (see `pyvouch.verify.verdicts`), and every new verdict
      is stored. Only scans without an expected publisher use it (pins are applied later).
    - Anything else is verified. ``verifier`` may be a `DeferredVerifier`: it is built on the
      first file that must really be verified. The first `INLINE_FIRST` are verified inline;
      after that, with at least ``min_parallel`` files expected, several cores and ``fork``,
      served provenances (raw bytes, a few KiB each) are gathered into batches of up to
      `BATCH` (or whatever arrived within `BATCH_WAIT`) and sent to a forked pool whose workers
      inherited the verifier; the event loop keeps fetching meanwhile.

    Findings are those of `pyvouch.verify.lookup.finding_for_lookup`, whichever way.
    """

    def __init__(
        self,
        verifier: AttestationVerifier | DeferredVerifier,
        expected_files: int,
        *,
        workers: int | None = None,
        min_parallel: int | None = None,
        verdicts: VerdictCache | None = None,
        inline_first: int = INLINE_FIRST,
    ) -> None:
        self.source = (
            verifier if isinstance(verifier, DeferredVerifier) else DeferredVerifier.of(verifier)
        )
        self.verdicts = verdicts if self.source.trust_root_sha256 is not None else None
        min_parallel = MIN_PARALLEL if min_parallel is None else min_parallel
        count = workers if workers is not None else available_cores()
        self._workers = count if expected_files >= min_parallel and _can_fork() else 1
        self._inline_left = inline_first
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[_LookupJob, asyncio.Future[Finding]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.verified = 0
        """Files verified by this instance (cache misses)."""
        self.cached = 0
        """Verdicts taken from the verdict cache."""

    async def __aenter__(self) -> LookupVerifier:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._flush()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            close_verifier_pool(pool)

    def cached_verdict(
        self, dist: DistFile, lookup: ProvenanceLookup, expected: Publisher | None = None
    ) -> Finding | None:
        """The cached verdict for ``lookup`` (which may carry only its provenance's digest,
        `ProvenanceLookup.body_deferred`), or None: then ``finding(..., look_up=False)``
        with the body read."""
        key = self._verdict_key(dist, lookup) if expected is None else None
        if key is None:
            return None
        assert self.verdicts is not None
        hit = self.verdicts.get(key, dist)
        if hit is None:
            return None
        from pyvouch.verify.lookup import with_notes

        self.cached += 1
        return with_notes(hit, lookup)

    async def finding(
        self,
        dist: DistFile,
        lookup: ProvenanceLookup,
        expected: Publisher | None = None,
        *,
        look_up: bool = True,
    ) -> Finding:
        """The finding for ``lookup``; ``look_up=False`` when `cached_verdict` just missed."""
        from pyvouch.verify.lookup import finding_without_provenance, needs_verification, with_notes

        if not needs_verification(lookup):
            return finding_without_provenance(dist, lookup)
        key = self._verdict_key(dist, lookup) if expected is None else None
        if key is not None and look_up:
            assert self.verdicts is not None
            hit = self.verdicts.get(key, dist)
            if hit is not None:
                self.cached += 1
                return with_notes(hit, lookup)
        finding = await self._verify(dist, lookup, expected)
        self.verified += 1
        if key is not None:
            assert self.verdicts is not None
            self.verdicts.put(key, finding)  # the verdict alone: notes belong to this lookup
        return with_notes(finding, lookup)

    def _verdict_key(self, dist: DistFile, lookup: ProvenanceLookup) -> str | None:
        if self.verdicts is None or self.source.trust_root_sha256 is None:
            return None
        from pyvouch.verify.verdicts import verdict_key

        assert lookup.provenance is not None or lookup.provenance_sha256 is not None
        return verdict_key(
            trust_root_sha256=self.source.trust_root_sha256,
            trust_root_source=self.source.trust_root_source,
            dist=dist,
            provenance=lookup.provenance,
            provenance_url=lookup.url,
            provenance_sha256=lookup.provenance_sha256,
        )

    async def _verify(
        self, dist: DistFile, lookup: ProvenanceLookup, expected: Publisher | None
    ) -> Finding:
        from pyvouch.verify.lookup import verify_lookup

        verifier = self.source.get()  # built (sigstore imported) on the first real verification
        if self._inline_left > 0 or self._workers <= 1:
            self._inline_left -= 1
            return verify_lookup(dist, lookup, verifier, expected)
        if self._pool is None:
            self._pool = fork_verifier_pool(verifier, self._workers)
        import asyncio

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
        import asyncio

        loop = asyncio.get_running_loop()
        try:
            done = loop.run_in_executor(self._pool, _lookups_in_worker, [job for job, _ in batch])
        except BrokenProcessPool:  # a worker died before this batch could be sent
            for _, future in batch:
                if not future.done():
                    future.set_exception(worker_died())
            return

        def deliver(task: asyncio.Future[list[Finding]]) -> None:
            if task.cancelled():  # the pool shut down on an error path: nobody waits
                for _, future in batch:
                    if not future.done():
                        future.cancel()
                return
            error = task.exception()
            if isinstance(error, BrokenProcessPool):  # a worker died: no finding, an error
                error = worker_died()
            for n, (_, future) in enumerate(batch):
                if future.done():
                    continue
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(task.result()[n])

        done.add_done_callback(deliver)
