"""The search strategy for one :class:`FleetInstance`, on the shared OR-Tools engine
(:mod:`logistics.engine`): a work budget, never seconds (``docs/fleet.md``, "Search").

Phase 1 solves the uncoupled model (each later leg of a chain has its own penalty; only the
alternative cheapest alone is offered) from an insertion heuristic; its complete chains, and any
plans handed in from other scenarios, seed phase 2, the coupled model, which the local search
improves from the best of those starts.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from logistics.engine import FIRST_SOLUTION_STRATEGIES, SearchSettings, search
from logistics.fleet.instance import FleetInstance
from logistics.fleet.model import DriverBasis, Model, build_model

log = logging.getLogger(__name__)

#: A start from elsewhere: solver-independent stop keys per vehicle (see
#: :meth:`FleetInstance.node_keys`), indexed by the vehicle's index in the whole fleet.
KeyedRoutes = Mapping[int, Sequence[tuple[str, str, int, str]]]


class SolverSettingsError(ValueError):
    """A solver setting out of range (the message names it, its value and what is allowed)."""


def _bad(name: str, value: object, allowed: str) -> SolverSettingsError:
    return SolverSettingsError(f"{name}: bad value {value!r}; allowed: {allowed}")


@dataclass(frozen=True)
class SolverSettings:
    """Fleet solver settings, validated on creation. Budgets count work, not seconds, so the same
    inputs and settings give the same plan on any machine and load.

    Attributes
    ----------
    phase1_solutions, phase2_solutions : int
        Local-search solutions of each phase (per sub-problem).
    seed_polish_solutions : int
        Local-search solutions when a scenario restarts from another scenario's better plan.
    search_checks : int
        Second work budget of every local search: OR-Tools search nodes and neighbours checked
        (``logistics.engine.SearchSettings.ls_checks``; guided local search may go on long
        without a new solution, and then this ends it).
    group_shipments : int
        Largest sub-problem: larger shipment sets are split into groups of about this size,
        each with its share of the fleet (``logistics.fleet.decompose``).
    first_solution : str
        OR-Tools first-solution strategy of phase 1.
    seed : int
        0 keeps the input order; another value numbers the shipments in a seeded order, so the
        search takes another path (replicas).
    time_limit_s : float or None
        Safety cap in seconds on the whole solve, from its first step: the sub-problems' searches
        share it (each still gets at least :data:`MIN_SEARCH_CAP_S`); when it binds, the plan
        says so (``stopped_by``) and no longer repeats exactly.
    workers : int or None
        Processes for sub-problems and scenarios (default one per core).
    """

    phase1_solutions: int = 80
    phase2_solutions: int = 150
    seed_polish_solutions: int = 60
    search_checks: int = 1_000_000
    group_shipments: int = 80
    first_solution: str = "LOCAL_CHEAPEST_INSERTION"
    seed: int = 0
    time_limit_s: float | None = 600.0
    workers: int | None = None

    @classmethod
    def with_budget(cls, budget: int, **kw: Any) -> SolverSettings:
        """Settings for a single work budget (phase-2 solutions; phase 1 gets a quarter of it,
        at least the default): what ``--budget`` means in the CLI and the app."""
        phase1 = max(budget // 4 + 1, cls.phase1_solutions) if isinstance(budget, int) else budget
        return cls(phase1_solutions=phase1, phase2_solutions=budget, **kw)

    def __post_init__(self) -> None:
        for name in ("phase1_solutions", "phase2_solutions", "seed_polish_solutions"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**6:
                raise _bad(name, value, "an integer from 1 to 1,000,000")
        c = self.search_checks
        if isinstance(c, bool) or not isinstance(c, int) or not 1_000 <= c <= 10**10:
            raise _bad("search_checks", c, "an integer from 1,000 to 10,000,000,000")
        g = self.group_shipments
        if isinstance(g, bool) or not isinstance(g, int) or not 5 <= g <= 2000:
            raise _bad("group_shipments", g, "an integer from 5 to 2,000")
        if self.first_solution not in FIRST_SOLUTION_STRATEGIES:
            raise _bad("first_solution", self.first_solution, ", ".join(FIRST_SOLUTION_STRATEGIES))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise _bad("seed", self.seed, "an integer >= 0")
        cap = self.time_limit_s
        if cap is not None and (
            isinstance(cap, bool)
            or not isinstance(cap, int | float)
            or not (math.isfinite(cap) and 0 < cap <= 86_400)
        ):
            raise _bad("time_limit_s", cap, "None or seconds in (0, 86400]")
        w = self.workers
        if w is not None and (isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= 256):
            raise _bad("workers", w, "None or an integer from 1 to 256")


@dataclass
class SearchOutcome:
    """Best plan of one instance: the coupled model, its solution and how the search ended."""

    model: Model
    solution: Any
    objective: int
    stopped_by: str
    start: str  # "phase 1" or the scenario whose plan the best start came from
    stats: dict[str, Any] = field(default_factory=dict)


#: The least time a search gets once the solve's ``time_limit_s`` is spent (s), so every
#: sub-problem still reaches a first plan. Source: assumption (a first solution of an
#: 80-shipment sub-problem takes well under a second here).
MIN_SEARCH_CAP_S = 1.0


def _engine(
    settings: SolverSettings, solutions: int, deadline: float | None = None, **kw: Any
) -> SearchSettings:
    """Engine settings of one search; ``deadline`` (``time.monotonic()`` seconds): the end of
    the solve's time limit, which this search may not pass by more than the floor."""
    cap = settings.time_limit_s
    if deadline is not None and cap is not None:
        cap = min(cap, max(deadline - time.monotonic(), MIN_SEARCH_CAP_S))
    return SearchSettings(
        ls_solutions=solutions,
        ls_checks=settings.search_checks,
        neighbors_ratio=0.3,
        min_neighbors=10,
        time_cap_s=cap,
        **kw,
    )


def routes_of(model: Model, solution: Any) -> list[list[int]]:
    routing, manager = model.routing, model.manager
    out = []
    for k in range(routing.vehicles()):
        route, idx = [], solution.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            idx = solution.Value(routing.NextVar(idx))
        out.append(route)
    return out


def _chains(inst: FleetInstance) -> dict[int, frozenset[int]]:
    chain_of: dict[int, frozenset[int]] = {}
    for options in inst.alternatives:
        for alt in options:
            chain = frozenset(alt.nodes)
            chain_of.update(dict.fromkeys(chain, chain))
    return chain_of


def accepted_routes(model: Model, routes: list[list[int]], inst: FleetInstance) -> list[list[int]]:
    """``routes`` less the shipments whose chains the coupled model rejects.

    OR-Tools itself judges (``ReadAssignmentFromRoutes``): if the whole set is rejected,
    shipments are added one at a time, in the order their first stop appears, and kept only if
    the routes so far stay feasible.
    """
    routing = model.routing
    chain_of = _chains(inst)

    def accepted(keep: set[int]) -> bool:
        sub = [[n for n in r if n in keep] for r in routes]
        return routing.ReadAssignmentFromRoutes(sub, True) is not None

    every = {n for r in routes for n in r}
    if not every or accepted(every):
        return routes
    kept: set[int] = set()
    tried: set[frozenset[int]] = set()
    for route in routes:
        for n in route:
            chain = chain_of[n]
            if chain in tried:
                continue
            tried.add(chain)
            if chain <= every and accepted(kept | chain):
                kept |= chain
    log.info("seed repair: kept %d of %d stops", len(kept), len(every))
    return [[n for n in r if n in kept] for r in routes]


def keyed_routes(inst: FleetInstance, routes: Sequence[Sequence[int]]) -> dict[int, list[Any]]:
    """Routes as scenario-independent stop keys, by vehicle index in the whole fleet."""
    keys = inst.node_keys()
    return {inst.vehicle_index[k]: [keys[n] for n in r] for k, r in enumerate(routes) if r}


def routes_from_keys(inst: FleetInstance, keyed: KeyedRoutes) -> list[list[int]]:
    """Another scenario's routes in this instance's nodes; stops of alternatives this instance
    does not offer are left out (the repair then drops their shipments)."""
    node_of = {key: n for n, key in inst.node_keys().items()}
    local = {g: k for k, g in enumerate(inst.vehicle_index)}
    routes: list[list[int]] = [[] for _ in inst.vehicles]
    for g, stops in keyed.items():
        if g in local:
            routes[local[g]] = [node_of[key] for key in stops if tuple(key) in node_of]
    return routes


def _stage(
    progress: Callable[[str, int, int], None] | None, stage: str
) -> Callable[[str, int, int], None] | None:
    """The engine's progress reported under this search's phase name."""
    if progress is None:
        return None
    report = progress
    return lambda _, done, total: report(stage, done, total)


def best_start(
    model: Model,
    inst: FleetInstance,
    candidates: Mapping[str, list[list[int]]],
    stats: dict[str, Any],
) -> tuple[int, str, list[list[int]]] | None:
    """The start with the lowest objective under this model: ``(objective, label, routes)``.

    Each candidate is repaired (:func:`accepted_routes`) and read into the model; the first
    label wins ties. Objectives go to ``stats`` as ``start <label>``.
    """
    best: tuple[int, str, list[list[int]]] | None = None
    for label, routes in candidates.items():
        routes = accepted_routes(model, routes, inst)
        initial = model.routing.ReadAssignmentFromRoutes(routes, True)
        if initial is None:
            continue
        objective = int(initial.ObjectiveValue())
        stats[f"start {label}"] = objective
        if best is None or objective < best[0]:
            best = (objective, label, routes)
    return best


def solve_instance(
    inst: FleetInstance,
    settings: SolverSettings,
    *,
    starts: Mapping[str, KeyedRoutes] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    basis: DriverBasis | None = None,
    deadline: float | None = None,
) -> SearchOutcome:
    """Phase 1, then phase 2 from the best start (phase 1's chains or ``starts``).

    ``starts`` maps a label (another scenario's name) to its plan's keyed routes; each is read
    into this instance's coupled model, repaired, and compared by this scenario's objective.
    ``basis``: the driver-hours basis (the instance's own by default); ``deadline``: the end
    of the solve's time limit (``time.monotonic()``).
    """
    stats: dict[str, Any] = {}
    stopped: list[str] = []
    model1 = build_model(inst, coupled=False, basis=basis)
    r1 = search(
        model1.routing,
        model1.manager,
        _engine(
            settings,
            settings.phase1_solutions,
            deadline=deadline,
            first_solution=settings.first_solution,
        ),
        progress=_stage(progress, "phase 1"),
    )
    stats["phase1"] = r1.stats
    stopped.append(r1.stopped_by)
    seed_routes: list[list[int]] = [[] for _ in inst.vehicles]
    if r1.routes:
        on_route = {n for r in r1.routes for n in r}
        keep: set[int] = set()
        for options in inst.alternatives:
            for alt in options:
                if set(alt.nodes) <= on_route:
                    keep.update(alt.nodes)
                    break
        seed_routes = [[n for n in r if n in keep] for r in r1.routes]
    model = build_model(inst, coupled=True, basis=basis)
    candidates = {"phase 1": seed_routes}
    for label, keyed in sorted((starts or {}).items()):
        candidates[label] = routes_from_keys(inst, keyed)
    best = best_start(model, inst, candidates, stats)
    r2 = search(
        model.routing,
        model.manager,
        _engine(
            settings,
            settings.phase2_solutions,
            deadline=deadline,
            first_solution="ALL_UNPERFORMED",
        ),
        initial_routes=best[2] if best is not None else None,
        progress=_stage(progress, "phase 2"),
    )
    stats["phase2"] = r2.stats
    stopped.append(r2.stopped_by)
    if not r2.routes:
        raise_no_solution(inst, r2.stopped_by)
    solution = r2.assignment
    stopped_by = "time_cap" if "time_cap" in stopped else "budget"
    return SearchOutcome(
        model=model,
        solution=solution,
        objective=int(solution.ObjectiveValue()),
        stopped_by=stopped_by,
        start=best[1] if best is not None else "empty",
        stats=stats,
    )


def polish_instance(
    inst: FleetInstance,
    settings: SolverSettings,
    own: KeyedRoutes,
    starts: Mapping[str, KeyedRoutes],
    *,
    basis: DriverBasis | None = None,
    deadline: float | None = None,
) -> SearchOutcome | None:
    """Restart from another scenario's plan where it beats this scenario's own plan.

    Each plan is read into this instance's coupled model (re-costed under its terms; the
    shipments it cannot carry are dropped one by one) and compared by this scenario's
    objective. ``None`` when the own plan is best (it stands); otherwise local search
    (``seed_polish_solutions``) improves the better start, so no scenario is shown worse than
    another scenario's plan would do under it.
    """
    model = build_model(inst, coupled=True, basis=basis)
    stats: dict[str, Any] = {}
    candidates = {"own": routes_from_keys(inst, own)}
    for label, keyed in sorted(starts.items()):
        candidates[label] = routes_from_keys(inst, keyed)
    best = best_start(model, inst, candidates, stats)
    if best is None or best[1] == "own":
        return None
    r = search(
        model.routing,
        model.manager,
        _engine(
            settings,
            settings.seed_polish_solutions,
            deadline=deadline,
            first_solution="ALL_UNPERFORMED",
        ),
        initial_routes=best[2],
    )
    stats["polish"] = r.stats
    if r.assignment is None:
        return None
    return SearchOutcome(
        model,
        r.assignment,
        r.objective,
        "time_cap" if r.stopped_by == "time_cap" else "budget",
        best[1],
        stats,
    )


def raise_no_solution(inst: FleetInstance, stopped_by: str) -> None:
    from logistics.fleet.terms import RoutingError

    raise RoutingError(
        f"scenario {inst.terms.name!r}: OR-Tools found no plan ({stopped_by}); every shipment is "
        "droppable, so this means the safety time cap ended the search before a first solution "
        "(raise the cap: time_limit_s, --time-limit in the CLI)"
    )
