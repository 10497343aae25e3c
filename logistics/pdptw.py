"""Li & Lim PDPTW instances: reader, OR-Tools model on the shared engine, independent evaluation.

This stage measures the fleet's search (:mod:`logistics.engine`) on the published
pickup-and-delivery benchmark with time windows (Li & Lim 2001). The model is built here, solved
by :func:`logistics.engine.search` with the pickup-delivery pairs as ruin groups, and every
solution is re-checked from the instance data alone, so ``feasible`` is verified, not trusted.
Before the search, each worker runs the route-minimisation phase of :mod:`logistics.routemin`
with :class:`PairInsertion`, a Python re-implementation of the model's constraints for fast
insertion checks (also the recreate of the even workers); OR-Tools re-checks its routes.

Conventions (those of the benchmark): node 0 is the depot; travel time equals the Euclidean
distance in double precision; a window bounds the *start* of service; waiting is allowed; every
route ends at the depot by the depot's due date; a pair is served by one vehicle, pickup first;
the load never exceeds the capacity. Objective hierarchical: fewest vehicles, then distance.

Integer model (OR-Tools works in integers), scale ``SCALE``: arc costs rounded, travel and
service times rounded up, ready times rounded up and due dates rounded down, so a schedule the
model accepts is feasible in exact arithmetic; distances are recomputed in double precision.

Typical use::

    inst = read_lilim("lc101.txt")
    result = solve(inst, settings=DEFAULT_SETTINGS)
    result.evaluation.vehicles, result.evaluation.distance, result.evaluation.feasible
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import pandas as pd
from ortools.constraint_solver import pywrapcp

from logistics import benchdata, routemin
from logistics.engine import SearchResult, SearchSettings, search

log = logging.getLogger(__name__)

#: Integer scale of the OR-Tools model. assumption: x1000 keeps the rounding of each arc cost
#: below 0.0005 (distances are compared to 4 decimals).
SCALE = 1000

#: Largest absolute coordinate / time / demand accepted by the reader. assumption: far above any
#: published instance and far from int64 overflow once scaled.
MAX_ABS_VALUE = benchdata.MAX_ABS_VALUE

#: Tolerance of the evaluator (double-precision round-off only).
TOLERANCE = 1e-6

BKS_COLUMNS: tuple[str, ...] = ("instance", "bks_vehicles", "bks_distance")

_FIELDS = ("id", "x", "y", "demand", "earliest", "latest", "service", "pickup", "delivery")

#: Default work budget of the benchmark, per worker. Measured ~30 s per 100-task instance on
#: this machine's two cores (docs/benchmarks.md).
DEFAULT_SETTINGS = SearchSettings(ls_solutions=300, rr_iterations=1000, rr_remove=8)

#: Even workers recreate with :class:`PairInsertion` (``insert_groups`` of the engine) instead of
#: OR-Tools' insertion: each iteration is cheaper, so they run this many times the iterations,
#: remove ``INSERT_RR_REMOVE`` pairs on average and never ruin a whole route (the
#: route-minimisation phase removes routes). assumption: set on the tuning instances
#: (docs/benchmarks.md).
INSERT_ITERATION_FACTOR = 3
INSERT_RR_REMOVE = 20

#: Default work budget of the route-minimisation phase (:mod:`logistics.routemin`) per worker,
#: in insertion positions offered to :class:`PairInsertion`. assumption: set on the tuning
#: instances (docs/benchmarks.md); 0 switches the phase off.
DEFAULT_RM_POSITIONS = 3_000_000


class PdptwFormatError(ValueError):
    """A Li & Lim instance or BKS table is malformed (names file, line and field)."""


class PdptwError(ValueError):
    """Bad argument to the solver or evaluator (names the argument, value and what is allowed)."""


@dataclass(frozen=True)
class PdptwInstance:
    """One Li & Lim instance; index 0 of every per-node tuple is the depot.

    Attributes
    ----------
    name : str
        Instance name (the file stem).
    vehicles, capacity : int
        Fleet size and vehicle capacity from the first line.
    coords : tuple of (float, float)
        Node coordinates (travel time equals Euclidean distance).
    demand : tuple of int
        Load change per node (> 0 pickup, < 0 delivery, 0 depot).
    ready, due, service : tuple of float
        Window of the start of service and service duration per node.
    pairs : tuple of (int, int)
        ``(pickup, delivery)`` node pairs, in pickup order.
    """

    name: str
    vehicles: int
    capacity: int
    coords: tuple[tuple[float, float], ...]
    demand: tuple[int, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]
    pairs: tuple[tuple[int, int], ...]

    @property
    def n_tasks(self) -> int:
        """Number of pickup and delivery nodes (nodes minus the depot)."""
        return len(self.coords) - 1

    def distance(self, i: int, j: int) -> float:
        """Euclidean distance between nodes i and j (double precision)."""
        (xi, yi), (xj, yj) = self.coords[i], self.coords[j]
        return math.hypot(xi - xj, yi - yj)


def _fail(source: str, line_no: int | None, field_name: str, value: object, allowed: str) -> None:
    benchdata.fail(PdptwFormatError, source, line_no, field_name, value, allowed)


def _number(source: str, line_no: int, field_name: str, token: str, *, integer: bool) -> float:
    return benchdata.number(PdptwFormatError, source, line_no, field_name, token, integer=integer)


def parse_lilim(text: str, *, name: str = "instance", source: str = "<string>") -> PdptwInstance:
    """Parse the text of a Li & Lim instance.

    Parameters
    ----------
    text : str
        First line ``K Q S`` (vehicles, capacity, and a third number that published files
        give as 1 or 0 and the benchmark ignores: travel time equals distance); then one line
        per node ``id x y demand
        earliest latest service pickup delivery``, node 0 the depot, ids consecutive.
    name : str
        Instance name to record.
    source : str
        Name used in error messages (usually the file path).

    Returns
    -------
    PdptwInstance

    Raises
    ------
    PdptwFormatError
        On any malformed content, naming source, line, field and the bad value.
    """
    lines = [(i + 1, raw.split()) for i, raw in enumerate(text.splitlines()) if raw.strip()]
    if not lines:
        _fail(source, None, "K Q S", "<empty>", "a header line and node lines")
    head_no, head = lines[0]
    if len(head) != 3:
        _fail(source, head_no, "K Q S", " ".join(head), "3 numbers (vehicles capacity speed)")
    vehicles = int(_number(source, head_no, "K", head[0], integer=True))
    capacity = int(_number(source, head_no, "Q", head[1], integer=True))
    speed = _number(source, head_no, "S", head[2], integer=False)
    if vehicles < 1:
        _fail(source, head_no, "K", head[0], "at least 1 vehicle")
    if capacity < 1:
        _fail(source, head_no, "Q", head[1], "a capacity of at least 1")
    if speed < 0:
        _fail(source, head_no, "S", head[2], "a number >= 0 (not used: travel time = distance)")
    rows: list[tuple[int, list[float]]] = []
    for line_no, tokens in lines[1:]:
        if len(tokens) != len(_FIELDS):
            _fail(source, line_no, "node row", " ".join(tokens), f"9 numbers ({' '.join(_FIELDS)})")
        values = [
            _number(source, line_no, fld, tok, integer=fld not in ("x", "y"))
            for fld, tok in zip(_FIELDS, tokens, strict=True)
        ]
        if values[0] != len(rows):
            _fail(source, line_no, "id", tokens[0], f"{len(rows)} (consecutive from 0)")
        rows.append((line_no, values))
    if len(rows) < 3:
        _fail(source, None, "node rows", len(rows), "a depot row and at least one pair")
    n = len(rows)
    pairs: list[tuple[int, int]] = []
    for i, (line_no, (_, _, _, dem, rdy, dd, srv, pick, deliv)) in enumerate(rows):
        if rdy < 0:
            _fail(source, line_no, "earliest", rdy, ">= 0")
        if dd < rdy:
            _fail(source, line_no, "latest", dd, f">= earliest {rdy:g}")
        if srv < 0:
            _fail(source, line_no, "service", srv, ">= 0")
        if abs(dem) > capacity:
            _fail(source, line_no, "demand", dem, f"within +-{capacity} (the capacity)")
        if not (0 <= pick < n and 0 <= deliv < n):
            _fail(source, line_no, "pickup/delivery", (pick, deliv), f"node ids in 0..{n - 1}")
        if i == 0:
            if dem != 0 or pick != 0 or deliv != 0:
                _fail(source, line_no, "depot", (dem, pick, deliv), "demand, pickup, delivery 0")
            continue
        if dem > 0 and pick == 0 and deliv > 0:
            other = rows[int(deliv)][1]
            if other[7] != i or other[8] != 0 or other[3] != -dem:
                _fail(
                    source,
                    line_no,
                    "delivery",
                    int(deliv),
                    f"a delivery node with pickup {i} and demand {-dem:g}",
                )
            pairs.append((i, int(deliv)))
        elif dem < 0 and deliv == 0 and pick > 0:
            other = rows[int(pick)][1]
            if other[8] != i:
                _fail(source, line_no, "pickup", int(pick), f"a pickup node with delivery {i}")
        else:
            _fail(
                source,
                line_no,
                "demand/pickup/delivery",
                (dem, pick, deliv),
                "a pickup (demand > 0, pickup 0, delivery > 0) or a delivery "
                "(demand < 0, pickup > 0, delivery 0)",
            )
    return PdptwInstance(
        name=name,
        vehicles=vehicles,
        capacity=capacity,
        coords=tuple((v[1], v[2]) for _, v in rows),
        demand=tuple(int(v[3]) for _, v in rows),
        ready=tuple(v[4] for _, v in rows),
        due=tuple(v[5] for _, v in rows),
        service=tuple(v[6] for _, v in rows),
        pairs=tuple(pairs),
    )


def read_lilim(path: str | os.PathLike[str]) -> PdptwInstance:
    """Read a Li & Lim instance file (see :func:`parse_lilim`); the name is the file stem.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    PdptwFormatError
        If the file is not UTF-8 text or is malformed.
    """
    p = Path(path)
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PdptwFormatError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_lilim(text, name=p.stem, source=str(p))


def read_bks(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the best-known-solutions table (``instance, bks_vehicles, bks_distance``, ...).

    Raises
    ------
    PdptwFormatError
        On a missing column, an empty or duplicate name or a bad number (file, line, column).
    """
    p = Path(path)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise PdptwFormatError(f"{p}: not a readable CSV table ({exc})") from exc
    missing = [c for c in BKS_COLUMNS if c not in df.columns]
    if missing:
        raise PdptwFormatError(
            f"{p}: missing column(s) {', '.join(missing)}; expected {', '.join(BKS_COLUMNS)}"
        )
    df = df[list(BKS_COLUMNS)].copy()
    df["instance"] = df["instance"].str.strip()
    seen: set[str] = set()
    for i, name in enumerate(df["instance"]):
        if not name or name.upper() in seen:
            raise PdptwFormatError(
                f"{p}:{i + 2}: field instance: bad value {name!r}; expected a unique name"
            )
        seen.add(name.upper())
    for col, integer in (("bks_vehicles", True), ("bks_distance", False)):
        out = []
        for i, raw in enumerate(df[col]):
            try:
                v = float(raw)
            except ValueError:
                v = math.nan
            if not math.isfinite(v) or v < 0 or (integer and v != int(v)):
                kind = "an integer >= 0" if integer else "a number >= 0"
                raise PdptwFormatError(
                    f"{p}:{i + 2}: field {col}: bad value {raw!r}; expected {kind}"
                )
            out.append(v)
        df[col] = out
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Independent evaluation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Result of re-checking a solution from the instance data alone.

    Attributes
    ----------
    distance : float
        Total length of the routes (double precision).
    vehicles : int
        Non-empty routes.
    feasible : bool
        Every node served once, each pair on one route with its pickup first, load within
        ``[0, capacity]``, every service started within its window, every route back at the
        depot by its due date, no more routes than the fleet.
    violations : tuple of str
        Reasons when not feasible.
    """

    distance: float
    vehicles: int
    feasible: bool
    violations: tuple[str, ...] = ()


def evaluate(instance: PdptwInstance, routes: Sequence[Sequence[int]]) -> Evaluation:
    """Recompute distance and check every constraint of a solution.

    Parameters
    ----------
    instance : PdptwInstance
    routes : sequence of sequences of int
        Node ids per vehicle, depot excluded; empty routes ignored.

    Returns
    -------
    Evaluation
    """
    n = instance.n_tasks
    violations: list[str] = []
    used = [list(r) for r in routes if len(r) > 0]
    if len(used) > instance.vehicles:
        violations.append(f"{len(used)} routes exceed the fleet of {instance.vehicles}")
    route_of: dict[int, tuple[int, int]] = {}
    for k, r in enumerate(used):
        for pos, c in enumerate(r):
            if isinstance(c, bool) or not isinstance(c, int) or not 1 <= c <= n:
                return Evaluation(
                    math.nan, len(used), False, (f"route {k} visits {c!r}, not in 1..{n}",)
                )
            if c in route_of:
                violations.append(f"node {c} visited more than once")
            route_of[c] = (k, pos)
    missing = [c for c in range(1, n + 1) if c not in route_of]
    if missing:
        violations.append(f"{len(missing)} node(s) not served: {missing[:10]}")
    for p, d in instance.pairs:
        if p in route_of and d in route_of:
            (kp, pp), (kd, pd_) = route_of[p], route_of[d]
            if kp != kd:
                violations.append(f"pair {p}-{d} split over routes {kp} and {kd}")
            elif pp > pd_:
                violations.append(f"route {kp}: delivery {d} before its pickup {p}")
    total = 0.0
    for k, r in enumerate(used):
        t, load, prev = instance.ready[0], 0, 0
        for c in r:
            leg = instance.distance(prev, c)
            total += leg
            t = max(t + leg, instance.ready[c])
            if t > instance.due[c] + TOLERANCE:
                violations.append(
                    f"route {k}: service at node {c} starts at {t:.4f}, after its latest "
                    f"{instance.due[c]:g}"
                )
            load += instance.demand[c]
            if not 0 <= load <= instance.capacity:
                violations.append(
                    f"route {k}: load {load} after node {c} outside 0..{instance.capacity}"
                )
            t += instance.service[c]
            prev = c
        total += instance.distance(prev, 0)
        t += instance.distance(prev, 0)
        if t > instance.due[0] + TOLERANCE:
            violations.append(
                f"route {k}: back at the depot at {t:.4f}, after its due date {instance.due[0]:g}"
            )
    return Evaluation(total, len(used), not violations, tuple(violations))


# --------------------------------------------------------------------------------------------
# OR-Tools model and solve
# --------------------------------------------------------------------------------------------


@dataclass
class Model:
    """The OR-Tools model of an instance (node index = instance node id)."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    vehicle_cost: int
    drop_penalty: int


def build_model(instance: PdptwInstance) -> Model:
    """The PDPTW model: matrices registered in C++, pairs, time windows, capacity.

    Arc cost ``round(SCALE * distance)``; time transit ``service(i) + ceil(SCALE * distance)``;
    a fixed cost per vehicle larger than any route set's distance (fewest vehicles first); each
    node optional with a penalty above any fleet's cost (so partial routes can be read back by
    the ruin and recreate, and a dropped pair shows, never hides).
    """
    n_nodes = len(instance.coords)
    exact = [[SCALE * instance.distance(i, j) for j in range(n_nodes)] for i in range(n_nodes)]
    cost = [[round(v) for v in row] for row in exact]
    service = [math.ceil(s * SCALE - 1e-9) for s in instance.service]
    transit = [
        [service[i] + math.ceil(exact[i][j] - 1e-9) for j in range(n_nodes)] for i in range(n_nodes)
    ]
    ready = [math.ceil(v * SCALE - 1e-9) for v in instance.ready]
    due = [math.floor(v * SCALE + 1e-9) for v in instance.due]
    manager = pywrapcp.RoutingIndexManager(n_nodes, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost))
    horizon = due[0]
    routing.AddDimension(routing.RegisterTransitMatrix(transit), horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, n_nodes):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(ready[node], due[node])
    for v in range(instance.vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(ready[0], due[0])
        time_dim.CumulVar(routing.End(v)).SetRange(ready[0], due[0])
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitVector(list(instance.demand)),
        0,
        [instance.capacity] * instance.vehicles,
        True,
        "load",
    )
    # AddPickupAndDelivery is the same-vehicle and pickup-before-delivery rule, checked by the
    # local-search filters; the extra CP constraints of the OR-Tools examples (VehicleVar
    # equality, cumul precedence) say the same again and made each move ~100x slower here.
    for p, d in instance.pairs:
        routing.AddPickupAndDelivery(manager.NodeToIndex(p), manager.NodeToIndex(d))
    max_arc = max(max(row) for row in cost) or 1
    vehicle_cost = (n_nodes + 1) * max_arc  # more than any set of routes can travel
    routing.SetFixedCostOfAllVehicles(vehicle_cost)
    drop_penalty = (instance.vehicles + 1) * vehicle_cost
    for node in range(1, n_nodes):
        routing.AddDisjunction([manager.NodeToIndex(node)], drop_penalty)
    return Model(manager, routing, vehicle_cost, drop_penalty)


class PairInsertion:
    """Insertion oracle of the route-minimisation phase (:mod:`logistics.routemin`).

    Same integer arithmetic as :func:`build_model` (arc cost ``round(SCALE d)``, time transit
    ``ceil(SCALE s_i) + ceil(SCALE d)``, ready times rounded up, due dates rounded down), so a
    route it accepts is accepted by the OR-Tools model. Checks, per position: the start-of-service
    window of every node, the depot due date (latest start per position, computed backwards),
    the capacity after every stop, the pickup before its delivery on one route.
    """

    def __init__(self, instance: PdptwInstance) -> None:
        n_nodes = len(instance.coords)
        exact = [[SCALE * instance.distance(i, j) for j in range(n_nodes)] for i in range(n_nodes)]
        self.cost = [[round(v) for v in row] for row in exact]
        service = [math.ceil(s * SCALE - 1e-9) for s in instance.service]
        self.tt = [
            [service[i] + math.ceil(exact[i][j] - 1e-9) for j in range(n_nodes)]
            for i in range(n_nodes)
        ]
        self.ready = [math.ceil(v * SCALE - 1e-9) for v in instance.ready]
        self.due = [math.floor(v * SCALE + 1e-9) for v in instance.due]
        self.demand = list(instance.demand)
        self.capacity = instance.capacity

    def best_insertion(
        self, route: Sequence[int], group: Sequence[int]
    ) -> tuple[int, list[int]] | None:
        """Cheapest feasible insertion of the pair ``group = (pickup, delivery)`` into the
        feasible ``route``: ``(added cost, new route)``, or None when it fits nowhere."""
        p, d = group
        tt, cost, ready, due = self.tt, self.cost, self.ready, self.due
        nodes = [0, *route, 0]
        m = len(nodes)
        start = [0] * m  # service start
        load = [0] * m  # load after the node
        start[0] = ready[0]
        for k in range(1, m):
            start[k] = max(ready[nodes[k]], start[k - 1] + tt[nodes[k - 1]][nodes[k]])
            load[k] = load[k - 1] + self.demand[nodes[k]]
        latest = [0] * m  # latest service start keeping the rest of the route feasible
        latest[m - 1] = due[0]
        for k in range(m - 2, -1, -1):
            latest[k] = min(due[nodes[k]], latest[k + 1] - tt[nodes[k]][nodes[k + 1]])
        q, cap = self.demand[p], self.capacity
        best: tuple[int, int, int] | None = None  # (cost, i, j): p after nodes[i], d after j
        for i in range(m - 1):
            u, v = nodes[i], nodes[i + 1]
            if load[i] + q > cap:
                continue
            tp = max(ready[p], start[i] + tt[u][p])
            if tp > due[p]:
                continue
            c_p = cost[u][p] + cost[p][v] - cost[u][v]
            # d right after p
            td = max(ready[d], tp + tt[p][d])
            if td <= due[d] and max(ready[v], td + tt[d][v]) <= latest[i + 1]:
                c = cost[u][p] + cost[p][d] + cost[d][v] - cost[u][v]
                if best is None or c < best[0]:
                    best = (c, i, i)
            # d after nodes[j], i < j < m - 1
            t, prev = tp, p
            for j in range(i + 1, m - 1):
                w = nodes[j]
                t = max(ready[w], t + tt[prev][w])
                if t > due[w] or load[j] + q > cap:
                    break
                prev = w
                td = max(ready[d], t + tt[w][d])
                if td > due[d]:
                    continue
                x = nodes[j + 1]
                if max(ready[x], td + tt[d][x]) > latest[j + 1]:
                    continue
                c = c_p + cost[w][d] + cost[d][x] - cost[w][x]
                if best is None or c < best[0]:
                    best = (c, i, j)
        if best is None:
            return None
        c, i, j = best
        r = list(route)
        if i == j:
            return c, [*r[:i], p, d, *r[i:]]
        return c, [*r[:i], p, *r[i:j], d, *r[j:]]


@dataclass(frozen=True)
class PdptwResult:
    """Best solution over the workers, with its independent evaluation.

    Attributes
    ----------
    instance : str
    routes : tuple of tuple of int
        Node ids per used vehicle.
    dropped : tuple of int
        Nodes left unserved (then ``evaluation.feasible`` is False).
    evaluation : Evaluation
    stopped_by : str
        Of the kept worker's search (``"time_cap"`` when the cap bound).
    worker : int
        Index of the kept worker.
    stats : dict
        The kept worker's search statistics.
    wall_s : float
        Wall-clock time of the whole solve.
    """

    instance: str
    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    evaluation: Evaluation
    stopped_by: str
    worker: int
    stats: dict[str, object]
    wall_s: float


def _solve_one(
    instance: PdptwInstance,
    settings: SearchSettings,
    progress: Callable[[str, int, int], None] | None = None,
    rm_positions: int = DEFAULT_RM_POSITIONS,
    insert: bool = True,
) -> SearchResult:
    """One worker: route minimisation (when ``rm_positions > 0``), then the engine's search
    from its routes (which keeps their vehicle count or lowers it, and minimises distance)."""
    cpu0 = time.process_time()
    initial: list[list[int]] | None = None
    oracle = PairInsertion(instance)
    rm_stats: dict[str, object] = {}
    if rm_positions > 0:
        start, _ = routemin.greedy_routes(oracle, instance.pairs)
        rm = routemin.minimize_routes(
            start, instance.pairs, oracle, positions=rm_positions, seed=settings.seed
        )
        rm_stats = {f"rm_{k}": v for k, v in rm.stats.items()}
        if len(rm.routes) <= instance.vehicles:
            initial = rm.routes
    rm_cpu = time.process_time() - cpu0
    model, copy = build_model(instance), build_model(instance)
    result = search(
        model.routing,
        model.manager,
        settings,
        initial_routes=initial,
        groups=instance.pairs,
        progress=progress,
        recreate_model=(copy.routing, copy.manager),
        insert_groups=partial(routemin.insert_groups, oracle) if insert else None,
    )
    stats = {**result.stats, **rm_stats, "rm_cpu_s": round(rm_cpu, 3)}
    stats["cpu_s"] = round(time.process_time() - cpu0, 3)  # the whole worker
    # routes suffice here; an Assignment cannot pickle
    return replace(result, assignment=None, stats=stats)


def solve(
    instance: PdptwInstance,
    *,
    settings: SearchSettings = DEFAULT_SETTINGS,
    workers: int = 2,
    progress: Callable[[str, int, int], None] | None = None,
    rm_positions: int = DEFAULT_RM_POSITIONS,
) -> PdptwResult:
    """Solve with :func:`logistics.engine.search`, ``workers`` seeded searches in parallel.

    Every worker first runs the route-minimisation phase (seed ``settings.seed * 1000 + k``),
    then the engine's search from its routes with that seed. Workers differ in the recreate of
    the ruin and recreate: even workers use :class:`PairInsertion` (``INSERT_ITERATION_FACTOR``
    times ``settings.rr_iterations``, ``INSERT_RR_REMOVE`` pairs per ruin, no whole-route ruin),
    odd workers OR-Tools' own insertion with ``settings`` as given (and
    ``LOCAL_CHEAPEST_INSERTION`` as first solution when the phase gives no routes). The merge
    is deterministic: fewest dropped nodes, then fewest vehicles, then distance, ties by worker
    index.

    Parameters
    ----------
    instance : PdptwInstance
    settings : SearchSettings
        Work budget of each worker (``time_cap_s`` is a cap per worker).
    workers : int
        Parallel searches (processes); 1 runs in this process.
    progress : callable, optional
        Passed to the search when ``workers == 1``.
    rm_positions : int
        Work budget of each worker's route-minimisation phase (:mod:`logistics.routemin`,
        seeded like the worker) before the engine's search; 0: none, the search starts from
        its first-solution strategy.

    Returns
    -------
    PdptwResult

    Raises
    ------
    PdptwError
        On a bad ``workers`` value, or when no worker found a solution.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise PdptwError(f"workers: bad value {workers!r}; expected an integer >= 1")
    if isinstance(rm_positions, bool) or not isinstance(rm_positions, int) or rm_positions < 0:
        raise PdptwError(f"rm_positions: bad value {rm_positions!r}; expected an integer >= 0")
    start = time.monotonic()
    configs = [
        replace(settings, seed=settings.seed * 1000 + k, first_solution="LOCAL_CHEAPEST_INSERTION")
        if k % 2
        else replace(
            settings,
            seed=settings.seed * 1000 + k,
            rr_iterations=settings.rr_iterations * INSERT_ITERATION_FACTOR,
            rr_remove=INSERT_RR_REMOVE,
            route_ruin_share=0.0,
        )
        for k in range(workers)
    ]
    if workers == 1:
        results = [_solve_one(instance, configs[0], progress, rm_positions, True)]
    else:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context(method)
        ) as pool:
            futures = [
                pool.submit(_solve_one, instance, cfg, None, rm_positions, k % 2 == 0)
                for k, cfg in enumerate(configs)
            ]
            results = [f.result() for f in futures]
    best: tuple[tuple[int, int, float, int], int, Evaluation] | None = None
    for k, res in enumerate(results):
        if not res.routes:
            continue
        ev = evaluate(instance, res.routes)
        dropped = instance.n_tasks - sum(map(len, res.routes))
        key = (dropped, ev.vehicles, round(ev.distance, 6), k)
        if best is None or key < best[0]:
            best = (key, k, ev)
    if best is None:
        stops = ", ".join(f"worker {k}: {r.stopped_by}" for k, r in enumerate(results))
        raise PdptwError(f"{instance.name}: no solution found ({stops})")
    _, k, ev = best
    res = results[k]
    served = {c for r in res.routes for c in r}
    return PdptwResult(
        instance=instance.name,
        routes=tuple(tuple(r) for r in res.routes if r),
        dropped=tuple(c for c in range(1, instance.n_tasks + 1) if c not in served),
        evaluation=ev,
        stopped_by=res.stopped_by,
        worker=k,
        stats=dict(res.stats),
        wall_s=time.monotonic() - start,
    )


# --------------------------------------------------------------------------------------------
# Benchmark over a directory
# --------------------------------------------------------------------------------------------


def benchmark_files(directory: str | os.PathLike[str], pattern: str = "**/*.txt") -> list[Path]:
    """Instance files (``*.txt``) of a benchmark folder matching ``pattern`` (recursive by
    default), sorted; ``FileNotFoundError`` without the folder, ``PdptwError`` without a match."""
    return benchdata.benchmark_files(directory, pattern, PdptwError)


def benchmark_bks_path(directory: str | os.PathLike[str]) -> Path:
    """The ``bks.csv`` of a benchmark folder: in it, or else in its parent folder."""
    return benchdata.bks_path(directory, ", ".join(BKS_COLUMNS))


def benchmark_instance(
    path: str | os.PathLike[str],
    bks: pd.DataFrame,
    *,
    settings: SearchSettings = DEFAULT_SETTINGS,
    workers: int = 2,
    rm_positions: int = DEFAULT_RM_POSITIONS,
) -> dict[str, object]:
    """Solve one instance file and compare it with its best-known solution (matched on the stem).

    Returns
    -------
    dict
        ``instance, vehicles, distance, bks_vehicles, bks_distance, vehicle_gap, gap_pct,
        feasible`` plus ``tasks``, ``dropped``, ``stopped_by``, ``worker``, ``rr_iterations``,
        ``cpu_s`` (CPU time of the kept worker's search) and ``wall_s``. The BKS fields and
        gaps are None without a BKS row.
    """
    p = Path(path)
    instance = read_lilim(p)
    result = solve(instance, settings=settings, workers=workers, rm_positions=rm_positions)
    ev = result.evaluation
    match = bks[bks["instance"].str.upper() == p.stem.upper()]
    bks_v = bks_d = v_gap = gap = None
    if match.empty:
        log.warning("%s: no row in bks.csv; gaps not computed", p.name)
    else:
        bks_v, bks_d = int(match["bks_vehicles"].iloc[0]), float(match["bks_distance"].iloc[0])
        v_gap = ev.vehicles - bks_v
        gap = round(100 * (ev.distance - bks_d) / bks_d, 3) + 0.0 if bks_d > 0 else None
    return {
        "instance": p.stem,
        "vehicles": ev.vehicles,
        "distance": round(ev.distance, 4),
        "bks_vehicles": bks_v,
        "bks_distance": bks_d,
        "vehicle_gap": v_gap,
        "gap_pct": gap,
        "feasible": ev.feasible,
        "tasks": instance.n_tasks,
        "dropped": len(result.dropped),
        "stopped_by": result.stopped_by,
        "worker": result.worker,
        "rr_iterations": result.stats.get("rr_iterations"),
        "rm_routes": result.stats.get("rm_routes_end"),
        "rm_cpu_s": result.stats.get("rm_cpu_s"),
        "cpu_s": result.stats.get("cpu_s"),
        "wall_s": round(result.wall_s, 2),
    }


def summarize(rows: Sequence[dict[str, object]]) -> dict[str, object]:
    """Row ``count``, means over the rows with a BKS (``mean_vehicle_gap``, ``mean_gap_pct``)
    and the number of ``infeasible`` rows."""
    with_bks = [r for r in rows if r.get("gap_pct") is not None]

    def mean(key: str) -> float | None:
        vals = [float(str(r[key])) for r in with_bks]
        return round(sum(vals) / len(vals), 3) if vals else None

    return {
        "count": len(rows),
        "mean_vehicle_gap": mean("vehicle_gap"),
        "mean_gap_pct": mean("gap_pct"),
        "infeasible": sum(not r["feasible"] for r in rows),
    }
