"""Fleet optimization: route a set of just-in-time shipments with a fleet under a scenario."""

from __future__ import annotations

import streamlit as st

from app import _fleet, _state

st.title("Fleet optimization")
st.caption(
    "Pickup-and-delivery with time windows, capacities and driver hours (OR-Tools), on the "
    "corridor network under a scenario; each plan is replayed through the Monte Carlo delays. "
    "The search counts work, not seconds: the same inputs, budget and seed give the same plan."
)

loaded = _fleet.inputs()
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

names = _state.scenario_names()
with st.form("fleet_form"):
    scenario = st.selectbox(
        "Scenario", names, index=_state.default_scenario_index(names), key="fleet_scenario"
    )
    form = _fleet.solver_form("fleet_", compare=False)
    go = st.form_submit_button("Optimize", type="primary")
signature = (st.session_state.get("input_key"), _state.scenario_keys([scenario]), form)
if go and form is not None:
    _fleet.start_plan(shipments, fleet, scenario=scenario, form=form, signature=signature)
finished = _fleet.follow_job("fleet_job")
if finished is not None:
    done_signature, plan, done_text = finished
    files = _state.guarded(lambda: _fleet.plan_files(plan), what="Plan files") or {}
    st.session_state["fleet_plan"] = (done_signature, plan, files, done_text)
if form is None:  # an invalid setting: the message is shown, older results are not
    st.stop()

stored = st.session_state.get("fleet_plan")
if stored is None:
    st.info("Press **Optimize** to route these shipments.")
    st.stop()
_fleet.stale_note(stored[0], signature, "Optimize")
st.progress(1.0, text=stored[3])
_fleet.show_plan(stored[1], stored[2])
