"""Fleet page helpers: demo and uploaded inputs, the solver run with a progress bar, outputs."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any, TypeVar

import pandas as pd
import pydeck as pdk
import streamlit as st

import logistics
from app import _charts, _compute, _maps, _state
from logistics.fleet import DEFAULT_TIME_LIMIT_S

T = TypeVar("T")

FORMAT_HELP = """
**Shipments**, one row per shipment: `shipment_id`, `origin`, `destination` (gazetteer names or
`LAT,LON`; or `origin_lat`/`origin_lon` and `destination_lat`/`destination_lon` columns),
`ready_time`, `earliest_delivery`, `latest_delivery` (ISO 8601; without an offset, the local time
of the place), `weight_t`, and optionally `volume_m3`, `pallets` or `teu`, `value_usd`,
`lateness_cost_usd_per_h`.

**Fleet**, one row per vehicle type and depot: `vehicle_type`, `depot` (or `depot_lat`/
`depot_lon`), `count`, `capacity_weight_t` (and optionally `capacity_volume_m3`,
`capacity_pallets`, `capacity_teu`), `cost_per_km_usd`, `cost_per_h_usd`, `fixed_cost_usd`,
`crew` (`single`/`double`), `country` (ISO alpha-2), `cross_border_permit` (yes/no).

Files up to 10 MB and 5,000 rows.
"""


@st.cache_resource(show_spinner="Loading the demo set…")
def demo() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The shipped synthetic demo shipments and fleet (immutable, shared)."""
    return tuple(logistics.demo_shipments()), tuple(logistics.demo_fleet())


def from_uploads(shipments_file: Any, fleet_file: Any) -> tuple[Any, Any] | None:
    """Validate uploaded files with the project's readers; show problems with ``st.error``.

    The parsed objects are kept in this session only (keyed by the files' upload ids), so the
    same upload is not parsed again on every rerun.
    """
    key = (getattr(shipments_file, "file_id", None), getattr(fleet_file, "file_id", None))
    cached = st.session_state.get("fleet_uploads")
    if cached is not None and cached[0] == key:
        return cached[1]
    fleet = _state.guarded(
        lambda: logistics.read_fleet(_state.read_upload(fleet_file, label="fleet")),
        what="Fleet file",
    )
    if fleet is None:
        return None
    shipments = _state.guarded(
        lambda: logistics.read_shipments(
            _state.read_upload(shipments_file, label="shipments"), fleet=fleet
        ),
        what="Shipments file",
    )
    if shipments is None:
        return None
    result = (tuple(shipments), tuple(fleet))
    st.session_state["fleet_uploads"] = (key, result)
    return result


def _cell(value: Any) -> Any:
    name = getattr(value, "name", None)
    if dataclasses.is_dataclass(value) and isinstance(name, str):
        return name
    return value


def records_frame(records: Any) -> pd.DataFrame:
    """A table of dataclass records (shipments, vehicle types); places shown by name."""
    rows = [{f.name: _cell(getattr(r, f.name)) for f in dataclasses.fields(r)} for r in records]
    return pd.DataFrame(rows)


#: Monte Carlo draws of the plan replay, and its seed.
REPLAY_DRAWS = 500


def run_with_progress(action: Callable[[], T], *, expected_s: float, label: str) -> T:
    """Run ``action`` in a worker thread while a ``st.progress`` bar shows the elapsed time.

    The solver is time-limited, so elapsed / expected is an honest progress measure; the bar
    stops short of full until the run returns. Exceptions propagate to the caller.
    """
    bar = st.progress(0.0, text=label)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="corridor-solver") as pool:
        future = pool.submit(action)
        while True:
            try:
                result = future.result(timeout=0.25)
                break
            except FuturesTimeout:
                elapsed = time.monotonic() - start
                bar.progress(
                    min(elapsed / max(expected_s, 1e-6), 0.99),
                    text=f"{label} {elapsed:,.0f} s of about {expected_s:,.0f} s",
                )
    bar.progress(1.0, text=f"{label} done in {time.monotonic() - start:,.1f} s")
    return result


def solve(
    shipments: tuple[Any, ...],
    fleet: tuple[Any, ...],
    *,
    graph: Any,
    scenario: Any,
    time_limit_s: float | None,
    solution_limit: int | None,
    percentile: int,
    soft_windows: bool,
) -> Any:
    """Solve and replay one plan (``solve_fleet`` then ``evaluate_plan``).

    Runs in a worker thread, so it touches no Streamlit state: the graph and the scenario object
    are resolved by the caller on the script thread.
    """
    plan = logistics.solve_fleet(
        graph,
        shipments,
        fleet,
        scenario=scenario,
        percentile=percentile,
        soft_windows=soft_windows,
        time_limit_s=time_limit_s,
        solution_limit=solution_limit,
        seed=_compute.SEED,
    )
    return logistics.evaluate_plan(
        plan, graph, shipments, scenario=scenario, draws=REPLAY_DRAWS, seed=_compute.SEED
    )


def solver_controls(
    prefix: str, columns: list[Any], *, limit_label: str, max_limit_s: int
) -> tuple[int, int, bool, int]:
    """The solver widgets of a fleet form, keyed ``{prefix}limit`` etc. (read back by
    :func:`solver_limits`), in the four given columns (one may repeat).

    Returns the time limit (s), the border percentile, soft windows and the solution limit.
    """
    limit = columns[0].slider(
        limit_label,
        1,
        max_limit_s,
        int(DEFAULT_TIME_LIMIT_S),
        key=f"{prefix}limit",
        help="the demo set needs about 30 s per scenario for repeatable plans",
    )
    percentile = columns[1].selectbox(
        "Border times at",
        [50, 90],
        key=f"{prefix}pct",
        format_func=lambda p: f"P{p}",
        help="reliability percentile of border, transloading and port times in the plan",
    )
    soft = columns[2].checkbox(
        "Soft delivery windows",
        key=f"{prefix}soft",
        help="allow late deliveries at each shipment's lateness cost instead of dropping them",
    )
    solutions = columns[3].number_input(
        "Stop after N solutions (0: use the time limit)",
        min_value=0,
        max_value=1000,
        value=0,
        key=f"{prefix}solutions",
        help="reproducible: the same plan every run, no time limit",
    )
    return int(limit), int(percentile), bool(soft), int(solutions)


def solver_limits(prefix: str) -> tuple[float | None, int | None, float, str]:
    """Time limit and solution limit from the form widgets, the expected run time and its text.

    With "stop after N solutions" set, the run has no time limit and gives the same plan every
    time (the OR-Tools search has no random seed).
    """
    limit = float(st.session_state[f"{prefix}limit"])
    solutions = int(st.session_state.get(f"{prefix}solutions", 0) or 0)
    if solutions > 0:
        return None, solutions, 10.0, f"first {solutions} solution(s), no time limit"
    return limit, None, limit + 2.0, f"time limit {limit:g} s"


def plan_map(plan: Any) -> pdk.Deck:
    """Vehicle routes (one colour per vehicle) and stops on the tile-free map."""
    records: list[dict[str, Any]] = []
    for i, (vehicle, coords) in enumerate(sorted(plan.geometry.items())):
        if len(coords) < 2:
            continue
        records.append(
            {
                "path": [list(c) for c in coords],
                "name": str(vehicle),
                "colour": [*_maps.VEHICLE_COLOURS[i % len(_maps.VEHICLE_COLOURS)], 220],
            }
        )
    layers = [_maps.path_layer(records, layer_id="vehicles", width_px=3)]
    stops = plan.stops
    if {"lat", "lon"} <= set(stops.columns):
        shown = stops[stops["kind"] != "depot"] if "kind" in stops else stops
        frame = shown.assign(
            label=shown.get("kind", "").astype(str)
            + " "
            + shown.get("shipment_id", "").astype(str)
            + " · "
            + shown.get("place", "").astype(str)
        )
        layers += _maps.points_layer(
            frame, layer_id="stops", colour=[40, 40, 40, 200], label="label", radius_px=4
        )
    points = [p for r in records for p in r["path"]]
    return _maps.deck(layers, _maps.view_for(points))


def plan_downloads(plan: Any) -> dict[str, tuple[bytes, str, str]]:
    """Download files of a plan: label -> (bytes, file name, MIME type)."""
    out: dict[str, tuple[bytes, str, str]] = {
        "Shipments (CSV)": (_state.csv_bytes(plan.shipments), "shipments.csv", "text/csv"),
        "Routes (CSV)": (_state.csv_bytes(plan.stops), "routes.csv", "text/csv"),
        "Vehicles (CSV)": (_state.csv_bytes(plan.vehicles), "vehicles.csv", "text/csv"),
    }
    text = json.dumps(logistics.plan_geojson(plan), default=str)
    out["Routes (GeoJSON)"] = (text.encode("utf-8"), "routes.geojson", "application/geo+json")
    parquet = "application/vnd.apache.parquet"
    out["Shipments (Parquet)"] = (
        _state.parquet_bytes(plan.shipments),
        "shipments.parquet",
        parquet,
    )
    out["Routes (Parquet)"] = (_state.parquet_bytes(plan.stops), "routes.parquet", parquet)
    kpis = json.dumps({**plan.kpis, "solver": plan.solver}, default=str, indent=2)
    out["KPIs (JSON)"] = (kpis.encode("utf-8"), "kpis.json", "application/json")
    return out


def show_plan(plan: Any) -> None:
    """KPIs, map, per-shipment table and downloads of a solved plan."""
    k = plan.kpis
    m = st.columns(3) + st.columns(3)
    m[0].metric("Cost (USD)", f"{k['cost_usd']:,.0f}")
    m[1].metric("Vehicles used", f"{k['vehicles_used']}")
    m[2].metric("Served / dropped", f"{k['served']} / {k['dropped']}")
    m[3].metric("On-time rate", f"{k['on_time_rate']:.0%}", help="expected share, Monte Carlo")
    m[4].metric("Road / sea", f"{k['road_share']:.0%} / {k['sea_share']:.0%}")
    m[5].metric("Empty km", f"{k['empty_km_share']:.0%}")
    st.caption(
        f"Scenario {plan.scenario}; border times at P{plan.percentile}; "
        f"{'soft' if plan.soft_windows else 'hard'} delivery windows; {k['km']:,.0f} km, "
        f"{k['driving_h']:,.0f} driving hours, {k['daily_rests']} daily rests, "
        f"{k['co2_kg']:,.0f} kg CO2. On-time probabilities "
        f"from {REPLAY_DRAWS} Monte Carlo draws (seed {_compute.SEED})."
    )
    st.pydeck_chart(plan_map(plan), height=460)
    st.subheader("Shipments")
    st.dataframe(
        plan.shipments,
        hide_index=True,
        column_config={
            "on_time_probability": st.column_config.ProgressColumn(
                "on time", min_value=0.0, max_value=1.0, format="percent"
            )
        },
    )
    with st.expander("Vehicles and stops"):
        st.dataframe(plan.vehicles, hide_index=True)
        st.dataframe(plan.stops, hide_index=True)
    files = _state.guarded(lambda: plan_downloads(plan), what="Downloads")
    if files:
        cols = st.columns(len(files))
        for col, (label, (data, name, mime)) in zip(cols, files.items(), strict=True):
            col.download_button(label, data, file_name=name, mime=mime, on_click="ignore")


def compare_page(names: tuple[str, ...]) -> None:
    """Scenario comparison on a shipment set: one plan per scenario, KPIs side by side."""
    loaded = inputs(prefix="cmp_")
    if loaded is None:
        return
    shipments, fleet = loaded
    with st.form("cmp_fleet_form"):
        limit, percentile, soft, solutions = solver_controls(
            "cmp_", list(st.columns(4)), limit_label="Solver time per scenario (s)", max_limit_s=120
        )
        go = st.form_submit_button("Optimize under each scenario", type="primary")
    signature = (names, st.session_state.get("cmp_input_key"), limit, solutions, percentile, soft)
    if go:
        graph = _compute.network()
        time_limit_s, solution_limit, expected_s, _ = solver_limits("cmp_")
        rows = []
        for name in names:
            scenario = _state.scenario(name)

            def run(scenario: Any = scenario) -> Any:
                return solve(
                    shipments,
                    fleet,
                    graph=graph,
                    scenario=scenario,
                    time_limit_s=time_limit_s,
                    solution_limit=solution_limit,
                    percentile=percentile,
                    soft_windows=soft,
                )

            def timed(run: Callable[[], Any] = run, name: str = name) -> Any:
                return run_with_progress(run, expected_s=expected_s, label=f"Scenario {name}:")

            plan = _state.guarded(timed, what=f"Scenario {name}")
            if plan is None:
                return
            kpis = {k: v for k, v in plan.kpis.items() if k != "scenario"}
            rows.append({"scenario": name, **kpis})
        st.session_state["fleet_compare"] = (signature, pd.DataFrame(rows))
    stored = st.session_state.get("fleet_compare")
    if stored is None or stored[0] != signature:
        st.info("Press **Optimize under each scenario** to run the comparison.")
        return
    table: pd.DataFrame = stored[1]
    st.dataframe(table, hide_index=True)
    st.download_button(
        "Download table (CSV)",
        _state.csv_bytes(table),
        file_name="fleet_comparison.csv",
        mime="text/csv",
        on_click="ignore",
    )
    c1, c2 = st.columns(2)
    c1.altair_chart(
        _charts.grouped_bars(
            table.assign(kind="cost"),
            x="scenario",
            y="cost_usd",
            colour="kind",
            title="Plan cost",
            y_title="USD",
            order=list(names),
        )
    )
    split = table.melt(
        id_vars=["scenario"],
        value_vars=["road_share", "sea_share"],
        var_name="mode",
        value_name="share",
    )
    split["mode"] = split["mode"].str.removesuffix("_share")
    c2.altair_chart(
        _charts.stacked_share(split, title="Modal split (share of shipments)", order=list(names))
    )


def inputs(*, prefix: str = "") -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """Demo or uploaded shipments and fleet, validated; None (with a message) when missing."""
    source = st.radio(
        "Shipments and fleet",
        ["Demo set (synthetic)", "Upload my files"],
        horizontal=True,
        key=f"{prefix}fleet_source",
    )
    if source.startswith("Demo"):
        st.caption(
            ":orange[SYNTHETIC demo data] shipped with the package: auto parts and electronics "
            "flows on both corridors; not real shipments, costs are assumptions."
        )
        st.session_state[f"{prefix}input_key"] = "demo"
        return demo()
    with st.expander("File format", icon=":material/help:"):
        st.markdown(FORMAT_HELP)
    c1, c2 = st.columns(2)
    # No ``type=`` filter: the app checks the format itself and says what is wrong.
    shipments_file = c1.file_uploader("Shipments (CSV or Parquet)", key=f"{prefix}shipments_file")
    fleet_file = c2.file_uploader("Fleet (CSV or Parquet)", key=f"{prefix}fleet_file")
    if shipments_file is None or fleet_file is None:
        st.info("Upload both a shipments file and a fleet file, or use the demo set.")
        return None
    st.session_state[f"{prefix}input_key"] = (shipments_file.file_id, fleet_file.file_id)
    return from_uploads(shipments_file, fleet_file)
