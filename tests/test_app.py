"""Streamlit app: every page rendered headless with ``AppTest``, on the real backends."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import _state
from logistics.cli import build_parser
from logistics.cli.app_cmd import APP_MAIN, streamlit_command

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "app" / "main.py"
PAGES = [
    "pages/home.py",
    "pages/route_tester.py",
    "pages/scenario_comparison.py",
    "pages/border_parameters.py",
    "pages/fleet_optimization.py",
    "pages/delay_export.py",
]
TIMEOUT_S = 120


def open_page(page: str) -> AppTest:
    """Run the app's entry point, then switch to ``page`` and run it."""
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.switch_page(page).run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, "\n".join(e.value for e in at.exception)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(page: str) -> None:
    at = open_page(page)
    no_exception(at)
    assert at.title, f"{page} shows no title"


def test_cli_passes_streamlit_flags_through() -> None:
    args, extra = build_parser().parse_known_args(
        ["app", "--port", "8600", "--server.headless", "true"]
    )
    assert args.command == "app" and args.port == 8600
    assert extra == ["--server.headless", "true"]
    cmd = streamlit_command(port=args.port, extra=extra)
    assert cmd[1:4] == ["-m", "streamlit", "run"]
    assert cmd[4] == str(APP_MAIN) and APP_MAIN == MAIN
    assert cmd[5:] == ["--server.port", "8600", "--server.headless", "true"]


def test_server_config_is_safe_for_a_shared_server() -> None:
    config = tomllib.loads((ROOT / "app" / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert 0 < config["server"]["maxUploadSize"] <= 50
    assert config["server"]["maxUploadSize"] >= _state.MAX_UPLOAD_MB
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in {"type", "none"}
