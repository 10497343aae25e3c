"""Fleet optimization: route a set of just-in-time shipments with a fleet under a scenario."""

from __future__ import annotations

import streamlit as st

from app import _fleet, _state

st.title("Fleet optimization")
st.caption(
    "Pickup-and-delivery with time windows, capacities and driver hours (OR-Tools), on the "
    "corridor network under a scenario; each plan is replayed through the Monte Carlo delays."
)

if not _state.require("fleet_input"):
    st.stop()

source = st.radio(
    "Shipments and fleet",
    ["Demo set (synthetic)", "Upload my files"],
    horizontal=True,
    key="fleet_source",
)
if source.startswith("Demo"):
    shipments, fleet = _fleet.demo()
    st.caption(
        ":orange[SYNTHETIC demo data] shipped with the package: auto parts and electronics "
        "flows on both corridors; not real shipments, costs are assumptions."
    )
else:
    with st.expander("File format", icon=":material/help:"):
        st.markdown(_fleet.FORMAT_HELP)
    c1, c2 = st.columns(2)
    # No ``type=`` filter: the app checks the format itself and says what is wrong.
    shipments_file = c1.file_uploader("Shipments (CSV or Parquet)", key="shipments_file")
    fleet_file = c2.file_uploader("Fleet (CSV or Parquet)", key="fleet_file")
    if shipments_file is None or fleet_file is None:
        st.info("Upload both a shipments file and a fleet file, or use the demo set.")
        st.stop()
    loaded = _fleet.from_uploads(shipments_file, fleet_file)
    if loaded is None:
        st.stop()
    shipments, fleet = loaded

c1, c2, c3 = st.columns(3)
c1.metric("Shipments", f"{len(shipments)}")
c2.metric("Vehicles", f"{sum(v.count for v in fleet)}")
c3.metric("Vehicle types", f"{len(fleet)}")
with st.expander("Shipments and fleet tables"):
    st.dataframe(_fleet.records_frame(shipments), hide_index=True)
    st.dataframe(_fleet.records_frame(fleet), hide_index=True)

if not _state.require("network", "scenarios", "fleet"):
    st.stop()
