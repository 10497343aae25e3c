"""Overview page: what the app does, with a link to each page."""

from __future__ import annotations

import streamlit as st

st.title("ASEAN corridor planner")
st.markdown(
    "Door-to-door routes, border delays and harmonization scenarios on the **Bangkok–Hanoi** "
    "corridor (through Lao PDR on R9, R12 and R8, or by sea Laem Chabang–Hai Phong) and the "
    "**Singapore–Malaysia–Thailand** corridor. Everything runs offline on the data shipped "
    "with the package."
)

PAGES = [
    (
        "views/route_tester.py",
        "Route tester",
        "one origin and destination: map, legs, time/cost-distance chart, reliability",
    ),
    (
        "views/scenario_comparison.py",
        "Scenario comparison",
        "the same trip or shipment set under several scenarios, side by side",
    ),
    (
        "views/border_parameters.py",
        "Border parameters",
        "the crossings table with sources; edit it and save a scenario",
    ),
    (
        "views/fleet_optimization.py",
        "Fleet optimization",
        "route a set of just-in-time shipments with a fleet",
    ),
    (
        "views/delay_export.py",
        "Delay export",
        "per-crossing and per-route delay estimates with their sources",
    ),
]

for path, title, blurb in PAGES:
    with st.container(border=True):
        st.page_link(path, label=title, icon=":material/arrow_forward:")
        st.caption(blurb)

st.divider()
st.caption(
    "Road network © OpenStreetMap contributors (ODbL 1.0) via `scgraph_data`; country outlines "
    "Natural Earth (public domain); sea lanes from `searoute` (Eurostat MARNET). Maps are drawn "
    "without basemap tiles, from the shipped country outlines."
)
