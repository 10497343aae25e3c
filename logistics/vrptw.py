"""Solomon / Homberger VRPTW instances: reader, OR-Tools solver and independent evaluation.

This stage measures the routing engine against published best-known solutions (BKS). It reads the
classic Solomon (1987) and Gehring & Homberger (1999) text format, solves the vehicle routing
problem with time windows with OR-Tools routing, and re-checks every returned solution from the
instance data alone, so ``feasible`` is verified rather than trusted.

Conventions (those of the benchmark literature): customer 0 is the depot; travel time equals the
Euclidean distance; a time window bounds the *start* of service; waiting is allowed; every route
returns to the depot by the depot's due date; the fleet size and capacity come from the header.

Two distance conventions are supported:

``"dimacs"``
    Each arc length truncated to one decimal (DIMACS 2021 VRPTW challenge, CVRPLIB). The model is
    scaled by 10 and solved in integers, so ``objective / 10`` *is* the DIMACS distance and times
    are exact. Used against ``distance_only_bks_dimacs``.
``"exact"``
    Double-precision Euclidean arcs (the SINTEF TOP table lineage of ``bks_distance``). The model
    is scaled by 1000: arc costs are rounded, travel *times* rounded up and due dates rounded down,
    so a schedule the solver accepts is feasible in exact arithmetic; the reported distance is
    recomputed in double precision.

Search: each worker process (one per core) builds the model with the distance and time matrices
registered in C++ (``RegisterTransitMatrix``), a time dimension (transit = service time of the
origin + travel time; windows on the start of service; waiting as slack), a capacity dimension
and a drop disjunction per customer with a penalty larger than any route, so a solution always
exists and an infeasible one is reported (``dropped``), never hidden. OR-Tools builds the first
solution (``PARALLEL_CHEAPEST_INSERTION`` + guided local search for a short first phase); then
the worker iterates SISR-style ruin & recreate (string and route removal, greedy best insertion
with blinks, threshold acceptance), optionally polishing new best solutions with an OR-Tools
greedy-descent local search. Workers run differently configured and differently seeded searches;
the best is kept. Measured figures and what did not help: docs/benchmarks.md.

Typical use::

    inst = read_solomon("C101.txt")
    result = solve(inst, time_limit_s=10, workers=2)
    result.evaluation.distance, result.evaluation.feasible
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import os
import random
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd
from ortools.constraint_solver import pywrapcp

from logistics import benchdata
from logistics.engine import routing_parameters

log = logging.getLogger(__name__)

Convention = Literal["dimacs", "exact"]
Objective = Literal["distance", "hierarchical"]

CONVENTIONS: tuple[str, ...] = ("dimacs", "exact")
OBJECTIVES: tuple[str, ...] = ("distance", "hierarchical")

#: Integer scale of the OR-Tools model per convention. source: DIMACS arcs have one decimal, so
#: x10 is exact; assumption: x1000 keeps the rounding error of "exact" arcs below 0.0005 per arc.
SCALE: dict[str, int] = {"dimacs": 10, "exact": 1000}

#: Largest absolute coordinate / time accepted by the reader. assumption: far above any published
#: instance (Homberger coordinates < 1000, horizons < 10^5) and small enough that scaled integer
#: objectives stay far from int64 overflow.
MAX_ABS_VALUE = benchdata.MAX_ABS_VALUE

#: Share of ruin steps that remove a whole route. assumption: tuned on Solomon C204/R2 (see
#: docs/benchmarks.md), no published value.
ROUTE_RUIN_SHARE = 0.1

#: Tolerance of the evaluator in the "exact" convention. assumption: float round-off only.
EXACT_TOLERANCE = 1e-6

BKS_COLUMNS: tuple[str, ...] = (
    "instance",
    "bks_vehicles",
    "bks_distance",
    "distance_only_bks_dimacs",
    "distance_only_vehicles",
)


class VrptwFormatError(ValueError):
    """A Solomon/Homberger instance or a BKS table is malformed (names file, line and field)."""


class VrptwError(ValueError):
    """Bad argument to the solver or evaluator (names the argument, value and what is allowed)."""


# --------------------------------------------------------------------------------------------
# Instances
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VrptwInstance:
    """One VRPTW instance; index 0 of every per-node tuple is the depot.

    Attributes
    ----------
    name : str
        Instance name from the first line of the file (e.g. ``"C101"``).
    vehicles : int
        Fleet size from the header (an upper bound on routes).
    capacity : int
        Capacity of every vehicle, in demand units.
    coords : tuple of (float, float)
        Coordinates of depot and customers (Euclidean plane; travel time equals distance).
    demand : tuple of int
        Demand per node (depot 0).
    ready, due : tuple of float
        Earliest and latest *start of service* per node; the depot's ``due`` is the route deadline.
    service : tuple of float
        Service duration per node.
    """

    name: str
    vehicles: int
    capacity: int
    coords: tuple[tuple[float, float], ...]
    demand: tuple[int, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]

    @property
    def n_customers(self) -> int:
        """Number of customers (nodes minus the depot)."""
        return len(self.coords) - 1


_CUSTOMER_FIELDS = ("CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE")


def _fail(source: str, line_no: int | None, field_name: str, value: object, allowed: str) -> None:
    benchdata.fail(VrptwFormatError, source, line_no, field_name, value, allowed)


def _number(source: str, line_no: int, field_name: str, token: str, *, integer: bool) -> float:
    return benchdata.number(VrptwFormatError, source, line_no, field_name, token, integer=integer)


def parse_solomon(text: str, *, source: str = "<string>") -> VrptwInstance:
    """Parse the text of a Solomon/Homberger instance.

    Parameters
    ----------
    text : str
        File content: name line, ``VEHICLE`` block (``NUMBER CAPACITY`` then two integers),
        ``CUSTOMER`` block (a header line then one row of 7 numbers per node, node 0 the depot).
    source : str
        Name used in error messages (usually the file path).

    Returns
    -------
    VrptwInstance

    Raises
    ------
    VrptwFormatError
        On any malformed content, naming source, line number, field and the bad value.
    """
    lines = [(i + 1, raw.strip()) for i, raw in enumerate(text.splitlines())]
    lines = [(no, s) for no, s in lines if s]
    if not lines:
        _fail(source, None, "name", "", "a name line, a VEHICLE block and a CUSTOMER block")
    name_no, name = lines[0]
    if len(name.split()) != 1:
        _fail(source, name_no, "name", name, "a single word on the first line")
    pos = 1

    def expect_keyword(keyword: str) -> None:
        nonlocal pos
        if pos >= len(lines) or lines[pos][1].split()[0].upper() != keyword:
            no, got = lines[pos] if pos < len(lines) else (None, "<end of file>")
            _fail(source, no, keyword, got, f"the line {keyword!r}")
        pos += 1

    expect_keyword("VEHICLE")
    expect_keyword("NUMBER")
    if pos >= len(lines):
        _fail(source, None, "NUMBER CAPACITY", "<end of file>", "two integers")
    veh_no, veh_line = lines[pos]
    tokens = veh_line.split()
    if len(tokens) != 2:
        _fail(source, veh_no, "NUMBER CAPACITY", veh_line, "two integers (fleet size, capacity)")
    vehicles = int(_number(source, veh_no, "NUMBER", tokens[0], integer=True))
    capacity = int(_number(source, veh_no, "CAPACITY", tokens[1], integer=True))
    if vehicles < 1:
        _fail(source, veh_no, "NUMBER", tokens[0], "at least 1 vehicle")
    if capacity < 1:
        _fail(source, veh_no, "CAPACITY", tokens[1], "a capacity of at least 1")
    pos += 1
    expect_keyword("CUSTOMER")
    expect_keyword("CUST")

    coords: list[tuple[float, float]] = []
    demand: list[int] = []
    ready: list[float] = []
    due: list[float] = []
    service: list[float] = []
    for line_no, row in lines[pos:]:
        tokens = row.split()
        if len(tokens) != 7:
            _fail(
                source, line_no, "customer row", row, f"7 numbers ({', '.join(_CUSTOMER_FIELDS)})"
            )
        values = [
            _number(source, line_no, fld, tok, integer=fld in ("CUST NO.", "DEMAND"))
            for fld, tok in zip(_CUSTOMER_FIELDS, tokens, strict=True)
        ]
        cust, x, y, dem, rdy, dd, srv = values
        if cust != len(coords):
            _fail(source, line_no, "CUST NO.", tokens[0], f"{len(coords)} (consecutive from 0)")
        if dem < 0 or dem > capacity:
            _fail(source, line_no, "DEMAND", tokens[3], f"0..{capacity} (the vehicle capacity)")
        if rdy < 0:
            _fail(source, line_no, "READY TIME", tokens[4], ">= 0")
        if dd < rdy:
            _fail(source, line_no, "DUE DATE", tokens[5], f">= READY TIME {tokens[4]}")
        if srv < 0:
            _fail(source, line_no, "SERVICE", tokens[6], ">= 0")
        coords.append((x, y))
        demand.append(int(dem))
        ready.append(rdy)
        due.append(dd)
        service.append(srv)
    if len(coords) < 2:
        _fail(source, None, "CUSTOMER", f"{len(coords)} rows", "a depot row and >= 1 customer")
    if demand[0] != 0:
        _fail(source, lines[pos][0], "DEMAND", demand[0], "0 for the depot (node 0)")
    return VrptwInstance(
        name=name,
        vehicles=vehicles,
        capacity=capacity,
        coords=tuple(coords),
        demand=tuple(demand),
        ready=tuple(ready),
        due=tuple(due),
        service=tuple(service),
    )


def read_solomon(path: str | os.PathLike[str]) -> VrptwInstance:
    """Read a Solomon/Homberger instance file (see :func:`parse_solomon`).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    VrptwFormatError
        If the file is not UTF-8/ASCII text or is malformed.
    """
    p = Path(path)
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VrptwFormatError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_solomon(text, source=str(p))


def read_bks(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a best-known-solutions table.

    Parameters
    ----------
    path : path-like
        CSV with columns ``instance, bks_vehicles, bks_distance, distance_only_bks_dimacs,
        distance_only_vehicles`` (the last two may be empty, e.g. for Homberger rows).

    Returns
    -------
    pandas.DataFrame
        One row per instance, numeric columns as floats (NaN when empty), ``instance`` as str.

    Raises
    ------
    VrptwFormatError
        On a missing column, a duplicate or empty instance name, or a non-numeric value
        (naming the file, the CSV line and the column).
    """
    p = Path(path)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise VrptwFormatError(f"{p}: not a readable CSV table ({exc})") from exc
    missing = [c for c in BKS_COLUMNS if c not in df.columns]
    if missing:
        raise VrptwFormatError(
            f"{p}: missing column(s) {', '.join(missing)}; expected {', '.join(BKS_COLUMNS)}"
        )
    df = df[list(BKS_COLUMNS)].copy()
    df["instance"] = df["instance"].str.strip()
    for i, name in enumerate(df["instance"]):
        if not name:
            raise VrptwFormatError(f"{p}:{i + 2}: field instance: empty; expected a name")
    dup = df["instance"].str.upper().duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise VrptwFormatError(
            f"{p}:{i + 2}: field instance: duplicate {df['instance'].iloc[i]!r}; "
            "names must be unique"
        )
    for col in BKS_COLUMNS[1:]:
        out = []
        for i, raw in enumerate(df[col]):
            s = raw.strip()
            if not s:
                out.append(math.nan)
                continue
            try:
                v = float(s)
            except ValueError:
                v = math.nan
                s = s or raw
            if not math.isfinite(v) or v < 0:
                raise VrptwFormatError(
                    f"{p}:{i + 2}: field {col}: bad value {raw!r}; expected a number >= 0 or empty"
                )
            out.append(v)
        df[col] = out
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Distances and independent evaluation
# --------------------------------------------------------------------------------------------


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise VrptwError(f"convention: bad value {convention!r}; allowed {', '.join(CONVENTIONS)}")


def arc_length(instance: VrptwInstance, i: int, j: int, *, convention: Convention) -> float:
    """Length (= travel time) of arc i -> j; DIMACS truncates to one decimal."""
    (xi, yi), (xj, yj) = instance.coords[i], instance.coords[j]
    d = math.sqrt((xi - xj) ** 2 + (yi - yj) ** 2)
    if convention == "dimacs":
        return math.floor(10 * d) / 10
    return d


def _dimacs_tenths(instance: VrptwInstance) -> list[list[int]]:
    """Arc lengths in tenths, truncated.

    Exact for integer coordinates: the square root of an integer is an integer (exact in binary
    floating point) or irrational, so no arc sits on a rounding boundary.
    """
    xy = instance.coords
    return [
        [math.floor(10 * math.sqrt((xi - xj) ** 2 + (yi - yj) ** 2)) for (xj, yj) in xy]
        for (xi, yi) in xy
    ]


@dataclass(frozen=True)
class Evaluation:
    """Result of re-checking a solution against the instance data.

    Attributes
    ----------
    distance : float
        Total length of all routes in the chosen convention.
    vehicles : int
        Number of non-empty routes.
    feasible : bool
        True when every customer is served exactly once, no route exceeds capacity, every service
        starts within its window, every route is back by the depot's due date and the fleet size
        is respected.
    violations : tuple of str
        Human-readable reasons when not feasible (empty otherwise).
    """

    distance: float
    vehicles: int
    feasible: bool
    violations: tuple[str, ...] = ()


def evaluate(
    instance: VrptwInstance,
    routes: Sequence[Sequence[int]],
    *,
    convention: Convention = "dimacs",
) -> Evaluation:
    """Recompute distance and check every constraint of a solution from the instance alone.

    Parameters
    ----------
    instance : VrptwInstance
    routes : sequence of sequences of int
        One sequence of customer numbers (1..n, depot excluded) per vehicle; empty ones ignored.
    convention : {"dimacs", "exact"}
        DIMACS: arcs truncated to one decimal, checked in exact integer tenths. exact: doubles,
        with tolerance ``EXACT_TOLERANCE``.

    Returns
    -------
    Evaluation
    """
    _check_convention(convention)
    n = instance.n_customers
    violations: list[str] = []
    used = [list(r) for r in routes if len(r) > 0]
    if len(used) > instance.vehicles:
        violations.append(f"{len(used)} routes exceed the fleet of {instance.vehicles}")
    seen: dict[int, int] = {}
    for r in used:
        for c in r:
            if not (isinstance(c, int) and 1 <= c <= n):
                violations.append(f"route visits {c!r}, not a customer number in 1..{n}")
            else:
                seen[c] = seen.get(c, 0) + 1
    for c, k in sorted(seen.items()):
        if k > 1:
            violations.append(f"customer {c} visited {k} times")
    missing = [c for c in range(1, n + 1) if c not in seen]
    if missing:
        violations.append(f"{len(missing)} customer(s) not served: {missing[:10]}")
    if violations and any("not a customer" in v for v in violations):
        return Evaluation(math.nan, len(used), False, tuple(violations))

    if convention == "dimacs":
        tenths = _dimacs_tenths(instance)
        scale = 10

        def travel(i: int, j: int) -> float:
            return tenths[i][j]

        def scaled(v: float) -> float:
            return v * scale  # times are integers or one-decimal in DIMACS data

        tol = 1e-9
    else:
        scale = 1

        def travel(i: int, j: int) -> float:
            return arc_length(instance, i, j, convention="exact")

        def scaled(v: float) -> float:
            return v

        tol = EXACT_TOLERANCE

    total = 0.0
    for k, r in enumerate(used):
        load = sum(instance.demand[c] for c in r)
        if load > instance.capacity:
            violations.append(f"route {k}: load {load} exceeds capacity {instance.capacity}")
        t = scaled(instance.ready[0])
        prev = 0
        for c in r:
            total += travel(prev, c)
            t = max(t + travel(prev, c), scaled(instance.ready[c]))
            if t > scaled(instance.due[c]) + tol:
                violations.append(
                    f"route {k}: service at customer {c} starts at {t / scale:g}, "
                    f"after its due date {instance.due[c]:g}"
                )
            t += scaled(instance.service[c])
            prev = c
        total += travel(prev, 0)
        t += travel(prev, 0)
        if t > scaled(instance.due[0]) + tol:
            violations.append(
                f"route {k}: returns to the depot at {t / scale:g}, after its due date "
                f"{instance.due[0]:g}"
            )
    distance = total / scale
    if convention == "dimacs":
        distance = round(distance, 1)
    return Evaluation(distance, len(used), not violations, tuple(violations))


# --------------------------------------------------------------------------------------------
# OR-Tools model and search parameters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchConfig:
    """One member of the parallel search portfolio.

    The first fields are keyword arguments of :func:`logistics.engine.routing_parameters`;
    ``permutation_seed`` relabels the customers (a different search trajectory for the same
    instance).

    With ``ruin_recreate`` the worker runs the OR-Tools search for ``first_phase_share`` of its
    time, then iterates ruin & recreate (SISR-style, Christiaens & Vanden Berghe 2020): remove
    about ``ruin_avg_removed`` customers as strings from geographically close routes (or a whole
    route, ``ROUTE_RUIN_SHARE``), re-insert them by greedy best insertion with blinks, and accept
    candidates up to ``accept_threshold`` x U(0, 1) worse than the current solution, the threshold
    shrinking linearly to 0. With ``polish_new_bests`` every new best is handed back to OR-Tools
    (``ReadAssignmentFromRoutes``) for a greedy-descent local search; otherwise only the final
    best is. Without a deadline (deterministic mode) it runs ``ruin_iterations`` iterations,
    seeded by ``ruin_seed``.

    Defaults: OR-Tools defaults for the search fields (source: OR-Tools 9.15
    ``DefaultRoutingSearchParameters``); ``ruin_avg_removed`` = 10 (source: SISR paper, c-bar);
    ``first_phase_share`` = 0.05 and ``accept_threshold`` = 0.03 (assumption: tuned on Solomon
    subsets, docs/benchmarks.md); ``ruin_iterations`` = 500 (assumption: ~1-2 s on 100 customers,
    enough for the tests' deterministic runs).
    """

    strategy: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    neighbors_ratio: float = 1.0
    min_neighbors: int = 1
    extra_lns: bool = False
    lean_operators: bool = False
    bandit: bool = False
    iterated_local_search: bool = False
    permutation_seed: int | None = None
    ruin_recreate: bool = False
    first_phase_share: float = 0.05
    ruin_avg_removed: int = 10
    ruin_iterations: int = 500
    ruin_seed: int = 0
    polish_new_bests: bool = True
    accept_threshold: float = 0.03


#: The portfolio run across workers (worker k uses entry k mod len). Chosen by the measurements
#: recorded in docs/benchmarks.md.
PORTFOLIO: tuple[SearchConfig, ...] = (
    SearchConfig(lean_operators=True, ruin_recreate=True, polish_new_bests=False),
    SearchConfig(
        lean_operators=True, ruin_recreate=True, polish_new_bests=True, accept_threshold=0.02
    ),
)


@dataclass
class _Model:
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    order: list[int]  # model node -> instance node
    cost: list[list[int]] = field(default_factory=list)  # scaled arc costs, model node order
    transit: list[list[int]] = field(default_factory=list)  # service of origin + travel time
    ready: list[int] = field(default_factory=list)
    due: list[int] = field(default_factory=list)
    demand: list[int] = field(default_factory=list)
    capacity: int = 0
    fixed_vehicle_cost: int = 0

    def __post_init__(self) -> None:
        # transposed matrices (column access) for the Python recreate heuristic
        self.cost_t = [list(col) for col in zip(*self.cost, strict=True)]
        self.transit_t = [list(col) for col in zip(*self.transit, strict=True)]


def _build_model(
    instance: VrptwInstance,
    *,
    convention: Convention,
    objective: Objective,
    permutation_seed: int | None,
) -> _Model:
    """Build the OR-Tools model with matrices registered in C++ (no Python callbacks)."""
    n_nodes = len(instance.coords)
    order = list(range(n_nodes))
    if permutation_seed is not None:
        tail = order[1:]
        random.Random(permutation_seed).shuffle(tail)
        order = [0, *tail]
    scale = SCALE[convention]
    if convention == "dimacs":
        tenths = _dimacs_tenths(instance)
        cost = [[tenths[a][b] for b in order] for a in order]
        travel = cost
    else:
        exact = [
            [arc_length(instance, a, b, convention="exact") * scale for b in order] for a in order
        ]
        cost = [[round(v) for v in row] for row in exact]
        travel = [[math.ceil(v - 1e-9) for v in row] for row in exact]
    service = [math.ceil(instance.service[a] * scale - 1e-9) for a in order]
    ready = [math.ceil(instance.ready[a] * scale - 1e-9) for a in order]
    due = [math.floor(instance.due[a] * scale + 1e-9) for a in order]
    transit = [[service[i] + travel[i][j] for j in range(n_nodes)] for i in range(n_nodes)]

    manager = pywrapcp.RoutingIndexManager(n_nodes, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost_idx = routing.RegisterTransitMatrix(cost)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_idx)
    time_idx = routing.RegisterTransitMatrix(transit)
    horizon = due[0]
    routing.AddDimension(time_idx, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, n_nodes):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(ready[node], due[node])
    for v in range(instance.vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(ready[0], due[0])
        time_dim.CumulVar(routing.End(v)).SetRange(ready[0], due[0])
    demand = [instance.demand[a] for a in order]
    demand_idx = routing.RegisterUnaryTransitVector(demand)
    routing.AddDimensionWithVehicleCapacity(
        demand_idx, 0, [instance.capacity] * instance.vehicles, True, "load"
    )
    max_arc = max(max(row) for row in cost) or 1
    # A route costs at most (n + 1) * max_arc; a vehicle must cost more than any distance saving
    # (hierarchical) and a dropped customer more than any vehicle plus distance.
    vehicle_cost = (n_nodes + 1) * max_arc
    if objective == "hierarchical":
        routing.SetFixedCostOfAllVehicles(vehicle_cost)
    drop_penalty = (instance.vehicles + 1) * vehicle_cost
    for node in range(1, n_nodes):
        routing.AddDisjunction([manager.NodeToIndex(node)], drop_penalty)
    fixed = vehicle_cost if objective == "hierarchical" else 0
    return _Model(
        manager, routing, order, cost, transit, ready, due, demand, instance.capacity, fixed
    )


def _extract_routes(model: _Model, assignment: pywrapcp.Assignment) -> list[list[int]]:
    routes: list[list[int]] = []
    routing, manager = model.routing, model.manager
    for v in range(routing.vehicles()):
        idx = routing.Start(v)
        route: list[int] = []
        idx = assignment.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            route.append(model.order[manager.IndexToNode(idx)])
            idx = assignment.Value(routing.NextVar(idx))
        if route:
            routes.append(route)
    return routes


@dataclass(frozen=True)
class _WorkerResult:
    worker: int
    config: SearchConfig
    routes: tuple[tuple[int, ...], ...]
    objective: int | None
    status: str
    search_s: float


def _run_worker(
    instance: VrptwInstance,
    convention: Convention,
    objective: Objective,
    config: SearchConfig,
    worker: int,
    deadline: float | None,
    solution_limit: int | None,
) -> _WorkerResult:
    """Build and solve one model (runs in a child process when workers > 1)."""
    t0 = time.monotonic()
    model = _build_model(
        instance,
        convention=convention,
        objective=objective,
        permutation_seed=config.permutation_seed,
    )
    time_limit = None
    if deadline is not None:
        # assumption: 0.15 s covers route extraction and the return to the parent process.
        time_limit = max(0.1, deadline - time.time() - 0.15)
        if config.ruin_recreate:
            time_limit = max(0.1, time_limit * config.first_phase_share)
    params = routing_parameters(
        time_limit,
        solution_limit=solution_limit,
        strategy=config.strategy,
        metaheuristic=config.metaheuristic,
        gls_lambda=config.gls_lambda,
        neighbors_ratio=config.neighbors_ratio,
        min_neighbors=config.min_neighbors,
        extra_lns=config.extra_lns,
        lean_operators=config.lean_operators,
        bandit=config.bandit,
        iterated_local_search=config.iterated_local_search,
    )
    assignment = model.routing.SolveWithParameters(params)
    if assignment is None and config.ruin_recreate and deadline is not None:
        # the short first phase ended before a first solution (large instance): use all the time
        remaining = deadline - time.time() - 0.15
        if remaining > 0.1:
            params.time_limit.FromMilliseconds(int(remaining * 1000))
            assignment = model.routing.SolveWithParameters(params)
    status = model.routing.status()
    status_name = {
        0: "NOT_SOLVED",
        1: "SUCCESS",
        2: "PARTIAL_SUCCESS",
        3: "FAIL",
        4: "FAIL_TIMEOUT",
        5: "INVALID",
        6: "INFEASIBLE",
        7: "OPTIMAL",
    }.get(int(status), str(status))
    if assignment is None:
        return _WorkerResult(worker, config, (), None, status_name, time.monotonic() - t0)
    objective_value = int(assignment.ObjectiveValue())
    if config.ruin_recreate:
        index_routes, objective_value = _ruin_and_recreate(
            model, assignment, config=config, deadline=deadline
        )
        node = model.manager.IndexToNode
        routes = [[model.order[node(i)] for i in r] for r in index_routes if r]
    else:
        routes = _extract_routes(model, assignment)
    return _WorkerResult(
        worker,
        config,
        tuple(tuple(r) for r in routes),
        objective_value,
        status_name,
        time.monotonic() - t0,
    )


def _index_routes(model: _Model, assignment: pywrapcp.Assignment) -> list[list[int]]:
    """Per vehicle, the routing indices visited (start/end excluded), empty routes included."""
    routing = model.routing
    routes = []
    for v in range(routing.vehicles()):
        idx = assignment.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(idx):
            route.append(idx)
            idx = assignment.Value(routing.NextVar(idx))
        routes.append(route)
    return routes


def _ruin(
    routes: list[list[int]], near: list[list[int]], avg_removed: int, rng: random.Random
) -> list[list[int]]:
    """Remove strings of visits from close routes (SISR ruin, simplified); returns new routes.

    With probability ``ROUTE_RUIN_SHARE`` a whole random route is removed instead: strings are at
    most 10 visits long, so SISR alone can never empty a longer route, and distance-optimal
    solutions sometimes use fewer (longer) routes than the current one (Solomon C204).
    """
    where = {i: k for k, r in enumerate(routes) for i in r}
    nonempty = [r for r in routes if r]
    if not where or not nonempty:
        return routes
    if len(nonempty) > 1 and rng.random() < ROUTE_RUIN_SHARE:
        victim = rng.randrange(len(routes))
        while not routes[victim]:
            victim = rng.randrange(len(routes))
        return [[] if k == victim else list(r) for k, r in enumerate(routes)]
    max_len = min(10.0, sum(map(len, nonempty)) / len(nonempty))  # L^max = 10 (paper)
    max_strings = 4 * avg_removed / (1 + max_len) - 1
    n_strings = int(rng.uniform(1, max_strings + 1))
    seed = rng.choice(sorted(where))
    ruined: set[int] = set()
    removed: set[int] = set()
    for i in [seed, *near[seed]]:
        if len(ruined) >= n_strings:
            break
        k = where.get(i)
        if k is None or k in ruined or i in removed:
            continue
        r = routes[k]
        length = int(rng.uniform(1, min(len(r), max_len) + 1))
        pos = r.index(i)
        start = rng.randint(max(0, pos - length + 1), min(pos, len(r) - length))
        removed.update(r[start : start + length])
        ruined.add(k)
    return [[i for i in r if i not in removed] for r in routes]


def _recreate(
    model: _Model,
    routes: list[list[int]],
    removed: list[int],
    n_vehicles: int,
    rng: random.Random,
) -> list[list[int]] | None:
    """Greedy best insertion with blinks (SISR recreate) in model-node space.

    Feasibility of inserting u between p and q in O(1) from each route's earliest service starts
    (forward) and latest service starts (backward); waiting allowed. Returns None when some
    customer fits nowhere (the caller then rejects the iteration).
    """
    cost, transit, ready, due = model.cost, model.transit, model.ready, model.due
    demand, capacity = model.demand, model.capacity
    cost_t, transit_t = model.cost_t, model.transit_t
    routes = [list(r) for r in routes if r]

    def schedule(r: list[int]) -> tuple[list[int], list[int], int]:
        path = [0, *r, 0]
        early = [ready[0]]
        for k in range(1, len(path)):
            early.append(max(ready[path[k]], early[-1] + transit[path[k - 1]][path[k]]))
        late = [due[0]] * len(path)
        for k in range(len(path) - 2, -1, -1):
            late[k] = min(due[path[k]], late[k + 1] - transit[path[k]][path[k + 1]])
        return early, late, sum(demand[c] for c in r)

    info = [schedule(r) for r in routes]
    order = list(removed)
    rule = rng.randrange(3)  # SISR sort orders: random, demand (desc), far from depot first
    if rule == 0:
        rng.shuffle(order)
    elif rule == 1:
        order.sort(key=lambda c: -demand[c])
    else:
        order.sort(key=lambda c: -cost[0][c])
    for u in order:
        to_u, from_u = cost_t[u], cost[u]
        transit_to_u, transit_from_u = transit_t[u], transit[u]
        ready_u, due_u, demand_u = ready[u], due[u], demand[u]
        best_delta, best_k, best_pos = 0, -1, -1
        for k, r in enumerate(routes):
            early, late, load = info[k]
            if load + demand_u > capacity:
                continue
            prev = 0
            for pos, q in enumerate([*r, 0]):
                # cheapest first: the time-window test only runs for would-be best positions
                delta = to_u[prev] + from_u[q] - cost[prev][q]
                if best_k >= 0 and delta >= best_delta:
                    prev = q
                    continue
                start_u = early[pos] + transit_to_u[prev]
                if start_u < ready_u:
                    start_u = ready_u
                if (
                    start_u <= due_u
                    and start_u + transit_from_u[q] <= late[pos + 1]
                    and rng.random() >= 0.01  # blink rate 0.01 (SISR paper)
                ):
                    best_delta, best_k, best_pos = delta, k, pos
                prev = q
        if len(routes) < n_vehicles:
            # a new route is a candidate like any other (distance-only optima often use more
            # vehicles than the fewest possible); its fixed cost counts when there is one
            start_u = max(ready_u, ready[0] + transit_to_u[0])
            delta = to_u[0] + from_u[0] + model.fixed_vehicle_cost
            if (
                start_u <= due_u
                and start_u + transit_from_u[0] <= due[0]
                and (best_k < 0 or delta < best_delta)
            ):
                routes.append([u])
                info.append(schedule(routes[-1]))
                continue
        if best_k < 0:
            return None
        routes[best_k].insert(best_pos, u)
        info[best_k] = schedule(routes[best_k])
    return routes


def _ruin_and_recreate(
    model: _Model,
    assignment: pywrapcp.Assignment,
    *,
    config: SearchConfig,
    deadline: float | None,
) -> tuple[list[list[int]], int]:
    """Iterated ruin & recreate (SISR-style) in Python, new bests polished by OR-Tools.

    Routes are handled as model-node lists; every new best is handed to OR-Tools
    (``ReadAssignmentFromRoutes``) for a greedy-descent local search with its operators.
    """
    routing, manager = model.routing, model.manager
    n_nodes = len(model.order)
    cost = model.cost
    near: list[list[int]] = [[] for _ in range(n_nodes)]
    for a in range(1, n_nodes):
        near[a] = [b for _, b in sorted((cost[a][b], b) for b in range(1, n_nodes) if b != a)]
    rng = random.Random(config.ruin_seed)
    vehicles = routing.vehicles()

    def total(routes: list[list[int]]) -> int:
        return sum(
            model.fixed_vehicle_cost + sum(cost[a][b] for a, b in itertools.pairwise([0, *r, 0]))
            for r in routes
            if r
        )

    def to_nodes(a: pywrapcp.Assignment) -> list[list[int]]:
        return [[manager.IndexToNode(i) for i in r] for r in _index_routes(model, a)]

    def polish(routes: list[list[int]], limit: float | None) -> list[list[int]]:
        padded = [[manager.NodeToIndex(c) for c in r] for r in routes]
        padded += [[] for _ in range(vehicles - len(padded))]
        initial = routing.ReadAssignmentFromRoutes(padded, True)
        if initial is None:
            return routes
        params = routing_parameters(
            limit,
            solution_limit=None if limit is not None else 100_000,
            metaheuristic="GREEDY_DESCENT",
            lean_operators=True,
        )
        solution = routing.SolveFromAssignmentWithParameters(initial, params)
        if solution is None:
            return routes
        polished = [r for r in to_nodes(solution) if r]
        served = sum(map(len, polished))
        return polished if served == sum(map(len, routes)) else routes

    cur = [r for r in to_nodes(assignment) if r]
    dropped_at_start = n_nodes - 1 - sum(map(len, cur))
    if dropped_at_start:  # the first phase left customers out: keep OR-Tools' answer
        return [[manager.NodeToIndex(c) for c in r] for r in cur], int(assignment.ObjectiveValue())
    cur_obj = total(cur)
    best, best_obj = cur, cur_obj
    iterations = polished_count = 0
    start = time.time()
    while True:
        if deadline is not None:
            if deadline - time.time() < (0.3 if config.polish_new_bests else 0.8):
                break
            progress = (time.time() - start) / max(1e-9, deadline - start)
        else:
            if iterations >= config.ruin_iterations:
                break
            progress = iterations / config.ruin_iterations
        iterations += 1
        ruined = _ruin(cur, near, config.ruin_avg_removed, rng)
        kept = {c for r in ruined for c in r}
        removed = [c for r in cur for c in r if c not in kept]
        candidate = _recreate(model, ruined, removed, vehicles, rng)
        if candidate is None:
            continue
        obj = total(candidate)
        # threshold acceptance: up to accept_threshold worse early on, shrinking linearly to 0
        threshold = config.accept_threshold * cur_obj * (1.0 - progress) * rng.random()
        if obj < best_obj and config.polish_new_bests:
            limit = None if deadline is None else min(1.0, deadline - time.time() - 0.2)
            if limit is None or limit > 0.05:
                candidate = polish(candidate, limit)
                polished_count += 1
                obj = total(candidate)
        if obj <= cur_obj or obj < cur_obj + threshold:
            cur, cur_obj = candidate, obj
            if obj < best_obj:
                best, best_obj = candidate, obj
    if not config.polish_new_bests:
        limit = None if deadline is None else deadline - time.time() - 0.2
        if limit is None or limit > 0.05:
            polished = polish(best, limit)
            if total(polished) < best_obj:
                best, best_obj = polished, total(polished)
    log.info(
        "ruin & recreate: %d iterations, %d polished, objective %d",
        iterations,
        polished_count,
        best_obj,
    )
    index_routes = [[manager.NodeToIndex(c) for c in r] for r in best]
    return index_routes, best_obj


@dataclass(frozen=True)
class VrptwResult:
    """Best solution of a (possibly parallel) solve, with its independent evaluation.

    Attributes
    ----------
    instance : str
        Instance name.
    routes : tuple of tuple of int
        Customer sequences (depot excluded), one per used vehicle.
    dropped : tuple of int
        Customers the solver left unserved (then ``evaluation.feasible`` is False).
    evaluation : Evaluation
        Independent re-check of ``routes`` in ``convention``.
    convention, objective : str
        Distance convention and objective used.
    config : SearchConfig
        Portfolio member that produced the kept solution.
    wall_s : float
        Wall-clock time of the whole solve.
    """

    instance: str
    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    evaluation: Evaluation
    convention: str
    objective: str
    config: SearchConfig
    wall_s: float


def solve(
    instance: VrptwInstance,
    *,
    time_limit_s: float | None = 10.0,
    solution_limit: int | None = None,
    objective: Objective = "distance",
    convention: Convention = "dimacs",
    workers: int = 2,
    seed: int = 0,
    portfolio: Sequence[SearchConfig] = PORTFOLIO,
) -> VrptwResult:
    """Solve a VRPTW instance with OR-Tools, running a portfolio of searches in parallel.

    Parameters
    ----------
    instance : VrptwInstance
    time_limit_s : float or None
        Wall-clock budget of the whole call (model building included); ``None`` with a
        ``solution_limit`` for a deterministic run.
    solution_limit : int, optional
        Stop each search after this many improving solutions (deterministic).
    objective : {"distance", "hierarchical"}
        ``distance``: total distance only. ``hierarchical``: a fixed vehicle cost larger than any
        route, so fewer vehicles first, then distance.
    convention : {"dimacs", "exact"}
        Distance convention of the model and of the evaluation (see module docstring).
    workers : int
        Number of searches run in parallel processes (one per core); worker k runs
        ``portfolio[k % len(portfolio)]``; workers beyond the portfolio relabel the customers
        with a seeded permutation, which changes the search trajectory.
    seed : int
        Seed of those permutations (OR-Tools routing has no random seed of its own).
    portfolio : sequence of SearchConfig
        Search configurations to run.

    Returns
    -------
    VrptwResult
        The best solution over workers: fewest dropped customers, then lowest objective.

    Raises
    ------
    VrptwError
        On a bad argument, or when no worker found any solution (explained).
    """
    _check_convention(convention)
    if objective not in OBJECTIVES:
        raise VrptwError(f"objective: bad value {objective!r}; allowed {', '.join(OBJECTIVES)}")
    if workers < 1:
        raise VrptwError(f"workers: bad value {workers!r}; expected >= 1")
    if not portfolio:
        raise VrptwError("portfolio: empty; give at least one SearchConfig")
    # Validate limits once, in the parent, for a clear error.
    routing_parameters(time_limit_s, solution_limit=solution_limit)
    start_wall, start = time.time(), time.monotonic()
    deadline = None if time_limit_s is None else start_wall + time_limit_s
    configs = []
    for k in range(workers):
        cfg = replace(portfolio[k % len(portfolio)], ruin_seed=seed * 1000 + k)
        if k >= len(portfolio):
            cfg = replace(cfg, permutation_seed=seed * 1000 + k)
        configs.append(cfg)
    jobs = [
        (instance, convention, objective, cfg, k, deadline, solution_limit)
        for k, cfg in enumerate(configs)
    ]
    if workers == 1:
        results = [_run_worker(*jobs[0])]
    else:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(_run_worker, *job) for job in jobs]
            results = [f.result() for f in futures]
    n = instance.n_customers
    best: tuple[tuple[int, int, int], _WorkerResult] | None = None
    for res in results:
        log.info(
            "%s worker %d (%s): status %s objective %s in %.1f s",
            instance.name,
            res.worker,
            res.config.strategy,
            res.status,
            res.objective,
            res.search_s,
        )
        if res.objective is None:
            continue
        n_dropped = n - sum(len(r) for r in res.routes)
        key = (n_dropped, res.objective, res.worker)
        if best is None or key < best[0]:
            best = (key, res)
    if best is None:
        statuses = ", ".join(f"worker {r.worker}: {r.status}" for r in results)
        if any(r.status == "INVALID" for r in results):
            reason = "OR-Tools rejected the search parameters (see its log on stderr)"
        else:
            reason = (
                "every customer may be dropped, so the search limit was too short to build a "
                "first solution"
            )
        raise VrptwError(f"{instance.name}: no solution found ({statuses}); {reason}")
    res = best[1]
    served = {c for r in res.routes for c in r}
    dropped = tuple(c for c in range(1, n + 1) if c not in served)
    evaluation = evaluate(instance, res.routes, convention=convention)
    return VrptwResult(
        instance=instance.name,
        routes=res.routes,
        dropped=dropped,
        evaluation=evaluation,
        convention=convention,
        objective=objective,
        config=res.config,
        wall_s=time.monotonic() - start,
    )


# --------------------------------------------------------------------------------------------
# Benchmark over a directory
# --------------------------------------------------------------------------------------------


def benchmark_bks_path(directory: str | os.PathLike[str]) -> Path:
    """The ``bks.csv`` of a benchmark folder: in it, or else in its parent folder."""
    return benchdata.bks_path(directory, ", ".join(BKS_COLUMNS))


def benchmark_files(directory: str | os.PathLike[str], pattern: str = "**/*.txt") -> list[Path]:
    """Instance files (``*.txt``) of a benchmark folder matching ``pattern`` (recursive by
    default), sorted; ``FileNotFoundError`` without the folder, ``VrptwError`` without a match."""
    return benchdata.benchmark_files(directory, pattern, VrptwError)


def benchmark_instance(
    path: str | os.PathLike[str],
    bks: pd.DataFrame,
    *,
    time_limit_s: float | None = 10.0,
    solution_limit: int | None = None,
    objective: Objective = "distance",
    workers: int = 2,
    seed: int = 0,
) -> dict[str, object]:
    """Solve one instance file and compare it with its best-known solution.

    The reference is chosen per row of ``bks`` (matched on the file stem, case-insensitive):
    with ``objective="distance"`` and a ``distance_only_bks_dimacs`` value, the DIMACS convention
    against that value; otherwise the double-precision convention against ``bks_distance``
    (the hierarchical BKS, the only one published for Homberger rows).

    Returns
    -------
    dict
        ``instance, vehicles, distance, bks_distance, gap_pct, feasible`` plus ``bks_vehicles``,
        ``reference`` (which BKS column), ``convention``, ``dropped`` and ``wall_s``. ``gap_pct``
        and ``bks_distance`` are None when the instance has no BKS row.
    """
    p = Path(path)
    instance = read_solomon(p)
    index = {str(name).upper(): i for i, name in enumerate(bks["instance"])}
    pos = index.get(p.stem.upper(), index.get(instance.name.upper()))
    row = None if pos is None else bks.iloc[pos]
    use_dimacs = (
        objective == "distance"
        and row is not None
        and not math.isnan(float(row["distance_only_bks_dimacs"]))
    )
    convention: Convention = "dimacs" if use_dimacs else "exact"
    reference = "distance_only_bks_dimacs" if use_dimacs else "bks_distance"
    ref = None if row is None else float(row[reference])
    if ref is not None and math.isnan(ref):
        ref = None
    if row is None:
        log.warning("%s: no row in bks.csv; gap not computed", p.name)
    result = solve(
        instance,
        time_limit_s=time_limit_s,
        solution_limit=solution_limit,
        objective=objective,
        convention=convention,
        workers=workers,
        seed=seed,
    )
    ev = result.evaluation
    gap = None if ref is None or ref <= 0 else round(100 * (ev.distance - ref) / ref, 3) + 0.0
    bks_vehicles = None
    if row is not None:
        vcol = "distance_only_vehicles" if use_dimacs else "bks_vehicles"
        if not math.isnan(float(row[vcol])):
            bks_vehicles = int(row[vcol])
    return {
        "instance": p.stem,
        "vehicles": ev.vehicles,
        "distance": round(ev.distance, 3),
        "bks_distance": ref,
        "gap_pct": gap,
        "feasible": ev.feasible,
        "bks_vehicles": bks_vehicles,
        "reference": reference if ref is not None else None,
        "convention": convention,
        "dropped": len(result.dropped),
        "wall_s": round(result.wall_s, 2),
    }


def mean_gap(rows: Sequence[dict[str, object]]) -> float | None:
    """Mean of the ``gap_pct`` values that are not None (None if there are none)."""
    gaps = [float(str(g)) for r in rows if (g := r.get("gap_pct")) is not None]
    return round(sum(gaps) / len(gaps), 3) if gaps else None
