"""SVG chart geometry from the numbers: the templates draw it (``templates/charts.html.j2``).

Only numbers and the caller's labels go in; labels are escaped by the templates. Every chart a
page draws also has its numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

WIDTH = 760
HEIGHT = 220
LEFT = 44
RIGHT = 40
TOP = 12
BOTTOM = 28

STATUS_COLOURS: dict[str, str] = {
    "verified": "#2e7d32",
    "mismatch": "#c62828",
    "invalid": "#ad1457",
    "unattested": "#ef6c00",
    "legacy-signed": "#f9a825",
    "unknown": "#757575",
    "not-indexed": "#90a4ae",
}
SERIES_COLOURS = ("#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037")


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "#455a64")


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    colour: str
    points: str
    """``x,y x,y ...`` for a polyline (numbers only)."""


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def _x_scale(days: Sequence[date]) -> tuple[date, float]:
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    return first, (WIDTH - LEFT - RIGHT) / span


def _y(share: float) -> float:
    return TOP + (1.0 - share) * (HEIGHT - TOP - BOTTOM)


def _x_ticks(first: date, per_day: float, span_days: int) -> list[Tick]:
    steps = 6 if span_days >= 6 else max(span_days, 1)
    out = []
    for i in range(steps + 1):
        offset = round(span_days * i / steps)
        when = date.fromordinal(first.toordinal() + offset)
        out.append(Tick(round(LEFT + offset * per_day, 1), when.isoformat()))
    return out


def share_lines(series: Mapping[str, Sequence[tuple[date, float]]]) -> LineChart | None:
    """Lines of a share (0..1) over days, one per series; None with nothing to draw."""
    days = [day for points in series.values() for day, _ in points]
    if not days:
        return None
    first, per_day = _x_scale(days)
    lines = []
    for i, (label, points) in enumerate(series.items()):
        coords = " ".join(
            f"{LEFT + (day - first).days * per_day:.1f},{_y(share):.1f}" for day, share in points
        )
        lines.append(Line(label, SERIES_COLOURS[i % len(SERIES_COLOURS)], coords))
    y_ticks = [Tick(round(_y(v), 1), f"{round(v * 100)}%") for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
    span = (max(days) - first).days
    return LineChart(WIDTH, HEIGHT, lines, _x_ticks(first, per_day, span), y_ticks)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    width: float
    y: float
    text: str
    href: str | None


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]
    bar_height: int = 16


def share_bars(items: Sequence[tuple[str, float, str | None]]) -> BarChart | None:
    """Horizontal bars of a share (0..1) per label: ``(label, share, link)``."""
    if not items:
        return None
    label_width, row, plot = 260, 22, WIDTH - 260 - 60
    bars = [
        Bar(label, share, round(plot * share, 1), 6 + i * row, f"{share * 100:.1f}%", href)
        for i, (label, share, href) in enumerate(items)
    ]
    return BarChart(WIDTH, 12 + len(bars) * row, label_width, bars)


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True, slots=True)
class StackChart:
    width: int
    height: int
    segments: list[Segment]
    legend: list[tuple[str, str]]
    x_ticks: list[Tick]
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM


def status_stack(days: Sequence[tuple[date, Mapping[str, int]]]) -> StackChart | None:
    """Per period (a day or a week), a column of the statuses observed in it (their shares)."""
    if not days:
        return None
    first, per_day = _x_scale([d for d, _ in days])
    gaps = [(b - a).days for (a, _), (b, _) in pairwise(days)]
    step = min(gaps, default=1) * per_day
    column = max(step - 1.0 if step > 3 else step, 1.0)  # a hairline between wide columns
    segments = []
    statuses: set[str] = set()
    for day, counts in days:
        total = sum(counts.values()) or 1
        bottom = 0.0
        for status in sorted(counts, key=lambda s: (s != "verified", s)):
            share = counts[status] / total
            statuses.add(status)
            top = bottom + share
            segments.append(
                Segment(
                    round(LEFT + (day - first).days * per_day, 2),
                    round(_y(top), 2),
                    round(column, 2),
                    round(_y(bottom) - _y(top), 2),
                    status_colour(status),
                    f"{day.isoformat()}: {status} {counts[status]}",
                )
            )
            bottom = top
    legend = [(s, status_colour(s)) for s in sorted(statuses)]
    span = (max(d for d, _ in days) - first).days
    return StackChart(WIDTH, HEIGHT, segments, legend, _x_ticks(first, per_day, span))
