"""A real ``corridor app`` server and a headless Chromium, for the browser tests and
``benchmarks/bench_app_load.py``.

The server is started through the project's own command line (``corridor app --port N``, which
becomes ``streamlit run app/main.py``) on a localhost port and is always terminated. The
browser is Debian's ``chromium`` driven by ``chromium-driver`` through Selenium; without either
binary, :func:`new_browser` skips the test (``pytest.skip``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[2]
#: Seconds to wait for the server to answer its health check.
STARTUP_S = 90


#: Ports tried for a server: below Linux's ephemeral range (32768-60999), so that no outgoing
#: connection (the browser's, the driver's) takes a server's port while it restarts.
PORTS = range(20_000, 32_000)


def free_port() -> int:
    """A localhost port that is free now, outside the ephemeral range (see :data:`PORTS`)."""
    start = os.getpid() * 7 % len(PORTS)
    for i in range(len(PORTS)):
        port = PORTS[(start + i) % len(PORTS)]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free localhost port in {PORTS.start}-{PORTS.stop - 1}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return bool(resp.status == 200 and resp.read().strip() == b"ok")
    except OSError:
        return False


@contextlib.contextmanager
def serve(port: int | None = None) -> Iterator[str]:
    """A ``corridor app`` server on ``port`` (a free one by default): its URL; always ended."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    cmd = [
        sys.executable,
        "-c",
        "import sys; from logistics.cli import main; sys.exit(main(sys.argv[1:]))",
        "app",
        "--port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_S
        while not healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(
                    f"corridor app did not start (exit {proc.poll()}):\n"
                    + log.read().decode(errors="replace")[-4000:]
                )
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


def new_browser() -> Any:
    """A headless Chromium (Selenium WebDriver) with a fresh profile; ``quit()`` it after use."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="corridor-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1440,1100",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    weakref.finalize(driver, shutil.rmtree, profile, ignore_errors=True)
    return driver
