"""Shortest routes through the multimodal graph, with a legs breakdown by mode and country.

:func:`shortest_route` returns a :class:`~networks.types.Route`: the node path and its legs (runs of
edges with the same mode and country; border legs carry the crossing id, port legs the port id).

Modes:

``road``
    Only ``road`` and ``border`` edges.
``sea``
    Road to the port nearest the origin (by road travel time), sea to the port nearest the
    destination, road to the destination. A port endpoint starts or ends at the port itself.
``any``
    The fastest path over every edge of the graph.

Routing indexes (a compressed sparse adjacency matrix per edge set for ``scipy.sparse.csgraph``,
and a nearest-node index) are built on first use and cached in ``graph.graph["_routing_index"]``;
the nodes and edges of the graph are not changed.
If you add or remove edges of a graph after routing on it, call :func:`clear_routing_cache`.
"""

from __future__ import annotations

import difflib
import itertools
import logging
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from networks.borders import closest_first, resolve_via
from networks.geo import nearest
from networks.places import PlaceError, resolve_place
from networks.types import Leg, Place, Route

logger = logging.getLogger(__name__)

#: Valid ``mode`` values of :func:`shortest_route`.
ROUTE_MODES: tuple[str, ...] = ("road", "sea", "any")

#: Valid ``snap`` values of :func:`shortest_route`: a place snaps to a road node of its own
#: country (``own-country``, the default) or to the nearest road node of any country (``any``).
SNAP_RULES: tuple[str, ...] = ("own-country", "any")

#: Valid ``weight`` values of :func:`shortest_route` (edge attributes).
ROUTE_WEIGHTS: tuple[str, ...] = ("travel_time", "length")

#: A place farther than this from every road node of the graph cannot be routed, km.
#: Source: assumption: beyond 50 km the network does not serve the place.
MAX_SNAP_KM = 50.0

_INDEX_KEY = "_routing_index"
_EDGE_MODES = {
    "road": frozenset({"road", "border"}),
    "land": frozenset({"road", "border", "port"}),
    "sea": frozenset({"sea"}),
    "any": frozenset({"road", "border", "port", "sea"}),
}


class RouteError(ValueError):
    """Bad routing input (mode, weight, via) or no path between the places."""


@dataclass
class _Snap:
    ids: list[Any]
    lat: np.ndarray
    lon: np.ndarray
    country: np.ndarray


def _stamp(graph: nx.MultiDiGraph) -> tuple[int, int]:
    # The graph object's id makes a copy (whose graph dict shares the index) rebuild its own;
    # number_of_edges() is O(E) on a MultiDiGraph, so the node count is the cheap change check.
    return (id(graph), graph.number_of_nodes())


def _index(graph: nx.MultiDiGraph) -> dict[Any, Any]:
    idx = graph.graph.get(_INDEX_KEY)
    if not isinstance(idx, dict) or idx.get("stamp") != _stamp(graph):
        idx = {"stamp": _stamp(graph)}
        graph.graph[_INDEX_KEY] = idx
    return idx


def rebind_routing_index(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Re-attach a routing index that came with an unpickled graph (its object id changed).

    Only for a graph restored unchanged from a pickle written after :func:`prepare_routing`.
    """
    import scipy.sparse.csgraph  # noqa: F401  (imported now so the first query is not slower)

    idx = graph.graph.get(_INDEX_KEY)
    if isinstance(idx, dict) and idx.get("stamp", (None, None))[1] == graph.number_of_nodes():
        idx["stamp"] = _stamp(graph)
    return graph


def clear_routing_cache(graph: nx.MultiDiGraph) -> None:
    """Drop the routing indexes cached in ``graph.graph`` (after modifying ``graph``)."""
    graph.graph.pop(_INDEX_KEY, None)


@dataclass
class _ModeIndex:
    """Compressed-sparse adjacency of one edge set (min weight over parallel edges)."""

    nodes: list[Any]
    pos: dict[Any, int]
    csr: Any
    keys: dict[tuple[Any, Any], Any]  # edge key of the chosen parallel edge, when not 0
    _csr_t: Any = None

    def __getstate__(self) -> dict[str, Any]:
        # pos and the transpose are cheap to rebuild; leaving them out halves the pickle.
        return {"nodes": self.nodes, "csr": self.csr, "keys": self.keys}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.nodes, self.csr, self.keys = state["nodes"], state["csr"], state["keys"]
        self.pos = {n: i for i, n in enumerate(self.nodes)}
        self._csr_t = None

    def key(self, u: Any, v: Any) -> Any:
        return self.keys.get((u, v), 0)

    def transposed(self) -> Any:
        if self._csr_t is None:
            self._csr_t = self.csr.T.tocsr()
        return self._csr_t

    def weight(self, u: Any, v: Any) -> float:
        return float(self.csr[self.pos[u], self.pos[v]])

    def has_edge(self, u: Any, v: Any) -> bool:
        return u in self.pos and v in self.pos and self.csr[self.pos[u], self.pos[v]] > 0

    def dijkstra(
        self, sources: list[Any], *, reverse: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distances and predecessors from each source (rows), over reversed edges if asked."""
        from scipy.sparse.csgraph import dijkstra

        graph = self.transposed() if reverse else self.csr
        idx = [self.pos[s] for s in sources]
        dist, pred = dijkstra(graph, directed=True, indices=idx, return_predecessors=True)
        return np.atleast_2d(dist), np.atleast_2d(pred)

    def path(self, pred_row: np.ndarray, s: Any, t: Any, *, reverse: bool = False) -> list[Any]:
        """Node path s -> t from a predecessor row computed from s (from t if ``reverse``)."""
        i, j = self.pos[s], self.pos[t]
        if reverse:  # the row was computed from t on reversed edges: walk from s towards t
            out = [i]
            while out[-1] != j:
                nxt = int(pred_row[out[-1]])
                if nxt < 0:
                    return []
                out.append(nxt)
            return [self.nodes[k] for k in out]
        out = [j]
        while out[-1] != i:
            prev = int(pred_row[out[-1]])
            if prev < 0:
                return []
            out.append(prev)
        return [self.nodes[k] for k in reversed(out)]


def _mode_index(graph: nx.MultiDiGraph, edge_set: str, weight: str) -> _ModeIndex:
    """Routing index of the edges in an edge set, built once per graph."""
    idx = _index(graph)
    key = ("mode", edge_set, weight)
    if key not in idx:
        _build_mode_indexes(graph, (edge_set,), weight)
    mi: _ModeIndex = idx[key]
    return mi


def _build_mode_indexes(graph: nx.MultiDiGraph, edge_sets: tuple[str, ...], weight: str) -> None:
    """Build the routing indexes of several edge sets in one pass over the edges."""
    from scipy.sparse import csr_matrix

    idx = _index(graph)
    allowed = [_EDGE_MODES[e] for e in edge_sets]
    bests: list[dict[tuple[Any, Any], tuple[float, Any]]] = [{} for _ in edge_sets]
    for u, v, k, d in graph.edges(keys=True, data=True):
        mode = d.get("mode")
        if u == v or not any(mode in a for a in allowed):
            continue
        w = max(float(d[weight]), 1e-9)  # explicit zeros would read as missing edges
        for modes, best in zip(allowed, bests, strict=True):
            if mode in modes:
                old = best.get((u, v))
                if old is None or w < old[0]:
                    best[(u, v)] = (w, k)
    nodes = list(graph.nodes)
    pos = {n: i for i, n in enumerate(nodes)}
    for edge_set, best in zip(edge_sets, bests, strict=True):
        rows = np.fromiter((pos[u] for u, _ in best), np.int64, len(best))
        cols = np.fromiter((pos[v] for _, v in best), np.int64, len(best))
        data = np.fromiter((w for w, _ in best.values()), float, len(best))
        csr = csr_matrix((data, (rows, cols)), shape=(len(nodes), len(nodes)))
        idx[("mode", edge_set, weight)] = _ModeIndex(
            nodes=nodes,
            pos=pos,
            csr=csr,
            keys={uv: k for uv, (_, k) in best.items() if k != 0},
        )


def _snap_index(graph: nx.MultiDiGraph) -> _Snap:
    idx = _index(graph)
    if "snap" not in idx:
        ids = [n for n, d in graph.nodes(data=True) if d.get("kind", "road") == "road"]
        idx["snap"] = _Snap(
            ids=ids,
            lat=np.fromiter((graph.nodes[n]["y"] for n in ids), float, len(ids)),
            lon=np.fromiter((graph.nodes[n]["x"] for n in ids), float, len(ids)),
            country=np.array([str(graph.nodes[n].get("country", "")) for n in ids]),
        )
    snap: _Snap = idx["snap"]
    return snap


def snap_place(
    graph: nx.MultiDiGraph, place: Place, *, snap: str = "own-country"
) -> tuple[Any, float]:
    """Nearest road node to a place: in the place's country when the graph has that country
    (``snap="own-country"``), or of any country (``snap="any"``); :func:`networks.geo.nearest`.

    Returns
    -------
    (node, distance_m)

    Raises
    ------
    PlaceError
        The nearest road node is farther than :data:`MAX_SNAP_KM`.
    """
    if snap not in SNAP_RULES:
        raise RouteError(f"unknown snap {snap!r}; valid snap rules: {', '.join(SNAP_RULES)}")
    index = _snap_index(graph)
    if not index.ids:
        raise RouteError("the graph has no road nodes")
    country = place.country if snap == "own-country" else None
    pos, dist = nearest(
        place.lat, place.lon, index.lat, index.lon, country=country, node_country=index.country
    )
    i, d = int(pos[0]), float(dist[0])
    if d > MAX_SNAP_KM * 1000:
        raise PlaceError(
            f"place {place.name!r} ({place.lat:.4f},{place.lon:.4f}) is {d / 1000:.1f} km from the "
            f"nearest road node of the network (limit {MAX_SNAP_KM:.0f} km); choose a place inside "
            "the corridor"
        )
    return index.ids[i], d


def _endpoints(
    graph: nx.MultiDiGraph, place: Place, mode: str, snap: str = "own-country"
) -> list[Any]:
    """Candidate graph nodes for a place: the port node (sea/any), both checkpoints of a
    crossing, or else the nearest road node."""
    if mode in ("sea", "any") and place.kind == "port":
        node = f"port:{place.place_id}"
        if node in graph:
            return [node]
    if place.kind == "crossing":
        cps = _checkpoints(graph).get(place.place_id, [])
        if cps:
            return list(cps)
    return [snap_place(graph, place, snap=snap)[0]]


def _via_path(
    graph: nx.MultiDiGraph, mi: _ModeIndex, o: Any, t: Any, crossing_ids: tuple[str, ...]
) -> list[Any]:
    """Shortest o -> t path through each crossing's border edge in order (either direction)."""
    checkpoints = _checkpoints(graph)
    pairs: list[list[tuple[Any, Any]]] = []
    for cid in crossing_ids:
        cps = checkpoints.get(cid, [])
        if len(cps) != 2:
            raise RouteError(
                f"via crossing {cid!r} is not in this network; crossings present: "
                f"{closest_first(cid, sorted(checkpoints))}"
            )
        pairs.append([(cps[0], cps[1]), (cps[1], cps[0])])
    # Forward searches from the origin and from the checkpoints of every crossing but the last;
    # one backward search from the destination.
    sources = [o, *(cp for pair in pairs[:-1] for cp in pair[0])]
    dist, pred = mi.dijkstra(sources)
    back, back_pred = mi.dijkstra([t], reverse=True)
    row = {s: i for i, s in enumerate(sources)}
    best: tuple[float, tuple[tuple[Any, Any], ...]] = (float("inf"), ())
    for combo in itertools.product(*pairs):
        total, here = 0.0, o
        for entry, exit_ in combo:
            step = mi.weight(entry, exit_) if mi.has_edge(entry, exit_) else float("inf")
            total += dist[row[here], mi.pos[entry]] + step
            here = exit_
        total += back[0, mi.pos[here]]
        if total < best[0]:
            best = (total, combo)
    if not np.isfinite(best[0]):
        return []
    path, here = [o], o
    for entry, exit_ in best[1]:
        path += [*mi.path(pred[row[here]], here, entry)[1:], exit_]
        here = exit_
    return path + mi.path(back_pred[0], here, t, reverse=True)[1:]


def _checkpoints(graph: nx.MultiDiGraph) -> dict[str, list[Any]]:
    """Checkpoint node ids by crossing id (cached with the routing index)."""
    idx = _index(graph)
    if "checkpoints" not in idx:
        out: dict[str, list[Any]] = {}
        for n, d in graph.nodes(data=True):
            if d.get("kind") == "checkpoint":
                out.setdefault(str(d["crossing_id"]), []).append(n)
        idx["checkpoints"] = out
    cps: dict[str, list[Any]] = idx["checkpoints"]
    return cps


def prepare_routing(graph: nx.MultiDiGraph, *, weight: str = "travel_time") -> nx.MultiDiGraph:
    """Build the routing indexes of a graph now rather than on the first query.

    Stores them in ``graph.graph["_routing_index"]`` (nodes and edges are not changed) and
    returns the graph. :func:`networks.load_network` calls this, so its graphs are ready.
    """
    missing = tuple(e for e in _EDGE_MODES if ("mode", e, weight) not in _index(graph))
    if missing:
        _build_mode_indexes(graph, missing, weight)
    _snap_index(graph)
    _checkpoints(graph)
    return graph


def _legs(graph: nx.MultiDiGraph, nodes: list[Any], edge_set: str, weight: str) -> list[Leg]:
    mi = _mode_index(graph, edge_set, weight)
    legs: list[Leg] = []
    run: dict[str, Any] | None = None

    def close(r: dict[str, Any]) -> None:
        legs.append(
            Leg(
                mode=r["mode"],
                country=r["country"],
                distance_km=r["length"] / 1000.0,
                travel_time_h=r["time"] / 3600.0,
                start_node=r["start"],
                end_node=r["end"],
                start_lonlat=(graph.nodes[r["start"]]["x"], graph.nodes[r["start"]]["y"]),
                end_lonlat=(graph.nodes[r["end"]]["x"], graph.nodes[r["end"]]["y"]),
                crossing_id=r["crossing_id"],
                port_id=r["port_id"],
                from_country=r["from_country"],
                to_country=r["to_country"],
            )
        )

    for u, v in itertools.pairwise(nodes):
        d = graph.edges[u, v, mi.key(u, v)]
        mode = str(d["mode"])
        key = {
            "mode": mode,
            "country": str(d.get("country", "")),
            "crossing_id": str(d.get("crossing_id", "")) if mode == "border" else "",
            "port_id": str(d.get("port_id", "")) if mode == "port" else "",
            "from_country": str(d.get("from_country", "")) if mode == "border" else "",
            "to_country": str(d.get("to_country", "")) if mode == "border" else "",
        }
        if run is not None and all(run[k] == key[k] for k in key):
            run["length"] += float(d["length"])
            run["time"] += float(d["travel_time"])
            run["end"] = v
            continue
        if run is not None:
            close(run)
        run = {
            **key,
            "length": float(d["length"]),
            "time": float(d["travel_time"]),
            "start": u,
            "end": v,
        }
    if run is not None:
        close(run)
    return legs


def _check(mode: str, weight: str) -> None:
    if mode not in ROUTE_MODES:
        close = difflib.get_close_matches(str(mode), ROUTE_MODES, n=3, cutoff=0.0)
        ordered = [*close, *(m for m in ROUTE_MODES if m not in close)]
        raise RouteError(f"unknown mode {mode!r}; valid modes: {', '.join(ordered)}")
    if weight not in ROUTE_WEIGHTS:
        raise RouteError(f"unknown weight {weight!r}; valid weights: {', '.join(ROUTE_WEIGHTS)}")


@dataclass(frozen=True)
class PortOption:
    """One loading/unloading port pair a sea route could use, with what decides between them.

    ``land_*`` and ``sea_*`` are the weight-minimising paths (hours are free-flow driving and
    sailing); ``dwell_h`` is the two ports' ``handling_h`` (ports table). ``cost`` is what the
    choice minimises: hours including the dwell for ``weight="travel_time"``, km for
    ``weight="length"``.
    """

    load_port: str
    unload_port: str
    land_km: float
    sea_km: float
    land_h: float
    sea_h: float
    dwell_h: float
    cost: float

    @property
    def total_h(self) -> float:
        """Driving, sailing and the two ports' dwell, hours."""
        return self.land_h + self.sea_h + self.dwell_h


#: A port is a candidate at one end of a sea route when its road access is at most this much
#: longer than that of the nearest port (in the routing weight: hours or km), so that a sea route
#: does not turn into a long drive to a distant port. Source: assumption: about the drayage
#: between Bangkok's two ports (Khlong Toei and Laem Chabang, ~130 km, ~2.5 h).
PORT_CHOICE_EXTRA_H = 3.0
PORT_CHOICE_EXTRA_KM = 150.0


def _candidate_ports(
    graph: nx.MultiDiGraph, end: Any, reach: dict[Any, float], weight: str
) -> list[Any]:
    """Ports a sea route may use at one end: the end itself when it is a port, else the ports
    whose road access (``reach``, in weight units) is within :data:`PORT_CHOICE_EXTRA_H` /
    :data:`PORT_CHOICE_EXTRA_KM` of the nearest port's."""
    if graph.nodes[end].get("kind") == "port":
        return [end]
    if not reach:
        return []
    extra = PORT_CHOICE_EXTRA_H * 3600 if weight == "travel_time" else PORT_CHOICE_EXTRA_KM * 1000
    bound = min(reach.values()) + extra
    return [p for p, w in reach.items() if w <= bound]


def _port_options(graph: nx.MultiDiGraph, o: Any, t: Any, weight: str) -> list[PortOption]:
    """Every usable (loading, unloading) port pair between two graph nodes, cheapest first."""
    land = _mode_index(graph, "land", weight)
    sea = _mode_index(graph, "sea", weight)
    ports = [n for n, d in graph.nodes(data=True) if d.get("kind") == "port"]
    if len(ports) < 2:
        raise RouteError("mode='sea': this network has fewer than two ports")
    d_o, _ = land.dijkstra([o])
    d_t, _ = land.dijkstra([t], reverse=True)
    reach_o = {p: float(d_o[0, land.pos[p]]) for p in ports if np.isfinite(d_o[0, land.pos[p]])}
    reach_t = {p: float(d_t[0, land.pos[p]]) for p in ports if np.isfinite(d_t[0, land.pos[p]])}
    if reach_o and reach_t:
        near_o = min(reach_o, key=reach_o.__getitem__)
        if near_o == min(reach_t, key=reach_t.__getitem__) and graph.nodes[o].get("kind") != "port":
            raise RouteError(
                "mode='sea': origin and destination share the nearest port "
                f"{graph.nodes[near_o]['name']!r}; use mode='road'"
            )
    p_o = _candidate_ports(graph, o, reach_o, weight)
    p_t = _candidate_ports(graph, t, reach_t, weight)
    if not p_o or not p_t:
        raise RouteError("mode='sea': no port is reachable by road from the origin or destination")
    d_s, _ = sea.dijkstra(p_o)
    options: list[tuple[float, str, str]] = []
    for i, p1 in enumerate(p_o):
        for p2 in p_t:
            s_w = d_s[i, sea.pos[p2]]
            if p1 == p2 or not np.isfinite(s_w):
                continue
            dwell = float(graph.nodes[p1].get("handling_h", 0.0)) + float(
                graph.nodes[p2].get("handling_h", 0.0)
            )
            w = d_o[0, land.pos[p1]] + s_w + d_t[0, land.pos[p2]]
            options.append((float(w + (dwell * 3600 if weight == "travel_time" else 0.0)), p1, p2))
    options.sort()
    out = []
    for cost, p1, p2 in options[:5]:
        nodes = _sea_nodes(graph, o, t, p1, p2, weight)
        legs = _legs(graph, nodes, "any", weight)
        sea_legs = [leg for leg in legs if leg.mode == "sea"]
        land_legs = [leg for leg in legs if leg.mode != "sea"]
        out.append(
            PortOption(
                load_port=str(graph.nodes[p1]["port_id"]),
                unload_port=str(graph.nodes[p2]["port_id"]),
                land_km=sum(leg.distance_km for leg in land_legs),
                sea_km=sum(leg.distance_km for leg in sea_legs),
                land_h=sum(leg.travel_time_h for leg in land_legs),
                sea_h=sum(leg.travel_time_h for leg in sea_legs),
                dwell_h=float(graph.nodes[p1].get("handling_h", 0.0))
                + float(graph.nodes[p2].get("handling_h", 0.0)),
                cost=cost / 3600 if weight == "travel_time" else cost / 1000,
            )
        )
    return out


def _sea_nodes(graph: nx.MultiDiGraph, o: Any, t: Any, p1: Any, p2: Any, weight: str) -> list[Any]:
    land = _mode_index(graph, "land", weight)
    sea = _mode_index(graph, "sea", weight)
    _, p_o = land.dijkstra([o])
    _, p_t = land.dijkstra([t], reverse=True)
    _, p_s = sea.dijkstra([p1])
    return (
        land.path(p_o[0], o, p1)
        + sea.path(p_s[0], p1, p2)[1:]
        + land.path(p_t[0], p2, t, reverse=True)[1:]
    )


def _sea_path(graph: nx.MultiDiGraph, o: Any, t: Any, weight: str) -> list[Any]:
    """Road to a loading port, sea, road from an unloading port: the pair with the least
    driving + sailing (+ the two ports' dwell when minimising time), see :func:`port_options`."""
    options = _port_options(graph, o, t, weight)
    if not options:
        raise RouteError(
            "mode='sea': no pair of distinct ports joins the origin and destination by sea; "
            "use mode='road'"
        )
    best = options[0]
    return _sea_nodes(graph, o, t, f"port:{best.load_port}", f"port:{best.unload_port}", weight)


def port_options(
    graph: nx.MultiDiGraph,
    origin: Place | str,
    destination: Place | str,
    *,
    weight: str = "travel_time",
) -> list[PortOption]:
    """Why a sea route uses its ports: the cheapest port pairs (at most 5), chosen pair first.

    The loading port is the origin itself when it is a port, else a port whose road access is
    within :data:`PORT_CHOICE_EXTRA_H` (or :data:`PORT_CHOICE_EXTRA_KM`) of the nearest port's;
    likewise the unloading port. A pair's cost is
    the road to the loading port, the sailing and the road from the unloading port, plus both
    ports' ``handling_h`` (dwell) when ``weight="travel_time"``. Sailing
    frequency is not in the network data (it belongs to ``logistics`` parameters) and is not
    part of this choice.

    Raises
    ------
    RouteError, PlaceError
        As :func:`shortest_route` with ``mode="sea"``.
    """
    _check("sea", weight)
    o_place, d_place = resolve_place(origin), resolve_place(destination)
    o = _endpoints(graph, o_place, "sea")[0]
    t = _endpoints(graph, d_place, "sea")[0]
    return _port_options(graph, o, t, weight)


def shortest_route(
    graph: nx.MultiDiGraph,
    origin: Place | str,
    destination: Place | str,
    *,
    via: str | None = None,
    mode: str = "road",
    weight: str = "travel_time",
    snap: str = "own-country",
) -> Route:
    """Shortest route between two places.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A multimodal graph (:func:`networks.load_network`).
    origin, destination : Place or str
        Places or anything :func:`networks.resolve_place` accepts (names, ``"LAT,LON"``).
    via : str, optional
        A crossing id or name, or a route name (``R9``, ``R12``, ``R8``): the route goes through
        those crossings in order (``mode="road"`` or ``"any"``).
    mode : {"road", "sea", "any"}
        See the module docstring.
    weight : {"travel_time", "length"}
        Edge attribute minimised.
    snap : {"own-country", "any"}
        A place snaps to the nearest road node of its own country (default), or of any country.

    Returns
    -------
    Route
        Starts at the road node nearest the origin (at the port node for a port in ``sea`` /
        ``any`` mode; at whichever checkpoint of a crossing gives the better route) and ends
        likewise at the destination.

    Raises
    ------
    RouteError
        Unknown mode, weight or via; no path.
    PlaceError
        Unknown place, or a place farther than :data:`MAX_SNAP_KM` from the network.
    """
    _check(mode, weight)
    o_place, d_place = resolve_place(origin), resolve_place(destination)
    best: Route | None = None
    error: RouteError | None = None
    for o in _endpoints(graph, o_place, mode, snap):
        for t in _endpoints(graph, d_place, mode, snap):
            try:
                route = _route(graph, o, t, o_place, d_place, via=via, mode=mode, weight=weight)
            except RouteError as exc:
                error = exc
                continue
            cost = route.travel_time_h if weight == "travel_time" else route.distance_km
            if best is None or cost < (
                best.travel_time_h if weight == "travel_time" else best.distance_km
            ):
                best = route
    if best is None:
        assert error is not None
        raise error
    return best


def shortest_route_nodes(
    graph: nx.MultiDiGraph,
    source: Any,
    target: Any,
    *,
    via: str | None = None,
    mode: str = "road",
    weight: str = "travel_time",
) -> Route:
    """Shortest route between two graph nodes (e.g. a checkpoint ``cp:<crossing>:<country>``).

    Same as :func:`shortest_route` without place resolution or snapping; the route's origin and
    destination places are built from the nodes (``name`` or node id, position, country).

    Raises
    ------
    RouteError
        A node is not in the graph, or as in :func:`shortest_route`.
    """
    _check(mode, weight)
    places = []
    for n in (source, target):
        if n not in graph:
            raise RouteError(f"node {n!r} is not in the graph")
        d = graph.nodes[n]
        places.append(
            Place(
                name=str(d.get("name") or n),
                lat=float(d["y"]),
                lon=float(d["x"]),
                country=str(d.get("country", "")),
                kind="coordinates",
                place_id=str(n),
            )
        )
    return _route(graph, source, target, places[0], places[1], via=via, mode=mode, weight=weight)


def _route(
    graph: nx.MultiDiGraph,
    o: Any,
    t: Any,
    o_place: Place,
    d_place: Place,
    *,
    via: str | None,
    mode: str,
    weight: str,
) -> Route:
    if mode == "sea":
        if via is not None:
            raise RouteError("via is only supported with mode='road' or mode='any'")
        nodes, edge_set = _sea_path(graph, o, t, weight), "any"
    else:
        edge_set = "road" if mode == "road" else "any"
        mi = _mode_index(graph, edge_set, weight)
        if via is not None:
            nodes = _via_path(graph, mi, o, t, resolve_via(via))
        elif o == t:
            nodes = [o]
        elif o not in mi.pos or t not in mi.pos:
            nodes = []
        else:
            dist, pred = mi.dijkstra([o])
            nodes = mi.path(pred[0], o, t) if np.isfinite(dist[0, mi.pos[t]]) else []
    if not nodes:
        raise RouteError(
            f"no {mode} path from {o_place.name!r} to {d_place.name!r}"
            + (f" via {via!r}" if via else "")
        )
    return _build_route(graph, nodes, o_place, d_place, edge_set=edge_set, weight=weight)


def _build_route(
    graph: nx.MultiDiGraph,
    nodes: list[Any],
    o_place: Place,
    d_place: Place,
    *,
    edge_set: str,
    weight: str,
) -> Route:
    """The Route of a node path whose consecutive nodes are joined by edges of ``edge_set``."""
    legs = _legs(graph, nodes, edge_set, weight)
    coords = [(float(graph.nodes[n]["x"]), float(graph.nodes[n]["y"])) for n in nodes]
    logger.info(
        "route %s -> %s (%s): %d nodes, %.1f km",
        o_place.name,
        d_place.name,
        edge_set,
        len(nodes),
        sum(leg.distance_km for leg in legs),
    )
    return Route(origin=o_place, destination=d_place, nodes=nodes, legs=legs, coords=coords)


def route_from_nodes(
    graph: nx.MultiDiGraph,
    nodes: list[Any],
    origin: Place,
    destination: Place,
    *,
    mode: str = "any",
) -> Route:
    """The Route of an explicit node path (e.g. a planned path replayed as it was planned).

    Builds the legs (runs by mode and country; border legs with their crossing id, port legs
    with their port id), the coordinates and the places exactly as :func:`shortest_route` does
    once it has found its path. Between two nodes joined by parallel edges, the one with the
    least ``travel_time`` is used (as in routing).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        The multimodal graph the path was found on.
    nodes : list
        Graph node ids in travel order (at least one).
    origin, destination : Place
        The places the route serves (kept as given).
    mode : {"road", "sea", "any"}
        Edges allowed between consecutive nodes: ``road`` only road and border edges; ``sea``
        and ``any`` every edge.

    Raises
    ------
    RouteError
        Unknown mode, an empty path, a node not in the graph, or two consecutive nodes not
        joined by an allowed edge (the first such pair is named).
    """
    _check(mode, "travel_time")
    nodes = list(nodes)
    if not nodes:
        raise RouteError("nodes is empty; a route needs at least one graph node")
    for n in nodes:
        if n not in graph:
            raise RouteError(f"node {n!r} is not in the graph")
    edge_set = "road" if mode == "road" else "any"
    mi = _mode_index(graph, edge_set, "travel_time")
    for u, v in itertools.pairwise(nodes):
        if not mi.has_edge(u, v):
            raise RouteError(
                f"nodes {u!r} -> {v!r} are not joined by a {mode!r} edge of the graph; "
                "a path's consecutive nodes must be joined by an edge"
            )
    return _build_route(graph, nodes, origin, destination, edge_set=edge_set, weight="travel_time")


def route_geojson(route: Route) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of a route.

    One ``LineString`` per leg (properties ``mode``, ``country``, ``distance_km``,
    ``travel_time_h``, ``crossing_id``, ``port_id``) and one ``Point`` per crossing used
    (``crossing_id``, ``from_country``, ``to_country``) and per port leg end (``port_id``).
    """
    features: list[dict[str, Any]] = []
    pos = 0
    for leg in route.legs:
        end = pos + 1
        while end < len(route.nodes) and route.nodes[end] != leg.end_node:
            end += 1
        coords = [list(c) for c in route.coords[pos : end + 1]]
        props = {k: v for k, v in leg.to_dict().items() if k not in ("start", "end")}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {"feature": "leg", **props},
            }
        )
        if leg.mode == "border":
            mid = [
                (leg.start_lonlat[0] + leg.end_lonlat[0]) / 2,
                (leg.start_lonlat[1] + leg.end_lonlat[1]) / 2,
            ]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": mid},
                    "properties": {
                        "feature": "crossing",
                        "crossing_id": leg.crossing_id,
                        "from_country": leg.from_country,
                        "to_country": leg.to_country,
                    },
                }
            )
        pos = end
    seen: set[str] = set()
    for leg in route.legs:
        if leg.mode != "port" or leg.port_id in seen:
            continue
        seen.add(leg.port_id)
        is_start = str(leg.start_node).startswith("port:")
        lonlat = leg.start_lonlat if is_start else leg.end_lonlat
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(lonlat)},
                "properties": {"feature": "port", "port_id": leg.port_id},
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {k: v for k, v in route.to_dict().items() if k != "legs"},
        "features": features,
    }
