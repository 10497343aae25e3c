"""End to end: a real headless Chromium drives ``corridor app`` (``streamlit run``) on localhost.

Run with ``python -m pytest -m e2e``; ``CORRIDOR_SCREENSHOTS=1`` also saves a screenshot of every
page to ``docs/screenshots/``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

#: Seconds to wait for a page's script run to finish (the first one loads the network).
RUN_TIMEOUT_S = 120


def _by():
    from selenium.webdriver.common.by import By

    return By


def wait_idle(driver: Any, *, timeout: float = RUN_TIMEOUT_S) -> None:
    """Wait until the app is connected and no script run is in progress."""
    from selenium.webdriver.support.ui import WebDriverWait

    by = _by()

    def settled(d: Any) -> bool:
        if not d.find_elements(by.CSS_SELECTOR, '[data-testid="stApp"]'):
            return False
        running = d.find_elements(by.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        return not any("Running" in el.text or "Stop" in el.text for el in running)

    time.sleep(0.5)  # let a rerun triggered just before start
    WebDriverWait(driver, timeout, poll_frequency=0.25).until(settled)
    time.sleep(0.3)


def wait_text(driver: Any, css: str, needle: str, *, timeout: float = RUN_TIMEOUT_S) -> str:
    """Wait until an element matching ``css`` contains ``needle``; return that element's text."""
    from selenium.webdriver.support.ui import WebDriverWait

    by = _by()

    def found(d: Any) -> str | bool:
        for el in d.find_elements(by.CSS_SELECTOR, css):
            text = str(el.text)
            if needle in text:
                return text
        return False

    result: str = WebDriverWait(driver, timeout, poll_frequency=0.25).until(found)
    return result


def open_page(driver: Any, url: str, path: str) -> None:
    driver.get(f"{url}/{path}")
    wait_text(driver, "h1", "", timeout=RUN_TIMEOUT_S)
    wait_idle(driver)


def metrics(driver: Any) -> dict[str, str]:
    """Rendered ``st.metric`` values by label."""
    by = _by()
    out: dict[str, str] = {}
    for el in driver.find_elements(by.CSS_SELECTOR, '[data-testid="stMetric"]'):
        label = el.find_element(by.CSS_SELECTOR, '[data-testid="stMetricLabel"]').text.strip()
        value = el.find_element(by.CSS_SELECTOR, '[data-testid="stMetricValue"]').text.strip()
        out[label] = value
    return out


def shoot(driver: Any, folder: Path | None, name: str, *, height: int = 2200) -> None:
    """Save a tall screenshot of the current page when screenshots are enabled."""
    if folder is None:
        return
    driver.set_window_size(1440, height)
    wait_idle(driver)
    time.sleep(1.5)  # let maps and charts paint
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.set_window_size(1440, 1100)


def external_requests(driver: Any, url: str) -> list[str]:
    """Resources the page fetched from anywhere but the app server (tiles, fonts, ...)."""
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [n for n in names if not n.startswith(url) and not n.startswith("data:")]


def test_home_page(browser: Any, app_url: str, screenshots: Path | None) -> None:
    open_page(browser, app_url, "")
    text = wait_text(browser, "h1", "ASEAN corridor planner")
    assert "ASEAN corridor planner" in text
    shoot(browser, screenshots, "home", height=1300)
