"""The dashboard's fixtures, built once per session: a store with a year of daily scans of
four repositories (one of them with a hostile name, package, reason and identity), the
dashboard built from it, and one headless Chromium shared by every browser test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pyvouch.dashboard.build import DashboardBuilt, build_dashboard
from pyvouch.store.engine import Store, open_store
from pyvouch.store.location import resolve_store
from pyvouch.testing.history_store import HistoryPlan, fill_store
from tests.support import browser as browsers

PLAN = HistoryPlan(repositories=4, days=365, packages=20, critical=6, hostile=True)
NOW = PLAN.end + timedelta(hours=1)


@dataclass(frozen=True)
class YearStore:
    url: str
    plan: HistoryPlan
    scans: int


@dataclass(frozen=True)
class Built:
    store: YearStore
    out: Path
    result: DashboardBuilt

    def url(self, relative: str = "index.html") -> str:
        return (self.out / relative).as_uri()


@pytest.fixture(scope="session")
def year_store(tmp_path_factory: pytest.TempPathFactory) -> YearStore:
    url = str(tmp_path_factory.mktemp("dashboard-store") / "history.sqlite3")
    with open_store(resolve_store(url)) as store:
        count = fill_store(store, PLAN, bulk=True)
    return YearStore(url, PLAN, count)


@pytest.fixture
def reader(year_store: YearStore) -> Iterator[Store]:
    with open_store(resolve_store(year_store.url), create=False) as store:
        yield store


@pytest.fixture(scope="session")
def built(year_store: YearStore, tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dashboard-out") / "site"
    result = build_dashboard(resolve_store(year_store.url), out, now=NOW)
    return Built(year_store, out, result)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    why = browsers.missing()
    if why is not None:
        if browsers.required():
            pytest.fail(f"headless Chromium must run in CI: {why}")
        pytest.skip(f"no headless Chromium here: {why}")
    with browsers.chromium() as driver:
        yield driver


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """The shared browser with its console emptied before the test and checked after: any
    error (a script error, a CSP violation, a failed load) fails the test."""
    browsers.console(browser)
    yield browser
    errors = browsers.errors(browsers.console(browser))
    assert errors == [], errors
