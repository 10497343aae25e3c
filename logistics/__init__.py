"""Logistics on the corridor networks: border delays, scenarios, itineraries, fleet routing.

Public API (see ``docs/architecture.md``)::

    import logistics
    sc = logistics.load_scenario("status-quo")
    it = logistics.build_itinerary(route, "2026-03-02 18:00", sc)
    mc = logistics.simulate(route, "2026-03-02 18:00", sc, draws=10_000, seed=1)
"""

# --- delays, scenarios, itineraries, Monte Carlo, reports (issue 3) ---------------------------
from logistics.costs import CostModel
from logistics.itinerary import (
    Itinerary,
    ItineraryError,
    build_itinerary,
    parse_departure,
    time_cost_distance_chart,
)
from logistics.montecarlo import MonteCarloResult, simulate
from logistics.parameters import (
    Delay,
    OpeningHours,
    ParameterError,
    ParameterSet,
    border_parameters,
    country_costs,
    general_parameters,
    load_parameters,
    port_parameters,
    sea_lanes,
)
from logistics.report import compare_od, delay_estimates, export_delays
from logistics.scenarios import (
    CountryOverride,
    CrossingOverride,
    PortOverride,
    Scenario,
    ScenarioError,
    diff_scenarios,
    list_scenarios,
    load_scenario,
)

__all__ = [
    "CostModel",
    "CountryOverride",
    "CrossingOverride",
    "Delay",
    "Itinerary",
    "ItineraryError",
    "MonteCarloResult",
    "OpeningHours",
    "ParameterError",
    "ParameterSet",
    "PortOverride",
    "Scenario",
    "ScenarioError",
    "border_parameters",
    "build_itinerary",
    "compare_od",
    "country_costs",
    "delay_estimates",
    "diff_scenarios",
    "export_delays",
    "general_parameters",
    "list_scenarios",
    "load_parameters",
    "load_scenario",
    "parse_departure",
    "port_parameters",
    "sea_lanes",
    "simulate",
    "time_cost_distance_chart",
]

# --- fleet routing (issue 4): the fleet engineer's exports go below this line -----------------
# (keep this block; add `from logistics.<module> import ...` and extend __all__ here)
