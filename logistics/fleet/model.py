"""The OR-Tools routing model of a :class:`FleetInstance`: one function per dimension or
constraint family (time, cost, capacity, deck space, shipments and their legs, border hours,
driver hours). Times are whole minutes and money whole US cents, converted by
:func:`logistics.matrix.to_solver_int` only (``docs/fleet.md``)."""

from __future__ import annotations

from collections.abc import Sequence
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


def build_model(inst: FleetInstance, *, coupled: bool) -> Model:
    """The routing model of ``inst``.

    ``coupled`` (phase 2, and every plan that is reported): the legs of an alternative are all
    active or all inactive. Without it (phase 1) each later leg has its own penalty, so insertion
    heuristics can place chains leg by leg, and only each shipment's alternative that is cheapest
    alone is offered (``docs/fleet.md``, "Search").
    """
    manager = pywrapcp.RoutingIndexManager(
        inst.n_nodes, len(inst.vehicles), list(inst.starts), list(inst.starts)
    )
    routing = pywrapcp.RoutingModel(manager)
    time_dim = add_time(routing, inst)
    add_costs(routing, inst)
    add_capacities(routing, inst)
    add_deck(routing, inst)
    for si, options in enumerate(inst.alternatives):
        if options:
            add_shipment(routing, manager, time_dim, inst, si, options, coupled=coupled)
    # after the windows: they decide where a rest is guaranteed
    rests = add_driver_hours(routing, manager, time_dim, inst)
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


def add_shipment(
    routing: Any,
    manager: Any,
    time_dim: Any,
    inst: FleetInstance,
    si: int,
    options: Sequence[Alternative],
    *,
    coupled: bool,
) -> None:
    """Pairs, windows, allowed vehicles, transfer precedence and the mode choice of one shipment.

    The first legs of the alternatives share one disjunction (at most one alternative, or none
    with the drop penalty); when ``coupled``, the later legs of an alternative are active exactly
    when its first leg is.
    """
    solver = routing.solver()
    s = inst.shipments[si]
    n_vehicles = len(inst.vehicles)
    drop_cents = int(to_solver_int(DROP_PENALTY_USD, scale=CENTS_PER_USD))
    ready = inst.minutes(s.ready_utc)
    earliest = inst.minutes(s.earliest_utc)
    latest = int(
        to_solver_int((s.latest_utc - inst.t0).total_seconds(), scale=1 / 60.0, rounding="floor")
    )
    first_nodes: list[int] = []
    for alt in options:
        for leg, (est_h, lst_h) in zip(alt.legs, leg_bounds(inst, si, alt), strict=True):
            p = manager.NodeToIndex(leg.pickup_node)
            dl = manager.NodeToIndex(leg.delivery_node)
            time_dim.CumulVar(p).SetMin(
                int(to_solver_int(est_h, scale=MINUTES_PER_H, rounding="floor"))
            )
            if not inst.soft_windows:
                time_dim.CumulVar(dl).SetMax(
                    int(to_solver_int(lst_h, scale=MINUTES_PER_H, rounding="ceil"))
                )
            routing.AddPickupAndDelivery(p, dl)
            solver.Add(routing.VehicleVar(p) == routing.VehicleVar(dl))
            solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(dl))
            # (SetAllowedVehiclesForIndex takes an absl::Span the Python wrapper rejects)
            banned = sorted(set(range(n_vehicles)) - set(leg.allowed))
            if banned:
                routing.VehicleVar(p).RemoveValues(banned)
                routing.VehicleVar(dl).RemoveValues(banned)
            if leg.index == 0:
                time_dim.CumulVar(p).SetMin(ready)
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
            if leg.index == len(alt.legs) - 1:
                time_dim.CumulVar(dl).SetMin(earliest)
                if inst.soft_windows:
                    coef = int(
                        to_solver_int(
                            s.lateness_cost_usd_per_h / MINUTES_PER_H, scale=CENTS_PER_USD
                        )
                    )
                    time_dim.SetCumulVarSoftUpperBound(dl, latest, max(coef, 1))
                else:
                    time_dim.CumulVar(dl).SetMax(latest)
            if leg.end_open is not None:
                intervals, offset_h = leg.end_open
                for lo, hi in closed_minutes(intervals, offset_h, inst.t0, inst.horizon_min):
                    time_dim.CumulVar(dl).RemoveInterval(lo, hi)
    routing.AddDisjunction(first_nodes, drop_cents, 2)
    if not coupled:
        for alt in options[1:]:
            for n in alt.nodes:
                routing.ActiveVar(manager.NodeToIndex(n)).SetValue(0)


def add_driver_hours(routing: Any, manager: Any, time_dim: Any, inst: FleetInstance) -> list[Any]:
    """Carry driving time over from arc to arc: the daily driving limit across stops.

    A dimension counts, in :data:`ALLOWANCE_SCALE` units, the share of the daily driving
    allowance used since the last daily rest. An arc adds what ``allowance_used`` leaves in use
    on arrival (the arc's own rests are in its time transit, ``rest_h``); the counter may not
    exceed the allowance. Before an arc the counter restarts from zero when

    * it would otherwise exceed the allowance: the vehicle then takes its crew's daily rest at
      the stop (time slack), which a wait there already covers; or
    * the time windows force the rest anyway: the earliest arrival at the next stop is later
      than the latest departure from this one by at least the rest.

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
    stops = inst.node_stop
    # longest time transit of each node pair over the crews (service, driving, the arc's pauses)
    elapsed_min = to_solver_int(
        inst.node_service_h[:, None] + np.maximum.reduce(list(inst.transit_h.values())),
        scale=MINUTES_PER_H,
        big=_big(inst),
    )
    rest_min = [int(to_solver_int(hos[v.crew].daily_rest_h, scale=MINUTES_PER_H)) for v in vehicles]
    n = inst.n_nodes
    earliest, latest = np.zeros(n, dtype=np.int64), np.full(n, np.iinfo(np.int64).max // 4)
    for k in range(n):
        if not routing.IsStart(i := manager.NodeToIndex(k)):
            earliest[k], latest[k] = time_dim.CumulVar(i).Min(), time_dim.CumulVar(i).Max()
    free = earliest[None, :] - latest[:, None] - elapsed_min >= max(rest_min)
    callbacks: dict[str, int] = {}
    for k, v in enumerate(vehicles):
        key = inst.arc_key(k)
        if key not in callbacks:
            drive_h = inst.arc_mat(k).drive_s[np.ix_(stops, stops)] / 3600.0
            share = to_solver_int(hos[v.crew].allowance_used(drive_h), scale=full, big=10 * full)
            callbacks[key] = routing.RegisterTransitMatrix(
                (share - full - 2 * full * free).tolist()
            )
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
