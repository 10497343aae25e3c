"""Route tester: one trip on a map, its legs, time/cost-distance chart and reliability."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app import _charts, _compute, _maps, _state

st.title("Route tester")
st.caption(
    "Shortest route on the corridor network between two places (a name from the gazetteer or "
    "`LAT,LON`), walked in time under a scenario, with the spread of door-to-door times."
)

if not _state.require("network"):
    st.stop()

VIAS = ["any", "R9", "R12", "R8"]
MODES = ["road", "sea", "any"]
has_logistics = not _state.missing("scenarios", "itinerary")
scenarios = _state.scenario_names() if has_logistics else []

with st.form("route_form"):
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    origin = c1.text_input("Origin", value="Bangkok", key="origin", help="place name or LAT,LON")
    destination = c2.text_input(
        "Destination", value="Hanoi", key="destination", help="place name or LAT,LON"
    )
    via = c3.selectbox("Via", VIAS, key="via", help="corridor route to force (R9, R12, R8)")
    mode = c4.selectbox("Mode", MODES, key="mode", help="road only, sea (with drayage), or any")
    c5, c6, c7, c8 = st.columns([3, 2, 2, 3])
    scenario = c5.selectbox(
        "Scenario",
        scenarios or ["(not available yet)"],
        key="scenario",
        disabled=not scenarios,
    )
    depart_date = c6.date_input("Departure date", value=dt.date(2026, 3, 2), key="depart_date")
    depart_time = c7.time_input(
        "Departure time", value=dt.time(18, 0), key="depart_time", help="origin's local time"
    )
    window_h = c8.number_input(
        "Delivery window: latest arrival (h after departure)",
        min_value=1.0,
        max_value=24.0 * 30,
        value=72.0,
        step=6.0,
        key="window_h",
    )
    st.form_submit_button("Find route", type="primary")

route_args = (origin.strip(), destination.strip(), None if via == "any" else via, mode)
route = _state.guarded(lambda: _compute.route(*route_args), what="Route")
if route is None:
    st.stop()

depart = f"{depart_date.isoformat()} {depart_time.strftime('%H:%M')}"
itinerary = montecarlo = None
if has_logistics:
    itinerary = _state.guarded(
        lambda: _compute.itinerary(route_args, scenario, depart), what="Itinerary"
    )
    if itinerary is not None:
        montecarlo = _state.guarded(
            lambda: _compute.simulate(route_args, scenario, depart, draws=10_000, seed=1),
            what="Monte Carlo",
        )

# ---- headline figures ------------------------------------------------------------------------
m = st.columns(5)
m[0].metric("Distance", f"{route.distance_km:,.0f} km")
m[1].metric("Driving/sailing time", f"{route.travel_time_h:,.1f} h", help="free flow, no delays")
m[2].metric("Crossings", " → ".join(route.crossings) or "none")
if montecarlo is not None:
    m[3].metric("Door to door P50 / P90", f"{montecarlo.p50_h:,.1f} / {montecarlo.p90_h:,.1f} h")
    m[4].metric("On time", f"{montecarlo.on_time_probability(window_h):.0%}")
st.caption("Countries: " + " → ".join(route.countries) + " · modes: " + " → ".join(route.modes))

# ---- map ---------------------------------------------------------------------------------------
legs = _maps.leg_paths(route)
used = set(route.crossings)
crossings = _compute.crossings()
ports = _compute.ports()
layers = [_maps.path_layer(legs, layer_id="route")]
if not crossings.empty:
    id_col = "crossing_id" if "crossing_id" in crossings else crossings.columns[0]
    label = "name" if "name" in crossings else id_col
    on_route = crossings[id_col].astype(str).isin(used)
    layers += _maps.points_layer(
        crossings[~on_route], layer_id="crossings", colour=[200, 30, 40, 110], label=label
    )
    layers += _maps.points_layer(
        crossings[on_route],
        layer_id="used-crossings",
        colour=_maps.CROSSING_COLOUR,
        label=label,
        radius_px=8,
    )
if not ports.empty:
    label = "name" if "name" in ports else ports.columns[0]
    layers += _maps.points_layer(ports, layer_id="ports", colour=_maps.PORT_COLOUR, label=label)
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
st.dataframe(legs_table, hide_index=True, key="legs_table")

if not has_logistics:
    _state.require("scenarios", "itinerary")
    st.stop()
if itinerary is None:
    st.stop()

# ---- itinerary and chart -------------------------------------------------------------------------
st.subheader("Itinerary")
events = _charts.events_frame(itinerary)
st.dataframe(events, hide_index=True, key="events_table")
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

if montecarlo is None:
    st.stop()
st.subheader("Reliability: door-to-door time")
st.altair_chart(
    _charts.histogram(
        montecarlo.samples_h,
        markers={
            "P50": float(montecarlo.p50_h),
            "P90": float(montecarlo.p90_h),
            "window": float(window_h),
        },
        x_title="door-to-door time (h)",
    )
)
st.caption(
    f"10,000 seeded draws of every delay on the route. P95 {montecarlo.p95_h:,.1f} h. "
    f"Probability of arriving within {window_h:,.0f} h of departure: "
    f"{montecarlo.on_time_probability(window_h):.1%}."
)
crossing_delays = getattr(montecarlo, "crossing_delays", None)
if isinstance(crossing_delays, pd.DataFrame) and not crossing_delays.empty:
    st.markdown("**Per-crossing delays**")
    st.dataframe(crossing_delays, hide_index=True)
