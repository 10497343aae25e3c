"""Logistics on the corridor networks: border delays, scenarios, itineraries, fleet routing.

Public API (see ``docs/architecture.md``)::

    import logistics
    sc = logistics.load_scenario("status-quo")
    it = logistics.build_itinerary(route, "2026-03-02 18:00", sc)
    mc = logistics.simulate(route, "2026-03-02 18:00", sc, draws=10_000, seed=1)
"""

from logistics.costs import CostModel
from logistics.fleet import (
    FleetPlan,
    RoutingError,
    ScenarioTerms,
    SolverSettings,
    compare_fleet,
    evaluate_plan,
    optimize,
    plan_geojson,
    scenario_terms,
    solve_fleet,
    write_comparison,
    write_plan,
)
from logistics.itinerary import (
    Itinerary,
    ItineraryError,
    build_itinerary,
    parse_departure,
    time_cost_distance_chart,
)
from logistics.matrix import MatrixError, TravelMatrix, TravelNetwork, to_solver_int
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
from logistics.rules import (
    CrossingPassage,
    HoursOfService,
    SeaPassage,
    border_stops,
    crossing_passage,
    sea_passage,
)
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
from logistics.shipments import (
    FleetError,
    Shipment,
    ShipmentError,
    VehicleType,
    check_fleet_fits,
    demo_fleet,
    demo_shipments,
    read_fleet,
    read_shipments,
)

__all__ = [
    "CostModel",
    "CountryOverride",
    "CrossingOverride",
    "CrossingPassage",
    "Delay",
    "FleetError",
    "FleetPlan",
    "HoursOfService",
    "Itinerary",
    "ItineraryError",
    "MatrixError",
    "MonteCarloResult",
    "OpeningHours",
    "ParameterError",
    "ParameterSet",
    "PortOverride",
    "RoutingError",
    "Scenario",
    "ScenarioError",
    "ScenarioTerms",
    "SeaPassage",
    "Shipment",
    "ShipmentError",
    "SolverSettings",
    "TravelMatrix",
    "TravelNetwork",
    "VehicleType",
    "border_parameters",
    "border_stops",
    "build_itinerary",
    "check_fleet_fits",
    "compare_fleet",
    "compare_od",
    "country_costs",
    "crossing_passage",
    "delay_estimates",
    "demo_fleet",
    "demo_shipments",
    "diff_scenarios",
    "evaluate_plan",
    "export_delays",
    "general_parameters",
    "list_scenarios",
    "load_parameters",
    "load_scenario",
    "optimize",
    "parse_departure",
    "plan_geojson",
    "port_parameters",
    "read_fleet",
    "read_shipments",
    "scenario_terms",
    "sea_lanes",
    "sea_passage",
    "simulate",
    "solve_fleet",
    "time_cost_distance_chart",
    "to_solver_int",
    "write_comparison",
    "write_plan",
]
