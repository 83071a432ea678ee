"""The dashboard in headless Chromium, opened from file:// (and once from a static server):
the numbers shown are the store's (its read API), no page logs an error or requests anything,
the Content-Security-Policy stops what a page must not do, and hostile names, reasons and
identities render as text."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from pyvouch.dashboard.gather import NEW_UNSIGNED_WINDOW, REGRESSION_WINDOW, slug
from pyvouch.dashboard.render import CSP
from pyvouch.store import queries
from pyvouch.store.engine import Store
from pyvouch.testing.history_store import (
    HOSTILE_PACKAGE,
    HOSTILE_PUBLISHER,
    HOSTILE_REASON,
    HOSTILE_REPOSITORY,
)
from tests.dashboard.conftest import NOW, Built
from tests.support import browser as browsers
from tests.support.static_server import serve_directory

pytestmark = pytest.mark.browser


def _text(element: Any) -> str:
    """Text even inside a closed <details> (Selenium's .text is empty for hidden elements)."""
    return str(element.get_attribute("textContent")).strip()


def _by_id(page: Any, name: str) -> str:
    return _text(page.find_element(By.ID, name))


def test_the_overview_shows_the_store_s_numbers(page: Any, built: Built, reader: Store) -> None:
    page.get(built.url())
    expected = queries.overview(reader)
    assert [o.repository for o in expected] == sorted(
        [*(f"github.com/org/repo-{r:02d}" for r in range(3)), HOSTILE_REPOSITORY]
    )
    rows = page.find_elements(By.CSS_SELECTOR, "#repositories tbody tr")
    assert [r.get_attribute("data-repository") for r in rows] == [o.repository for o in expected]
    for row, o in zip(rows, expected, strict=True):

        def cell(field: str, row: Any = row) -> str:
            return _text(row.find_element(By.CSS_SELECTOR, f'[data-field="{field}"]'))

        assert cell("packages") == str(o.latest.packages)
        assert cell("verified") == str(o.latest.verified)
        assert cell("share") == f"{o.latest.share_verified * 100:.1f}%"
        assert cell("critical") == f"{o.critical_verified} / {o.critical}"
        assert cell("regressions") == str(o.latest.regressions)
        assert cell("blocked") == str(o.latest.blocked)
        assert cell("scans") == str(o.scans) == "365"
    # repo-00 ends the year with pkg-005 signed by another identity: one regression, blocked
    repo_00 = next(o for o in expected if o.repository == "github.com/org/repo-00")
    assert repo_00.latest.regressions == 1 and repo_00.latest.blocked >= 1
    critical = sum(o.critical for o in expected)
    critical_ok = sum(o.critical_verified for o in expected)
    assert 0 < critical_ok < critical
    assert _by_id(page, "kpi-critical") == str(critical)
    assert _by_id(page, "kpi-critical-verified") == str(critical_ok)
    assert _by_id(page, "kpi-critical-share") == f"{critical_ok / critical * 100:.1f}%"
    assert _by_id(page, "kpi-repositories") == "4"

    regressions = queries.regressions(reader, NOW - REGRESSION_WINDOW)
    unsigned = queries.new_unsigned(reader, NOW - NEW_UNSIGNED_WINDOW)
    assert regressions and unsigned
    # a daily scan records a standing regression every day: shown once per repository,
    # package and reason, with how many scans recorded it
    grouped = Counter((r.repository, r.name, r.reason) for r in regressions)
    assert len(grouped) == 3 < len(regressions)  # pkg-005 in repo-00 and -02, pkg-006 in -01
    assert _by_id(page, "kpi-regressions") == str(len(grouped))
    assert _by_id(page, "kpi-new-unsigned") == str(len(unsigned))
    shown_regressions = page.execute_script(
        "return [...document.querySelectorAll('#regressions tbody tr')].map(r => "
        "[...r.cells].map(c => c.textContent.trim()))"
    )
    assert Counter({(row[0], row[1], row[2]): int(row[5]) for row in shown_regressions}) == grouped
    shown = [_text(r) for r in page.find_elements(By.CSS_SELECTOR, "#new-unsigned tbody tr")]
    assert len(shown) == len(unsigned)
    assert all(n.name in row for n, row in zip(unsigned, shown, strict=True))


def test_the_trend_table_is_the_store_s_coverage_per_tier_and_day(
    page: Any, built: Built, reader: Store
) -> None:
    page.get(built.url())
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for point in queries.coverage_over_time(reader):
        sums[(point.day.isoformat(), point.tier)][0] += point.packages
        sums[(point.day.isoformat(), point.tier)][1] += point.verified
    cells = page.execute_script(
        "return [...document.querySelectorAll('#trend td[data-tier]')].map(td => "
        "[td.parentElement.dataset.day, td.dataset.tier, td.dataset.field, td.textContent])"
    )
    shown: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for day, tier, field, value in cells:
        shown[(day, tier)][0 if field == "packages" else 1] = int(value)
    assert len({day for day, _ in sums}) == 365
    assert shown == sums
    # critical coverage climbs over the year (pkg-003 starts signing): the chart shows it
    days = sorted({day for day, _ in sums})
    first, last = sums[(days[0], "critical")], sums[(days[-1], "critical")]
    assert last[1] / last[0] > first[1] / first[0]
    assert page.find_elements(By.CSS_SELECTOR, "svg.line-chart polyline")


def test_a_repository_page_shows_its_latest_scan_decisions_and_history(
    page: Any, built: Built, reader: Store
) -> None:
    repository = "github.com/org/repo-00"
    page.get(built.url())
    page.find_element(By.LINK_TEXT, repository).click()  # relative links work from file://
    assert _by_id(page, "repository-name") == repository
    scans = queries.scans_of(reader, repository, limit=1000)
    latest = scans[0]
    assert _by_id(page, "kpi-verified") == str(latest.verified)
    assert _by_id(page, "kpi-packages") == str(latest.packages)
    statuses = Counter(
        page.execute_script(
            "return [...document.querySelectorAll('#decisions tbody tr')]"
            ".map(r => r.dataset.status)"
        )
    )
    assert sum(statuses.values()) == latest.packages
    assert statuses["verified"] == latest.verified
    regressed = page.find_element(By.CSS_SELECTOR, '#decisions tr[data-package="pkg-005"]')
    assert "mismatch" in regressed.text and "publisher changed" in regressed.text
    assert _text(regressed.find_element(By.CSS_SELECTOR, '[data-field="action"]')) == "block"
    history = page.execute_script(
        "return [...document.querySelectorAll('#scans tbody tr')].map(r => r.dataset.scan)"
    )
    assert history == [s.run_id for s in scans]
    assert len(history) == 365


def test_a_package_page_shows_its_publishers_releases_and_status_over_time(
    page: Any, built: Built, reader: Store
) -> None:
    page.get(built.url(f"packages/{slug('pkg-005')}.html"))
    assert _by_id(page, "package-name") == "pkg-005"
    observed = queries.package_history(reader, "pkg-005", limit=100_000)
    publishers = {p for o in observed for p in o.publishers}
    assert publishers == {"github:octo/pkg-005:release.yml", "github:mallory/pkg-005:release.yml"}
    shown = {
        _text(td)
        for td in page.find_elements(By.CSS_SELECTOR, '#publishers [data-field="publisher"]')
    }
    assert shown == publishers
    versions = {
        _text(r.find_element(By.TAG_NAME, "td"))
        for r in page.find_elements(By.CSS_SELECTOR, "#releases tbody tr")
    }
    assert versions == {o.version for o in observed}
    # per week, the status in each repository's last scan of the week (package_history is
    # newest first: the first observation met per repository and week is its last)
    week_end: dict[tuple[str, str], str] = {}
    for o in observed:
        day = o.scanned_at.date()
        week = (day - timedelta(days=day.weekday())).isoformat()
        week_end.setdefault((o.repository, week), o.status)
    per_week: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, week), status in week_end.items():
        per_week[week][status] += 1
    cells = page.execute_script(
        "return [...document.querySelectorAll('#status-weeks td[data-status]')].map(td => "
        "[td.parentElement.dataset.week, td.dataset.status, td.textContent])"
    )
    shown_weeks: dict[str, Counter[str]] = defaultdict(Counter)
    for week, status, value in cells:
        if int(value):
            shown_weeks[week][status] = int(value)
    assert shown_weeks == per_week
    assert len(per_week) >= 52
    last_week = max(per_week)
    assert per_week[last_week]["mismatch"] == 2  # repo-00 and repo-02 end the year on it
    assert page.find_elements(By.CSS_SELECTOR, "svg.stack-chart rect")
    regressed = Counter((o.repository, o.regression) for o in observed if o.regression)
    shown_regressed = page.execute_script(
        "return [...document.querySelectorAll('#package-regressions tbody tr')].map(r => "
        "[...r.cells].map(c => c.textContent.trim()))"
    )
    assert Counter({(row[0], row[1]): int(row[4]) for row in shown_regressed}) == regressed
    assert len(regressed) == 2


def test_no_page_logs_an_error_or_requests_anything(browser: Any, built: Built) -> None:
    pages = sorted(built.out.rglob("*.html"))
    assert len(pages) == built.result.pages == 1 + 4 + built.result.packages > 30
    browsers.console(browser)
    for path in pages:
        browser.get(path.as_uri())
        assert browsers.resources(browser) == [], path
        assert browser.execute_script("return document.scripts.length") == 0
        meta = browser.find_element(By.CSS_SELECTOR, 'meta[http-equiv="Content-Security-Policy"]')
        assert meta.get_attribute("content") == CSP
    assert browsers.errors(browsers.console(browser)) == []


def test_the_content_security_policy_blocks_any_request_and_any_script(
    browser: Any, built: Built, tmp_path: Path
) -> None:
    """A page tampered with (or a template that one day lets markup through) still cannot
    fetch or run anything: the policy is what stops it, and the browser says so."""
    with serve_directory(tmp_path) as server:
        target = server.url
        planted = (
            f'<img src="{target}/pixel.png"><link rel="stylesheet" href="{target}/style.css">'
            f'<script src="{target}/app.js"></script><script>document.title = "ran";</script>'
            f'<iframe src="{target}/frame.html"></iframe>'
            f"<style>@font-face {{ font-family: f; src: url({target}/font.woff); }} "
            f"body {{ font-family: f; background: url({target}/bg.png); }}</style>"
        )
        copy = tmp_path / "site"
        shutil.copytree(built.out, copy)
        index = copy / "index.html"
        index.write_text(
            index.read_text(encoding="utf-8").replace("<main>", f"<main>{planted}", 1),
            encoding="utf-8",
        )
        browsers.console(browser)
        browser.get(index.as_uri())
        assert browser.title != "ran"
        logged = browsers.console(browser)
        assert server.requests == []
    violations = [e["message"] for e in logged if "Content Security Policy" in e["message"]]
    assert len(violations) >= 4, logged


@pytest.mark.parametrize(
    "relative",
    [
        "index.html",
        f"repositories/{slug(HOSTILE_REPOSITORY)}.html",
        f"packages/{slug(HOSTILE_PACKAGE)}.html",
    ],
)
def test_hostile_names_reasons_and_identities_render_as_text(
    page: Any, built: Built, relative: str
) -> None:
    page.get(built.url(relative))
    assert page.execute_script("return document.documentElement.dataset.pwned") is None
    injected = page.execute_script(
        "return document.querySelectorAll('script, img, iframe, svg[onload], [onerror], b').length"
    )
    assert injected == 0
    body = _text(page.find_element(By.TAG_NAME, "body"))
    raw = (built.out / relative).read_text(encoding="utf-8")
    if relative.startswith("repositories/"):
        assert _by_id(page, "repository-name") == HOSTILE_REPOSITORY
        assert HOSTILE_REASON in body and HOSTILE_PACKAGE in body
    elif relative.startswith("packages/"):
        assert _by_id(page, "package-name") == HOSTILE_PACKAGE
        assert HOSTILE_PUBLISHER in body
    else:
        assert HOSTILE_REPOSITORY in body
    for hostile in (HOSTILE_REPOSITORY, HOSTILE_PACKAGE, HOSTILE_REASON, HOSTILE_PUBLISHER):
        assert hostile not in raw  # escaped in the file, not only neutralised by the policy


def test_the_dashboard_works_from_a_static_server(page: Any, built: Built) -> None:
    with serve_directory(built.out) as server:
        page.get(f"{server.url}/index.html")
        page.find_element(By.LINK_TEXT, "github.com/org/repo-01").click()
        assert _by_id(page, "repository-name") == "github.com/org/repo-01"
        page.find_element(By.LINK_TEXT, "pkg-000").click()
        assert _by_id(page, "package-name") == "pkg-000"
        assert browsers.resources(page) == []
        paths = [path for _, path, _ in server.requests]
    assert paths[0] == "/index.html" and len(paths) == 3
    assert all(p.endswith(".html") for p in paths)
