"""Scenario comparison: the same trip (or shipment set) under several scenarios, side by side."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app import _charts, _compute, _fleet, _state
from logistics.defaults import DRAWS_ANALYSIS

st.title("Scenario comparison")
st.caption(
    "Door-to-door time, reliability, cost and CO2 under each scenario, by road and by sea, and "
    "which mode wins. Built-in scenarios and the ones saved on the Border parameters page."
)

#: Longest delivery window offered, h.
MAX_WINDOW_H = 24.0 * 60

names = _state.scenario_names()
default = [
    n for n in ("status-quo", "through-trucking", "24h-borders", "full-integration") if n in names
]
last = st.session_state.get("last_saved_scenario")
if last in names and last not in default:
    default.append(last)
chosen = st.multiselect("Scenarios", names, default=default, key="cmp_scenarios")
basis = st.radio(
    "Compare on",
    ["One origin–destination pair", "A shipment set (fleet optimization)"],
    horizontal=True,
    key="cmp_basis",
)
if not chosen:
    st.info("Choose at least one scenario.")
    st.stop()

if basis.startswith("A shipment set"):
    _fleet.compare_page(tuple(chosen))
    st.stop()

with st.form("cmp_form"):
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    origin = c1.text_input("Origin", value="Bangkok", key="cmp_origin")
    destination = c2.text_input("Destination", value="Hanoi", key="cmp_destination")
    via = c3.selectbox("Road via", ["any", "R9", "R12", "R8"], key="cmp_via")
    crew = c4.selectbox("Crew", ["single", "double"], key="cmp_crew")
    c5, c6, c7, c8 = st.columns([2, 2, 3, 3])
    depart_date = c5.date_input("Departure date", value=dt.date(2026, 3, 2), key="cmp_date")
    depart_time = c6.time_input("Departure time", value=dt.time(18, 0), key="cmp_time")
    window_h = c7.number_input(
        "Deliver within (h after departure)",
        value=96.0,
        step=6.0,
        key="cmp_window",
    )
    draws = c8.select_slider(
        "Monte Carlo draws", options=[500, 1000, 2000, 5000], value=DRAWS_ANALYSIS, key="cmp_draws"
    )
    st.form_submit_button("Compare", type="primary")

if not 1.0 <= window_h <= MAX_WINDOW_H:  # checked here, not in the browser (see route tester)
    _state.show_error(
        "Deliver within", f"{window_h:g} h is out of range; use 1 to {MAX_WINDOW_H:,.0f} h"
    )
    st.stop()
depart = f"{depart_date.isoformat()} {depart_time.strftime('%H:%M')}"
od = (origin.strip(), destination.strip(), None if via == "any" else via)
table = _state.guarded(
    lambda: _compute.compare(
        od,
        tuple(chosen),
        depart=depart,
        window_h=float(window_h),
        draws=int(draws),
        crew=crew,
        modes=("road", "sea"),
    ),
    what="Comparison",
)
if table is None:
    st.stop()
for note in table.attrs.get("notes", []):
    st.warning(note)

# ---- KPIs side by side --------------------------------------------------------------------------
st.subheader("Side by side")
winners = table[table["wins"]].set_index("scenario")
cols = st.columns(min(len(chosen), 4))
for i, scenario in enumerate(chosen):
    if scenario not in winners.index:
        continue
    row = winners.loc[scenario]
    with cols[i % len(cols)].container(border=True):
        st.markdown(f"**{scenario}**")
        st.metric("Winning mode", str(row["mode"]))
        st.metric("P50 / P90", f"{row['p50_h']:,.1f} / {row['p90_h']:,.1f} h")
        st.metric("Cost (USD per t)", f"{row['cost_usd_per_t']:,.1f}")
        st.metric("On time", f"{row['on_time_probability']:.0%}")

show = table[
    [
        "scenario",
        "mode",
        "p50_h",
        "p90_h",
        "p95_h",
        "cost_usd",
        "cost_usd_per_t",
        "co2_kg_per_t",
        "on_time_probability",
        "distance_km",
        "crossings",
        "ports",
        "wins",
    ]
]
st.dataframe(
    show,
    hide_index=True,
    column_config={
        "on_time_probability": st.column_config.ProgressColumn(
            "on time", min_value=0.0, max_value=1.0, format="percent"
        ),
        "wins": st.column_config.CheckboxColumn("wins"),
    },
)
st.download_button(
    "Download table (CSV)",
    _state.csv_bytes(table),
    file_name="scenario_comparison.csv",
    mime="text/csv",
    on_click="ignore",
)
st.caption(
    f"Departure {table.attrs.get('depart', depart)}; {table.attrs.get('draws', draws)} draws, "
    f"seed {table.attrs.get('seed', _compute.SEED)} (the same draws for every scenario). The "
    "winner is the cheapest mode per tonne that arrives on time with probability ≥ 0.9, else "
    "the most reliable."
)

# ---- charts -------------------------------------------------------------------------------------
st.subheader("Time, cost and modal split")
long = table.melt(
    id_vars=["scenario", "mode"], value_vars=["p50_h", "p90_h"], var_name="stat", value_name="h"
)
long["series"] = long["mode"] + " " + long["stat"].str.removesuffix("_h").str.upper()
c1, c2 = st.columns(2)
c1.altair_chart(
    _charts.grouped_bars(
        long,
        x="scenario",
        y="h",
        colour="series",
        title="Door-to-door time",
        y_title="hours",
        order=chosen,
    )
)
c2.altair_chart(
    _charts.grouped_bars(
        table,
        x="scenario",
        y="cost_usd_per_t",
        colour="mode",
        title="Cost per tonne",
        y_title="USD per t",
        order=chosen,
    )
)
split = (
    winners.reset_index()
    .groupby("mode")["scenario"]
    .apply(lambda s: ", ".join(s))
    .reset_index()
    .rename(columns={"scenario": "scenarios where it wins"})
)
st.markdown("**Modal split** (winning mode per scenario for this trip)")
st.dataframe(pd.DataFrame(split), hide_index=True)
