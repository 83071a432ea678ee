"""Progress off a terminal: a plain line every few seconds, a last one at the end."""

from __future__ import annotations

import io

from pyvouch.cli.progress import ProgressLines


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_every_interval_and_one_at_the_end() -> None:
    clock, out = Clock(), io.StringIO()
    progress = ProgressLines("scan", out, interval=5.0, clock=clock)
    for done in range(1, 91):
        clock.now += 0.25  # 22.5 s in all
        progress(done, 90)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 + 1  # at 5, 10, 15, 20 s, then the end
    assert lines[0] == "scan: 20/90 packages, 5s"
    assert lines[-1] == "scan: 90/90 packages, 22s"


def test_a_quick_run_writes_nothing() -> None:
    clock, out = Clock(), io.StringIO()
    progress = ProgressLines("scan", out, interval=5.0, clock=clock)
    for done in range(1, 31):
        clock.now += 0.01
        progress(done, 30)
    assert out.getvalue() == ""
