"""Route tester: one trip on a map, its legs, time/cost-distance chart and reliability."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import streamlit as st

import networks
from app import _charts, _compute, _maps, _state
from logistics.defaults import DRAWS_SINGLE

st.title("Route tester")
st.caption(
    "Shortest route on the corridor network between two places (a name from the gazetteer or "
    "`LAT,LON`), walked in time under a scenario, with the spread of door-to-door times."
)

VIAS = ["any", "R9", "R12", "R8"]
DRAWS = DRAWS_SINGLE
SEED = 1
MODES = ["road", "sea", "any"]
#: Longest delivery window offered, h.
MAX_WINDOW_H = 24.0 * 30
scenarios = _state.scenario_names()

with st.form("route_form"):
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    origin = c1.text_input("Origin", value="Bangkok", key="origin", help="place name or LAT,LON")
    destination = c2.text_input(
        "Destination", value="Hanoi", key="destination", help="place name or LAT,LON"
    )
    via = c3.selectbox("Via", VIAS, key="via", help="corridor route to force (R9, R12, R8)")
    mode = c4.selectbox("Mode", MODES, key="mode", help="road only, sea (with drayage), or any")
    c5, c6, c7, c8, c9 = st.columns([3, 2, 2, 1, 2])
    scenario = c5.selectbox(
        "Scenario",
        scenarios,
        index=_state.default_scenario_index(scenarios),
        key="scenario",
    )
    depart_date = c6.date_input("Departure date", value=dt.date(2026, 3, 2), key="depart_date")
    depart_time = c7.time_input(
        "Departure time", value=dt.time(18, 0), key="depart_time", help="origin's local time"
    )
    crew = c8.selectbox("Crew", ["single", "double"], key="crew", help="drivers per truck")
    window_h = c9.number_input(
        "Deliver within (h after departure)",
        value=72.0,
        step=6.0,
        key="window_h",
    )
    st.form_submit_button("Find route", type="primary")
gazetteer = _compute.places()
if not gazetteer.empty:
    with st.expander(f"Places you can name ({len(gazetteer)})", icon=":material/place:"):
        st.dataframe(gazetteer, hide_index=True, height=260)

# No browser-side bounds on the window: a bound there keeps the old value (and the old results)
# under the typed one; here an out-of-range value is a message and no results.
if not 1.0 <= window_h <= MAX_WINDOW_H:
    _state.show_error(
        "Deliver within", f"{window_h:g} h is out of range; use 1 to {MAX_WINDOW_H:,.0f} h"
    )
    st.stop()
route_args = (origin.strip(), destination.strip(), None if via == "any" else via, mode)
route = _state.guarded(lambda: _compute.route(*route_args), what="Route")
if route is None:
    st.stop()

depart = f"{depart_date.isoformat()} {depart_time.strftime('%H:%M')}"
montecarlo = None
itinerary = _state.guarded(
    lambda: _compute.itinerary(route_args, scenario, depart, crew=crew), what="Itinerary"
)
if itinerary is not None:
    montecarlo = _state.guarded(
        lambda: _compute.simulate(route_args, scenario, depart, crew=crew, draws=DRAWS, seed=SEED),
        what="Monte Carlo",
    )

# ---- headline figures ------------------------------------------------------------------------
m = st.columns(5)
m[0].metric("Distance", f"{route.distance_km:,.0f} km")
m[1].metric("Driving/sailing time", f"{route.travel_time_h:,.1f} h", help="free flow, no delays")
m[2].metric("Border crossings", f"{len(route.crossings)}")
if montecarlo is not None:
    mc = montecarlo["summary"]
    on_time = float(np.mean(montecarlo["samples_h"] <= window_h))
    m[3].metric("Door to door P50 / P90", f"{mc['p50_h']:,.1f} / {mc['p90_h']:,.1f} h")
    m[4].metric("On time", f"{on_time:.0%}", help=f"share of draws arriving within {window_h:g} h")
st.caption(
    "Countries: "
    + " → ".join(route.countries)
    + " · crossings: "
    + (" → ".join(route.crossings) or "none")
    + " · modes: "
    + " → ".join(route.modes)
)

# ---- map ---------------------------------------------------------------------------------------
legs = _maps.leg_paths(route)
layers = [_maps.path_layer(legs, layer_id="route")]
layers += _maps.crossing_layers(_compute.crossings(), used=set(route.crossings))
layers += _maps.port_layers(_compute.ports())
points = [p for leg in legs for p in leg["path"]]
st.pydeck_chart(_maps.deck(layers, _maps.view_for(points)), height=460)
st.caption(
    "Route coloured by mode: :green[road] · :blue[sea] · :orange[port access] · :red[border]. "
    "Red dots: crossings (large = used); blue dots: ports. No basemap tiles: outlines are the "
    "shipped Natural Earth polygons."
)

# ---- legs --------------------------------------------------------------------------------------
st.subheader("Legs")
legs_table = pd.DataFrame(route.to_dict()["legs"]).drop(columns=["start", "end"], errors="ignore")
st.dataframe(legs_table, hide_index=True)
st.download_button(
    "Download route (GeoJSON)",
    json.dumps(networks.route_geojson(route)).encode("utf-8"),
    file_name="route.geojson",
    mime="application/geo+json",
    on_click="ignore",
)

if itinerary is None:
    st.stop()

# ---- itinerary and chart -------------------------------------------------------------------------
st.subheader("Itinerary")
events = itinerary["events"]
summary = itinerary["summary"]
i = st.columns(5)
arrive = pd.Timestamp(summary["arrive"])
i[0].metric(
    "Arrival (median delays)",
    arrive.strftime("%d %b %H:%M"),
    help=f"{arrive.isoformat()} (local time at the destination)",
)
i[1].metric("Door to door (median delays)", f"{summary['hours']:,.1f} h")
i[2].metric("Cost per truckload", f"USD {summary['cost_usd']:,.0f}")
i[3].metric("CO2", f"{summary['co2_kg']:,.0f} kg")
i[4].metric("Border time", f"{summary['indicators']['border_time_h']:,.1f} h")
for note in summary.get("notes", []):
    st.caption(note)
st.dataframe(events, hide_index=True)
st.download_button(
    "Download itinerary (CSV)",
    _state.csv_bytes(events),
    file_name="itinerary.csv",
    mime="text/csv",
    on_click="ignore",
)

st.subheader("Time/cost-distance")
chart = _charts.time_cost_distance(events)
if chart is None:
    st.warning("The itinerary has no cumulative km/hours/cost columns to chart.")
else:
    st.altair_chart(chart)
scenario_obj = _state.scenario(scenario)
st.download_button(
    "Download chart (PNG)",
    lambda: _compute.chart_png(route, depart=depart, scenario=scenario_obj, crew=crew),
    file_name="time_cost_distance.png",
    mime="image/png",
    on_click="ignore",
)

if montecarlo is None:
    st.stop()
st.subheader("Reliability: door-to-door time")
st.altair_chart(
    _charts.histogram(
        montecarlo["samples_h"],
        markers={"P50": mc["p50_h"], "P90": mc["p90_h"], "window": float(window_h)},
        x_title="door-to-door time (h)",
    )
)
st.caption(
    f"{DRAWS:,} draws (seed {SEED}) of every delay on the route. P95 {mc['p95_h']:,.1f} h. "
    f"Probability of arriving within {window_h:,.0f} h of departure: {on_time:.1%}."
)
crossing_delays = montecarlo["crossing_delays"]
if not crossing_delays.empty:
    st.markdown("**Per-crossing delays**")
    st.dataframe(crossing_delays, hide_index=True)
