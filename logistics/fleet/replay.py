"""Monte Carlo replay of a plan: every served shipment walks exactly the node path the plan
drives and sails (``FleetPlan.legs``) through :func:`logistics.simulate`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from logistics.defaults import DRAWS_REPLAY
from logistics.fleet.instance import SERVICE_H
from logistics.fleet.kpis import on_time_rate
from logistics.fleet.plan import FleetPlan
from logistics.fleet.terms import RoutingError
from logistics.shipments import Shipment

log = logging.getLogger(__name__)


def planned_path(plan: FleetPlan, shipment_id: str) -> list[Any]:
    """Door-to-door graph nodes of a served shipment: its legs' paths joined in order (a
    transload joins the exit and entry checkpoints by their border edge; a sea leg the two
    ports by the sailing)."""
    rows = plan.legs[plan.legs["shipment_id"] == shipment_id]
    nodes: list[Any] = []
    for path in rows["nodes"]:
        for n in path:
            if not nodes or nodes[-1] != n:
                nodes.append(n)
    return nodes


def transload_crossings(plan: FleetPlan, shipment_id: str) -> frozenset[str]:
    """Crossings where a served shipment's goods change vehicle: its planned crossings that no
    leg drives through."""
    row = plan.shipments[plan.shipments["shipment_id"] == shipment_id].iloc[0]
    legs = plan.legs[plan.legs["shipment_id"] == shipment_id]
    driven = {c for text in legs["crossings"] for c in _ids(text)}
    return frozenset(_ids(row.get("crossings")) - driven)


def _ids(text: Any) -> set[str]:
    """Crossing ids of a ``;``-separated cell (empty or missing: none)."""
    return set() if not isinstance(text, str) else {c for c in text.split(";") if c}


def evaluate_plan(
    plan: FleetPlan,
    G: nx.MultiDiGraph,
    shipments: Sequence[Shipment],
    *,
    scenario: Any = None,
    draws: int = DRAWS_REPLAY,
    seed: int | None = None,
    params: Any = None,
) -> FleetPlan:
    """Replay every served shipment through the Monte Carlo of border and port delays.

    Each shipment walks its planned path (:func:`planned_path`, through
    :func:`networks.route_from_nodes`, transloading where the plan does) from its planned
    pickup once loaded; the plan's own detours and waits (the planned delivery, walked by
    :mod:`logistics.fleet.timing`, less the walk of the shipment alone at the plan's
    percentile; zero when the plan waits for the window) are added to every draw; an arrival
    before the window waits for it.

    Adds per shipment ``replay_crossings`` (what the replay walked: equal to ``crossings``),
    ``on_time_probability``, ``p90_lateness_h``, ``p50_delivery_utc``,
    ``mc_door_to_door_p50_h``, and ``on_time_rate`` to the KPIs (expected share of all
    shipments delivered in their window; dropped ones count as late).

    Raises
    ------
    RoutingError
        When a shipment cannot be replayed (a made-up figure is never reported instead).
    """
    from logistics.itinerary import quantile_sampler, to_hours, walk
    from logistics.montecarlo import simulate
    from logistics.parameters import load_parameters
    from logistics.scenarios import load_scenario
    from networks.routing import route_from_nodes

    sc = load_scenario(scenario if scenario is not None else plan.scenario)
    p = params or load_parameters()
    percentile = quantile_sampler(plan.percentile / 100.0)
    service_h = float(plan.solver.get("service_h", SERVICE_H))
    by_id = {s.shipment_id: s for s in shipments}
    ship = plan.shipments.copy()
    seed = int(plan.solver.get("seed", 0)) if seed is None else int(seed)
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "replay_crossings",
            "on_time_probability",
            "p90_lateness_h",
            "p50_delivery_utc",
            "mc_door_to_door_p50_h",
        )
    }
    for k, row in enumerate(ship.to_dict("records")):
        if row["status"] != "served":
            for name, empty in zip(cols, ("", np.nan, np.nan, "", np.nan), strict=True):
                cols[name].append(empty)
            continue
        sid = str(row["shipment_id"])
        s = by_id[sid]
        try:
            route = route_from_nodes(G, planned_path(plan, sid), s.origin, s.destination)
            pick = datetime.fromisoformat(str(row["pickup_utc"]))
            leave = pick + timedelta(hours=service_h)  # leaves once loaded
            transloads = transload_crossings(plan, sid)
            mc = simulate(
                route,
                leave,
                sc,
                draws=draws,
                seed=seed + k,
                crew=str(row["crew"]),
                params=p,
                relay=True,  # a fresh driver may take over at the border, as in the plan
                transload_at=transloads,
            )
            alone = walk(
                route,
                to_hours(leave),
                sc,
                p,
                n=1,
                sampler=percentile,
                crew=str(row["crew"]),
                relay=True,
                transload_at=transloads,
            )
        except ValueError as exc:
            raise RoutingError(f"shipment {sid}: the Monte Carlo replay failed: {exc}") from exc
        samples = np.asarray(mc.samples_h, dtype=float)
        planned = datetime.fromisoformat(str(row["delivery_utc"]))
        waits_for_window = planned <= s.earliest_utc + timedelta(minutes=1)
        # the plan's own detours and waits: planned pickup-to-arrival time less loading and the
        # walk of the shipment alone
        alone_h = float(alone.end[0] - alone.t0[0])
        extra = 0.0
        if not waits_for_window:
            extra = max(0.0, float(row["transit_h"]) - service_h - alone_h)
        arrive_h = service_h + samples + extra
        arrive_h = np.maximum(arrive_h, (s.earliest_utc - pick).total_seconds() / 3600.0)
        latest_h = (s.latest_utc - pick).total_seconds() / 3600.0
        late = np.maximum(arrive_h - latest_h, 0.0)
        cols["replay_crossings"].append(";".join(route.crossings))
        cols["on_time_probability"].append(float(np.mean(arrive_h <= latest_h + 1e-9)))
        cols["p90_lateness_h"].append(float(np.percentile(late, 90)))
        cols["p50_delivery_utc"].append(
            (pick + timedelta(hours=float(np.median(arrive_h)))).isoformat()
        )
        cols["mc_door_to_door_p50_h"].append(float(np.median(samples)))
    for name, values in cols.items():
        text = name in ("replay_crossings", "p50_delivery_utc")
        ship[name] = pd.Series(values, index=ship.index, dtype=object if text else float)
    out = dict(plan.kpis)
    out["on_time_rate"] = on_time_rate(ship)
    out.pop("planned_on_time_rate", None)
    out["draws"] = draws
    out["seed"] = seed
    return replace(plan, shipments=ship, kpis=out)
