"""Cache writes off the event loop.

Creating a file costs tens to hundreds of microseconds of kernel time on common virtual disks,
and a cold scan writes thousands of them (project pages, provenance, verdicts). Done on the
event loop they stall every lookup; `BackgroundWrites` runs them on two threads (the system
calls release the GIL) and `flush` waits for them all, so a finished scan has written
its cache whole. A cold 500-package scan writes ~2,900 files: ~0.7 s of the parent's CPU
(measured with the writes left out), most of it kernel time creating them; the Python around
each write is kept to bare system calls (`atomic_write`: no `tempfile.mkstemp` name generation
or `pathlib` per write, no future per job).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import queue
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

_names = itertools.count()


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file beside it, renamed); a
    missing directory is created when the first write into it fails for want of it."""
    target = os.fspath(path)
    parent, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(3):
        tmp = f"{parent}/.{name}.{os.getpid()}-{threading.get_ident()}-{next(_names)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileNotFoundError:
            if attempt:
                raise
            Path(parent).mkdir(parents=True, exist_ok=True)  # once per directory
            continue
        except FileExistsError:  # a leftover of a process that had this pid: another name
            continue
        break
    else:
        raise FileExistsError(tmp)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, target)  # noqa: PTH105 (atomic within one directory; no Path per write)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # noqa: PTH108
        raise


WRITERS = 2
"""Writer threads: file creation is kernel time, and one thread fell behind a cold scan
(queued writes held their data: +60 MB PSS at 5,000 packages, measured)."""
_STOP = None
_LIVE: weakref.WeakSet[BackgroundWrites] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    """At exit, what was submitted is still written (the writer threads are daemons)."""
    for writes in list(_LIVE):
        writes.flush()


class BackgroundWrites:
    """Runs write jobs on `WRITERS` threads fed by one queue; failures are dropped (a cache is
    optional)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        _LIVE.add(self)

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if not self._threads:
                self._threads = [
                    threading.Thread(
                        target=self._run, args=(self._jobs,), name="pyvouch-cache", daemon=True
                    )
                    for _ in range(WRITERS)
                ]
                for thread in self._threads:
                    thread.start()
            self._jobs.put(job)

    @staticmethod
    def _run(jobs: queue.SimpleQueue[Callable[[], None] | None]) -> None:
        while (job := jobs.get()) is not _STOP:
            with contextlib.suppress(Exception):  # a failed write is a later miss, no more
                job()

    def flush(self) -> None:
        """Wait for every write submitted so far."""
        with self._lock:
            threads, self._threads = self._threads, []
            if not threads:
                return
            jobs, self._jobs = self._jobs, queue.SimpleQueue()
            for _ in threads:
                jobs.put(_STOP)
        for thread in threads:
            thread.join()
