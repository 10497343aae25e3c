"""Solve a shipment set under one or more scenarios: prepare once, split into sub-problems,
search each (in worker processes), let scenarios seed each other, merge in a fixed order.

Everything a plan depends on is its inputs, the settings and the seed: budgets count work, the
merge order is fixed, and workers only change how fast the same plans come out.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from logistics.fleet.decompose import Group, expand_fleet, split
from logistics.fleet.extract import LEG_COLUMNS, VEHICLE_COLUMNS, extract
from logistics.fleet.instance import (
    CENTS_PER_USD,
    SERVICE_H,
    FleetInstance,
    Stops,
    build_instance,
    stop_places,
)
from logistics.fleet.kpis import kpis, objective_lower_bound_usd
from logistics.fleet.model import CommonBasis
from logistics.fleet.plan import FleetPlan
from logistics.fleet.search import (
    KeyedRoutes,
    SolverSettings,
    keyed_routes,
    polish_instance,
    routes_of,
    solve_instance,
)
from logistics.fleet.terms import RoutingError, ScenarioTerms, bridges_h, scenario_terms
from logistics.matrix import BorderTerms, TravelMatrix, TravelNetwork
from logistics.shipments import Shipment, VehicleType

log = logging.getLogger(__name__)

#: progress(done, total): sub-problems solved so far, fractional while one is solved in this
#: process (the CLI draws tqdm, the app st.progress).
Progress = Callable[[float, int], None]


@dataclass
class Problem:
    """A shipment set and fleet prepared once for every scenario: stops, sub-problems, and the
    road matrix of vehicles without a cross-border permit (no border edge at all, so it does
    not depend on the scenario)."""

    net: TravelNetwork
    shipments: tuple[Shipment, ...]
    vehicles: list[VehicleType]
    groups: list[Group]
    stops: Stops
    mat_domestic: TravelMatrix
    soft_windows: bool
    allow_sea: bool
    service_h: float
    deadline: float | None = None  # time.monotonic() at which settings.time_limit_s is spent


@dataclass
class Setup:
    """One scenario's terms and travel matrices over the problem's stops."""

    terms: ScenarioTerms
    mat: TravelMatrix
    sea: TravelMatrix | None
    sea_ports: list[str]
    matrix_s: float = 0.0


@dataclass
class GroupResult:
    """One sub-problem solved under one scenario with one seed."""

    scenario: str
    group: int
    seed: int
    plan: FleetPlan
    keyed: dict[int, list[Any]]
    objective_usd: float
    lower_bound_usd: float
    stopped_by: str
    start: str
    infeasible_alone: int
    stats: dict[str, Any] = field(default_factory=dict)


def prepare(
    G: nx.MultiDiGraph | TravelNetwork,
    shipments: Sequence[Shipment],
    fleet: Sequence[VehicleType],
    settings: SolverSettings,
    *,
    soft_windows: bool = False,
    allow_sea: bool = True,
    service_h: float = SERVICE_H,
) -> Problem:
    """Stops and sub-problems of a shipment set (scenario-independent). The solve's time limit
    starts here (``Problem.deadline``)."""
    start = time.monotonic()
    if not shipments:
        raise RoutingError("no shipments to route")
    if not fleet or sum(v.count for v in fleet) == 0:
        raise RoutingError("empty fleet: no vehicles to route with")
    net = G if isinstance(G, TravelNetwork) else TravelNetwork(G)
    vehicles, _ = expand_fleet(fleet)
    stops = stop_places(net, shipments, fleet)
    closed = {key: BorderTerms(delay_h=math.inf) for key in net.border_keys}
    return Problem(
        net=net,
        shipments=tuple(shipments),
        vehicles=vehicles,
        groups=split(shipments, fleet, settings.group_shipments),
        stops=stops,
        mat_domestic=net.road_matrix(stops.places, border_terms=closed, stop_nodes=stops.nodes),
        soft_windows=soft_windows,
        allow_sea=allow_sea,
        service_h=service_h,
        deadline=None if settings.time_limit_s is None else start + settings.time_limit_s,
    )


def network_terms(problem: Problem, scenario: Any, percentile: int, params: Any) -> ScenarioTerms:
    """The scenario's terms for the crossings of the problem's network (with their bridges)."""
    net = problem.net
    return scenario_terms(
        scenario,
        percentile=percentile,
        params=params,
        crossings=net.border_keys,
        bridges_h=bridges_h(net),
    )


def setup(problem: Problem, terms: ScenarioTerms) -> Setup:
    """Road matrix of every stop under ``terms`` (border delays per crossing and direction),
    and the sea matrix between ports."""
    t = time.perf_counter()
    net = problem.net
    mat = net.road_matrix(
        problem.stops.places, border_terms=terms.border_terms(), stop_nodes=problem.stops.nodes
    )
    sea_ports = [p for p in sorted(net.port_node) if p in terms.port_country]
    sea = net.sea_matrix(sea_ports) if (problem.allow_sea and len(sea_ports) > 1) else None
    return Setup(terms, mat, sea, sea_ports, time.perf_counter() - t)


def group_instance(
    problem: Problem,
    st: Setup,
    g: int,
    seed: int,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> FleetInstance:
    """The instance of sub-problem ``g``; ``seed`` > 0 numbers its shipments in a seeded order;
    ``extra``: more alternative keys per shipment id (see :func:`build_instance`)."""
    grp = problem.groups[g]
    ships = [problem.shipments[i] for i in grp.shipments]
    order = None if seed == 0 else list(np.random.default_rng(seed).permutation(len(ships)))
    return build_instance(
        problem.net,
        ships,
        [problem.vehicles[k] for k in grp.vehicles],
        st.terms,
        mat=st.mat,
        stops=problem.stops,
        sea=st.sea,
        sea_ports=st.sea_ports,
        vehicle_index=grp.vehicles,
        soft_windows=problem.soft_windows,
        service_h=problem.service_h,
        order=order,
        extra=extra,
        mat_domestic=problem.mat_domestic,
    )


def common_bases(problem: Problem, setups: Mapping[str, Setup]) -> dict[int, CommonBasis]:
    """Per sub-problem, the driver-hours basis the scenarios share: built from each scenario's
    instance offering every alternative any of them offers, so that one scenario's plan reads
    into another's model with its daily rests on the same stops (``docs/fleet.md``)."""
    out = {}
    for g in range(len(problem.groups)):
        keys: dict[str, list[str]] = {}
        for st in setups.values():
            for sid, alts in alternative_keys(group_instance(problem, st, g, 0)).items():
                keys.setdefault(sid, [])
                keys[sid] += [k for k in alts if k not in keys[sid]]
        out[g] = CommonBasis.of([group_instance(problem, st, g, 0, keys) for st in setups.values()])
    return out


def alternative_keys(inst: FleetInstance) -> dict[str, list[str]]:
    """Alternative keys per shipment id that ``inst`` offers."""
    return {
        inst.shipments[si].shipment_id: [a.key for a in options]
        for si, options in enumerate(inst.alternatives)
        if options
    }


def plan_keys(*keyed: KeyedRoutes) -> dict[str, list[str]]:
    """Alternative keys per shipment id used by plans (their keyed routes)."""
    out: dict[str, list[str]] = {}
    for routes in keyed:
        for stops in routes.values():
            for sid, key, _, _ in stops:
                if key not in out.setdefault(sid, []):
                    out[sid].append(key)
    return out


# ------------------------------------------------------------------ tasks (run in workers)

#: What the worker processes read (set before the pool forks, so it is shared, not pickled).
_STATE: dict[str, Any] = {}


@dataclass(frozen=True)
class Task:
    """Solve sub-problem ``group`` under ``scenario`` (phase 1 + 2), or, with ``own``, restart
    from the best of its own plan and the other scenarios' plans (``starts``)."""

    scenario: str
    group: int
    seed: int
    own: KeyedRoutes | None = None
    starts: Mapping[str, KeyedRoutes] | None = None


def run_task(
    task: Task,
    state: Mapping[str, Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> GroupResult | None:
    """One sub-problem, in a worker (``state`` from the fork) or in this process."""
    state = _STATE if state is None else state
    problem: Problem = state["problem"]
    st: Setup = state["setups"][task.scenario]
    settings: SolverSettings = state["settings"]
    t = time.perf_counter()
    extra = plan_keys(*(task.starts or {}).values()) if task.own is not None else None
    inst = group_instance(problem, st, task.group, task.seed, extra)
    common = state.get("bases", {}).get(task.group)
    basis = common.for_instance(inst) if common is not None else None
    deadline = problem.deadline
    if task.own is None:
        out = solve_instance(inst, settings, progress=progress, basis=basis, deadline=deadline)
    else:
        polished = polish_instance(
            inst, settings, task.own, task.starts or {}, basis=basis, deadline=deadline
        )
        if polished is None:  # the own plan stands
            return None
        out = polished
    plan = extract(inst, out.model, out.solution, problem.net.graph)
    stats = dict(out.stats)
    stats["task_s"] = round(time.perf_counter() - t, 3)
    return GroupResult(
        scenario=task.scenario,
        group=task.group,
        seed=task.seed,
        plan=plan,
        keyed=keyed_routes(inst, routes_of(out.model, out.solution)),
        objective_usd=out.objective / CENTS_PER_USD,
        lower_bound_usd=objective_lower_bound_usd(inst),
        stopped_by=out.stopped_by,
        start=out.start,
        infeasible_alone=len(inst.reasons),
        stats=stats,
    )


def _init_worker(state: Mapping[str, Any]) -> None:
    """Worker initializer: the forked worker's state (inherited, not pickled), and end this
    worker when the parent process dies (Linux)."""
    _STATE.clear()
    _STATE.update(state)
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when their pipe breaks
        pass


def _within(
    progress: Progress | None, done: int, total: int
) -> Callable[[str, int, int], None] | None:
    """The search's progress inside one sub-problem as a fraction of it (phase 1: 40 %)."""
    if progress is None:
        return None
    report = progress

    def update(stage: str, n: int, of: int) -> None:
        share = n / of if of else 1.0
        frac = 0.4 * share if stage == "phase 1" else 0.4 + 0.6 * share
        report(done + min(frac, 1.0), total)

    return update


def run_tasks(
    tasks: Sequence[Task],
    problem: Problem,
    setups: Mapping[str, Setup],
    settings: SolverSettings,
    *,
    progress: Progress | None = None,
    done_before: int = 0,
    total: int | None = None,
    bases: Mapping[int, CommonBasis] | None = None,
) -> list[GroupResult | None]:
    """Run ``tasks`` in worker processes (``settings.workers``, default one per core) and return
    their results in task order, whatever order they finish in. ``bases``: the driver-hours
    basis per sub-problem shared by the scenarios (:func:`common_bases`)."""
    state = {
        "problem": problem,
        "setups": dict(setups),
        "settings": settings,
        "bases": dict(bases or {}),
    }
    total = total or len(tasks)
    n_workers = min(len(tasks), settings.workers or os.cpu_count() or 1)
    methods = multiprocessing.get_all_start_methods()
    results: list[GroupResult | None] = []
    if n_workers <= 1 or "fork" not in methods:
        if n_workers > 1:
            log.warning("no fork on this platform: solving the sub-problems in this process")
        for i, task in enumerate(tasks):
            results.append(run_task(task, state, _within(progress, done_before + i, total)))
            if progress is not None:
                progress(done_before + i + 1, total)
        return results
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        n_workers, mp_context=ctx, initializer=_init_worker, initargs=(state,)
    ) as pool:
        futures = [pool.submit(run_task, task) for task in tasks]
        for i, fut in enumerate(futures):
            results.append(fut.result())
            if progress is not None:
                progress(done_before + i + 1, total)
    return results


# ------------------------------------------------------------------ merge


def merge(
    problem: Problem, st: Setup, parts: Sequence[GroupResult], settings: SolverSettings
) -> FleetPlan:
    """One plan from the sub-problems' plans (in group order; rows in input order)."""
    order = {s.shipment_id: i for i, s in enumerate(problem.shipments)}
    ship = pd.concat([p.plan.shipments for p in parts], ignore_index=True)
    ship = ship.iloc[np.argsort([order[str(x)] for x in ship["shipment_id"]], kind="stable")]
    ship = ship.reset_index(drop=True)
    veh_frames = [p.plan.vehicles for p in parts if len(p.plan.vehicles)]
    veh = (
        pd.concat(veh_frames, ignore_index=True)
        if veh_frames
        else pd.DataFrame(columns=VEHICLE_COLUMNS)
    )
    stop_frames = [p.plan.stops for p in parts if len(p.plan.stops)]
    stops = pd.concat(stop_frames, ignore_index=True) if stop_frames else pd.DataFrame()
    leg_frames = [p.plan.legs for p in parts if len(p.plan.legs)]
    legs = (
        pd.concat(leg_frames, ignore_index=True)
        if leg_frames
        else pd.DataFrame(columns=LEG_COLUMNS)
    )
    geometry: dict[str, list[tuple[float, float]]] = {}
    for p in parts:
        geometry.update(p.plan.geometry)
    k = kpis(ship, veh, st.terms)
    objective = sum(p.objective_usd for p in parts)
    bound = sum(p.lower_bound_usd for p in parts)
    stopped = "time_cap" if any(p.stopped_by == "time_cap" for p in parts) else "budget"
    infeasible = sum(p.infeasible_alone for p in parts)
    k.update(
        objective_usd=round(objective, 2),
        objective_lower_bound_usd=round(bound, 2),
        optimality_gap_max=round(1 - bound / objective, 4) if objective > 0 else 0.0,
        served_upper_bound=len(ship) - infeasible,
        stopped_by=stopped,
    )
    if k["served"] == 0:
        k["warning"] = (
            "no shipment served: every one was infeasible alone or the search found no plan "
            "(see the reasons in shipments.csv)"
        )
    solver = {
        "settings": {
            "phase1_solutions": settings.phase1_solutions,
            "phase2_solutions": settings.phase2_solutions,
            "seed_polish_solutions": settings.seed_polish_solutions,
            "search_checks": settings.search_checks,
            "group_shipments": settings.group_shipments,
            "first_solution": settings.first_solution,
            "time_limit_s": settings.time_limit_s,
        },
        "seed": parts[0].seed if parts else settings.seed,
        "service_h": problem.service_h,
        "groups": len(parts),
        "stopped_by": stopped,
        "starts": [p.start for p in parts],
        "objective_usd": round(objective, 2),
        "objective_lower_bound_usd": round(bound, 2),
        "nodes": int(sum(len(p.plan.stops) for p in parts)),
        "vehicles": len(problem.vehicles),
        "matrix_s": round(st.matrix_s, 3),
        "solve_s": round(sum(float(p.stats.get("task_s", 0.0)) for p in parts), 3),
    }
    return FleetPlan(
        scenario=st.terms.name,
        percentile=st.terms.percentile,
        soft_windows=problem.soft_windows,
        t0_utc=min(p.plan.t0_utc for p in parts),
        shipments=ship,
        stops=stops,
        vehicles=veh,
        legs=legs,
        kpis=k,
        geometry=geometry,
        solver=solver,
    )


def solve_fleet(
    G: nx.MultiDiGraph | TravelNetwork,
    shipments: Sequence[Shipment],
    fleet: Sequence[VehicleType],
    *,
    scenario: Any = "status-quo",
    percentile: int = 50,
    soft_windows: bool = False,
    settings: SolverSettings | None = None,
    allow_sea: bool = True,
    service_h: float = SERVICE_H,
    params: Any = None,
    progress: Progress | None = None,
) -> FleetPlan:
    """Route ``shipments`` with ``fleet`` under ``scenario`` (no Monte Carlo; see
    :func:`logistics.fleet.evaluate_plan`).

    Parameters
    ----------
    G : networkx.MultiDiGraph or TravelNetwork
        The multimodal graph (:func:`networks.load_network`), or a prepared
        :class:`~logistics.matrix.TravelNetwork` to reuse.
    shipments, fleet : sequences
        From :func:`logistics.read_shipments` / :func:`logistics.read_fleet` (or the demo).
    scenario : Scenario or str
    percentile : {50, 90}
        Reliability percentile of border, transloading and port times in the plan.
    soft_windows : bool
        ``True``: late deliveries allowed at each shipment's ``lateness_cost_usd_per_h``.
    settings : SolverSettings, optional
        Budgets, seed, safety cap, workers (defaults: :class:`SolverSettings`).
    allow_sea : bool
        Offer the sea alternative where one exists.
    service_h : float
        Loading / unloading time at each shipment's origin and destination.
    progress : callable, optional
        ``progress(done, total)`` per sub-problem solved.

    Raises
    ------
    RoutingError
        Empty inputs, or no plan within the safety cap.
    """
    settings = settings or SolverSettings()
    problem = prepare(
        G,
        shipments,
        fleet,
        settings,
        soft_windows=soft_windows,
        allow_sea=allow_sea,
        service_h=service_h,
    )
    terms = network_terms(problem, scenario, percentile, params)
    st = setup(problem, terms)
    tasks = [Task(terms.name, g, settings.seed) for g in range(len(problem.groups))]
    parts = run_tasks(tasks, problem, {terms.name: st}, settings, progress=progress)
    return merge(problem, st, [p for p in parts if p is not None], settings)


def optimize(
    G: nx.MultiDiGraph,
    shipments: Sequence[Shipment],
    fleet: Sequence[VehicleType],
    *,
    scenario: Any = "status-quo",
    percentile: int = 50,
    soft_windows: bool = False,
    settings: SolverSettings | None = None,
    draws: int | None = None,
    params: Any = None,
    progress: Progress | None = None,
) -> FleetPlan:
    """Solve and replay in one call (what ``corridor optimize`` runs)."""
    from logistics.defaults import DRAWS_REPLAY
    from logistics.fleet.replay import evaluate_plan

    settings = settings or SolverSettings()
    plan = solve_fleet(
        G,
        shipments,
        fleet,
        scenario=scenario,
        percentile=percentile,
        soft_windows=soft_windows,
        settings=settings,
        params=params,
        progress=progress,
    )
    return evaluate_plan(
        plan,
        G,
        shipments,
        scenario=scenario,
        draws=DRAWS_REPLAY if draws is None else draws,
        seed=settings.seed,
        params=params,
    )
