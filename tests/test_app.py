"""Streamlit app: every page rendered headless with ``AppTest``, on the real backends."""

from __future__ import annotations

import io
import json
import re
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis.strategies import binary as st_binary
from hypothesis.strategies import booleans as st_booleans
from hypothesis.strategies import dictionaries as st_dict
from hypothesis.strategies import floats as st_floats
from hypothesis.strategies import one_of as st_one_of
from hypothesis.strategies import sampled_from as st_sampled_from
from hypothesis.strategies import text as st_text
from streamlit.testing.v1 import AppTest

from app import _border, _fleet, _jobs, _state
from logistics.cli import build_parser
from logistics.cli.app_cmd import APP_MAIN, streamlit_command
from logistics.fleet import SPREAD_KPIS, SolverSettings

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "app" / "main.py"
PAGES = [
    "views/home.py",
    "views/route_tester.py",
    "views/scenario_comparison.py",
    "views/border_parameters.py",
    "views/fleet_optimization.py",
    "views/delay_export.py",
]
TIMEOUT_S = 120


def open_page(page: str) -> AppTest:
    """Run the app's entry point, then switch to ``page`` and run it."""
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.switch_page(page).run()


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first ``st.dataframe`` on the page that has ``column``."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def seen(element: object) -> str:
    """The text a user reads in an element whose user text is a code span (``_state.as_text``)."""
    return re.sub(r"` (.*?) `", r"\1", str(getattr(element, "value", "")))


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


def test_route_query() -> None:
    at = open_page("views/route_tester.py")
    no_exception(at)
    at.text_input(key="origin").set_value("Bangkok")
    at.text_input(key="destination").set_value("Hanoi")
    at.selectbox(key="via").set_value("R12")
    at.button[0].click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Border crossings"] == "2"
    km = float(shown["Distance"].removesuffix(" km").replace(",", ""))
    assert 900 < km < 2000
    p50, p90 = (float(v) for v in shown["Door to door P50 / P90"].removesuffix(" h").split(" / "))
    assert 24 < p50 <= p90
    assert any("na-phao-cha-lo" in c.value for c in at.caption)
    legs = table_with(at, "travel_time_h")
    assert {"mode", "country", "distance_km", "travel_time_h"} <= set(legs.columns)
    assert (legs["mode"] == "border").sum() == 2
    events = table_with(at, "cum_cost_usd")
    assert {"place", "activity", "cum_km", "cum_h", "cum_cost_usd"} <= set(events.columns)
    places = table_with(at, "aliases")
    assert {"Bangkok", "Hanoi", "Laem Chabang"} <= set(places["name"])
    assert events["cum_h"].is_monotonic_increasing
    labels = [b.label for b in at.download_button]
    assert "Download route (GeoJSON)" in labels and "Download itinerary (CSV)" in labels
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # time/cost-distance and the Monte Carlo histogram
    assert len(at.get("deck_gl_json_chart")) == 1


def test_unknown_place_is_a_message_not_a_traceback() -> None:
    at = open_page("views/route_tester.py")
    at.text_input(key="origin").set_value("Atlantis")
    at.button[0].click().run()
    no_exception(at)
    assert at.error and "unknown place 'Atlantis'" in seen(at.error[0])


def _edit_border(at: AppTest, crossing_id: str, edits: dict[str, object]) -> int:
    table = at.data_editor[0].value
    row = int(table.index[table["crossing_id"] == crossing_id][0])
    at.session_state["border_editor"] = {
        "edited_rows": {row: edits},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    return row


def test_border_edits_round_trip_through_scenario_toml() -> None:
    import logistics

    at = open_page("views/border_parameters.py")
    no_exception(at)
    table = at.data_editor[0].value
    assert {"crossing_id", "from_country", "to_country", "clearance_source"} <= set(table.columns)
    assert table["clearance_source"].astype(str).str.len().gt(0).all()
    _edit_border(
        at,
        "na-phao-cha-lo",
        {"exit_hours": "24h", "entry_clearance_median_h": 0.5, "entry_clearance_p90_h": 1.0},
    )
    no_exception(at)
    edits = at.dataframe[1].value
    assert set(edits["parameter"]) == {
        "exit_hours",
        "entry_clearance_median_h",
        "entry_clearance_p90_h",
    }
    at.text_input(key="new_name").set_value("night-gate")
    at.button[0].click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.success and "night-gate" in at.success[0].value
    assert "Download TOML" in [b.label for b in at.download_button]

    text = at.session_state["custom_scenarios"]["night-gate"]["toml"]
    data = tomllib.loads(text)
    assert data["extends"] == "status-quo"
    assert data["crossings"]["na-phao-cha-lo"] == {
        "exit_hours": "24h",
        "entry_clearance_median_h": 0.5,
        "entry_clearance_p90_h": 1.0,
    }
    assert all(v.startswith("assumption:") for v in data["sources"].values())
    # The text was loaded with the project's own loader and changes what it says it changes.
    scenario = at.session_state["custom_scenarios"]["night-gate"]["scenario"]
    override = scenario.override("na-phao-cha-lo")
    assert override.exit_hours == "24h" and override.entry_clearance_median_h == 0.5
    builtin = logistics.load_scenario("status-quo").override("na-phao-cha-lo")
    assert getattr(builtin, "exit_hours", None) != "24h"  # the built-in is untouched

    # ... and is used at once: the route tester offers (and preselects) it.
    at.switch_page("views/route_tester.py").run()
    no_exception(at)
    assert at.selectbox(key="scenario").value == "night-gate"


def test_border_edit_errors_are_messages() -> None:
    at = open_page("views/border_parameters.py")
    _edit_border(at, "na-phao-cha-lo", {"entry_clearance_p90_h": 0.1})  # below the median
    no_exception(at)
    assert at.error and "P90 must be >= median" in seen(at.error[0])
    assert "na-phao-cha-lo" in seen(at.error[0])
    _edit_border(at, "na-phao-cha-lo", {"exit_hours": "25:00-26:00"})
    at.button[0].click().run()
    no_exception(at)
    assert at.error and "exit_hours" in seen(at.error[0])
    assert "night-gate" not in at.session_state["custom_scenarios"]


def test_scenario_toml_upload_refuses_paths() -> None:
    at = open_page("views/border_parameters.py")
    text = b'extends = "../../etc/passwd"\n'
    at.file_uploader(key="scenario_file").set_value(("evil.toml", text, "application/toml"))
    at.run()
    no_exception(at)
    assert at.error and "extends" in seen(at.error[0])
    assert "evil" not in at.session_state["custom_scenarios"]


def test_scenario_toml_upload_refuses_deep_nesting() -> None:
    """Deeply nested TOML (RecursionError in the parser) is one message, not a traceback."""
    at = open_page("views/border_parameters.py")
    text = ("x = " + "[" * 5000 + "]" * 5000 + "\n").encode()
    at.file_uploader(key="scenario_file").set_value(("deep.toml", text, "application/toml"))
    at.run()
    no_exception(at)
    assert at.error and "nested" in seen(at.error[0])


def test_sessions_do_not_share_scenarios() -> None:
    first = open_page("views/border_parameters.py")
    _edit_border(first, "na-phao-cha-lo", {"exit_hours": "24h"})
    first.text_input(key="new_name").set_value("private-one")
    first.button[0].click().run()
    assert "private-one" in first.session_state["custom_scenarios"]
    second = open_page("views/route_tester.py")
    assert "private-one" not in second.selectbox(key="scenario").options


@settings(max_examples=200, deadline=None)
@given(
    name=st_text(min_size=1, max_size=30),
    description=st_text(max_size=80),
    source=st_text(max_size=80),
    crossings=st_dict(
        st_text(min_size=1, max_size=20),
        st_dict(
            st_sampled_from(sorted(set(_border.EDITABLE.values()))),
            st_one_of(
                st_booleans(),
                st_floats(allow_nan=False, allow_infinity=False, width=64),
                st_text(max_size=20),
            ),
            max_size=5,
        ),
        max_size=4,
    ),
)
def test_scenario_toml_writer_round_trips(
    name: str, description: str, source: str, crossings: dict[str, dict[str, object]]
) -> None:
    text = _border.scenario_toml(
        name=name,
        extends="status-quo",
        description=description,
        crossings=crossings,
        source=source,
    )
    data = tomllib.loads(text)
    assert data["name"] == name and data["description"] == description
    assert data["extends"] == "status-quo"
    expected = {
        cid: {
            k: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
            for k, v in body.items()
        }
        for cid, body in crossings.items()
        if body
    }
    assert {cid: body for cid, body in data.get("crossings", {}).items() if body} == expected
    for cid, body in crossings.items():
        for key in body:
            assert data["sources"][f"crossings.{cid}.{key}"] == source


def test_scenario_comparison_od() -> None:
    at = open_page("views/scenario_comparison.py")
    no_exception(at)
    at.multiselect(key="cmp_scenarios").set_value(["status-quo", "full-integration"])
    at.number_input(key="cmp_window").set_value(72.0)
    at.button[0].click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert set(table["scenario"]) == {"status-quo", "full-integration"}
    assert set(table["mode"]) == {"road", "sea"}
    assert table.groupby("scenario")["wins"].sum().eq(1).all()
    p50 = table.set_index(["scenario", "mode"])["p50_h"]
    # Full integration (through-trucking, single stop, 24 h borders, ...) is not slower by road.
    assert p50[("full-integration", "road")] <= p50[("status-quo", "road")]
    labels = [m.label for m in at.metric]
    assert labels.count("Winning mode") == 2
    assert "Download table (CSV)" in [b.label for b in at.download_button]
    assert len(at.get("vega_lite_chart")) == 2


def test_delay_export_with_sidecar() -> None:
    at = open_page("views/delay_export.py")
    no_exception(at)
    at.multiselect(key="exp_scenarios").set_value(["status-quo", "24h-borders"])
    at.selectbox(key="exp_format").set_value("parquet")
    at.checkbox(key="exp_routes").uncheck()
    at.button[0].click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Scenarios"] == "2" and shown["Seed"] == "1"
    labels = [b.label for b in at.download_button]
    assert labels == [
        "Download delays.parquet",
        "Download delays.parquet.json",
        "Download both (ZIP)",
    ]
    preview = at.dataframe[0].value
    assert set(preview["scenario"]) == {"status-quo", "24h-borders"}
    assert set(preview["level"]) == {"crossing"}
    files = at.session_state["exp_result"]["files"]
    meta = json.loads(files["sidecar"])
    assert meta["seed"] == 1 and meta["format"] == "parquet"
    assert [s["name"] for s in meta["scenarios"]] == ["status-quo", "24h-borders"]
    # Written to this session's own temporary directory, nowhere else.
    folder = at.session_state["_tmpdir"].name
    assert (Path(folder) / "export" / "delays.parquet").is_file()


def test_deferred_chart_png_is_the_projects_chart() -> None:
    import logistics
    import networks
    from app import _compute

    graph = networks.load_network("all")
    route = networks.shortest_route(graph, "Bangkok", "Vientiane")
    png = _compute.chart_png(
        route,
        depart="2026-03-02 18:00",
        scenario=logistics.load_scenario("status-quo"),
        crew="single",
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_bad_scenario_files_are_messages() -> None:
    at = open_page("views/border_parameters.py")
    uploader = at.file_uploader(key="scenario_file")
    uploader.set_value(("broken.toml", b"name = [unclosed\n", "application/toml")).run()
    no_exception(at)
    assert at.error and "TOML" in seen(at.error[0])
    uploader = at.file_uploader(key="scenario_file")
    uploader.set_value(("huge.toml", b"#" * 200_000, "application/toml")).run()
    no_exception(at)
    assert at.error and "the limit is 100 kB" in seen(at.error[0])
    uploader = at.file_uploader(key="scenario_file")
    uploader.set_value(
        ("typo.toml", b'extends = "status-quo"\nsingle_windw_cut = 0.2\n', "text/plain")
    )
    at.run()
    no_exception(at)
    assert at.error and "single_windw_cut" in seen(at.error[0])
    uploader = at.file_uploader(key="scenario_file")
    good = b'extends = "status-quo"\nopening_hours = "24h"\n'
    uploader.set_value(("my-24h.toml", good, "application/toml")).run()
    no_exception(at)
    assert not at.error and at.success and "my-24h" in at.success[0].value
    assert at.session_state["custom_scenarios"]["my-24h"]["scenario"].opening_hours == "24h"


DEMO_FLEET = ROOT / "logistics" / "data" / "demo_fleet.csv"
DEMO_SHIPMENTS = ROOT / "logistics" / "data" / "demo_shipments.csv"


def _upload_page() -> AppTest:
    at = open_page("views/fleet_optimization.py")
    at.radio(key="fleet_source").set_value("Upload my files").run()
    no_exception(at)
    return at


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("shipments.csv", b"id,foo\n1,2\n", "missing column 'shipment_id'"),
        ("shipments.txt", b"whatever", "upload one of .csv, .parquet"),
        ("shipments.parquet", b"not parquet at all", "is not a Parquet file"),
        ("shipments.csv", b"a,b\n" + b"1,2\n" * 6_000, "the limit is 5,000"),
        ("shipments.csv", b"x" * 11_000_000, "the limit is 10 MB"),
        ("shipments.csv", b"", "is empty"),
    ],
)
def test_bad_shipment_uploads_are_messages(name: str, content: bytes, expected: str) -> None:
    at = _upload_page()
    at.file_uploader(key="shipments_file").set_value((name, content, "text/csv"))
    at.file_uploader(key="fleet_file").set_value(("fleet.csv", DEMO_FLEET.read_bytes(), "text/csv"))
    at.run()
    no_exception(at)
    assert at.error, "no message for a bad upload"
    assert expected in seen(at.error[0])


def test_bad_times_in_an_upload_name_the_row() -> None:
    at = _upload_page()
    text = DEMO_SHIPMENTS.read_bytes().replace(b"2026-03-06 14:00", b"next tuesday", 1)
    at.file_uploader(key="shipments_file").set_value(("shipments.csv", text, "text/csv"))
    at.file_uploader(key="fleet_file").set_value(("fleet.csv", DEMO_FLEET.read_bytes(), "text/csv"))
    at.run()
    no_exception(at)
    message = seen(at.error[0]) if at.error else ""
    assert "next tuesday" in message and "row " in message and "is not a date-time" in message


def test_good_upload_is_read() -> None:
    at = _upload_page()
    at.file_uploader(key="shipments_file").set_value(
        ("s.csv", DEMO_SHIPMENTS.read_bytes(), "text/csv")
    )
    at.file_uploader(key="fleet_file").set_value(("f.csv", DEMO_FLEET.read_bytes(), "text/csv"))
    at.run()
    no_exception(at)
    assert not at.error
    shown = {m.label: m.value for m in at.metric}
    assert int(shown["Shipments"]) > 50


def _click(at: AppTest, label: str) -> AppTest:
    """Click the button (or form submit button) labelled ``label`` and rerun."""
    for button in at.button:
        if button.label == label:
            return button.click().run()
    raise AssertionError(f"no button {label!r}")


def _finish(at: AppTest, key: str, *, timeout_s: float = 300) -> AppTest:
    """Wait for this session's solve under ``key`` (a worker process) to end, then rerun."""
    deadline = time.monotonic() + timeout_s
    while key in at.session_state and at.session_state[key]["job"].status.state in _jobs.ACTIVE:
        assert time.monotonic() < deadline, f"{key} still running after {timeout_s} s"
        time.sleep(0.2)
    at.run()
    no_exception(at)
    return at


def _optimize(at: AppTest, label: str = "Optimize") -> AppTest:
    """Press the solve button and wait for the solve to end."""
    _click(at, label)
    no_exception(at)
    return _finish(at, "fleet_job" if label == "Optimize" else "cmp_job")


def _demo_subset(n: int) -> bytes:
    """The first ``n`` demo shipments (with the header and the SYNTHETIC comment) as CSV."""
    lines = DEMO_SHIPMENTS.read_bytes().splitlines(keepends=True)
    return b"".join(lines[: 2 + n])


def _tiny_budget(at: AppTest, prefix: str, *, budget: int = 10) -> None:
    at.number_input(key=f"{prefix}budget").set_value(budget)
    at.number_input(key=f"{prefix}phase1").set_value(5)
    if prefix == "cmp_":
        at.number_input(key=f"{prefix}polish").set_value(5)


def _upload(at: AppTest, shipments: bytes, *, prefix: str = "") -> AppTest:
    at.radio(key=f"{prefix}fleet_source").set_value("Upload my files").run()
    at.file_uploader(key=f"{prefix}shipments_file").set_value(
        ("shipments.csv", shipments, "text/csv")
    )
    at.file_uploader(key=f"{prefix}fleet_file").set_value(
        ("fleet.csv", DEMO_FLEET.read_bytes(), "text/csv")
    )
    at.run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def test_fleet_optimization_on_the_demo_set() -> None:
    at = open_page("views/fleet_optimization.py")
    no_exception(at)
    n_shipments = int({m.label: m.value for m in at.metric}["Shipments"])
    assert at.number_input(key="fleet_budget").value == SolverSettings().phase2_solutions
    _tiny_budget(at, "fleet_")
    _optimize(at)
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.get("progress"), "no progress bar"
    shown = {m.label: m.value for m in at.metric}
    served, dropped = (int(v) for v in shown["Served / dropped"].split(" / "))
    assert served + dropped == n_shipments and served > 0
    plan = at.session_state["fleet_plan"][1]
    k = plan.kpis
    assert shown["Cost per served shipment (USD)"] == f"{k['cost_per_served_usd']:,.0f}"
    assert shown["Optimality gap (at most)"] == f"{k['optimality_gap_max']:.0%}"
    assert 0 < k["objective_lower_bound_usd"] <= k["objective_usd"]
    assert plan.solver["settings"]["phase2_solutions"] == 10
    assert any("stopped by its work budget" in c.value for c in at.caption)
    table = table_with(at, "on_time_probability")
    assert len(table) == n_shipments
    assert {"shipment_id", "status", "mode", "reason", "crossings"} <= set(table.columns)
    # Every dropped shipment is listed with its reason, and the reasons are counted.
    reasons = table_with(at, "reason")
    assert dropped == 0 or any("Dropped shipments" in h.value for h in at.subheader)
    if dropped:
        listed = [f for f in at.dataframe if list(f.value.columns)[-1] == "reason"]
        assert len(listed[0].value) == dropped and listed[0].value["reason"].str.len().gt(0).all()
        counted = sum(int(line.split()[0]) for line in _fleet.dropped_summary(plan))
        assert counted == dropped
    assert len(reasons) == n_shipments
    labels = {b.label for b in at.download_button}
    assert {
        "All plan files (ZIP)",
        "Shipments (CSV)",
        "Legs (CSV)",
        "Routes (GeoJSON)",
        "KPIs (JSON)",
        "Shipments (Parquet)",
    } <= labels
    files = at.session_state["fleet_plan"][2]
    kpis = json.loads(files["KPIs (JSON)"][0])
    assert kpis["served"] == served and kpis["solver"]["stopped_by"] == "budget"
    assert len(at.get("deck_gl_json_chart")) == 1


def test_fleet_plan_repeats_and_says_when_the_time_cap_bound() -> None:
    at = _upload(open_page("views/fleet_optimization.py"), _demo_subset(8))
    _tiny_budget(at, "fleet_")
    _optimize(at)
    no_exception(at)
    assert not at.warning, [w.value for w in at.warning]
    first = at.session_state["fleet_plan"][1]
    _optimize(at)  # the same inputs, budget and seed: the same plan
    again = at.session_state["fleet_plan"][1]
    assert again is not first
    pd.testing.assert_frame_equal(again.shipments, first.shipments)
    assert again.kpis == first.kpis
    # A budget far beyond a tiny safety cap: the cap ends the search, and the page says so.
    at.number_input(key="fleet_budget").set_value(100_000)
    at.number_input(key="fleet_cap").set_value(0.5)
    _optimize(at)
    no_exception(at)
    assert at.session_state["fleet_plan"][1].kpis["stopped_by"] == "time_cap"
    assert at.warning and "safety time cap (0.5 s) ended the search" in at.warning[0].value


def test_nothing_served_is_a_loud_warning() -> None:
    lines = _demo_subset(3).decode().splitlines()
    rows = []
    for line in lines[2:]:  # deliver within two hours of the ready time: infeasible alone
        cells = line.split(",")
        ready = pd.Timestamp(cells[7])
        cells[8] = cells[7]
        cells[9] = (ready + pd.Timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
        rows.append(",".join(cells))
    at = _upload(
        open_page("views/fleet_optimization.py"), "\n".join(lines[:2] + rows).encode() + b"\n"
    )
    _tiny_budget(at, "fleet_")
    _optimize(at)
    no_exception(at)
    assert at.error and "No shipment served" in seen(at.error[0])
    assert "0 of 3" in seen(at.error[0])
    shown = {m.label: m.value for m in at.metric}
    assert shown["Served / dropped"] == "0 / 3"
    assert shown["Cost per served shipment (USD)"] == "—"
    assert any("3 infeasible even alone" in m.value for m in at.markdown)


def test_scenario_comparison_on_a_shipment_set() -> None:
    at = open_page("views/scenario_comparison.py")
    at.multiselect(key="cmp_scenarios").set_value(["status-quo", "through-trucking"])
    at.radio(key="cmp_basis").set_value("A shipment set (fleet optimization)").run()
    _upload(at, _demo_subset(8), prefix="cmp_")
    _tiny_budget(at, "cmp_")
    at.number_input(key="cmp_replicas").set_value(2)
    _optimize(at, "Optimize under each scenario")
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.get("progress"), "no progress bar"
    table = table_with(at, "served_min")
    assert list(table["scenario"]) == ["status-quo", "through-trucking"]
    assert list(table.columns[:4]) == ["scenario", "served", "dropped", "cost_per_served_usd"]
    spread = {f"{k}_{s}" for k in SPREAD_KPIS for s in ("min", "median", "max")}
    assert spread | {"within_spread", "optimality_gap_max", "stopped_by"} <= set(table.columns)
    assert (table["served_min"] <= table["served"]).all()
    assert (table["served"] <= table["served_max"]).all()
    assert ((table["road_share"] + table["sea_share"]).round(6) <= 1.0).all()
    assert any("2 replicas (seeds 0 to 1)" in c.value for c in at.caption)
    labels = {b.label for b in at.download_button}
    assert {"Download table (CSV)", "Download chart (PNG)", "Download all files (ZIP)"} <= labels
    # The deferred downloads are the project's own files.
    _, raw, plans = at.session_state["fleet_compare"][:3]
    names = zipfile.ZipFile(io.BytesIO(_fleet.comparison_zip(raw, plans))).namelist()
    assert {"comparison.csv", "comparison.png", "status-quo/legs.csv"} <= set(names)
    assert _fleet.comparison_png(raw).startswith(b"\x89PNG")


def test_uploaded_scenario_is_used_on_every_page() -> None:
    at = open_page("views/border_parameters.py")
    text = b'extends = "status-quo"\nopening_hours = "24h"\n'
    at.file_uploader(key="scenario_file").set_value(("night_open.toml", text, "text/plain")).run()
    no_exception(at)
    assert at.success and "night-open" in at.success[0].value

    at.switch_page("views/scenario_comparison.py").run()
    no_exception(at)
    assert "night-open" in at.multiselect(key="cmp_scenarios").value
    table = at.dataframe[0].value
    road = table[table["mode"] == "road"].set_index("scenario")["p50_h"]
    assert road["night-open"] <= road["status-quo"]  # borders never closed: never slower

    at.switch_page("views/delay_export.py").run()
    at.multiselect(key="exp_scenarios").set_value(["status-quo", "night-open"])
    at.checkbox(key="exp_routes").uncheck()
    at.button[0].click().run()
    no_exception(at)
    assert set(at.dataframe[0].value["scenario"]) == {"status-quo", "night-open"}

    at.switch_page("views/route_tester.py").run()
    no_exception(at)
    assert at.selectbox(key="scenario").value == "night-open"
    assert not at.error


class _Upload:
    """Stand-in for Streamlit's UploadedFile: a name and bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


@settings(max_examples=200, deadline=None)
@given(
    suffix=st_sampled_from([".csv", ".parquet", ".CSV", ".txt", ""]),
    data=st_binary(max_size=4_000),
)
def test_upload_check_accepts_or_refuses_clearly(
    suffix: str, data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("session")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_state, "session_dir", lambda: folder)
        try:
            path = _state.read_upload(_Upload(f"file{suffix}", data), label="shipments")
        except _state.UploadError as exc:
            assert "'file" in str(exc)  # names the file
        else:
            assert path.parent == folder and path.name == f"shipments{suffix.lower()}"
            assert path.read_bytes() == data


def test_cli_refuses_a_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    from logistics.cli import main

    assert main(["app", "--port", "70000"]) == 2
    assert "--port: 70000 is not a TCP port" in capsys.readouterr().err


def _start_long_solve(at: AppTest) -> _jobs.Job:
    """Start a solve far beyond a test's time (it is stopped by the test) and return its job."""
    _tiny_budget(at, "fleet_", budget=100_000)
    at.number_input(key="fleet_cap").set_value(120.0)
    _click(at, "Optimize")
    no_exception(at)
    job: _jobs.Job = at.session_state["fleet_job"]["job"]
    assert job.status.state in _jobs.ACTIVE
    return job


def test_stop_ends_the_solver_process() -> None:
    at = _upload(open_page("views/fleet_optimization.py"), _demo_subset(8))
    job = _start_long_solve(at)
    # While it runs the page shows its progress and a Stop button, and no result.
    assert at.get("progress") and _fleet.STOP in [b.label for b in at.button]
    assert "Served / dropped" not in [m.label for m in at.metric]
    deadline = time.monotonic() + 60
    while job.status.state == "queued" or not job._procs:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    procs = list(job._procs)
    _click(at, _fleet.STOP)
    no_exception(at)
    assert job.status.state == "stopped"
    assert not any(p.is_alive() for p in procs)
    assert at.warning and "stopped after" in at.warning[0].value
    assert "Served / dropped" not in [m.label for m in at.metric]
    assert _jobs.QUEUE.running() == 0


def test_a_second_session_is_served_while_a_solve_runs() -> None:
    solving = _upload(open_page("views/fleet_optimization.py"), _demo_subset(8))
    job = _start_long_solve(solving)
    try:
        other = open_page("views/route_tester.py")
        other.text_input(key="origin").set_value("Bangkok")
        other.text_input(key="destination").set_value("Vientiane")
        other.button[0].click().run()
        no_exception(other)
        assert not other.error, [e.value for e in other.error]
        assert {m.label for m in other.metric} >= {"Distance", "Door to door P50 / P90"}
        assert job.status.state == "running"  # the other page rendered during the solve
    finally:
        job.stop()


def test_changed_or_invalid_inputs_mark_or_clear_old_results() -> None:
    at = _upload(open_page("views/fleet_optimization.py"), _demo_subset(6))
    _tiny_budget(at, "fleet_")
    _optimize(at)
    assert "Served / dropped" in [m.label for m in at.metric]
    assert not any(w.value.startswith("Stale") for w in at.warning)
    # Other shipments: the old plan stays visible, under a stale banner.
    at.file_uploader(key="shipments_file").set_value(("shipments.csv", _demo_subset(5), "text/csv"))
    at.run()
    no_exception(at)
    assert at.warning and at.warning[0].value.startswith("Stale: inputs changed")
    assert "Served / dropped" in [m.label for m in at.metric]
    # An out-of-range setting: a one-line message naming it, and no old results.
    at.number_input(key="fleet_budget").set_value(0)
    _click(at, "Optimize")
    no_exception(at)
    assert at.error and "Work budget (solutions): 0 is out of range" in seen(at.error[0])
    assert "Served / dropped" not in [m.label for m in at.metric]
    assert "fleet_job" not in at.session_state
    # Valid again: a fresh plan for the new shipments, nothing stale.
    at.number_input(key="fleet_budget").set_value(10)
    _optimize(at)
    assert not any(w.value.startswith("Stale") for w in at.warning)
    assert at.session_state["fleet_plan"][1].kpis["shipments"] == 5


def test_comparison_results_are_marked_stale_when_scenarios_change() -> None:
    at = open_page("views/scenario_comparison.py")
    at.multiselect(key="cmp_scenarios").set_value(["status-quo"])
    at.radio(key="cmp_basis").set_value("A shipment set (fleet optimization)").run()
    _upload(at, _demo_subset(4), prefix="cmp_")
    _tiny_budget(at, "cmp_")
    _optimize(at, "Optimize under each scenario")
    assert not at.warning
    at.multiselect(key="cmp_scenarios").set_value(["status-quo", "24h-borders"]).run()
    no_exception(at)
    assert at.warning and at.warning[0].value.startswith("Stale: inputs changed")


def test_user_text_in_messages_is_shown_as_text() -> None:
    at = open_page("views/route_tester.py")
    at.text_input(key="origin").set_value("**Atlantis** [click](http://example.com) :red[x]")
    at.button[0].click().run()
    no_exception(at)
    typed = "**Atlantis** [click](http://example.com) :red[x]"
    assert f"` unknown place '{typed}'" in at.error[0].value  # a code span: shown as typed
    # Library messages that name a file in the session directory show its name only.
    at = open_page("views/border_parameters.py")
    text = b'extends = "status-quo"\nsingle_windw_cut = 0.2\n'
    at.file_uploader(key="scenario_file").set_value(("typo.toml", text, "text/plain")).run()
    no_exception(at)
    assert at.error and at.error[0].value.startswith("Scenario file: ` ")  # a code span
    assert "single_windw_cut" in seen(at.error[0])
    assert tempfile.gettempdir() not in seen(at.error[0])


def test_an_out_of_range_window_is_a_message_and_no_results() -> None:
    at = open_page("views/route_tester.py")
    assert "Distance" in [m.label for m in at.metric]
    at.number_input(key="window_h").set_value(0.0)
    at.button[0].click().run()
    no_exception(at)
    assert at.error and "Deliver within: 0 h is out of range" in seen(at.error[0])
    assert not at.metric  # no figures of the previous query under the new window


def test_no_pages_folder_beside_the_entry_point() -> None:
    # With app/pages/, Streamlit runs a deep link opened first after a server start as a bare
    # page script, without main.py's navigation and layout: page scripts go in app/views/.
    assert not (ROOT / "app" / "pages").exists(), "move app/pages/*.py to app/views/"
    for page in PAGES:
        assert (ROOT / "app" / page).is_file()


def test_cost_chart_never_shows_an_empty_plan_as_cheapest() -> None:
    from app import _charts

    table = pd.DataFrame(
        {
            "scenario": ["status-quo", "strict"],
            "cost_per_served_usd": [1500.0, float("nan")],  # "strict" served nothing
            "served": [12, 0],
            "dropped": [3, 15],
        }
    )
    spec = _charts.cost_per_served(table, order=["status-quo", "strict"]).to_dict()
    datasets = list(spec["datasets"].values())
    bars, labels = (datasets[0], datasets[1]) if len(datasets[0]) == 1 else datasets[::-1]
    assert [row["scenario"] for row in bars] == ["status-quo"]  # no bar for the empty plan
    assert {row["label"] for row in labels} == {
        "served 12 · dropped 3",
        "nothing served · dropped 15",
    }


def test_jobs_run_at_most_the_servers_limit_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import logistics

    monkeypatch.setenv(_jobs.JOBS_ENV, "1")
    ships, fleet = tuple(logistics.demo_shipments())[:4], tuple(logistics.demo_fleet())
    big = SolverSettings(phase1_solutions=5, phase2_solutions=100_000, time_limit_s=120)
    tiny = SolverSettings(phase1_solutions=5, phase2_solutions=10)
    first = _jobs.submit(_jobs.optimize, corridor="all", shipments=ships, fleet=fleet, settings=big)
    second = _jobs.submit(
        _jobs.optimize, corridor="all", shipments=ships, fleet=fleet, settings=tiny
    )
    try:
        assert first.status.state == "running"
        waiting = second.status
        assert waiting.state == "queued" and waiting.ahead == 1 and not second._procs
        first.stop()  # frees the slot: the queued job starts and finishes
        deadline = time.monotonic() + 120
        while second.status.state in _jobs.ACTIVE:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert second.status.state == "done", second.status.error
        assert second.result.kpis["shipments"] == 4
        assert first.status.state == "stopped" and first.result is None
    finally:
        first.stop()
        second.stop()


def test_a_bad_job_setting_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_jobs.JOBS_ENV, "lots")
    with pytest.raises(_jobs.JobSettingError, match="CORRIDOR_APP_JOBS: 'lots' is not allowed"):
        _jobs.max_jobs()
