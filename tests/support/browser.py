"""Headless Chromium for tests: Debian's ``chromium`` driven through ``/usr/bin/chromedriver``
by Selenium (no browser or driver download). One browser per test session (`browser`).

Without Chromium the browser tests are skipped, except under ``CI=true``, where they fail:
CI installs it (``.ci/run``) and the suite must prove the dashboard in a real browser there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


class BrowserUnavailable(RuntimeError):
    pass


def missing() -> str | None:
    """Why no browser can start here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing (apt-get install -y chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the test extra)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Selenium WebDriver) with a fresh profile, quit on exit."""
    why = missing()
    if why is not None:
        raise BrowserUnavailable(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="pyvouch-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def required() -> bool:
    return os.environ.get("CI") == "true"


def console(driver: Any) -> list[dict[str, Any]]:
    """The browser console's entries since the last call (errors, CSP violations, logs)."""
    return list(driver.get_log("browser"))


def errors(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("level") in ("SEVERE", "ERROR")]


def resources(driver: Any) -> list[str]:
    """Every resource the page requested (Resource Timing), by URL."""
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [str(n) for n in names]
