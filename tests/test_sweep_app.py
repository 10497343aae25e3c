"""The Sensitivity page, headless with ``AppTest``: it reads a results folder (tornado chart,
break-even curve, tables) and runs a small shipped sweep on a local Dask cluster."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from logistics.sweep import analyse, parse_spec, run_sweep

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "app" / "main.py"
PAGE = "views/sensitivity.py"
NP = "crossings.nakhon-phanom-thakhek"


def open_page() -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    at = at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def images(at: AppTest) -> int:
    return len(at.get("image"))


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first ``st.dataframe`` on the page that has ``column``."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def text(at: AppTest, kind: str) -> str:
    """The text a user reads in the page's elements of ``kind`` (escaped Markdown unescaped)."""
    return html.unescape(" ".join(str(e.value) for e in getattr(at, kind)))


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base: dict[str, Any] = {
        "seed": 3,
        "draws": 200,
        "window_h": 120.0,
        "corridor": "bangkok-hanoi",
        "seeding": "common",
        "od": [{"from": "Bangkok", "to": "Hanoi", "via": "R12"}],
    }
    sobol = parse_spec(
        {
            **base,
            "name": "page-sobol",
            "design": "sobol",
            "samples": 8,
            "parameters": [
                {"path": f"{NP}.clearance_scale", "range": [0.5, 3.0]},
                {"path": f"{NP}.open_h", "range": [8.0, 24.0]},
            ],
        }
    )
    grid = parse_spec(
        {
            **base,
            "name": "page-breakeven",
            "design": "grid",
            "levels": 3,
            "parameters": [{"path": "crossings.*.clearance_scale", "range": [1.0, 0.1]}],
            "breakeven": {"parameter": "crossings.*.clearance_scale", "criterion": "road-cheaper"},
        }
    )
    out = {}
    for spec in (sobol, grid):
        folder = tmp_path_factory.mktemp(spec.name)
        run_sweep(spec, folder, workers=0)
        analyse(spec, folder)
        out[spec.name] = folder
    return out


def test_page_reads_a_sobol_folder(folders: dict[str, Path]) -> None:
    at = open_page()
    assert "Enter a results folder" in text(at, "info")
    at.text_input(key="swp_path").set_value(str(folders["page-sobol"])).run()
    assert not at.exception and not at.error
    assert images(at) == 1  # the tornado chart
    indices = table_with(at, "ST_conf")
    assert {"parameter", "ST", "ST_conf"} <= set(indices.columns)
    assert len(table_with(at, "od_label")) == 8 * 4 * 2
    assert "page-sobol" in [m.value for m in at.metric]


def test_page_shows_the_break_even_answer_and_refuses_a_bad_folder(
    folders: dict[str, Path], tmp_path: Path
) -> None:
    at = open_page()
    at.text_input(key="swp_path").set_value(str(folders["page-breakeven"])).run()
    assert not at.exception and images(at) == 1
    assert "road stays dearer per tonne" in text(at, "warning")
    assert list(table_with(at, "holds")["value"]) == [1.0, 0.55, 0.1]
    at.text_input(key="swp_path").set_value(str(tmp_path)).run()
    assert "no sweep.json" in text(at, "error")


def test_page_runs_a_small_sweep_on_a_local_cluster() -> None:
    at = open_page()
    at.selectbox(key="swp_spec").set_value("r12-breakeven")
    at.select_slider(key="swp_draws").set_value(200)
    at.number_input(key="swp_workers").set_value(2)
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "r12-breakeven" in [m.value for m in at.metric]
    assert "road wins" in text(at, "success")
    assert len(table_with(at, "od_label")) == 20 * 2
