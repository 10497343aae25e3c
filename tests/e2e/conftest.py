"""Fixtures of the browser tests: a real ``corridor app`` server and a headless Chromium.

The server is started through the project's own command line (``corridor app --port N``, which
becomes ``streamlit run app/main.py``) on a free localhost port and is always terminated. The
browser is Debian's ``chromium`` driven by ``chromium-driver`` through Selenium; the tests skip
cleanly when either binary is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import ROOT, new_browser, serve

SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """URL of a ``corridor app`` server started for the test module (terminated at its end)."""
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium for the test module."""
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path | None:
    """Folder to save page screenshots in when ``CORRIDOR_SCREENSHOTS=1``, else None."""
    if os.environ.get("CORRIDOR_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
