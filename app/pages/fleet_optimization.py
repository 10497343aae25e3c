"""Fleet optimization: route a set of just-in-time shipments with a fleet under a scenario."""

from __future__ import annotations

from typing import Any

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
if form is None:
    st.stop()

signature = (st.session_state.get("input_key"), scenario, form)
if go:
    scenario_obj = _state.scenario(scenario)

    def solve(progress: _fleet.Progress, form: _fleet.FleetForm = form) -> Any:
        return _fleet.solve_plan(
            shipments, fleet, scenario=scenario_obj, form=form, progress=progress
        )

    plan = _state.guarded(
        lambda: _fleet.run_locked(solve, label=f"Optimizing under {scenario}"),
        what="Fleet optimization",
    )
    if plan is not None:
        files = _state.guarded(lambda: _fleet.plan_files(plan), what="Plan files") or {}
        st.session_state["fleet_plan"] = (signature, plan, files)

stored = st.session_state.get("fleet_plan")
if stored is None or stored[0] != signature:
    st.info("Press **Optimize** to route these shipments.")
    st.stop()
_fleet.show_plan(stored[1], stored[2])
