"""Is the app still responsive for a second user while a fleet solve runs?

Starts ``corridor app`` on a free localhost port (the browser tests' helpers,
``tests/e2e/_browser.py``) and two headless Chromium sessions:

* the *other user* runs route queries on the Route tester (Bangkok to a list of places; each
  query is new work for the server: itinerary and 10,000 Monte Carlo draws, under status-quo
  when idle and 24h-borders while solving; the routes themselves are computed once in a
  warm-up) and the script times each from the click to the new figures on screen; meanwhile a
  thread times the server's health endpoint every 0.5 s;
* first with nothing else running (idle), then while the *solving user* optimizes the demo set
  with the default work budget (97 s on the development machine), which runs as a job in its
  own process (``app/_jobs.py``).

Prints the medians and maxima of both phases, their ratio, whether the solve was still running
when the busy phase ended, and ``uptime`` before and after. Needs ``/usr/bin/chromium`` and
``/usr/bin/chromedriver``.

    python benchmarks/bench_app_load.py [--queries 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from _browser import new_browser, serve  # noqa: E402

#: Destinations of the timed queries (from Bangkok).
PLACES = [
    "Hanoi",
    "Vientiane",
    "Kuala Lumpur",
    "Savannakhet",
    "Phnom Penh",
    "Hai Phong",
    "Da Nang",
    "Singapore",
]
#: Seconds to wait for one page run.
TIMEOUT_S = 180


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def _until(check: Any, timeout_s: float = TIMEOUT_S, poll_s: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # an element re-rendered under us: look again
            value = None
        if value:
            return value
        time.sleep(poll_s)
    raise TimeoutError("the page did not finish in time")


def _idle(driver: Any) -> bool:
    app = driver.find_elements(_by().CSS_SELECTOR, '[data-testid="stApp"]')
    return bool(app) and app[0].get_attribute("data-test-script-state") == "notRunning"


def _figure(driver: Any, label: str) -> str | None:
    for el in driver.find_elements(_by().CSS_SELECTOR, '[data-testid="stMetric"]'):
        if el.find_element(_by().CSS_SELECTOR, '[data-testid="stMetricLabel"]').text == label:
            return str(el.find_element(_by().CSS_SELECTOR, '[data-testid="stMetricValue"]').text)
    return None


def _type(driver: Any, label: str, value: str) -> None:
    from selenium.webdriver.common.keys import Keys

    el = driver.find_element(_by().CSS_SELECTOR, f'input[aria-label="{label}"]')
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.DELETE)
    el.send_keys(value)


def _click(driver: Any, text: str) -> None:
    for button in driver.find_elements(_by().CSS_SELECTOR, "button"):
        if button.text.strip() == text:
            button.click()
            return
    raise RuntimeError(f"no button {text!r}")


def _choose(driver: Any, label: str, option: str) -> None:
    box = driver.find_element(_by().CSS_SELECTOR, f'input[role="combobox"][aria-label="{label}"]')
    box.click()
    _until(lambda: driver.find_elements(_by().CSS_SELECTOR, '[role="option"]'))
    for item in driver.find_elements(_by().CSS_SELECTOR, '[role="option"]'):
        if item.text.strip() == option:
            item.click()
            return
    raise RuntimeError(f"{label}: no option {option!r}")


def query(driver: Any, destination: str, scenario: str) -> float:
    """Seconds from clicking "Find route" to the new trip's figures on screen."""
    _type(driver, "Destination", destination)
    _choose(driver, "Scenario", scenario)
    before = _figure(driver, "Door to door P50 / P90")
    start = time.perf_counter()
    _click(driver, "Find route")
    label = "Door to door P50 / P90"
    _until(lambda: _idle(driver) and _figure(driver, label) not in (None, before))
    return time.perf_counter() - start


class HealthProbe(threading.Thread):
    """Times ``/_stcore/health`` every 0.5 s until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.times_s: list[float] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            start = time.perf_counter()
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=120) as resp:
                resp.read()
            self.times_s.append(time.perf_counter() - start)
            self.halt.wait(0.5)


def phase(driver: Any, url: str, scenario: str, n: int) -> tuple[list[float], list[float]]:
    """Route-query and health-check times of ``n`` queries under ``scenario``."""
    probe = HealthProbe(url)
    probe.start()
    times = [query(driver, place, scenario) for place in PLACES[:n]]
    probe.halt.set()
    probe.join()
    return times, probe.times_s


def summary(name: str, times: list[float]) -> str:
    median = statistics.median(times)
    return f"{name}: median {median:.2f} s, max {max(times):.2f} s (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=6, help=f"1 to {len(PLACES)}")
    n = parser.parse_args().queries
    if not 1 <= n <= len(PLACES):
        parser.error(f"--queries: {n} is out of range; use 1 to {len(PLACES)}")
    print(f"cores: {os.cpu_count()}; uptime before: {subprocess.getoutput('uptime').strip()}")
    with serve() as url:
        other, solver = new_browser(), new_browser()
        try:
            other.get(f"{url}/route_tester")
            _until(lambda: _idle(other) and _figure(other, "Distance"))
            # Warm-up: every route computed once (cached by the app); each phase then runs new
            # itineraries and Monte Carlo draws under a scenario of its own.
            for place in PLACES[:n]:
                query(other, place, "full-integration")
            idle_q, idle_h = phase(other, url, "status-quo", n)

            solver.get(f"{url}/fleet_optimization")
            _until(lambda: _idle(solver) and _figure(solver, "Shipments"))
            _click(solver, "Optimize")
            _until(lambda: solver.find_elements(_by().CSS_SELECTOR, '[data-testid="stProgress"]'))
            started = time.monotonic()
            busy_q, busy_h = phase(other, url, "24h-borders", n)
            still = any(
                "Stop the optimization" in b.text
                for b in solver.find_elements(_by().CSS_SELECTOR, "button")
            )
            busy_s = time.monotonic() - started
            if still:
                _click(solver, "Stop the optimization")
        finally:
            other.quit()
            solver.quit()
    print(summary("idle    route query", idle_q))
    print(summary("idle    health     ", idle_h))
    print(summary("solving route query", busy_q))
    print(summary("solving health     ", busy_h))
    ratio = statistics.median(busy_q) / statistics.median(idle_q)
    worst = max(busy_q) / statistics.median(idle_q)
    print(f"route query while solving / idle: median {ratio:.2f}x, worst {worst:.2f}x")
    print(
        f"the fleet solve was {'still running' if still else 'FINISHED'} at the end of the "
        f"busy phase ({busy_s:.0f} s)"
    )
    print(f"uptime after: {subprocess.getoutput('uptime').strip()}")


if __name__ == "__main__":
    main()
