"""End to end: a real headless Chromium drives ``corridor app`` (``streamlit run``) on localhost.

Run with ``python -m pytest -m e2e``; ``CORRIDOR_SCREENSHOTS=1`` also saves a screenshot of every
page to ``docs/screenshots/``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

#: Seconds to wait for a page's script run to finish (the first one loads the network).
RUN_TIMEOUT_S = 120


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def _wait(driver: Any, timeout: float) -> Any:
    """A WebDriverWait that retries when Streamlit re-renders an element under it."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver, timeout, poll_frequency=0.25, ignored_exceptions=(StaleElementReferenceException,)
    )


def wait_idle(driver: Any, *, timeout: float = RUN_TIMEOUT_S) -> None:
    """Wait until the app is connected and no script run is in progress."""
    by = _by()

    def settled(d: Any) -> bool:
        if not d.find_elements(by.CSS_SELECTOR, '[data-testid="stApp"]'):
            return False
        running = d.find_elements(by.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        return not any("Running" in el.text or "Stop" in el.text for el in running)

    time.sleep(0.5)  # let a rerun triggered just before start
    _wait(driver, timeout).until(settled)
    time.sleep(0.3)


def wait_text(driver: Any, css: str, needle: str, *, timeout: float = RUN_TIMEOUT_S) -> str:
    """Wait until an element matching ``css`` contains ``needle``; return that element's text."""
    by = _by()

    def found(d: Any) -> str | bool:
        for el in d.find_elements(by.CSS_SELECTOR, css):
            text = str(el.text)
            if needle in text:
                return text
        return False

    result: str = _wait(driver, timeout).until(found)
    return result


def open_page(driver: Any, url: str, path: str) -> None:
    driver.get(f"{url}/{path}")
    wait_text(driver, "h1", "", timeout=RUN_TIMEOUT_S)
    wait_idle(driver)


def metrics(driver: Any) -> dict[str, str]:
    """Rendered ``st.metric`` values by label."""
    shown: dict[str, str] = _wait(driver, 30).until(_metrics)
    return shown


def _metrics(driver: Any) -> dict[str, str]:
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


def table_text(driver: Any, column: str) -> str:
    """Text of the first ``st.dataframe`` (its accessible grid) with a ``column`` header."""
    by = _by()

    def grid(d: Any) -> str | bool:
        for frame in d.find_elements(by.CSS_SELECTOR, '[data-testid="stDataFrame"] table'):
            headers = [
                h.get_attribute("textContent") for h in frame.find_elements(by.CSS_SELECTOR, "th")
            ]
            if column in headers:
                return str(frame.get_attribute("textContent"))
        return False

    result: str = _wait(driver, 30).until(grid)
    return result


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


def set_text(driver: Any, label: str, value: str) -> None:
    """Type into the ``st.text_input`` labelled ``label``."""
    from selenium.webdriver.common.keys import Keys

    el = driver.find_element(_by().CSS_SELECTOR, f'input[aria-label="{label}"]')
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.DELETE)
    el.send_keys(value)


def choose(driver: Any, label: str, option: str) -> None:
    """Pick ``option`` in the ``st.selectbox`` labelled ``label``."""
    by = _by()
    box = driver.find_element(by.CSS_SELECTOR, f'input[role="combobox"][aria-label="{label}"]')
    box.click()
    _wait(driver, 10).until(lambda d: d.find_elements(by.CSS_SELECTOR, '[role="option"]'))
    for item in driver.find_elements(by.CSS_SELECTOR, '[role="option"]'):
        if item.text.strip() == option:
            item.click()
            return
    raise AssertionError(f"{label}: no option {option!r}")


def click_button(driver: Any, text: str) -> None:
    for button in driver.find_elements(_by().CSS_SELECTOR, "button"):
        if button.text.strip() == text:
            button.click()
            return
    raise AssertionError(f"no button {text!r}")


def test_route_query(browser: Any, app_url: str, screenshots: Path | None) -> None:
    open_page(browser, app_url, "route_tester")
    wait_text(browser, '[data-testid="stMetric"]', "Distance")
    set_text(browser, "Origin", "Bangkok")
    set_text(browser, "Destination", "Hanoi")
    choose(browser, "Via", "R9")
    click_button(browser, "Find route")
    wait_idle(browser)
    caption = wait_text(browser, '[data-testid="stCaptionContainer"]', "mukdahan-savannakhet")
    assert "dansavanh-lao-bao" in caption
    shown = metrics(browser)
    assert shown["Border crossings"] == "2"
    assert shown["Distance"].endswith("km")
    p50, p90 = (float(v) for v in shown["Door to door P50 / P90"].removesuffix(" h").split(" / "))
    assert 24 < p50 <= p90 < 24 * 7
    legs = table_text(browser, "travel_time_h")
    assert "border" in legs and "mukdahan-savannakhet" in legs
    assert external_requests(browser, app_url) == []
    shoot(browser, screenshots, "route_tester", height=3600)


def test_scenario_comparison(browser: Any, app_url: str, screenshots: Path | None) -> None:
    open_page(browser, app_url, "scenario_comparison")
    wait_text(browser, '[data-testid="stMetric"]', "Winning mode")
    choose(browser, "Road via", "R12")
    click_button(browser, "Compare")
    wait_idle(browser)
    table = table_text(browser, "p50_h")
    for scenario in ("status-quo", "through-trucking", "24h-borders", "full-integration"):
        assert scenario in table
    assert "na-phao-cha-lo" in table  # the R12 crossing into Viet Nam
    assert "road" in table and "sea" in table  # both modes for every scenario
    labels = [
        el.text.strip()
        for el in browser.find_elements(_by().CSS_SELECTOR, '[data-testid="stMetricLabel"]')
    ]
    assert labels.count("Winning mode") == 4
    values = [
        el.text.strip()
        for el in browser.find_elements(_by().CSS_SELECTOR, '[data-testid="stMetricValue"]')
    ]
    assert all(v in ("road", "sea") for v in values[0::4])
    p50s = [float(v.removesuffix(" h").split(" / ")[0]) for v in values[1::4]]
    assert all(24 < h < 24 * 20 for h in p50s)
    assert external_requests(browser, app_url) == []
    shoot(browser, screenshots, "scenario_comparison", height=2100)


def test_other_pages_render(browser: Any, app_url: str, screenshots: Path | None) -> None:
    open_page(browser, app_url, "border_parameters")
    wait_text(browser, "h1", "Border parameters")
    assert "na-phao-cha-lo" in table_text(browser, "exit_hours")
    shoot(browser, screenshots, "border_parameters", height=1500)
    # A real upload through the browser (XSRF protection on): a bad scenario file is a message.
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "bad.toml"
        bad.write_text('extends = "../../etc/passwd"\n', encoding="utf-8")
        field = browser.find_element(_by().CSS_SELECTOR, 'input[type="file"]')
        field.send_keys(str(bad))
        message = wait_text(browser, '[data-testid="stAlertContentError"]', "extends")
    assert "not allowed" in message

    open_page(browser, app_url, "delay_export")
    click_button(browser, "Estimate delays")
    wait_idle(browser)
    wait_text(browser, '[data-testid="stMetric"]', "Rows")
    assert "crossing" in table_text(browser, "level")
    shoot(browser, screenshots, "delay_export", height=1400)

    assert external_requests(browser, app_url) == []


def set_number(driver: Any, label: str, value: float) -> None:
    """Type into the ``st.number_input`` labelled ``label``."""
    set_text(driver, label, f"{value:g}")


def open_expander(driver: Any, label: str) -> None:
    for summary in driver.find_elements(_by().CSS_SELECTOR, '[data-testid="stExpander"] summary'):
        if label in summary.text:
            summary.click()
            return
    raise AssertionError(f"no expander {label!r}")


def test_fleet_optimization(browser: Any, app_url: str, screenshots: Path | None) -> None:
    open_page(browser, app_url, "fleet_optimization")
    wait_text(browser, "h1", "Fleet optimization")
    n_shipments = int(metrics(browser)["Shipments"])
    # A small work budget: the same plan on any machine, quick enough for a test.
    set_number(browser, "Work budget (solutions)", 10)
    open_expander(browser, "More solver settings")
    set_number(browser, "Phase-1 solutions", 5)
    click_button(browser, "Optimize")
    wait_text(browser, '[data-testid="stMetric"]', "Optimality gap", timeout=400)
    assert not browser.find_elements(_by().CSS_SELECTOR, '[data-testid="stAlertContentWarning"]')
    wait_idle(browser, timeout=400)
    progress = wait_text(browser, '[data-testid="stProgress"]', "done in")
    assert "Optimizing under status-quo" in progress
    shown = metrics(browser)
    served, dropped = (int(v) for v in shown["Served / dropped"].split(" / "))
    assert served + dropped == n_shipments and served > 0
    assert shown["Cost per served shipment (USD)"].replace(",", "").isdigit()
    caption = wait_text(browser, '[data-testid="stCaptionContainer"]', "stopped by")
    assert "its work budget (repeatable)" in caption
    assert "D001" in table_text(browser, "shipment_id")  # the per-shipment table
    if dropped:  # each dropped shipment with its reason
        reasons = table_text(browser, "reason")
        assert any(why in reasons for why in ("infeasible", "not reached", "drop penalty"))
    assert external_requests(browser, app_url) == []
    shoot(browser, screenshots, "fleet_optimization", height=2600)
    # An out-of-range budget typed over the plan: a message naming it, and the plan is gone.
    set_number(browser, "Work budget (solutions)", 0)
    click_button(browser, "Optimize")
    wait_idle(browser)
    message = wait_text(browser, '[data-testid="stAlertContentError"]', "Work budget")
    assert "0 is out of range; use 1 to 100,000" in message
    assert "Served / dropped" not in metrics_now(browser)


def start_long_solve(driver: Any, url: str) -> None:
    """Open the fleet page and start a solve far beyond the test's time (the test stops it)."""
    open_page(driver, url, "fleet_optimization")
    set_number(driver, "Work budget (solutions)", 100000)
    set_number(driver, "Safety time cap (s)", 120)
    click_button(driver, "Optimize")
    wait_text(driver, '[data-testid="stProgress"]', "Optimizing under status-quo", timeout=60)
    wait_text(driver, "button", "Stop the optimization", timeout=60)


def test_stop_stops_the_solve_and_a_second_user_is_served(browser: Any, app_url: str) -> None:
    from _browser import new_browser

    start_long_solve(browser, app_url)
    other = new_browser()
    try:  # a second user queries a route while the solve runs
        open_page(other, app_url, "route_tester")
        set_text(other, "Destination", "Vientiane")
        click_button(other, "Find route")
        wait_idle(other)
        wait_text(other, '[data-testid="stCaptionContainer"]', "Countries:")
        assert {"Distance", "Door to door P50 / P90"} <= set(metrics(other))
    finally:
        other.quit()
    # ... and the solve was still running: its Stop button is still there.
    click_button(browser, "Stop the optimization")
    message = wait_text(browser, '[data-testid="stAlertContentWarning"]', "stopped after")
    assert "its solver process was ended" in message
    assert "Served / dropped" not in metrics_now(browser)


def metrics_now(driver: Any) -> dict[str, str]:
    """Rendered ``st.metric`` values by label, without waiting."""
    return _metrics(driver)


def test_user_text_is_shown_as_text(browser: Any, app_url: str) -> None:
    open_page(browser, app_url, "route_tester")
    typed = "**Atlantis** [click](http://example.com) :red[x] $y$"
    set_text(browser, "Origin", typed)
    click_button(browser, "Find route")
    wait_idle(browser)
    alert = wait_text(browser, '[data-testid="stAlertContentError"]', "unknown place")
    assert typed in alert  # every character as typed
    by = _by()
    box = browser.find_element(by.CSS_SELECTOR, '[data-testid="stAlertContentError"]')
    html = box.get_attribute("innerHTML")
    assert not box.find_elements(by.CSS_SELECTOR, "a, strong, em, .katex, span[style*=color]"), html


def test_out_of_range_input_clears_old_results(browser: Any, app_url: str) -> None:
    open_page(browser, app_url, "route_tester")
    assert "Distance" in metrics(browser)
    set_number(browser, "Deliver within (h after departure)", 100000)
    click_button(browser, "Find route")
    wait_idle(browser)
    message = wait_text(browser, '[data-testid="stAlertContentError"]', "Deliver within")
    assert "100000 h is out of range" in message
    assert metrics_now(browser) == {}


def test_deep_link_after_a_restart_has_the_apps_layout(app_url: str) -> None:
    from _browser import free_port, new_browser, serve

    port = free_port()
    driver = new_browser()
    try:
        for _ in range(2):  # a fresh server, then the same server restarted on the same port
            with serve(port) as url:
                driver.get(f"{url}/fleet_optimization")  # the first page this server serves
                wait_text(driver, "h1", "Fleet optimization")
                wait_idle(driver)
                by = _by()
                links = driver.find_elements(by.CSS_SELECTOR, '[data-testid="stSidebarNav"] a')
                nav = [el.text.strip().splitlines()[-1] for el in links]  # after the icon
                # main.py's page titles (not the file names of a bare pages directory)
                assert nav[:6] == [
                    "Overview",
                    "Route tester",
                    "Scenario comparison",
                    "Border parameters",
                    "Fleet optimization",
                    "Delay export",
                ], nav
                assert "main" not in nav and "fleet optimization" not in nav, nav
                assert driver.title == "ASEAN corridor"  # main.py's page config
                block = driver.find_element(by.CSS_SELECTOR, '[data-testid="stMainBlockContainer"]')
                assert block.size["width"] > 1000  # the app's wide layout
    finally:
        driver.quit()
