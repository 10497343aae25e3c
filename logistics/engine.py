"""The OR-Tools search shared by the fleet planner and the routing benchmarks.

Neither the fleet nor a benchmark owns this module: each builds its own ``RoutingModel`` and hands
it to :func:`search` with a :class:`SearchSettings`. The search is

1. a first solution: the caller's ``initial_routes`` (``ReadAssignmentFromRoutes``) or else the
   OR-Tools first-solution strategy;
2. an OR-Tools metaheuristic local search stopped after ``ls_solutions`` solutions;
3. ``rr_iterations`` of ruin and recreate done through OR-Tools: a seeded choice of ``groups``
   (node sets served together or not at all: a pickup-delivery pair, all legs of a shipment) is
   taken out of the routes, the partial routes are read back into the model and OR-Tools puts
   the groups back with a greedy-descent local search (its insertion and move operators, every
   constraint of the model kept). A candidate replaces the current solution when its objective
   is not worse (or within a seeded, shrinking threshold); the best is kept.

Determinism: every budget counts work (solutions, iterations), never seconds, and every random
choice comes from ``settings.seed``, so the same model and settings give the same routes on a
quiet or a loaded machine. ``time_cap_s`` is only a safety cap; when it binds,
``SearchResult.stopped_by`` is ``"time_cap"``. OR-Tools' ``lns_time_limit`` (a wall-clock limit of
each neighbour's completion) is set to the cap (or an hour) so it never binds before it, and the
LNS operators built on it (``path_lns``, ``full_path_lns``, ``inactive_lns``, ``tsp_lns``) stay off.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2
from ortools.util import optional_boolean_pb2

log = logging.getLogger(__name__)

FIRST_SOLUTION_STRATEGIES: tuple[str, ...] = tuple(
    name
    for name in routing_enums_pb2.FirstSolutionStrategy.Value.keys()  # noqa: SIM118
    if name not in ("UNSET", "AUTOMATIC")
)
METAHEURISTICS: tuple[str, ...] = tuple(
    name
    for name in routing_enums_pb2.LocalSearchMetaheuristic.Value.keys()  # noqa: SIM118
    if name not in ("UNSET", "AUTOMATIC")
)

#: Operators switched off by ``routing_parameters(lean_operators=True)`` and in the recreate step.
#: Operators that only act on unperformed visits stay on (they cost nothing when every visit is
#: served, and they re-insert the visits a ruin took out).
LEAN_OFF_OPERATORS: tuple[str, ...] = (
    "use_make_inactive",
    "use_make_chain_inactive",
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)

#: LNS operators whose sub-search is bounded by the wall-clock ``lns_time_limit``: always off, so
#: no result depends on the machine's speed or load.
WALL_CLOCK_OPERATORS: tuple[str, ...] = (
    "use_path_lns",
    "use_full_path_lns",
    "use_inactive_lns",
    "use_tsp_lns",
)

#: ``lns_time_limit`` when there is no cap. assumption: far above any neighbour completion.
LNS_TIME_LIMIT_S = 3600.0

#: Solution limit of one recreate (greedy descent stops at its local optimum long before).
#: assumption: a safety bound, never reached in the benchmarks (docs/benchmarks.md).
RECREATE_SOLUTIONS = 100_000

#: The only operators of the recreate step: OR-Tools' global cheapest insertion of the
#: unperformed visits (also tried after moving whole routes: vehicle elimination) and its
#: make-active moves. Measured on Li & Lim lr103: 0.3 s a recreate; with every operator on, one
#: greedy descent took over 60 s (docs/benchmarks.md).
RECREATE_OPERATORS: tuple[str, ...] = (
    "use_make_active",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
)

#: Share of ruins that empty one whole route (chosen among the shortest) instead of removing
#: groups near a seed group. assumption: tuned on a few Li & Lim instances (docs/benchmarks.md).
ROUTE_RUIN_SHARE = 0.3

#: Threshold acceptance: a candidate up to this share of the current objective's distance part
#: worse is accepted, times U(0, 1), shrinking linearly to 0 over the iterations.
#: assumption: tuned with ROUTE_RUIN_SHARE.
ACCEPT_SHARE = 0.01

STOPPED_BY: tuple[str, ...] = ("budget", "local_optimum", "time_cap", "no_solution")

#: A caller's recreate: ``(partial routes, removed groups, seeded rng) -> routes`` (node indices).
InsertGroups = Callable[[list[list[int]], list[tuple[int, ...]], random.Random], list[list[int]]]

_STATUS = {v: k for k, v in routing_enums_pb2.RoutingSearchStatus.Value.items()}


class SettingsError(ValueError):
    """A bad search setting (names the field, the value and what is allowed)."""


def _bad(name: str, value: object, allowed: str) -> SettingsError:
    return SettingsError(f"{name}: bad value {value!r}; allowed {allowed}")


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(name, value, f"an integer >= {minimum}")


@dataclass(frozen=True)
class SearchSettings:
    """Validated solver settings; the budget counts work, never seconds.

    Attributes
    ----------
    first_solution : str
        OR-Tools ``FirstSolutionStrategy`` name (``FIRST_SOLUTION_STRATEGIES``).
    metaheuristic : str
        OR-Tools ``LocalSearchMetaheuristic`` name (``METAHEURISTICS``).
    ls_solutions : int
        Solution limit of the OR-Tools local search (work budget). OR-Tools counts the
        improving solutions, so guided local search may go on long without a new one.
    ls_checks : int
        Second work budget of the local search: OR-Tools checks its search limits at every
        search node and neighbour; the search stops after this many checks (measured about
        0.5-1 million a second on one core, docs/benchmarks.md).
    rr_iterations : int
        Ruin-and-recreate iterations after the local search (0: none).
    rr_remove : int
        Average number of groups removed by one ruin.
    route_ruin_share : float
        Share of the ruins that empty one whole route (default ``ROUTE_RUIN_SHARE``).
    neighbors_ratio, min_neighbors : float, int
        OR-Tools ``ls_operator_neighbors_ratio`` / ``ls_operator_min_neighbors``.
    seed : int
        Seeds the ruin choices and the acceptance threshold.
    time_cap_s : float or None
        Safety cap on the whole search in seconds; when it binds, ``stopped_by`` says so.
    """

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    ls_solutions: int = 1000
    ls_checks: int = 2_000_000
    rr_iterations: int = 0
    rr_remove: int = 8
    route_ruin_share: float = ROUTE_RUIN_SHARE
    neighbors_ratio: float = 0.3
    min_neighbors: int = 10
    seed: int = 0
    time_cap_s: float | None = None

    def __post_init__(self) -> None:
        if self.first_solution not in FIRST_SOLUTION_STRATEGIES:
            raise _bad("first_solution", self.first_solution, ", ".join(FIRST_SOLUTION_STRATEGIES))
        if self.metaheuristic not in METAHEURISTICS:
            raise _bad("metaheuristic", self.metaheuristic, ", ".join(METAHEURISTICS))
        _check_int("ls_solutions", self.ls_solutions, 1)
        _check_int("ls_checks", self.ls_checks, 1)
        _check_int("rr_iterations", self.rr_iterations, 0)
        _check_int("rr_remove", self.rr_remove, 1)
        _check_int("min_neighbors", self.min_neighbors, 1)
        _check_int("seed", self.seed, 0)
        share = self.route_ruin_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise _bad("route_ruin_share", share, "a number in [0, 1]")
        ratio = self.neighbors_ratio
        if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 < ratio <= 1:
            raise _bad("neighbors_ratio", ratio, "a number in (0, 1]")
        cap = self.time_cap_s
        if cap is not None and (
            isinstance(cap, bool)
            or not isinstance(cap, int | float)
            or not math.isfinite(cap)
            or cap <= 0
        ):
            raise _bad("time_cap_s", cap, "None or a number of seconds > 0")


@dataclass(frozen=True)
class SearchResult:
    """Best solution of :func:`search`.

    Attributes
    ----------
    routes : list of list of int
        Manager node indices per vehicle (start and end excluded; empty lists for unused
        vehicles); empty when there is no solution.
    objective : int
        Routing objective of the best solution (OR-Tools units; -1 without a solution).
    stopped_by : str
        ``"budget"`` (work budget spent), ``"local_optimum"`` (the local search ended before its
        budget and no ruin and recreate was asked), ``"time_cap"`` or ``"no_solution"``.
    stats : dict
        ``solutions`` (local-search solutions), ``rr_iterations``, ``rr_accepted``,
        ``rr_improved``, ``rr_rejected_reads``, ``initial_routes`` (``"none"``, ``"accepted"``
        or ``"rejected"``), ``ls_status``; timing fields end in ``_s`` (``wall_s``, ``ls_s``,
        ``rr_s``, and ``cpu_s``: CPU time of this process, less sensitive to other load).
    """

    routes: list[list[int]]
    objective: int
    stopped_by: str
    stats: dict[str, Any] = field(default_factory=dict)
    #: The OR-Tools assignment of the best solution (every variable's value: times, slacks),
    #: or None without a solution; it belongs to ``recreate_model`` when one was given and the
    #: best came from a recreate. Routes alone may not be readable back into a model whose
    #: feasibility depends on values the search chose (e.g. rest slacks).
    assignment: Any = field(default=None, repr=False, compare=False)


def routing_parameters(
    time_limit_s: float | None,
    *,
    solution_limit: int | None = None,
    strategy: str = "PARALLEL_CHEAPEST_INSERTION",
    metaheuristic: str = "GUIDED_LOCAL_SEARCH",
    gls_lambda: float = 0.1,
    neighbors_ratio: float = 1.0,
    min_neighbors: int = 1,
    use_full_propagation: bool = False,
    extra_lns: bool = False,
    lean_operators: bool = False,
    bandit: bool = False,
    iterated_local_search: bool = False,
    log_search: bool = False,
) -> routing_parameters_pb2.RoutingSearchParameters:
    """OR-Tools routing search parameters from keyword options (the low-level builder).

    Parameters
    ----------
    time_limit_s : float or None
        Wall-clock limit of the search; ``None`` for none (then give a ``solution_limit``, which
        makes the search deterministic).
    solution_limit : int, optional
        Stop after this many solutions (deterministic, machine-independent).
    strategy, metaheuristic : str
        ``FIRST_SOLUTION_STRATEGIES`` / ``METAHEURISTICS`` names.
    gls_lambda : float
        ``guided_local_search_lambda_coefficient`` (OR-Tools default 0.1).
    neighbors_ratio, min_neighbors : float, int
        Restrict local-search operators to the nearest neighbours (1.0 / 1 = all).
    use_full_propagation : bool
        OR-Tools ``use_full_propagation``.
    extra_lns : bool
        Also enable cross-exchange and the close-nodes insertion LNS operators.
    lean_operators : bool
        Switch off ``LEAN_OFF_OPERATORS`` (useless when every visit must be served, and slow).
    bandit : bool
        ``use_multi_armed_bandit_concatenate_operators``.
    iterated_local_search : bool
        OR-Tools' own ``use_iterated_local_search`` (SISR ruin and recreate).
    log_search : bool
        Let OR-Tools log its search (to stderr).

    Returns
    -------
    RoutingSearchParameters

    Raises
    ------
    SettingsError
        On an unknown name or a non-positive limit.
    """
    if strategy not in FIRST_SOLUTION_STRATEGIES:
        raise _bad("strategy", strategy, ", ".join(FIRST_SOLUTION_STRATEGIES))
    if metaheuristic not in METAHEURISTICS:
        raise _bad("metaheuristic", metaheuristic, ", ".join(METAHEURISTICS))
    if time_limit_s is None and solution_limit is None:
        raise SettingsError("time_limit_s/solution_limit: both None; give at least one limit")
    if time_limit_s is not None and not time_limit_s > 0:
        raise _bad("time_limit_s", time_limit_s, "None or seconds > 0")
    if not 0 < neighbors_ratio <= 1:
        raise _bad("neighbors_ratio", neighbors_ratio, "a number in (0, 1]")
    if min_neighbors < 1:
        raise _bad("min_neighbors", min_neighbors, "an integer >= 1")
    if solution_limit is not None and solution_limit < 1:
        raise _bad("solution_limit", solution_limit, "None or an integer >= 1")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.Value.Value(strategy)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.Value.Value(
        metaheuristic
    )
    params.guided_local_search_lambda_coefficient = gls_lambda
    params.ls_operator_neighbors_ratio = neighbors_ratio
    params.ls_operator_min_neighbors = min_neighbors
    params.use_full_propagation = use_full_propagation
    ops = params.local_search_operators
    if extra_lns:
        ops.use_cross_exchange = optional_boolean_pb2.BOOL_TRUE
        ops.use_global_cheapest_insertion_close_nodes_lns = optional_boolean_pb2.BOOL_TRUE
        ops.use_local_cheapest_insertion_close_nodes_lns = optional_boolean_pb2.BOOL_TRUE
    for name in (*WALL_CLOCK_OPERATORS, *(LEAN_OFF_OPERATORS if lean_operators else ())):
        setattr(ops, name, optional_boolean_pb2.BOOL_FALSE)
    params.use_multi_armed_bandit_concatenate_operators = bandit
    if iterated_local_search:
        params.use_iterated_local_search = True
        rr = params.iterated_local_search_parameters.ruin_recreate_parameters
        del rr.ruin_strategies[:]
        sisr = rr.ruin_strategies.add().sisr
        sisr.max_removed_sequence_size = 10  # source: Christiaens & Vanden Berghe (2020), L^max
        sisr.avg_num_removed_visits = 10  # source: same paper, c-bar
        sisr.bypass_factor = 0.01  # source: same paper, alpha
    lns_limit_s = LNS_TIME_LIMIT_S if time_limit_s is None else time_limit_s
    params.lns_time_limit.FromMilliseconds(max(1, int(lns_limit_s * 1000)))
    if time_limit_s is not None:
        params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    params.log_search = log_search
    return params


def search_parameters(
    settings: SearchSettings, *, greedy: bool = False
) -> routing_parameters_pb2.RoutingSearchParameters:
    """The OR-Tools parameters of one local-search call of :func:`search`.

    Parameters
    ----------
    settings : SearchSettings
    greedy : bool
        The recreate step: greedy descent to the first local optimum with only
        ``RECREATE_OPERATORS``, ``RECREATE_SOLUTIONS`` as safety limit.

    Returns
    -------
    RoutingSearchParameters
        Without a time limit; :func:`search` sets the remaining cap when there is one.
    """
    params = routing_parameters(
        None,
        solution_limit=RECREATE_SOLUTIONS if greedy else settings.ls_solutions,
        strategy=settings.first_solution,
        metaheuristic="GREEDY_DESCENT" if greedy else settings.metaheuristic,
        # the recreate inserts anywhere: restricted neighbours left most groups out (measured)
        neighbors_ratio=1.0 if greedy else settings.neighbors_ratio,
        min_neighbors=1 if greedy else settings.min_neighbors,
    )
    if greedy:
        ops = params.local_search_operators
        for fld in ops.DESCRIPTOR.fields:
            on = fld.name in RECREATE_OPERATORS
            setattr(
                ops,
                fld.name,
                optional_boolean_pb2.BOOL_TRUE if on else optional_boolean_pb2.BOOL_FALSE,
            )
    return params


def _routes_of(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    assignment: pywrapcp.Assignment,
) -> list[list[int]]:
    """Node indices per vehicle (start/end excluded) of an assignment."""
    routes = []
    for v in range(routing.vehicles()):
        idx = assignment.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            idx = assignment.Value(routing.NextVar(idx))
        routes.append(route)
    return routes


def _read(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    routes: Sequence[Sequence[int]],
) -> pywrapcp.Assignment | None:
    """``ReadAssignmentFromRoutes`` of node-index routes (padded to the fleet), or None."""
    padded = [[manager.NodeToIndex(n) for n in r] for r in routes]
    padded += [[] for _ in range(routing.vehicles() - len(padded))]
    if len(padded) > routing.vehicles():
        return None
    return routing.ReadAssignmentFromRoutes(padded, True)


class _Ruin:
    """Seeded choice of the groups a ruin takes out.

    Either one whole route among the shortest (``ROUTE_RUIN_SHARE``; this is how the number of
    vehicles goes down) or the groups closest to a random seed group (closeness: the smallest
    arc cost of vehicle 0 between their nodes), ``rr_remove`` on average.
    """

    def __init__(
        self,
        routing: pywrapcp.RoutingModel,
        manager: pywrapcp.RoutingIndexManager,
        groups: Sequence[Sequence[int]],
        settings: SearchSettings,
    ) -> None:
        self.groups = [tuple(g) for g in groups if len(g) > 0]
        self.group_of = {n: k for k, g in enumerate(self.groups) for n in g}
        self.index = [[manager.NodeToIndex(n) for n in g] for g in self.groups]
        self.routing = routing
        self.avg = settings.rr_remove
        self.route_share = settings.route_ruin_share
        self.rng = random.Random(settings.seed)
        self._near: dict[int, list[int]] = {}

    def near(self, k: int) -> list[int]:
        """Groups by closeness to group ``k`` (computed once per seed group)."""
        if k not in self._near:
            cost = self.routing.GetArcCostForVehicle
            mine = self.index[k]
            dist = []
            for j, other in enumerate(self.index):
                if j != k:
                    d = min(min(cost(a, b, 0), cost(b, a, 0)) for a in mine for b in other)
                    dist.append((d, j))
            self._near[k] = [j for _, j in sorted(dist)]
        return self._near[k]

    def __call__(self, routes: list[list[int]]) -> set[int]:
        """Node indices to take out of ``routes`` (whole groups only)."""
        rng = self.rng
        used = [r for r in routes if r]
        on_route = [
            k for k in sorted({self.group_of[n] for r in used for n in r if n in self.group_of})
        ]
        if not on_route:
            return set()
        if len(used) > 1 and rng.random() < self.route_share:
            by_size = sorted(range(len(used)), key=lambda i: (len(used[i]), i))
            # the shortest routes are the likeliest victims: rank drawn from U(0,1)^2 * n
            victim = used[by_size[int(rng.random() ** 2 * len(by_size))]]
            take = {self.group_of[n] for n in victim if n in self.group_of}
        else:
            count = min(len(on_route), max(1, round(rng.uniform(0.5, 1.5) * self.avg)))
            seed = rng.choice(on_route)
            present = set(on_route)
            take = {seed}
            for j in self.near(seed):
                if len(take) >= count:
                    break
                if j in present and rng.random() >= 0.1:  # skip a few (more varied ruins)
                    take.add(j)
        return {n for k in take for n in self.groups[k]}


def search(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    settings: SearchSettings,
    *,
    initial_routes: list[list[int]] | None = None,
    groups: Sequence[Sequence[int]] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    recreate_model: tuple[pywrapcp.RoutingModel, pywrapcp.RoutingIndexManager] | None = None,
    insert_groups: InsertGroups | None = None,
) -> SearchResult:
    """First solution, local search, then ruin and recreate, all through OR-Tools.

    Parameters
    ----------
    routing, manager : RoutingModel, RoutingIndexManager
        A model ready to solve. Ruin and recreate needs every node of ``groups`` to be optional
        (a disjunction with a penalty), so partial routes can be read back.
    settings : SearchSettings
    initial_routes : list of list of int, optional
        Node indices per vehicle to start from. If OR-Tools rejects them, the first-solution
        strategy is used and ``stats["initial_routes"]`` is ``"rejected"``.
    groups : sequence of sequences of int, optional
        Node indices that are served together or not at all; the ruin takes out whole groups.
        Required when ``settings.rr_iterations > 0``.
    progress : callable, optional
        ``progress(stage, done, total)`` with stage ``"local_search"`` (solutions) or
        ``"ruin_recreate"`` (iterations).
    recreate_model : (RoutingModel, RoutingIndexManager), optional
        A second, identical copy of the model, never solved before, for the recreate step.
        OR-Tools fixes a model's local-search operators when it is first solved, so the
        recreate's insertion-only operators take effect only on a model closed with them;
        without a copy the recreate runs on ``routing`` with its full operator set and its
        restricted neighbours (correct, but measured 100x slower on Li & Lim lr103, and the
        restricted neighbours often leave ruined groups out, so few candidates are accepted).
    insert_groups : callable, optional
        The caller's fast insertion for the recreate step: ``insert_groups(partial routes,
        removed groups, rng)`` returns the routes with as many of the groups put back as fit
        (node indices; e.g. :func:`logistics.routemin.insert_groups` with a problem's oracle).
        OR-Tools then reads them back (``ReadAssignmentFromRoutes``: every constraint of the
        model re-checked, the objective priced) instead of running its own recreate; a
        candidate with a group left out is dropped (``stats["rr_unfit"]``); the acceptance is
        unchanged. Without it (the fleet's default) OR-Tools alone re-inserts the groups; on
        Li & Lim lr203 (3 long routes) its recreate opened a new vehicle in 28 of 30 ruins
        (docs/benchmarks.md).

    Returns
    -------
    SearchResult

    Raises
    ------
    SettingsError
        When ruin and recreate is asked without groups.
    """
    if settings.rr_iterations > 0 and not groups:
        raise SettingsError(
            f"groups: bad value {groups!r} with rr_iterations={settings.rr_iterations}; "
            "give the node groups to ruin (e.g. pickup-delivery pairs)"
        )
    t0, cpu0 = time.perf_counter(), time.process_time()
    cap = settings.time_cap_s
    stats: dict[str, Any] = {
        "solutions": 0,
        "rr_iterations": 0,
        "rr_accepted": 0,
        "rr_improved": 0,
        "rr_rejected_reads": 0,
        "initial_routes": "none",
    }

    if insert_groups is not None:
        stats["rr_unfit"] = 0  # only with the caller's insertion: other callers' stats unchanged

    def remaining() -> float | None:
        return None if cap is None else cap - (time.perf_counter() - t0)

    def with_cap(params: routing_parameters_pb2.RoutingSearchParameters) -> bool:
        left = remaining()
        if left is not None:
            if left <= 0:
                return False
            params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
            params.lns_time_limit.FromMilliseconds(max(1, int(left * 1000)))
        return True

    # 1 + 2: first solution and metaheuristic local search (one OR-Tools call)
    counter = {"on": True}

    def on_solution() -> None:
        if counter["on"]:
            stats["solutions"] += 1
            if progress is not None:
                progress(
                    "local_search",
                    min(stats["solutions"], settings.ls_solutions),
                    settings.ls_solutions,
                )

    routing.AddAtSolutionCallback(on_solution)
    checks = {"n": 0}

    def check_limit() -> bool:
        if not counter["on"]:
            return False
        checks["n"] += 1
        return checks["n"] >= settings.ls_checks

    routing.AddSearchMonitor(routing.solver().CustomLimit(check_limit))
    params = search_parameters(settings)
    with_cap(params)
    initial = None
    if initial_routes is not None:
        initial = _read(routing, manager, initial_routes)
        stats["initial_routes"] = "accepted" if initial is not None else "rejected"
        if initial is None:
            log.warning("initial routes rejected by the model; using %s", settings.first_solution)
    if initial is not None:
        solution = routing.SolveFromAssignmentWithParameters(initial, params)
    else:
        solution = routing.SolveWithParameters(params)
    counter["on"] = False
    stats["ls_checks"] = checks["n"]
    status = _STATUS.get(int(routing.status()), str(routing.status()))
    stats["ls_status"] = status
    stats["ls_s"] = round(time.perf_counter() - t0, 3)
    left = remaining()
    capped = left is not None and (left <= 0 or status == "ROUTING_FAIL_TIMEOUT")
    if solution is None:
        stats["wall_s"] = round(time.perf_counter() - t0, 3)
        return SearchResult([], -1, "time_cap" if capped else "no_solution", stats)
    best = _routes_of(routing, manager, solution)
    best_obj = int(solution.ObjectiveValue())
    best_assignment = routing.solver().Assignment(solution)
    if progress is not None:
        progress("local_search", settings.ls_solutions, settings.ls_solutions)
    if capped:
        stopped = "time_cap"
    elif settings.rr_iterations == 0:
        ended = (
            status in ("ROUTING_SUCCESS", "ROUTING_OPTIMAL") and checks["n"] < settings.ls_checks
        )
        stopped = "local_optimum" if ended else "budget"
    else:
        stopped = "budget"

    # 3: ruin and recreate through OR-Tools
    t_rr = time.perf_counter()
    if settings.rr_iterations > 0 and not capped:
        assert groups is not None
        rr_routing, rr_manager = recreate_model or (routing, manager)
        ruin = _Ruin(routing, manager, groups, settings)  # arc costs of the solved model
        greedy = search_parameters(settings, greedy=True)
        if recreate_model is not None:
            rr_routing.CloseModelWithParameters(greedy)  # fixes the recreate operators
        current, cur_obj = best, best_obj
        for it in range(settings.rr_iterations):
            if not with_cap(greedy):
                stopped = "time_cap"
                break
            out = ruin(current)
            partial = [[n for n in r if n not in out] for r in current]
            stats["rr_iterations"] += 1
            if insert_groups is not None:
                removed = [g for g in ruin.groups if g[0] in out]
                partial = insert_groups(partial, removed, ruin.rng)
                if not out <= {n for r in partial for n in r}:
                    stats["rr_unfit"] += 1  # a group did not fit: candidate dropped
                    continue
            start = _read(rr_routing, rr_manager, partial)
            if start is None:
                stats["rr_rejected_reads"] += 1
                continue
            if insert_groups is not None:
                candidate = start  # every constraint checked and the objective priced on reading
            else:
                candidate = rr_routing.SolveFromAssignmentWithParameters(start, greedy)
            if candidate is None:
                if (remaining() or 1) <= 0:
                    stopped = "time_cap"
                    break
                continue
            obj = int(candidate.ObjectiveValue())
            threshold = ACCEPT_SHARE * (1 - it / settings.rr_iterations) * ruin.rng.random()
            routes = _routes_of(rr_routing, rr_manager, candidate)
            base = _variable_part(rr_routing, current, cur_obj)
            if obj <= cur_obj or obj < cur_obj + threshold * base:
                current, cur_obj = routes, obj
                stats["rr_accepted"] += 1
                if obj < best_obj:
                    best, best_obj = current, obj
                    best_assignment = rr_routing.solver().Assignment(candidate)
                    stats["rr_improved"] += 1
            if progress is not None:
                progress("ruin_recreate", it + 1, settings.rr_iterations)
            if cap is not None and (remaining() or 0) <= 0:
                stopped = "time_cap"
                break
    stats["rr_s"] = round(time.perf_counter() - t_rr, 3)
    stats["wall_s"] = round(time.perf_counter() - t0, 3)
    stats["cpu_s"] = round(time.process_time() - cpu0, 3)
    log.info(
        "search: objective %d, %d LS solutions, %d/%d R&R accepted (%d improved), stopped by %s",
        best_obj,
        stats["solutions"],
        stats["rr_accepted"],
        stats["rr_iterations"],
        stats["rr_improved"],
        stopped,
    )
    return SearchResult(best, best_obj, stopped, stats, best_assignment)


def _variable_part(routing: pywrapcp.RoutingModel, routes: list[list[int]], objective: int) -> int:
    """The objective without the fixed costs of the used vehicles (the acceptance threshold's
    base, so a threshold never pays for an extra vehicle under a hierarchical objective)."""
    fixed = sum(routing.GetFixedCostOfVehicle(v) for v, r in enumerate(routes) if r)
    return max(0, objective - fixed)
