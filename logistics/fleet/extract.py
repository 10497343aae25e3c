"""From a solved model to the plan's tables: stops per vehicle, vehicles, shipments with their
mode, reason and planned crossings, and the exact node path of every served leg."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import networkx as nx
import pandas as pd

from logistics.fleet.instance import DROP_PENALTY_USD, Alternative, FleetInstance
from logistics.fleet.kpis import kpis
from logistics.fleet.model import Model
from logistics.fleet.plan import FleetPlan
from logistics.fleet.timing import Timing, time_routes

VEHICLE_COLUMNS = [
    "vehicle",
    "vehicle_type",
    "country",
    "crew",
    "cross_border_permit",
    "km",
    "driving_h",
    "daily_rests",
    "duty_h",
    "empty_km",
    "fees_usd",
    "cost_usd",
]
LEG_COLUMNS = ["shipment_id", "leg", "segment", "vehicle", "crossings", "transfer", "nodes"]

#: Why a shipment was dropped, when nothing rules it out alone (``docs/fleet.md``).
NOT_REACHED = (
    "not reached by the search: no vehicle found in time within this plan's search budget (a "
    "larger budget or more vehicles may serve it)"
)
ABOVE_PENALTY = "cost above the drop penalty (USD {:,.0f} alone, penalty USD {:,.0f})"


def vehicle_id(inst: FleetInstance, k: int) -> str:
    """Stable id of the solver's vehicle ``k``: type, depot and index in the whole fleet."""
    v = inst.vehicles[k]
    return f"{v.vehicle_type}@{v.depot.name}#{inst.vehicle_index[k]}"


def planned_crossings(inst: FleetInstance, alt: Alternative) -> list[str]:
    """Crossing ids of an alternative in order: driven through on each leg, then the one where
    the goods are transloaded after it."""
    out: list[str] = []
    if alt.mode != "road":
        return out
    for leg in alt.legs:
        out += inst.mat.crossings(leg.start, leg.end)
        if leg.transload_at:
            out.append(leg.transload_at)
    return out


def _leg_rows(inst: FleetInstance, alt: Alternative, sid: str, vehicles: list[str]) -> list[dict]:
    rows: list[dict[str, Any]] = []
    for leg, vid in zip(alt.legs, vehicles, strict=True):
        rows.append(
            {
                "shipment_id": sid,
                "leg": leg.index + 1,
                "segment": "truck",
                "vehicle": vid,
                "crossings": ";".join(inst.mat.crossings(leg.start, leg.end)),
                "transfer": leg.transfer,
                "nodes": tuple(inst.mat.path_nodes(leg.start, leg.end)),
            }
        )
        if alt.mode == "sea" and leg.index == 0:
            rows.append(
                {
                    "shipment_id": sid,
                    "leg": leg.index + 1,
                    "segment": "sea",
                    "vehicle": "",
                    "crossings": "",
                    "transfer": "",
                    "nodes": tuple(alt.sea_nodes),
                }
            )
    return rows


@dataclass
class _Schedule:
    """What the vehicles' routes say: stop and vehicle rows, geometry, and per solver node the
    arrival minute and the vehicle."""

    stop_rows: list[dict[str, Any]] = field(default_factory=list)
    veh_rows: list[dict[str, Any]] = field(default_factory=list)
    geometry: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    at: dict[int, float] = field(default_factory=dict)
    veh_of: dict[int, int] = field(default_factory=dict)
    model_at: dict[int, float] = field(default_factory=dict)  # the model's own minutes
    relays: dict[str, list[str]] = field(default_factory=dict)


def _routes(model: Model, solution: Any) -> dict[int, list[int]]:
    """Solver nodes of every used vehicle's route, start and end depot included."""
    routing, manager = model.routing, model.manager
    out: dict[int, list[int]] = {}
    for k in range(routing.vehicles()):
        idx = routing.Start(k)
        if routing.IsEnd(solution.Value(routing.NextVar(idx))):
            continue
        nodes = [manager.IndexToNode(idx)]
        while not routing.IsEnd(idx):
            idx = solution.Value(routing.NextVar(idx))
            nodes.append(manager.IndexToNode(idx))
        out[k] = nodes
    return out


def _when(inst: FleetInstance, minutes: float) -> datetime:
    """The time ``minutes`` after ``t0``, to the second."""
    return inst.t0 + timedelta(seconds=round(minutes * 60.0))


def _schedule(
    inst: FleetInstance,
    model: Model,
    solution: Any,
    routes: dict[int, list[int]],
    timing: Timing | None,
) -> _Schedule:
    """Go along every used vehicle's route (:func:`_routes`): stops, km, driving, rests, fees
    and cost; times from ``timing`` (the rules' walk), the model's own beside them (``None``:
    terms built by hand, without rules to walk, report the model's own)."""
    routing, manager, time_dim = model.routing, model.manager, model.time_dim
    mat, stops = inst.mat, inst.node_stop
    node_leg = inst.node_leg()
    out = _Schedule()
    at, veh_of, stop_rows, veh_rows, geometry = (
        out.at,
        out.veh_of,
        out.stop_rows,
        out.veh_rows,
        out.geometry,
    )
    for k, nodes in routes.items():
        v = inst.vehicles[k]
        vid = vehicle_id(inst, k)
        hos = inst.terms.hours_of_service[v.crew]
        on_board: set[str] = set()
        km = drive_h = empty_km = hours = fee = 0.0
        n_rests = 0
        coords: list[tuple[float, float]] = []
        prev_node = None
        indices = [routing.Start(k), *map(manager.NodeToIndex, nodes[1:-1]), routing.End(k)]
        for seq, idx in enumerate(indices):
            node = manager.IndexToNode(idx)
            minute = solution.Min(time_dim.CumulVar(idx))
            exact = minute
            arc_drive_h = 0.0
            if prev_node is not None:
                a, b = stops[prev_node], stops[node]
                mat = inst.arc_mat(k)
                arc_km = float(mat.distance_m[a, b]) / 1000.0
                km += arc_km
                arc_drive_h = float(mat.drive_s[a, b]) / 3600.0
                drive_h += arc_drive_h
                n_rests += int(hos._days_and_last(arc_drive_h)[0])
                hours += float(inst.transit_h[inst.arc_key(k)][prev_node, node])
                fee += float(mat.fee_usd[a, b])
                if not on_board:
                    empty_km += arc_km
                coords += [(float(mat.places[a].lon), float(mat.places[a].lat))]
                coords += mat.path_lonlat(int(a), int(b))
            info = node_leg.get(node)
            place = mat.places[stops[node]]
            relays = timing.relays.get(node, ()) if timing is not None else ()
            for carried in sorted(on_board):  # a fresh driver took over with these on board
                out.relays.setdefault(carried, []).extend(relays)
            sid, kind, leg_no = "", "depot", 0
            if info is not None:
                leg, kind, _ = info
                sid = inst.shipments[leg.shipment].shipment_id
                leg_no = leg.index + 1
                if timing is not None:
                    exact = timing.at_min[node]
                at[node] = exact
                out.model_at[node] = float(minute)
                veh_of[node] = k
                if kind == "pickup":
                    on_board.add(sid)
                else:
                    on_board.discard(sid)
            elif timing is not None:
                exact = timing.start_min[k] if routing.IsStart(idx) else timing.end_min[k]
            rest_here = not routing.IsEnd(idx) and solution.Value(model.rests[idx]) == 1
            if rest_here:
                n_rests += 1
                hours += hos.daily_rest_h
            stop_rows.append(
                {
                    "vehicle": vid,
                    "seq": seq,
                    "kind": kind,
                    "shipment_id": sid,
                    "leg": leg_no,
                    "place": place.name,
                    "country": place.country,
                    "lat": place.lat,
                    "lon": place.lon,
                    "arrival_utc": _when(inst, exact).isoformat(),
                    "model_arrival_utc": _when(inst, minute).isoformat(),
                    "on_board": len(on_board),
                    "driving_h": arc_drive_h,
                    "daily_rest_h": hos.daily_rest_h if rest_here else 0.0,
                }
            )
            prev_node = node
        coords.append((float(v.depot.lon), float(v.depot.lat)))
        geometry[vid] = coords
        cost = km * v.cost_per_km_usd + hours * v.cost_per_h_usd + fee + v.fixed_cost_usd
        veh_rows.append(
            {
                "vehicle": vid,
                "vehicle_type": v.vehicle_type,
                "country": v.country,
                "crew": v.crew,
                "cross_border_permit": v.cross_border_permit,
                "km": km,
                "driving_h": drive_h,
                "daily_rests": n_rests,
                "duty_h": hours,
                "empty_km": empty_km,
                "fees_usd": fee,
                "cost_usd": cost,
            }
        )
    return out


def _shipment_rows(
    inst: FleetInstance, sched: _Schedule
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per shipment (status, mode, reason, planned crossings, times, costs) and the
    legs of the served ones."""
    at, veh_of = sched.at, sched.veh_of
    rows: list[dict[str, Any]] = []
    leg_rows: list[dict[str, Any]] = []
    for si, s in enumerate(inst.shipments):
        row: dict[str, Any] = {
            "shipment_id": s.shipment_id,
            "origin": s.origin.name,
            "destination": s.destination.name,
            "origin_country": s.origin.country,
            "destination_country": s.destination.country,
            "weight_t": s.weight_t,
            "latest_utc": s.latest_utc.isoformat(),
        }
        options = inst.alternatives[si]
        chosen = next((a for a in options if all(n in at for n in a.nodes)), None)
        if chosen is None:
            reason = inst.reasons.get(si)
            if reason is None:
                cheapest = min(a.alone_cost_usd for a in options)
                reason = (
                    ABOVE_PENALTY.format(cheapest, DROP_PENALTY_USD)
                    if cheapest > DROP_PENALTY_USD
                    else NOT_REACHED
                )
            row.update(status="dropped", mode="", reason=reason, legs=0)
            rows.append(row)
            continue
        pick = _when(inst, at[chosen.legs[0].pickup_node])
        deliver = _when(inst, at[chosen.legs[-1].delivery_node])
        model_deliver = _when(inst, sched.model_at[chosen.legs[-1].delivery_node])
        others = [a for a in options if a is not chosen]
        why = chosen.note
        if others:
            o = others[0]
            why += (
                f"; chosen over {o.note} (alone {o.estimate_h:.0f} h and USD "
                f"{o.alone_cost_usd:,.0f} vs {chosen.estimate_h:.0f} h and USD "
                f"{chosen.alone_cost_usd:,.0f}): lower plan cost within the window"
            )
        else:
            why += "; only alternative"
        late_h = max(0.0, (deliver - s.latest_utc).total_seconds() / 3600.0)
        vids = [vehicle_id(inst, veh_of[leg.pickup_node]) for leg in chosen.legs]
        row.update(
            status="served",
            mode=chosen.mode,
            reason=why,
            legs=len(chosen.legs),
            vehicles=";".join(vids),
            crossings=";".join(planned_crossings(inst, chosen)),
            transfers=";".join(leg.transfer for leg in chosen.legs if leg.transfer),
            driver_relays=";".join(sched.relays.get(s.shipment_id, [])),
            ports="->".join(chosen.ports) if chosen.mode == "sea" else "",
            sea_km=chosen.sea_km,
            sea_co2_kg=chosen.co2_kg,
            pickup_utc=pick.isoformat(),
            delivery_utc=deliver.isoformat(),
            model_delivery_utc=model_deliver.isoformat(),
            transit_h=(deliver - pick).total_seconds() / 3600.0,
            estimate_h=chosen.estimate_h,
            lateness_h=late_h,
            lateness_cost_usd=late_h * s.lateness_cost_usd_per_h if inst.soft_windows else 0.0,
            transfer_cost_usd=sum(leg.transfer_cost_usd for leg in chosen.legs),
            crew=inst.vehicles[veh_of[chosen.legs[0].pickup_node]].crew,
        )
        rows.append(row)
        leg_rows += _leg_rows(inst, chosen, s.shipment_id, vids)
    return rows, leg_rows


def extract(inst: FleetInstance, model: Model, solution: Any, graph: nx.MultiDiGraph) -> FleetPlan:
    """The plan of ``solution`` (a full assignment of ``model``, the coupled model of ``inst``),
    timed by walking its routes on ``graph`` (:func:`logistics.fleet.timing.time_routes`; with
    terms built by hand, without a scenario, by the model's own times)."""
    routes = _routes(model, solution)
    timing = time_routes(inst, routes, graph) if inst.terms.scenario is not None else None
    sched = _schedule(inst, model, solution, routes, timing)
    rows, leg_rows = _shipment_rows(inst, sched)
    ship = pd.DataFrame(rows)
    veh = pd.DataFrame(sched.veh_rows, columns=VEHICLE_COLUMNS)
    return FleetPlan(
        scenario=inst.terms.name,
        percentile=inst.terms.percentile,
        soft_windows=inst.soft_windows,
        t0_utc=inst.t0,
        shipments=ship,
        stops=pd.DataFrame(sched.stop_rows),
        vehicles=veh,
        legs=pd.DataFrame(leg_rows, columns=LEG_COLUMNS),
        kpis=kpis(ship, veh, inst.terms),
        geometry=sched.geometry,
        solver={},
    )
