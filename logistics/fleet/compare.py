"""The same shipments and fleet under several scenarios, compared honestly.

* Every scenario is solved sub-problem by sub-problem with the same budgets and seeds.
* Then each scenario restarts from the other scenarios' plans wherever they do better under
  its own terms (re-costed, infeasible shipments dropped), so no scenario is shown worse than
  another scenario's plan would do under it because of search luck.
* With ``replicas`` > 1 the whole comparison runs once per seed, and the table gives the
  spread (min / median / max) of served shipments, cost per served shipment and on-time rate;
  a difference between scenarios smaller than that spread is marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from logistics.defaults import DRAWS_REPLAY
from logistics.fleet.kpis import KPI_COLUMNS
from logistics.fleet.plan import FleetPlan
from logistics.fleet.replay import evaluate_plan
from logistics.fleet.search import SolverSettings
from logistics.fleet.solve import (
    GroupResult,
    Progress,
    Task,
    common_bases,
    merge,
    network_terms,
    prepare,
    run_tasks,
    setup,
)
from logistics.fleet.terms import RoutingError
from logistics.shipments import Shipment, VehicleType

#: Rounds of restarting scenarios from each other's plans (each round only where another
#: scenario's plan improved in the round before). Source: assumption: on the demo the plans
#: settle in 1-2 rounds; a bound keeps the work bounded.
MAX_SEED_ROUNDS = 5
#: KPIs whose spread over replicas is reported.
SPREAD_KPIS = ("served", "cost_per_served_usd", "on_time_rate")


def compare_fleet(
    G: nx.MultiDiGraph,
    shipments: Sequence[Shipment],
    fleet: Sequence[VehicleType],
    scenarios: Sequence[Any],
    *,
    percentile: int = 50,
    soft_windows: bool = False,
    settings: SolverSettings | None = None,
    replicas: int = 1,
    cross_seed: bool = True,
    draws: int = DRAWS_REPLAY,
    params: Any = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, dict[str, FleetPlan]]:
    """Plan ``shipments`` under each scenario, replay each plan, and tabulate.

    Parameters
    ----------
    scenarios : sequence of Scenario or str
        Names must be unique.
    settings : SolverSettings, optional
        Budgets, seed, safety cap and workers (one process per core by default; the plans do
        not depend on it).
    replicas : int
        Runs with seeds ``settings.seed``, ``+1``, ...; the plans returned are the first run's.
    cross_seed : bool
        Let each scenario restart from the other scenarios' better plans.
    draws : int
        Monte Carlo draws per shipment in the replay.
    progress : callable, optional
        ``progress(done, total)`` per sub-problem.

    Returns
    -------
    (DataFrame, dict)
        One row per scenario with :data:`KPI_COLUMNS` (and, with replicas, ``*_min``,
        ``*_median``, ``*_max`` of :data:`SPREAD_KPIS` and ``within_spread``), and the plans by
        scenario name.
    """
    if not scenarios:
        raise RoutingError("scenarios: none given; give at least one scenario")
    if isinstance(replicas, bool) or not isinstance(replicas, int) or not 1 <= replicas <= 50:
        raise RoutingError(f"replicas: bad value {replicas!r}; allowed: an integer from 1 to 50")
    settings = settings or SolverSettings()
    problem = prepare(G, shipments, fleet, settings, soft_windows=soft_windows)
    terms = [network_terms(problem, sc, percentile, params) for sc in scenarios]
    names = [t.name for t in terms]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise RoutingError(f"scenarios: duplicate name(s) {', '.join(dup)}; names must be unique")
    setups = {t.name: setup(problem, t) for t in terms}
    seeds = [settings.seed + r for r in range(replicas)]
    groups = range(len(problem.groups))
    first = [Task(n, g, seed) for seed in seeds for n in names for g in groups]
    polish = cross_seed and len(names) > 1
    # with one driver-hours basis a plan's rests fall on the same stops under every scenario,
    # so a stricter scenario's plan reads into a relaxed one's model
    bases = common_bases(problem, setups) if polish else None
    total = len(first) * (2 if polish else 1)
    found: dict[tuple[int, str, int], GroupResult] = {}
    for task, res in zip(
        first,
        run_tasks(first, problem, setups, settings, progress=progress, total=total, bases=bases),
        strict=True,
    ):
        assert res is not None
        found[(task.seed, task.scenario, task.group)] = res
    # restart each scenario from the others' plans until no plan improves: at that point no
    # scenario's plan is beaten by another scenario's plan re-costed under it
    changed = {(seed, n, g) for seed in seeds for n in names for g in groups} if polish else set()
    rounds = 0
    while changed and rounds < MAX_SEED_ROUNDS:
        rounds += 1
        tasks = [
            Task(
                n,
                g,
                seed,
                own=found[(seed, n, g)].keyed,
                starts={o: found[(seed, o, g)].keyed for o in names if o != n},
            )
            for seed in seeds
            for n in names
            for g in groups
            if any((seed, o, g) in changed for o in names if o != n)
        ]
        results = run_tasks(
            tasks,
            problem,
            setups,
            settings,
            progress=progress,
            done_before=len(first),
            total=total,
            bases=bases,
        )
        changed = set()
        for task, res in zip(tasks, results, strict=True):
            key = (task.seed, task.scenario, task.group)
            if res is not None and res.objective_usd < found[key].objective_usd - 1e-6:
                found[key] = res
                changed.add(key)
    runs: dict[int, dict[str, FleetPlan]] = {}
    for seed in seeds:
        runs[seed] = {}
        for t in terms:
            plan = merge(
                problem, setups[t.name], [found[(seed, t.name, g)] for g in groups], settings
            )
            plan.solver.update(seed_rounds=rounds, seed_fixed_point=not changed)
            runs[seed][t.name] = evaluate_plan(
                plan, G, shipments, scenario=t.scenario, draws=draws, seed=seed, params=params
            )
    plans = runs[seeds[0]]
    table = pd.DataFrame([{c: p.kpis.get(c) for c in KPI_COLUMNS} for p in plans.values()])
    table["relaxes"] = relaxation_column(table, [t.scenario for t in terms], plans)
    if replicas > 1:
        table = _with_spread(table, [runs[s] for s in seeds])
    return table, plans


def relaxation_column(
    table: pd.DataFrame, scenarios: Sequence[Any], plans: dict[str, FleetPlan]
) -> list[str]:
    """Per scenario, the compared scenarios it only relaxes (declared in the scenario files and
    checked at load), each followed by ``ok`` when this plan serves at least as many shipments
    with an objective no higher, else by what went wrong (which would be a bug: the relaxed
    scenario restarted from the stricter one's plan)."""
    from logistics.scenarios import relaxation_pairs

    notes: dict[str, list[str]] = {n: [] for n in table["scenario"]}
    for relaxed, strict in relaxation_pairs(scenarios):
        a, b = plans[relaxed].kpis, plans[strict].kpis
        ok = a["served"] >= b["served"] and a["objective_usd"] <= b["objective_usd"] + 0.01
        notes[relaxed].append(
            f"{strict} ok"
            if ok
            else f"{strict} VIOLATED (served {a['served']} vs {b['served']}, objective USD "
            f"{a['objective_usd']:,.0f} vs {b['objective_usd']:,.0f})"
        )
    return ["; ".join(notes[n]) for n in table["scenario"]]


def _with_spread(table: pd.DataFrame, runs: list[dict[str, FleetPlan]]) -> pd.DataFrame:
    """Min / median / max of :data:`SPREAD_KPIS` over the runs, and ``within_spread``: the
    scenarios whose served count is within the spread of another scenario's."""
    table = table.copy()
    for kpi in SPREAD_KPIS:
        values = [
            [float(run[n].kpis.get(kpi) or np.nan) for run in runs] for n in table["scenario"]
        ]
        table[f"{kpi}_min"] = [np.nanmin(v) for v in values]
        table[f"{kpi}_median"] = [float(np.nanmedian(v)) for v in values]
        table[f"{kpi}_max"] = [np.nanmax(v) for v in values]
    ranges = list(zip(table["served_min"], table["served_max"], strict=True))
    names = list(table["scenario"])
    table["within_spread"] = [
        ";".join(
            names[j] for j, (lo2, hi2) in enumerate(ranges) if j != i and lo <= hi2 and lo2 <= hi
        )
        for i, (lo, hi) in enumerate(ranges)
    ]
    return table
