"""The OR-Tools routing model of a :class:`FleetInstance`: one function per dimension or
constraint family (time, cost, capacity, deck space, shipments and their legs, border hours,
driver hours). Times are whole minutes and money whole US cents, converted by
:func:`logistics.matrix.to_solver_int` only (``docs/fleet.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp

from logistics.fleet.instance import (
    CENTS_PER_USD,
    DROP_PENALTY_USD,
    MINUTES_PER_H,
    Alternative,
    FleetInstance,
)
from logistics.matrix import to_solver_int
from logistics.rules.calendar import closed_minutes
from logistics.shipments import DEMAND_UNITS

#: Solver units of the shared deck-space dimension: thousandths of a vehicle's deck.
DECK_SCALE = 1000.0
#: Solver units of the driver-hours counter: ten-thousandths of the daily driving allowance.
ALLOWANCE_SCALE = 10_000
DEMAND_SCALE: dict[str, float] = {"weight_t": 10.0, "volume_m3": 10.0, "pallets": 1.0, "teu": 10.0}
#: Phase 1 penalty of an alternative's later legs together, as a multiple of the drop penalty.
CHAIN_WEIGHT = 0.5


@dataclass
class Model:
    """A built routing model; ``rests`` holds the daily-rest flag of every routing index."""

    manager: Any
    routing: Any
    time_dim: Any
    rests: list[Any]
    coupled: bool


def build_model(inst: FleetInstance, *, coupled: bool, basis: DriverBasis | None = None) -> Model:
    """The routing model of ``inst``.

    ``coupled`` (phase 2, and every plan that is reported): the legs of an alternative are all
    active or all inactive. Without it (phase 1) each later leg has its own penalty, so insertion
    heuristics can place chains leg by leg, and only each shipment's alternative that is cheapest
    alone is offered (``docs/fleet.md``, "Search"). ``basis``: where the driver-hours rule
    rests (:func:`driver_basis`, or :class:`CommonBasis` in a comparison); this instance's own
    by default.
    """
    manager = pywrapcp.RoutingIndexManager(
        inst.n_nodes, len(inst.vehicles), list(inst.starts), list(inst.starts)
    )
    routing = pywrapcp.RoutingModel(manager)
    time_dim = add_time(routing, inst)
    add_costs(routing, inst)
    add_capacities(routing, inst)
    add_deck(routing, inst)
    bounds = time_bounds(inst)
    for si, options in enumerate(inst.alternatives):
        if options:
            add_shipment(routing, manager, time_dim, inst, si, options, bounds, coupled=coupled)
    rests = add_driver_hours(routing, manager, time_dim, inst, basis or driver_basis(inst, bounds))
    for k in range(len(inst.vehicles)):
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(k)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(k)))
    return Model(manager, routing, time_dim, rests, coupled)


def _big(inst: FleetInstance) -> int:
    return 10 * inst.horizon_min


def add_time(routing: Any, inst: FleetInstance) -> Any:
    """Time dimension in minutes: loading at the node left plus the arc's transit per crew."""
    cb: dict[str, int] = {}
    for key, hours in sorted(inst.transit_h.items()):
        mins = to_solver_int(
            inst.node_service_h[:, None] + hours, scale=MINUTES_PER_H, big=_big(inst)
        )
        np.fill_diagonal(mins, 0)
        cb[key] = routing.RegisterTransitMatrix(mins.tolist())
    routing.AddDimensionWithVehicleTransits(
        [cb[inst.arc_key(k)] for k in range(len(inst.vehicles))],
        inst.horizon_min,
        inst.horizon_min,
        False,
        "time",
    )
    return routing.GetDimensionOrDie("time")


def add_costs(routing: Any, inst: FleetInstance) -> None:
    """Arc costs per vehicle type (km, hours, border fees, transfer cost of the node left) and a
    fixed cost per vehicle used."""
    stops = inst.node_stop
    cost_cb: dict[int, int] = {}
    for k, v in enumerate(inst.vehicles):
        vt = id(v)  # vehicles of one type share the VehicleType object
        if vt not in cost_cb:
            m = inst.arc_mat(k)
            km = m.distance_m[np.ix_(stops, stops)] / 1000.0
            fee = m.fee_usd[np.ix_(stops, stops)]
            usd = (
                km * v.cost_per_km_usd
                + inst.transit_h[inst.arc_key(k)] * v.cost_per_h_usd
                + fee
                + inst.node_cost_usd[:, None]
            )
            cents = to_solver_int(usd, scale=CENTS_PER_USD, big=10**11)
            np.fill_diagonal(cents, 0)
            cost_cb[vt] = routing.RegisterTransitMatrix(cents.tolist())
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[vt], k)
        routing.SetFixedCostOfVehicle(int(to_solver_int(v.fixed_cost_usd, scale=CENTS_PER_USD)), k)


def _units(inst: FleetInstance) -> list[int]:
    return [j for j in range(len(DEMAND_UNITS)) if (inst.node_demand[:, j] > 0).any()]


def add_capacities(routing: Any, inst: FleetInstance) -> None:
    """One capacity dimension per demand unit in use (weight capped by the legal payload)."""
    for j in _units(inst):
        u = DEMAND_UNITS[j]
        dem = inst.node_demand[:, j]
        ints = np.sign(dem).astype(np.int64) * to_solver_int(np.abs(dem), scale=DEMAND_SCALE[u])
        cb = routing.RegisterUnaryTransitVector(ints.tolist())
        vcaps = to_solver_int(inst.caps[:, j], scale=DEMAND_SCALE[u], rounding="floor").tolist()
        routing.AddDimensionWithVehicleCapacity(cb, 0, vcaps, True, f"load_{u}")


def add_deck(routing: Any, inst: FleetInstance) -> None:
    """Shared deck space: on a vehicle a shipment takes the largest share of the deck it needs
    in any space unit (a 40-foot box fills a container chassis; pallets beside it do not fit).

    One dimension per class of space capacities, binding for that class only (a single
    dimension with per-vehicle unary transits found no solution at all with OR-Tools 9.15).
    """
    space = [j for j in _units(inst) if DEMAND_UNITS[j] != "weight_t"]
    if len(space) <= 1:
        return
    dem = inst.node_demand[:, space]
    sign = np.sign(dem.sum(axis=1)).astype(np.int64)
    caps = inst.caps[:, space]
    classes = sorted({tuple(float(c) for c in row) for row in caps})
    for c, key in enumerate(classes):
        cap = np.array(key)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(dem == 0, 0.0, np.abs(dem) / cap)
        # a unit this class cannot carry at all: its vehicles are banned from the node
        need = np.max(np.where(np.isfinite(share), share, 1.0), axis=1)
        ints = sign * to_solver_int(need, scale=DECK_SCALE)
        cb = routing.RegisterUnaryTransitVector(ints.tolist())
        free = int(np.abs(ints).sum()) + int(DECK_SCALE)
        vcaps = [
            int(DECK_SCALE) if tuple(float(x) for x in caps[k]) == key else free
            for k in range(len(inst.vehicles))
        ]
        routing.AddDimensionWithVehicleCapacity(cb, 0, vcaps, True, f"deck_{c}")


def leg_bounds(inst: FleetInstance, si: int, alt: Alternative) -> list[tuple[float, float]]:
    """Earliest pickup and latest delivery of each leg (hours after ``t0``) implied by the
    shipment's ready time and window, the fastest leg times and the transfer gaps. Necessary
    conditions: they only prune, and let insertion heuristics place a chain's legs in order."""
    s = inst.shipments[si]
    fastest = np.minimum.reduce(list(inst.transit_h.values()))
    service = inst.node_service_h
    n = len(alt.legs)
    # pickup arrival -> delivery arrival (-> end of unloading, except at the final delivery,
    # whose arrival is what the window bounds)
    dur = [
        service[leg.pickup_node]
        + fastest[leg.pickup_node, leg.delivery_node]
        + (service[leg.delivery_node] if k < n - 1 else 0.0)
        for k, leg in enumerate(alt.legs)
    ]
    ready = (s.ready_utc - inst.t0).total_seconds() / 3600.0
    latest = (s.latest_utc - inst.t0).total_seconds() / 3600.0
    out = []
    for k in range(n):
        est = ready + sum(dur[j] + alt.legs[j].gap_after_h for j in range(k))
        lst = latest - sum(alt.legs[j - 1].gap_after_h + dur[j] for j in range(k + 1, n))
        out.append((est, lst))
    return out


def time_bounds(inst: FleetInstance) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest time (solver minutes) at every node: the shipment's ready time and
    window, the leg bounds (:func:`leg_bounds`) and, at a transload end, its allowed arrival
    times; depots 0 and the horizon. The model's time windows are these (with the closed
    minutes inside them removed)."""
    lo = np.zeros(inst.n_nodes, dtype=np.int64)
    hi = np.full(inst.n_nodes, inst.horizon_min, dtype=np.int64)
    for si, options in enumerate(inst.alternatives):
        s = inst.shipments[si]
        latest = _latest_min(inst, si)
        for alt in options:
            for leg, (est_h, lst_h) in zip(alt.legs, leg_bounds(inst, si, alt), strict=True):
                p, d = leg.pickup_node, leg.delivery_node
                lo[p] = max(lo[p], to_solver_int(est_h, scale=MINUTES_PER_H, rounding="floor"))
                if not inst.soft_windows:
                    hi[d] = min(hi[d], to_solver_int(lst_h, scale=MINUTES_PER_H, rounding="ceil"))
                if leg.index == 0:
                    lo[p] = max(lo[p], inst.minutes(s.ready_utc))
                if leg.index == len(alt.legs) - 1:
                    lo[d] = max(lo[d], inst.minutes(s.earliest_utc))
                    if not inst.soft_windows:
                        hi[d] = min(hi[d], latest)
                if leg.end_open is not None:
                    lo[d], hi[d] = _open_range(inst, leg.end_open, int(lo[d]), int(hi[d]))
    return lo, hi


def _latest_min(inst: FleetInstance, si: int) -> int:
    """Shipment ``si``'s latest delivery in solver minutes (rounded down)."""
    seconds = (inst.shipments[si].latest_utc - inst.t0).total_seconds()
    return int(to_solver_int(seconds, scale=1 / 60.0, rounding="floor"))


def _open_range(inst: FleetInstance, end_open: Any, lo: int, hi: int) -> tuple[int, int]:
    """``[lo, hi]`` narrowed to its first and last open minute."""
    intervals, offset_h = end_open
    closed = closed_minutes(intervals, offset_h, inst.t0, inst.horizon_min)
    for a, b in closed:
        if a <= lo <= b:
            lo = b + 1
    for a, b in reversed(closed):
        if a <= hi <= b:
            hi = a - 1
    return lo, hi


def bounds_hold(alt: Alternative, bounds: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether the time bounds of ``alt``'s nodes (:func:`time_bounds`) leave room: every
    node's range and every leg's pickup no later than its delivery's latest time."""
    lo, hi = bounds
    return all(
        lo[leg.pickup_node] <= hi[leg.pickup_node]
        and lo[leg.delivery_node] <= hi[leg.delivery_node]
        and lo[leg.pickup_node] <= hi[leg.delivery_node]
        for leg in alt.legs
    )


def add_shipment(
    routing: Any,
    manager: Any,
    time_dim: Any,
    inst: FleetInstance,
    si: int,
    options: Sequence[Alternative],
    bounds: tuple[np.ndarray, np.ndarray],
    *,
    coupled: bool,
) -> None:
    """Pairs, windows (``bounds``, from :func:`time_bounds`), allowed vehicles, transfer
    precedence and the mode choice of one shipment.

    The first legs of the alternatives share one disjunction (at most one alternative, or none
    with the drop penalty); when ``coupled``, the later legs of an alternative are active exactly
    when its first leg is.
    """
    solver = routing.solver()
    s = inst.shipments[si]
    n_vehicles = len(inst.vehicles)
    drop_cents = int(to_solver_int(DROP_PENALTY_USD, scale=CENTS_PER_USD))
    latest = _latest_min(inst, si)
    lo, hi = bounds
    first_nodes: list[int] = []
    for alt in options:
        if not bounds_hold(alt, bounds):  # e.g. no sailing within the window: never active
            for n in alt.nodes:
                routing.ActiveVar(manager.NodeToIndex(n)).SetValue(0)
            first_nodes += [manager.NodeToIndex(n) for n in alt.legs[0].nodes]
            continue
        for leg in alt.legs:
            p = manager.NodeToIndex(leg.pickup_node)
            dl = manager.NodeToIndex(leg.delivery_node)
            for node, index in ((leg.pickup_node, p), (leg.delivery_node, dl)):
                time_dim.CumulVar(index).SetRange(int(lo[node]), int(hi[node]))
            routing.AddPickupAndDelivery(p, dl)
            solver.Add(routing.VehicleVar(p) == routing.VehicleVar(dl))
            solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(dl))
            # (SetAllowedVehiclesForIndex takes an absl::Span the Python wrapper rejects)
            banned = sorted(set(range(n_vehicles)) - set(leg.allowed))
            if banned:
                routing.VehicleVar(p).RemoveValues(banned)
                routing.VehicleVar(dl).RemoveValues(banned)
            if leg.index == 0:
                first_nodes += [p, dl]
            else:
                prev = alt.legs[leg.index - 1]
                gap = int(to_solver_int(prev.gap_after_h, scale=MINUTES_PER_H))
                time_dim.AddNodePrecedence(manager.NodeToIndex(prev.delivery_node), p, gap)
                if coupled:  # all legs of an alternative, or none
                    pp = manager.NodeToIndex(prev.pickup_node)
                    solver.Add(routing.ActiveVar(p) == routing.ActiveVar(pp))
                    routing.AddDisjunction([p, dl], 0, 2)
                else:
                    later = int(drop_cents * CHAIN_WEIGHT) // (len(alt.legs) - 1)
                    routing.AddDisjunction([p, dl], later, 2)
            if leg.index == len(alt.legs) - 1 and inst.soft_windows:
                coef = int(
                    to_solver_int(s.lateness_cost_usd_per_h / MINUTES_PER_H, scale=CENTS_PER_USD)
                )
                time_dim.SetCumulVarSoftUpperBound(dl, latest, max(coef, 1))
            if leg.end_open is not None:
                intervals, offset_h = leg.end_open
                for a, b in closed_minutes(intervals, offset_h, inst.t0, inst.horizon_min):
                    time_dim.CumulVar(dl).RemoveInterval(a, b)
    routing.AddDisjunction(first_nodes, drop_cents, 2)
    if not coupled:
        for alt in options[1:]:
            for n in alt.nodes:
                routing.ActiveVar(manager.NodeToIndex(n)).SetValue(0)


@dataclass(frozen=True)
class DriverBasis:
    """What the driver-hours rule of :func:`add_driver_hours` reads, per solver node pair.

    Attributes
    ----------
    share : mapping
        Per arc class (:meth:`FleetInstance.arc_key`), the share of the daily driving allowance
        an arc leaves in use, in :data:`ALLOWANCE_SCALE` units.
    forced : ndarray of bool
        The arcs before which the time windows force a daily rest whatever the schedule.
    """

    share: Mapping[str, np.ndarray]
    forced: np.ndarray


def driver_basis(
    inst: FleetInstance, bounds: tuple[np.ndarray, np.ndarray] | None = None
) -> DriverBasis:
    """``inst``'s own :class:`DriverBasis`: the shares of its crews' limits on its matrices,
    and a rest forced wherever the earliest arrival at the next stop (``bounds``, default
    :func:`time_bounds`) is later than the latest departure from this one, with the slowest
    crew's arc in between, by at least the longest daily rest."""
    hos = inst.terms.hours_of_service
    full = int(ALLOWANCE_SCALE)
    stops = inst.node_stop
    earliest, latest = bounds if bounds is not None else time_bounds(inst)
    # longest time transit of each node pair over the crews (service, driving, the arc's pauses)
    elapsed_min = to_solver_int(
        inst.node_service_h[:, None] + np.maximum.reduce(list(inst.transit_h.values())),
        scale=MINUTES_PER_H,
        big=_big(inst),
    )
    rest_min = max(
        int(to_solver_int(hos[v.crew].daily_rest_h, scale=MINUTES_PER_H)) for v in inst.vehicles
    )
    forced = earliest[None, :] - latest[:, None] - elapsed_min >= rest_min
    share: dict[str, np.ndarray] = {}
    for k, v in enumerate(inst.vehicles):
        key = inst.arc_key(k)
        if key not in share:
            drive_h = inst.arc_mat(k).drive_s[np.ix_(stops, stops)] / 3600.0
            used = hos[v.crew].allowance_used(drive_h)
            share[key] = to_solver_int(used, scale=full, big=10 * full)
    return DriverBasis(share, forced)


def basis_keys(inst: FleetInstance) -> list[tuple[str, str, int, str]]:
    """Per solver node, a key that names the same stop under every scenario: the shipment's
    (:meth:`FleetInstance.node_keys`), or the depot's matrix stop."""
    keys = inst.node_keys()
    return [keys.get(n, ("", "depot", int(inst.node_stop[n]), "")) for n in range(inst.n_nodes)]


@dataclass(frozen=True)
class CommonBasis:
    """One driver-hours basis for several scenarios' instances of the same shipments and
    fleet: per stop pair the largest share and a forced rest only where every scenario forces
    it. With it a plan's daily rests fall on the same stops under each scenario, so a plan
    feasible under a stricter scenario reads into a relaxed one (``docs/fleet.md``)."""

    index: Mapping[tuple[str, str, int, str], int]
    share: Mapping[str, np.ndarray]
    forced: np.ndarray

    @classmethod
    def of(cls, instances: Sequence[FleetInstance]) -> CommonBasis:
        """The common basis of ``instances`` (each with every alternative it can build)."""
        index: dict[tuple[str, str, int, str], int] = {}
        for inst in instances:
            for key in basis_keys(inst):
                index.setdefault(key, len(index))
        n = len(index)
        share: dict[str, np.ndarray] = {}
        seen = np.zeros((n, n), dtype=np.int16)
        agree = np.zeros((n, n), dtype=np.int16)
        for inst in instances:
            own = driver_basis(inst)
            ix = np.array([index[key] for key in basis_keys(inst)])
            sub = np.ix_(ix, ix)
            for arc, m in own.share.items():
                cur = share.setdefault(arc, np.zeros((n, n), dtype=np.int64))
                cur[sub] = np.maximum(cur[sub], m)
            seen[sub] += 1
            agree[sub] += own.forced
        return cls(index, share, (seen > 0) & (agree == seen))

    def for_instance(self, inst: FleetInstance) -> DriverBasis:
        """The basis in ``inst``'s nodes; stops the common basis does not know keep ``inst``'s
        own values (none, when ``inst``'s alternatives were among those it was built from)."""
        own = driver_basis(inst)
        keys = basis_keys(inst)
        known = np.array([key in self.index for key in keys])
        ix = np.array([self.index.get(key, 0) for key in keys])
        both = np.ix_(known, known)
        sub = np.ix_(ix[known], ix[known])
        forced = own.forced.copy()
        forced[both] = self.forced[sub]
        share = {}
        for arc, m in own.share.items():
            share[arc] = m.copy()
            if arc in self.share:
                share[arc][both] = self.share[arc][sub]
        return DriverBasis(share, forced)


def add_driver_hours(
    routing: Any, manager: Any, time_dim: Any, inst: FleetInstance, basis: DriverBasis
) -> list[Any]:
    """Carry driving time over from arc to arc: the daily driving limit across stops.

    A dimension counts, in :data:`ALLOWANCE_SCALE` units, the share of the daily driving
    allowance used since the last daily rest. An arc adds what ``allowance_used`` leaves in use
    on arrival (the arc's own rests are in its time transit, ``rest_h``); the counter may not
    exceed the allowance. Before an arc the counter restarts from zero when

    * it would otherwise exceed the allowance: the vehicle then takes its crew's daily rest at
      the stop (time slack), which a wait there already covers; or
    * the time windows force the rest anyway (``basis.forced``, :func:`driver_basis`).

    Encoding: an arc's transit is its share minus one allowance (minus three where the windows
    force a rest, a mark no other arc reaches); the slack gives back the allowance (and the
    mark) unless the counter is reset, when it also gives back the counter. Both rules follow
    from the routes by propagation alone, so OR-Tools places rests without search. The schedule
    is legal and conservative: a wait the windows do not force resets nothing. Returns the reset
    flag of every routing index (1: daily rest at that stop).
    """
    solver = routing.solver()
    hos = inst.terms.hours_of_service
    vehicles = inst.vehicles
    full = int(ALLOWANCE_SCALE)
    rest_min = [int(to_solver_int(hos[v.crew].daily_rest_h, scale=MINUTES_PER_H)) for v in vehicles]
    callbacks: dict[str, int] = {}
    for k in range(len(vehicles)):
        key = inst.arc_key(k)
        if key not in callbacks:
            transit = basis.share[key] - full - 2 * full * basis.forced
            callbacks[key] = routing.RegisterTransitMatrix(transit.tolist())
    routing.AddDimensionWithVehicleTransits(
        [callbacks[inst.arc_key(k)] for k in range(len(vehicles))],
        3 * full,
        full,
        True,
        "driving_since_rest",
    )
    dim = routing.GetDimensionOrDie("driving_since_rest")
    for k in range(len(vehicles)):
        # every vehicle leaves its depot rested: with the start fixed, the counter, the reset
        # flags and the rest slacks follow from the routes by propagation alone, so a plan
        # read back from its routes (another scenario's, or this one's) has the same schedule
        dim.CumulVar(routing.Start(k)).SetValue(0)
    flags = []
    for i in range(routing.Size()):
        transit = dim.FixedTransitVar(i)
        forced = solver.IsLessCstVar(transit, -2 * full)
        over = solver.IsGreaterCstVar(dim.CumulVar(i) + transit, 0)
        reset = (forced + over).Var()  # never both: a forced arc's transit is below -2 full
        solver.Add(dim.SlackVar(i) == full + 2 * full * forced - reset * dim.CumulVar(i))
        if len(set(rest_min)) == 1:
            need = reset * rest_min[0]
        else:
            # VehicleVar is -1 on an inactive node: shift it so the element is defined
            need = solver.Element([0, *rest_min], (routing.VehicleVar(i) + 1).Var()) * reset
        solver.Add(time_dim.SlackVar(i) >= need)
        routing.AddToAssignment(reset)
        flags.append(reset)
    return flags
