"""Fleet optimization: route a set of just-in-time shipments with a fleet under a scenario."""

from __future__ import annotations

import streamlit as st

from app import _compute, _fleet, _state

st.title("Fleet optimization")
st.caption(
    "Pickup-and-delivery with time windows, capacities and driver hours (OR-Tools), on the "
    "corridor network under a scenario; each plan is replayed through the Monte Carlo delays."
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
    c1, c2, c3, c4 = st.columns(4)
    scenario = c1.selectbox(
        "Scenario", names, index=_state.default_scenario_index(names), key="fleet_scenario"
    )
    limit, percentile, soft, solutions = _fleet.solver_controls(
        "fleet_", [c2, c3, c4, c4], limit_label="Solver time limit (s)", max_limit_s=300
    )
    go = st.form_submit_button("Optimize", type="primary")

signature = (st.session_state.get("input_key"), scenario, limit, solutions, percentile, soft)
if go:
    graph = _compute.network()
    scenario_obj = _state.scenario(scenario)
    time_limit_s, solution_limit, expected_s, how = _fleet.solver_limits("fleet_")
    plan = _state.guarded(
        lambda: _fleet.run_with_progress(
            lambda: _fleet.solve(
                shipments,
                fleet,
                graph=graph,
                scenario=scenario_obj,
                time_limit_s=time_limit_s,
                solution_limit=solution_limit,
                percentile=percentile,
                soft_windows=soft,
            ),
            expected_s=expected_s,
            label=f"Optimizing ({how})…",
        ),
        what="Fleet optimization",
    )
    if plan is not None:
        st.session_state["fleet_plan"] = (signature, plan)

stored = st.session_state.get("fleet_plan")
if stored is None or stored[0] != signature:
    st.info("Press **Optimize** to route these shipments.")
    st.stop()
_fleet.show_plan(stored[1])
