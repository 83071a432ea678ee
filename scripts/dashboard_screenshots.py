"""Screenshots of the dashboard for docs/dashboard.md (docs/img/dashboard-*.png).

    PYTHONPATH=src python scripts/dashboard_screenshots.py

Builds a store with a year of daily scans of four repositories (`pyvouch.testing.history_store`),
the dashboard from it, and photographs the overview, a repository page and a package page in
headless Chromium (tests/support/browser.py). Deterministic data; the PNGs are committed.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser import chromium  # noqa: E402

from pyvouch.dashboard.build import build_dashboard  # noqa: E402
from pyvouch.dashboard.gather import slug  # noqa: E402
from pyvouch.store.engine import open_store  # noqa: E402
from pyvouch.store.location import resolve_store  # noqa: E402
from pyvouch.testing.history_store import HistoryPlan, fill_store  # noqa: E402

SHOTS = {
    "dashboard-overview.png": "index.html",
    "dashboard-repository.png": f"repositories/{slug('github.com/org/repo-00')}.html",
    "dashboard-package.png": f"packages/{slug('pkg-005')}.html",
}


def main() -> int:
    plan = HistoryPlan(repositories=4, days=365, packages=20, critical=6)
    target = ROOT / "docs" / "img"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pyvouch-shots-") as tmp:
        store = str(Path(tmp) / "history.sqlite3")
        with open_store(resolve_store(store)) as opened:
            fill_store(opened, plan, bulk=True)
        site = Path(tmp) / "site"
        build_dashboard(resolve_store(store), site, now=plan.end + timedelta(hours=1))
        with chromium() as driver:
            for name, page in SHOTS.items():
                driver.set_window_size(1280, 900)
                driver.get((site / page).as_uri())
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(1280, min(int(height) + 40, 2400))
                driver.save_screenshot(str(target / name))
                print(target / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
