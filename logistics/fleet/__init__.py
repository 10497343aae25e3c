"""Just-in-time fleet routing with OR-Tools, as a package whose modules are its stages.

``terms`` (the corridor rules under a scenario) -> ``instance`` (the problem; no OR-Tools) ->
``model`` (the OR-Tools model, one function per dimension family) -> ``search`` (two phases on
the shared engine, :mod:`logistics.engine`, with a work budget) -> ``extract`` (plan tables) ->
``kpis``. ``decompose`` splits large sets into sub-problems and ``solve`` runs them in worker
processes and merges them in a fixed order; ``replay`` walks each plan's own path through the
Monte Carlo; ``compare`` runs scenarios that seed each other; ``io`` and ``chart`` write.
See ``docs/fleet.md``.
"""

from logistics.fleet.chart import comparison_chart
from logistics.fleet.compare import SPREAD_KPIS, compare_fleet
from logistics.fleet.instance import (
    DROP_PENALTY_USD,
    SERVICE_H,
    Alternative,
    FleetInstance,
    Leg,
    build_instance,
)
from logistics.fleet.io import plan_geojson, write_comparison, write_csv, write_json, write_plan
from logistics.fleet.kpis import KPI_COLUMNS, objective_lower_bound_usd
from logistics.fleet.plan import FleetPlan
from logistics.fleet.replay import evaluate_plan, planned_path
from logistics.fleet.search import SolverSettings, SolverSettingsError
from logistics.fleet.solve import optimize, solve_fleet
from logistics.fleet.terms import PERCENTILES, RoutingError, ScenarioTerms, scenario_terms

__all__ = [
    "DROP_PENALTY_USD",
    "KPI_COLUMNS",
    "PERCENTILES",
    "SERVICE_H",
    "SPREAD_KPIS",
    "Alternative",
    "FleetInstance",
    "FleetPlan",
    "Leg",
    "RoutingError",
    "ScenarioTerms",
    "SolverSettings",
    "SolverSettingsError",
    "build_instance",
    "compare_fleet",
    "comparison_chart",
    "evaluate_plan",
    "objective_lower_bound_usd",
    "optimize",
    "plan_geojson",
    "planned_path",
    "scenario_terms",
    "solve_fleet",
    "write_comparison",
    "write_csv",
    "write_json",
    "write_plan",
]
