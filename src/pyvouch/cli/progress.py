"""Progress for logs that are not terminals: a plain line on stderr every few seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

INTERVAL = 5.0
"""Seconds between two progress lines."""


class ProgressLines:
    """A ``progress(done, total)`` callback that writes ``scan: 120/500 packages, 6s`` at most
    every `INTERVAL` seconds, and once when the last item is done (if any line was written)."""

    def __init__(
        self,
        label: str,
        stream: TextIO,
        *,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.written = 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        final = done >= total and self.written > 0
        if now - self.last < self.interval and not final:
            return
        self.last = now
        self.written += 1
        elapsed = now - self.started
        self.stream.write(f"{self.label}: {done}/{total} packages, {elapsed:.0f}s\n")
        self.stream.flush()
