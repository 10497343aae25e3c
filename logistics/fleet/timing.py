"""The plan's times: every vehicle's stops walked with the corridor rules, at the plan's
percentile.

The routing model decides who carries what in which order; its time dimension is a bound made
for the search (pro-rata breaks, rests at stops, crossings driven through at the wait of a random
arrival, transfers only at pause-free arrivals: ``docs/fleet.md``, "Parity with the
itinerary"). The times a plan reports are not that bound but the walk of its sequence by the
itinerary engine (:func:`logistics.itinerary.walk_on`): each truck's driver carries the
hours-of-service counters from stop to stop and pauses where the rules say, every crossing is
passed at the time the truck reaches it, the goods pass a transload crossing (or a sailing) from
the minute they are delivered there, and a later leg is picked up once they are through. So a
one-shipment, one-truck plan is timed exactly as ``corridor itinerary`` walks its path with
every delay at its median (``tests/test_parity.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx

from logistics.fleet.instance import MINUTES_PER_H, Alternative, FleetInstance, Leg
from logistics.fleet.terms import RoutingError
from logistics.itinerary import DriverState, quantile_sampler, to_hours, walk_on
from networks.routing import route_from_nodes
from networks.types import Route


@dataclass(frozen=True)
class Timing:
    """Times of a plan in minutes after the instance's ``t0``.

    Attributes
    ----------
    at_min : mapping
        Solver node -> start of service (arrival, or the end of the wait for its window or for
        the goods).
    start_min, end_min : mapping
        Vehicle -> leaving its depot, back at its depot.
    relays : mapping
        Solver node -> crossings where a fresh driver took the truck over on the way to it.
    """

    at_min: Mapping[int, float]
    start_min: Mapping[int, float]
    end_min: Mapping[int, float]
    relays: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


def _earliest_h(inst: FleetInstance) -> dict[int, float]:
    """Earliest service start per node: a shipment's ready time at its first pickup and the
    window's start at its final delivery."""
    out: dict[int, float] = {}
    for si, options in enumerate(inst.alternatives):
        s = inst.shipments[si]
        for alt in options:
            out[alt.legs[0].pickup_node] = to_hours(s.ready_utc)
            out[alt.legs[-1].delivery_node] = to_hours(s.earliest_utc)
    return out


class _Walks:
    """The stretches of a plan walked under its scenario at its percentile; the routes of the
    road stretches built once per pair of stops."""

    def __init__(self, inst: FleetInstance, graph: nx.MultiDiGraph) -> None:
        terms = inst.terms
        if terms.scenario is None or terms.params is None:
            raise RoutingError(
                "timing a plan needs terms built by scenario_terms (with a scenario)"
            )
        self.inst, self.graph = inst, graph
        self.scenario, self.params = terms.scenario, terms.params
        self.sampler = quantile_sampler(terms.percentile / 100.0)
        self._cache: dict[tuple[bool, int, int], Route | None] = {}

    def walk(
        self,
        route: Route,
        state: DriverState,
        *,
        crew: str = "single",
        relay: bool = False,
        transload_at: frozenset[str] = frozenset(),
    ) -> tuple[DriverState, tuple[str, ...]]:
        """:func:`logistics.itinerary.walk_on` under the plan's scenario and percentile."""
        return walk_on(
            route,
            state,
            self.scenario,
            self.params,
            sampler=self.sampler,
            crew=crew,
            relay=relay,
            transload_at=transload_at,
        )

    def road(self, k: int, a: int, b: int) -> Route | None:
        """Vehicle ``k``'s drive from stop ``a`` to stop ``b`` (None when they coincide)."""
        inst = self.inst
        domestic = inst.domestic(k)
        key = (domestic, a, b)
        if key not in self._cache:
            m = inst.arc_mat(k)
            nodes = m.path_nodes(a, b) if a != b else []
            route = None
            if len(nodes) > 1:
                route = route_from_nodes(self.graph, nodes, m.places[a], m.places[b])
                route = route if route.legs else None
            self._cache[key] = route
        return self._cache[key]


def _drive_h(walks: _Walks, route: Route | None, arrive_h: float) -> float:
    """Hours a fresh driver takes on ``route`` when leaving so as to arrive about
    ``arrive_h`` (walked once from ``arrive_h`` minus the free-flow time)."""
    if route is None:
        return 0.0
    leave = arrive_h - sum(leg.travel_time_h for leg in route.legs)
    return walks.walk(route, DriverState(leave))[0].t_h - leave


def _transfer(
    inst: FleetInstance,
    walks: _Walks,
    alt: Alternative,
    leg: Leg,
    state: DriverState,
) -> float:
    """Hour the goods delivered by ``leg`` (``state``: its driver at the delivery) are ready
    for the next leg: the crossing walked from that minute with the transload, or the port
    dwell, sailing and the destination port."""
    inst_mat = inst.mat
    nxt = alt.legs[leg.index + 1]
    if alt.mode == "sea":
        route = route_from_nodes(
            walks.graph,
            list(alt.sea_nodes),
            inst_mat.places[leg.end],
            inst_mat.places[nxt.start],
            mode="sea",
        )
        return walks.walk(route, state)[0].t_h
    nodes = inst_mat.path_nodes(leg.end, nxt.start)
    route = route_from_nodes(
        walks.graph, nodes, inst_mat.places[leg.end], inst_mat.places[nxt.start]
    )
    if route.crossings != [leg.transload_at]:
        raise RoutingError(
            f"transfer of shipment {inst.shipments[leg.shipment].shipment_id} after leg "
            f"{leg.index + 1}: expected crossing {leg.transload_at!r}, the path crosses "
            f"{route.crossings}"
        )
    done, _ = walks.walk(route, state, transload_at=frozenset({leg.transload_at}))
    return done.t_h


def time_routes(
    inst: FleetInstance, routes: Mapping[int, Sequence[int]], graph: nx.MultiDiGraph
) -> Timing:
    """Walk every vehicle's route (solver nodes, depot first and last) with the corridor rules.

    A vehicle leaves its depot just in time to reach its first stop when that stop opens (by
    the model's arc time); a truck waits at a stop for the shipment's window or for goods still
    in transfer; the loading or unloading time follows. Vehicles are advanced in turn until
    each waits for goods another one delivers.

    Raises
    ------
    RoutingError
        Terms without a scenario, or routes whose transfers wait on each other in a cycle.
    """
    walks = _Walks(inst, graph)
    t0_h = to_hours(inst.t0)
    earliest = _earliest_h(inst)
    node_leg = inst.node_leg()
    ready: dict[int, float] = {}  # pickup node of a later leg -> its goods are through
    at: dict[int, float] = {}
    relays: dict[int, tuple[str, ...]] = {}
    start: dict[int, float] = {}
    end: dict[int, float] = {}
    state: dict[int, DriverState] = {}
    pos = {k: 1 for k in routes}
    while True:
        moved = False
        for k in sorted(routes):
            seq = routes[k]
            vehicle = inst.vehicles[k]
            while pos[k] < len(seq):
                node = seq[pos[k]]
                info = node_leg.get(node)
                goods = -math.inf
                if info is not None and info[1] == "pickup" and info[0].index > 0:
                    if node not in ready:
                        break  # the goods are still on their way
                    goods = ready[node]
                opens = max(earliest.get(node, -math.inf), goods)
                a, b = int(inst.node_stop[seq[pos[k] - 1]]), int(inst.node_stop[node])
                route = walks.road(k, a, b)
                if k not in state:  # leave the depot just in time for the first stop
                    state[k] = DriverState(max(t0_h, opens - _drive_h(walks, route, opens)))
                    start[k] = state[k].t_h
                st = state[k]
                if route is not None:
                    # a permit is an option: a fresh driver may take over at the border
                    st, relays[node] = walks.walk(
                        route, st, crew=vehicle.crew, relay=vehicle.cross_border_permit
                    )
                if info is None:  # back at the depot
                    end[k] = st.t_h
                else:
                    leg, kind, alt = info
                    t = max(st.t_h, opens)
                    at[node] = t
                    st = replace(st, t_h=t)
                    if kind == "delivery" and leg.index < len(alt.legs) - 1:
                        ready[alt.legs[leg.index + 1].pickup_node] = _transfer(
                            inst, walks, alt, leg, st
                        )
                    st = replace(st, t_h=t + float(inst.node_service_h[node]))
                state[k] = st
                pos[k] += 1
                moved = True
        waiting = [k for k in routes if pos[k] < len(routes[k])]
        if not waiting:
            break
        if not moved:
            raise RoutingError(
                f"the plan's transfers wait on each other (vehicles {waiting}); cannot time it"
            )

    def rel(h: float) -> float:
        return (h - t0_h) * MINUTES_PER_H

    return Timing(
        relays=relays,
        at_min={n: rel(h) for n, h in at.items()},
        start_min={k: rel(h) for k, h in start.items()},
        end_min={k: rel(h) for k, h in end.items()},
    )
