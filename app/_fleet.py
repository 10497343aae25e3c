"""Fleet page helpers: inputs, the solver form, runs with a progress bar, results, downloads.

Plans come from :func:`logistics.optimize` (one scenario) and :func:`logistics.compare_fleet`
(several). Their search budgets count work, not seconds, so the same inputs, settings and seed
give the same plan whatever the server load; the time limit is only a safety cap.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pydeck as pdk
import streamlit as st

import logistics
from app import _charts, _compute, _jobs, _maps, _state
from logistics.defaults import DRAWS_REPLAY
from logistics.fleet import SolverSettings, comparison_chart, write_comparison, write_plan
from logistics.fleet.extract import NOT_REACHED

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

#: The library's defaults, shown as the form's defaults.
DEFAULTS = SolverSettings()
#: Largest work budget (solutions per sub-problem and phase) offered on the shared server.
MAX_SOLUTIONS = 100_000
#: Largest safety time cap offered, s.
MAX_TIME_CAP_S = 3_600.0
#: Largest number of replicas (seeds) of a comparison offered.
MAX_REPLICAS = 10


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


def _cell(value: Any) -> Any:
    name = getattr(value, "name", None)
    if dataclasses.is_dataclass(value) and isinstance(name, str):
        return name
    return value


def records_frame(records: Any) -> pd.DataFrame:
    """A table of dataclass records (shipments, vehicle types); places shown by name."""
    rows = [{f.name: _cell(getattr(r, f.name)) for f in dataclasses.fields(r)} for r in records]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ the solver form


@dataclasses.dataclass(frozen=True)
class FleetForm:
    """What the solver form asked for (hashable: part of the stored result's signature)."""

    settings: SolverSettings
    percentile: int
    soft_windows: bool
    replicas: int = 1
    cross_seed: bool = True


def solver_form(prefix: str, *, compare: bool) -> FleetForm | None:
    """The solver widgets of a fleet form (call inside ``st.form``), keyed ``{prefix}budget``,
    ``{prefix}seed``, ``{prefix}cap`` etc.; the validated settings, or None with a message."""
    c1, c2, c3, c4 = st.columns(4)
    budget = c1.number_input(
        "Work budget (solutions)",
        value=DEFAULTS.phase2_solutions,
        step=10,
        key=f"{prefix}budget",
        help="local-search solutions of phase 2 per sub-problem: work, not seconds, so the "
        "same inputs, budget and seed give the same plan on any machine and load",
    )
    seed = c2.number_input(
        "Seed",
        value=DEFAULTS.seed,
        key=f"{prefix}seed",
        help="0 keeps the input order; another seed numbers the shipments in another order, so "
        "the search takes another path (also the seed of the Monte Carlo replay)",
    )
    cap = c3.number_input(
        "Safety time cap (s)",
        value=float(DEFAULTS.time_limit_s or MAX_TIME_CAP_S),
        step=10.0,
        format="%.1f",
        key=f"{prefix}cap",
        help="per sub-problem and phase; only a safety net: when it ends a search before its "
        "budget, the results say so and the plan may not repeat exactly",
    )
    replicas = 1
    if compare:
        replicas = c4.number_input(
            "Replicas (seeds)",
            value=1,
            key=f"{prefix}replicas",
            help="run the whole comparison with seeds seed, seed+1, ...: the table shows the "
            "spread (min / median / max) of served shipments, cost per served shipment and "
            "on-time rate",
        )
    d1, d2, d3, _ = st.columns(4)
    percentile = d1.selectbox(
        "Border times at",
        [50, 90],
        key=f"{prefix}pct",
        format_func=lambda p: f"P{p}",
        help="reliability percentile of border, transloading and port times in the plan",
    )
    soft = d2.checkbox(
        "Soft delivery windows",
        key=f"{prefix}soft",
        help="allow late deliveries at each shipment's lateness cost instead of dropping them",
    )
    cross_seed = True
    if compare:
        cross_seed = d3.checkbox(
            "Cross-seed scenarios",
            value=True,
            key=f"{prefix}cross",
            help="let each scenario restart from the other scenarios' plans wherever they do "
            "better under its own terms, so no scenario looks worse through search luck",
        )
    with st.expander("More solver settings"):
        e1, e2, e3 = st.columns(3)
        phase1 = e1.number_input(
            "Phase-1 solutions",
            value=DEFAULTS.phase1_solutions,
            key=f"{prefix}phase1",
            help="local-search solutions of phase 1 (the uncoupled model) per sub-problem",
        )
        group = e2.number_input(
            "Sub-problem size (shipments)",
            value=DEFAULTS.group_shipments,
            key=f"{prefix}group",
            help="larger shipment sets are split into groups of about this size, each with its "
            "share of the fleet",
        )
        polish = DEFAULTS.seed_polish_solutions
        if compare:
            polish = e3.number_input(
                "Cross-seed solutions",
                value=DEFAULTS.seed_polish_solutions,
                key=f"{prefix}polish",
                help="local-search solutions when a scenario restarts from another scenario's plan",
            )
    settings = _state.guarded(
        lambda: _settings(
            budget=budget,
            seed=seed,
            cap=cap,
            replicas=replicas,
            phase1=phase1,
            group=group,
            polish=polish,
        ),
        what="Solver settings",
    )
    if settings is None:
        return None
    return FleetForm(settings, int(percentile), bool(soft), int(replicas), bool(cross_seed))


#: Bounds of the form's numbers: label -> (lowest, highest). The widgets have none, so an
#: out-of-range value reaches the page and is refused with a message (a browser-side bound
#: would keep the old value, and the old results, under the new text).
BOUNDS: dict[str, tuple[float, float]] = {
    "Work budget (solutions)": (1, MAX_SOLUTIONS),
    "Seed": (0, 2**31 - 1),
    "Safety time cap (s)": (0.1, MAX_TIME_CAP_S),
    "Replicas (seeds)": (1, MAX_REPLICAS),
    "Phase-1 solutions": (1, MAX_SOLUTIONS),
    "Sub-problem size (shipments)": (5, 2000),
    "Cross-seed solutions": (1, MAX_SOLUTIONS),
}


class FormError(ValueError):
    """A number of the solver form out of its bounds."""


def bounded(label: str, value: float) -> float:
    """``value`` if it lies within ``BOUNDS[label]``, else a :class:`FormError` naming both."""
    lo, hi = BOUNDS[label]
    if value is None or not lo <= value <= hi:
        raise FormError(f"{label}: {value!r} is out of range; use {lo:,g} to {hi:,g}")
    return value


def _settings(**values: Any) -> SolverSettings:
    b = {k: bounded(label, values[k]) for k, label in _FIELDS.items()}
    return SolverSettings(
        phase1_solutions=int(b["phase1"]),
        phase2_solutions=int(b["budget"]),
        seed_polish_solutions=int(b["polish"]),
        group_shipments=int(b["group"]),
        seed=int(b["seed"]),
        time_limit_s=float(b["cap"]),
    )


_FIELDS = {
    "budget": "Work budget (solutions)",
    "seed": "Seed",
    "cap": "Safety time cap (s)",
    "replicas": "Replicas (seeds)",
    "phase1": "Phase-1 solutions",
    "group": "Sub-problem size (shipments)",
    "polish": "Cross-seed solutions",
}


def settings_text(form: FleetForm) -> str:
    """One line saying how a plan was searched."""
    s = form.settings
    return (
        f"work budget {s.phase2_solutions:,} phase-2 solutions per sub-problem (phase 1: "
        f"{s.phase1_solutions:,}), seed {s.seed}, sub-problems of about {s.group_shipments} "
        f"shipments, safety cap {s.time_limit_s:g} s"
    )


# ------------------------------------------------------------------ runs with a progress bar


#: Seconds between two looks at a running solve (the page's progress bar).
POLL_S = 1.0
#: Label of the button that stops a running solve.
STOP = "Stop the optimization"


def start_job(
    key: str, fn: Callable[..., Any], *, label: str, signature: Any, **kwargs: Any
) -> None:
    """Queue a solve (:mod:`app._jobs`) for this session under ``key``, stopping the session's
    previous one; ``signature`` (the inputs) is stored with the result."""
    old = st.session_state.get(key)
    if old is not None:
        old["job"].stop()
    job = _state.guarded(lambda: _jobs.submit(fn, corridor=_compute.CORRIDOR, **kwargs), what=label)
    if job is not None:
        st.session_state[key] = {"job": job, "label": label, "signature": signature}


def _status_text(label: str, status: _jobs.Status) -> tuple[float, str]:
    if status.state == "queued":
        return 0.0, (
            f"{label}: waiting for {status.ahead} other optimization(s) on this server "
            f"({status.elapsed_s:,.0f} s so far)…"
        )
    if not status.total:
        return 0.0, f"{label}: travel matrices, then the searches… ({status.elapsed_s:,.0f} s)"
    text = f"{label}: {status.done:.1f} of {status.total} sub-problem searches"
    if status.done >= status.total:
        text += f"; replaying through the Monte Carlo ({DRAWS_REPLAY} draws)…"
    return min(status.done / status.total, 1.0), f"{text} ({status.elapsed_s:,.0f} s)"


@st.fragment(run_every=POLL_S)
def _job_panel(key: str) -> None:
    """Progress bar and Stop button of a running solve, redrawn every :data:`POLL_S` seconds;
    the whole page reruns when the solve ends."""
    entry = st.session_state.get(key)
    if entry is None:
        return
    job = entry["job"]
    status = job.status
    if status.state not in _jobs.ACTIVE:
        st.rerun()
    share, text = _status_text(entry["label"], status)
    st.progress(share, text=text)
    if st.button(STOP, key=f"{key}_stop"):
        job.stop()
        st.rerun()


def follow_job(key: str) -> tuple[Any, Any, str] | None:
    """Show this session's solve under ``key``.

    While it is queued or running: its progress bar and a :data:`STOP` button, then ``st.stop()``
    (the solve runs in its own process; this session's page and every other stay responsive).
    When it has just finished: ``(signature, result, done_text)``, once. When it was stopped or
    failed: a message, and None.
    """
    entry = st.session_state.get(key)
    if entry is None:
        return None
    job, label = entry["job"], entry["label"]
    status = job.status
    if status.state in _jobs.ACTIVE:
        _job_panel(key)
        st.stop()
    if status.state == "done":
        del st.session_state[key]
        return entry["signature"], job.result, f"{label}: done in {status.elapsed_s:,.1f} s"
    if status.state == "stopped":
        st.warning(
            f"{label}: stopped after {status.elapsed_s:,.1f} s; its solver process was ended "
            "and nothing was planned.",
            icon=":material/stop_circle:",
        )
    elif status.error is not None:
        kind, message = status.error
        _state.show_error(label if kind == "input" else f"{label} failed", message)
    return None


def stale_note(stored_signature: Any, signature: Any, button: str) -> None:
    """A banner over results whose inputs are no longer the page's."""
    if stored_signature != signature:
        st.warning(
            f"Stale: inputs changed since these results were computed. Press **{button}** to "
            "update them.",
            icon=":material/history:",
        )


# ------------------------------------------------------------------ one plan


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
    if len(stops) and {"lat", "lon", "kind", "shipment_id", "place"} <= set(stops.columns):
        shown = stops[stops["kind"] != "depot"]
        frame = shown.assign(
            label=shown["kind"].astype(str)
            + " "
            + shown["shipment_id"].astype(str)
            + " · "
            + shown["place"].astype(str)
        )
        layers += _maps.points_layer(
            frame, layer_id="stops", colour=[40, 40, 40, 200], label="label", radius_px=4
        )
    points = [p for r in records for p in r["path"]]
    return _maps.deck(layers, _maps.view_for(points))


def plan_files(plan: Any) -> dict[str, tuple[bytes, str, str]]:
    """Download files of a plan: label -> (bytes, file name, MIME type).

    The files are the project's own (:func:`logistics.fleet.write_plan`, as ``corridor
    optimize`` writes them), written in a private temporary directory and read back, plus a
    ZIP of them all and Parquet copies of the shipments and routes tables.
    """
    mimes = {".csv": "text/csv", ".json": "application/json", ".geojson": "application/geo+json"}
    labels = {
        "shipments.csv": "Shipments (CSV)",
        "routes.csv": "Routes (CSV)",
        "legs.csv": "Legs (CSV)",
        "vehicles.csv": "Vehicles (CSV)",
        "routes.geojson": "Routes (GeoJSON)",
        "kpis.json": "KPIs (JSON)",
    }
    out: dict[str, tuple[bytes, str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="corridor-plan-") as tmp:
        written = write_plan(plan, tmp)
        out["All plan files (ZIP)"] = (_zip(written), "plan.zip", "application/zip")
        for path in written:
            out[labels.get(path.name, path.name)] = (
                path.read_bytes(),
                path.name,
                mimes.get(path.suffix, "application/octet-stream"),
            )
    parquet = "application/vnd.apache.parquet"
    out["Shipments (Parquet)"] = (
        _state.parquet_bytes(plan.shipments),
        "shipments.parquet",
        parquet,
    )
    out["Routes (Parquet)"] = (_state.parquet_bytes(plan.stops), "routes.parquet", parquet)
    return out


def _zip(paths: list[Path], root: Path | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(paths):
            zf.write(p, str(p.relative_to(root)) if root is not None else p.name)
    return buf.getvalue()


def _usd(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):,.0f}"


def dropped_summary(plan: Any) -> list[str]:
    """Why shipments were dropped, counted: infeasible even alone (no plan can serve them),
    not reached within the search budget, and the rest (cost above the drop penalty)."""
    k = plan.kpis
    ship = plan.shipments
    dropped = ship[ship["status"] == "dropped"]
    alone = int(k["shipments"]) - int(k["served_upper_bound"])
    budget = int((dropped["reason"] == NOT_REACHED).sum())
    rest = len(dropped) - alone - budget
    lines = []
    if alone:
        lines.append(
            f"{alone} infeasible even alone (window, capacity, permit or unreachable): no plan "
            "can serve them under this scenario"
        )
    if budget:
        lines.append(
            f"{budget} not reached by the search within its work budget: a larger budget or "
            "more vehicles may serve them"
        )
    if rest:
        lines.append(f"{rest} cheaper to drop than to serve (cost above the drop penalty)")
    return lines


def stop_notes(kpis: Mapping[str, Any], settings: Mapping[str, Any] | None = None) -> None:
    """The loud notes of a plan: nothing served, and the safety cap ending the search."""
    if kpis.get("warning"):
        st.error(
            f"**No shipment served** (0 of {kpis.get('shipments', '?')}): {kpis['warning']}. "
            "The cost of 0 means nothing was planned, not a cheap plan.",
            icon=":material/error:",
        )
    if kpis.get("stopped_by") == "time_cap":
        cap = (settings or {}).get("time_limit_s")
        st.warning(
            f"The safety time cap ({cap:g} s) ended the search before its work budget: this "
            "plan may not repeat exactly. Raise the cap or lower the budget for a repeatable plan."
            if cap
            else "The safety time cap ended the search before its work budget: this plan may "
            "not repeat exactly.",
            icon=":material/timer:",
        )


def show_plan(plan: Any, files: Mapping[str, tuple[bytes, str, str]]) -> None:
    """Notes, KPIs, map, per-shipment and dropped tables, and downloads of a plan."""
    k = plan.kpis
    stop_notes(k, plan.solver.get("settings"))
    m = st.columns(4) + st.columns(4)
    m[0].metric(
        "Served / dropped",
        f"{k['served']} / {k['dropped']}",
        help=f"of {k['shipments']} shipments; at most {k['served_upper_bound']} can be served "
        "(the others are infeasible even alone)",
    )
    m[1].metric(
        "Cost per served shipment (USD)",
        _usd(k["cost_per_served_usd"]),
        help="plan cost divided by the shipments served: a plan that drops shipments never "
        "looks cheap",
    )
    m[2].metric("Cost (USD)", _usd(k["cost_usd"]), help="trucks plus transfers")
    m[3].metric("Vehicles used", f"{k['vehicles_used']}")
    m[4].metric("On-time rate", f"{k['on_time_rate']:.0%}", help="expected share, Monte Carlo")
    m[5].metric("Road / sea", f"{k['road_share']:.0%} / {k['sea_share']:.0%}")
    m[6].metric("Empty km", f"{k['empty_km_share']:.0%}")
    m[7].metric(
        "Optimality gap (at most)",
        f"{k['optimality_gap_max']:.0%}",
        help=f"objective (cost plus drop penalties) USD {_usd(k['objective_usd'])} against a "
        f"lower bound of USD {_usd(k['objective_lower_bound_usd'])}: no plan can do better "
        "than the bound; it is loose, so the true gap is usually smaller",
    )
    stopped = (
        "the safety time cap" if k["stopped_by"] == "time_cap" else "its work budget (repeatable)"
    )
    s = plan.solver
    st.caption(
        f"Scenario {plan.scenario}; border times at P{plan.percentile}; "
        f"{'soft' if plan.soft_windows else 'hard'} delivery windows; search stopped by "
        f"{stopped}; seed {s.get('seed')}, {s.get('groups')} sub-problem(s). "
        f"{k['km']:,.0f} km, {k['driving_h']:,.0f} driving hours, {k['daily_rests']} daily "
        f"rests, {k['co2_kg']:,.0f} kg CO2. On-time probabilities from {k.get('draws')} Monte "
        f"Carlo draws (seed {k.get('seed')})."
    )
    if len(plan.geometry):
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
    dropped = plan.shipments[plan.shipments["status"] == "dropped"]
    if len(dropped):
        st.subheader(f"Dropped shipments ({len(dropped)})")
        st.markdown("\n".join(f"- {line}" for line in dropped_summary(plan)))
        cols = ["shipment_id", "origin", "destination", "weight_t", "reason"]
        st.dataframe(dropped[[c for c in cols if c in dropped]], hide_index=True)
    with st.expander("Vehicles, stops and legs"):
        st.dataframe(plan.vehicles, hide_index=True)
        st.dataframe(plan.stops, hide_index=True)
        # the exact graph node path of every leg, as legs.csv writes it
        paths = [";".join(str(n) for n in path) for path in plan.legs["nodes"]]
        st.dataframe(plan.legs.assign(nodes=paths), hide_index=True)
    items = list(files.items())
    for start in range(0, len(items), 5):
        row = items[start : start + 5]
        for col, (label, (data, name, mime)) in zip(st.columns(5), row, strict=False):
            col.download_button(label, data, file_name=name, mime=mime, on_click="ignore")


def start_plan(
    shipments: tuple[Any, ...],
    fleet: tuple[Any, ...],
    *,
    scenario: str,
    form: FleetForm,
    signature: Any,
) -> None:
    """Queue one plan (:func:`logistics.optimize`: solve and replay) as this session's job."""
    start_job(
        "fleet_job",
        _jobs.optimize,
        label=f"Optimizing under {scenario}",
        signature=signature,
        shipments=shipments,
        fleet=fleet,
        scenario=_state.scenario(scenario),
        percentile=form.percentile,
        soft_windows=form.soft_windows,
        settings=form.settings,
    )


# ------------------------------------------------------------------ several scenarios

#: Columns of the comparison shown first (the rest of the table follows).
COMPARE_FIRST = (
    "scenario",
    "served",
    "dropped",
    "cost_per_served_usd",
    "cost_usd",
    "on_time_rate",
    "vehicles_used",
    "optimality_gap_max",
    "served_upper_bound",
    "stopped_by",
)


def comparison_table(table: pd.DataFrame, plans: Mapping[str, Any]) -> pd.DataFrame:
    """The comparison table with each plan's gap, served upper bound and warning added."""
    extra = pd.DataFrame(
        [
            {
                "scenario": name,
                "optimality_gap_max": plan.kpis.get("optimality_gap_max"),
                "served_upper_bound": plan.kpis.get("served_upper_bound"),
                "warning": plan.kpis.get("warning") or "",
            }
            for name, plan in plans.items()
        ]
    )
    merged = table.merge(extra, on="scenario", how="left")
    first = [c for c in COMPARE_FIRST if c in merged]
    return merged[first + [c for c in merged.columns if c not in first]]


def comparison_zip(table: pd.DataFrame, plans: Mapping[str, Any]) -> bytes:
    """All files of ``corridor compare`` (:func:`logistics.fleet.write_comparison`) as a ZIP.

    Meant as a deferred download: it touches no Streamlit state.
    """
    with tempfile.TemporaryDirectory(prefix="corridor-compare-") as tmp:
        return _zip(write_comparison(table, plans, tmp), root=Path(tmp))


def comparison_png(table: pd.DataFrame) -> bytes:
    """The project's comparison chart (:func:`logistics.fleet.comparison_chart`) as PNG bytes."""
    with tempfile.TemporaryDirectory(prefix="corridor-chart-") as tmp:
        return comparison_chart(table, Path(tmp) / "comparison.png").read_bytes()


def compare_page(names: tuple[str, ...]) -> None:
    """Scenario comparison on a shipment set (:func:`logistics.compare_fleet`)."""
    loaded = inputs(prefix="cmp_")
    if loaded is None:
        return
    shipments, fleet = loaded
    with st.form("cmp_fleet_form"):
        form = solver_form("cmp_", compare=True)
        go = st.form_submit_button("Optimize under each scenario", type="primary")
    if form is None:
        return
    signature = (_state.scenario_keys(names), st.session_state.get("cmp_input_key"), form)
    if go:
        start_job(
            "cmp_job",
            _jobs.compare,
            label=f"{len(names)} scenario(s)",
            signature=signature,
            shipments=shipments,
            fleet=fleet,
            scenarios=[_state.scenario(n) for n in names],
            percentile=form.percentile,
            soft_windows=form.soft_windows,
            settings=form.settings,
            replicas=form.replicas,
            cross_seed=form.cross_seed,
        )
    finished = follow_job("cmp_job")
    if finished is not None:
        done_signature, (table, plans), done_text = finished
        st.session_state["fleet_compare"] = (done_signature, table, plans, done_text)
    stored = st.session_state.get("fleet_compare")
    if stored is None:
        st.info("Press **Optimize under each scenario** to run the comparison.")
        return
    stale_note(stored[0], signature, "Optimize under each scenario")
    st.progress(1.0, text=stored[3])
    _, table, plans, _ = stored
    show_comparison(table, plans, stored[0][2])


def show_comparison(table: pd.DataFrame, plans: Mapping[str, Any], form: FleetForm) -> None:
    """Notes, the comparison table, its downloads and charts."""
    for name, plan in plans.items():
        if plan.kpis.get("warning"):
            st.error(
                f"**{name}: no shipment served** (0 of {plan.kpis['shipments']}): "
                f"{plan.kpis['warning']}. Its cost of 0 means nothing was planned.",
                icon=":material/error:",
            )
    capped = [n for n, p in plans.items() if p.kpis.get("stopped_by") == "time_cap"]
    if capped:
        st.warning(
            f"The safety time cap ({form.settings.time_limit_s:g} s) ended the search before its "
            f"work budget under {', '.join(capped)}: those plans may not repeat exactly.",
            icon=":material/timer:",
        )
    st.caption(
        f"Same shipments and fleet under each scenario; {settings_text(form)}; "
        + (
            "each scenario restarted from the others' plans where they do better under its terms"
            if form.cross_seed and len(plans) > 1
            else "no cross-seeding"
        )
        + ". Cost is shown per served shipment beside what was served."
    )
    if form.replicas > 1:
        seeds = f"{form.settings.seed} to {form.settings.seed + form.replicas - 1}"
        st.caption(
            f"{form.replicas} replicas (seeds {seeds}): the `_min` / `_median` / `_max` columns "
            "give the spread of served shipments, cost per served shipment and on-time rate; "
            "`within_spread` lists the scenarios whose served counts overlap this one's, a "
            "difference within search luck. The other columns are the first replica's."
        )
    shown = comparison_table(table, plans)
    st.dataframe(shown, hide_index=True)
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Download table (CSV)",
        _state.csv_bytes(table),
        file_name="comparison.csv",
        mime="text/csv",
        on_click="ignore",
    )
    c2.download_button(
        "Download chart (PNG)",
        lambda: comparison_png(table),
        file_name="comparison.png",
        mime="image/png",
        on_click="ignore",
    )
    c3.download_button(
        "Download all files (ZIP)",
        lambda: comparison_zip(table, plans),
        file_name="fleet_comparison.zip",
        mime="application/zip",
        on_click="ignore",
    )
    order = list(table["scenario"])
    counts = table.melt(
        id_vars=["scenario"], value_vars=["served", "dropped"], var_name="status", value_name="n"
    )
    d1, d2, d3 = st.columns(3)
    d1.altair_chart(
        _charts.grouped_bars(
            counts,
            x="scenario",
            y="n",
            colour="status",
            title="Shipments served and dropped",
            y_title="shipments",
            order=order,
        )
    )
    d2.altair_chart(_charts.cost_per_served(table, order=order))
    split = table.melt(
        id_vars=["scenario"],
        value_vars=["road_share", "sea_share"],
        var_name="mode",
        value_name="share",
    )
    split["mode"] = split["mode"].str.removesuffix("_share")
    d3.altair_chart(_charts.stacked_share(split, title="Modal split of served", order=order))
