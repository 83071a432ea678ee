"""The dashboard's parts without a browser: page names from hostile names, chart geometry
within the drawing, regressions grouped as a person reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pyvouch.dashboard import charts
from pyvouch.dashboard.gather import group_regressions, slug
from pyvouch.store.queries import RegressionEntry


def test_a_page_name_cannot_leave_its_folder_or_collide() -> None:
    names = [
        "../../etc/passwd",
        "..",
        "/abs",
        "a/b",
        "a-b",
        "A_B",
        "\uff50\uff4b\uff47",
        "",
        "a\x00b",
    ]
    slugs = [slug(n) for n in names]
    assert len(set(slugs)) == len(names)  # the digest keeps apart names that clean alike
    for s in slugs:
        assert "/" not in s and "\\" not in s and not s.startswith(".")
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in s)
        assert len(s) <= 71


def test_lines_and_bars_stay_inside_the_drawing() -> None:
    assert charts.share_lines({}) is None and charts.share_bars([]) is None
    assert charts.status_stack([]) is None
    start = date(2026, 1, 1)
    chart = charts.share_lines(
        {
            "critical": [(start + timedelta(days=i), i / 10) for i in range(11)],
            "one": [(start, 1.0)],
        }
    )
    assert chart is not None
    for line in chart.lines:
        for point in line.points.split():
            x, y = (float(v) for v in point.split(","))
            assert chart.left <= x <= chart.right and chart.top <= y <= chart.bottom
    bars = charts.share_bars([("a", 0.0, None), ("b", 1.0, "x.html")])
    assert bars is not None and bars.bars[0].width == 0 and bars.bars[1].width > 0
    stack = charts.status_stack(
        [(start, {"verified": 3, "mismatch": 1}), (start + timedelta(days=7), {"unknown": 2})]
    )
    assert stack is not None
    first_day = [s for s in stack.segments if s.x == stack.segments[0].x]
    assert round(sum(s.height for s in first_day), 1) == round(charts.HEIGHT - 12 - 28, 1)
    assert charts.status_colour("<script>") == "#455a64"  # unknown words get a fixed colour


def test_regressions_are_grouped_per_repository_package_and_reason() -> None:
    day = datetime(2026, 10, 1, tzinfo=UTC)
    entries = [
        RegressionEntry(
            day + timedelta(days=i), "r1", "alpha", f"1.{i // 2}", "publisher changed", "verified"
        )
        for i in range(4)
    ] + [RegressionEntry(day, "r2", "alpha", "1.0", "lost its attestations", "ingested")]
    groups = group_regressions(entries)
    assert [(g.repository, g.scans) for g in groups] == [("r1", 4), ("r2", 1)]
    assert groups[0].first_seen == day and groups[0].last_seen == day + timedelta(days=3)
    assert groups[0].versions == ("1.0", "1.1") and groups[1].evidence == ("ingested",)
