"""One multimodal graph per corridor: roads, border crossings, ports and sea lanes.

:func:`build_network` assembles the graph of ``docs/architecture.md`` from a road graph (the
shipped default, Overpass or a local OSM file), the crossings table, the ports table and the sea
lanes. No route can change country except on a ``mode="border"`` edge:

1. Road edges whose ends lie in different countries (``cross_border=True``) are removed, except
   that an edge whose straight line passes through a crossing of the same two countries (detour
   ratio at most :data:`SPLIT_MAX_DETOUR`) is *split* at that crossing: ``u -> checkpoint`` and
   ``checkpoint -> v``, with the original road length shared in proportion to the great-circle
   pieces (a length the mountain sinuosity modelled is modelled again: each piece gets its own
   great-circle x :data:`SINUOSITY`). These split pieces are flagged ``connector=True``,
   ``connector_kind="split"``.
2. Each crossing becomes two checkpoint nodes (``kind="checkpoint"``) joined by ``mode="border"``
   edges both ways, and each checkpoint is joined to the nearest road node of its own country by a
   connector edge (``mode="road"``, ``connector=True``, ``connector_kind="nearest"``, length =
   great-circle x :data:`CONNECTOR_CIRCUITY`).
3. Road nodes outside the largest strongly connected land component are dropped.
4. Each port joins the nearest road node of its country by a ``mode="port"`` drayage edge and the
   water by ``mode="sea"`` edges (:func:`networks.sea.add_ports`).

Before that, the Lao and Vietnamese road edges get the fitted mountain sinuosity
(:data:`SINUOSITY`).
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from networks.borders import crossings_table
from networks.geo import ACCESS_CIRCUITY, ACCESS_SPEED_KPH, haversine_m, nearest
from networks.io import atomic_path
from networks.sea import add_ports, load_sea_graph, ports_table

logger = logging.getLogger(__name__)

#: The study corridors and their countries (ISO 3166-1 alpha-2).
CORRIDORS: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "bangkok-hanoi": {
            "countries": ("TH", "LA", "VN", "KH"),
            "description": "Bangkok-Hanoi through Lao PDR on R9, R12 and R8, or by sea",
        },
        "singapore-malaysia-thailand": {
            "countries": ("SG", "MY", "TH"),
            "description": "Singapore-Kuala Lumpur-Bangkok (North-South Expressway and Thailand)",
        },
    }
)

#: Backbone routes of each corridor (origin, destination, via): the Overpass query area is these
#: routes on the shipped network, buffered by :data:`OVERPASS_BUFFER_KM`.
BACKBONES: MappingProxyType[str, tuple[tuple[str, str, str | None], ...]] = MappingProxyType(
    {
        "bangkok-hanoi": (
            ("Bangkok", "Hanoi", "R9"),
            ("Bangkok", "Hanoi", "R12"),
            ("Bangkok", "Hanoi", "R8"),
            ("laem-chabang", "Bangkok", None),
            ("hai-phong", "Hanoi", None),
        ),
        "singapore-malaysia-thailand": (
            ("Singapore", "Bangkok", "woodlands-johor-bahru"),
            ("Singapore", "Kuala Lumpur", "tuas-second-link"),
            ("port-klang", "Kuala Lumpur", None),
            ("penang", "Alor Setar", None),
        ),
    }
)

#: Half-width of the Overpass query corridor around the backbone routes, km.
#: Source: assumption: wide enough for the parallel trunk/primary roads and the approaches to
#: ports and checkpoints, narrow enough for a feasible Overpass download.
OVERPASS_BUFFER_KM = 15.0

#: Corridor names accepted by :func:`build_network` (``all`` = every corridor country).
CORRIDOR_NAMES: tuple[str, ...] = (*CORRIDORS, "all")

#: Circuity factor of connector edges (checkpoint to road network, port drayage): the access-leg
#: model of :mod:`networks.geo` (:data:`networks.geo.ACCESS_CIRCUITY`, with its source).
CONNECTOR_CIRCUITY = ACCESS_CIRCUITY

#: Truck speed on checkpoint connector edges, km/h: :data:`networks.geo.ACCESS_SPEED_KPH`.
CONNECTOR_SPEED_KPH = ACCESS_SPEED_KPH

#: Truck speed across a crossing (bridge or no-man's land between the two checkpoints), km/h.
#: Source: assumption: low-speed driving between checkpoints; queueing is not included here.
BORDER_SPEED_KPH = 20.0

#: Truck speed on port drayage (access) edges, km/h. Source: assumption: urban port access roads.
PORT_ACCESS_SPEED_KPH = 30.0

#: A checkpoint or port farther than this from any road node of its country is skipped, km.
#: Source: assumption: beyond 50 km the road graph does not cover the area (e.g. a local OSM file).
MAX_CONNECTOR_KM = 50.0

#: A cross-border road edge is split at a crossing when going through the two checkpoints is at
#: most this much longer (great-circle) than the edge's straight line. Source: assumption.
SPLIT_MAX_DETOUR = 1.15

#: Excursion bypass: a road that leaves country D for at most :data:`EXCURSION_MAX_NODES` nodes of a
#: neighbour C, every one within :data:`EXCURSION_BORDER_KM` of C's boundary, and comes back to D
#: at most :data:`EXCURSION_MAX_DETOUR` times the straight line, is an artefact of the coarse
#: network (two roads along a border river merged, e.g. Lao NR13S and Thai Route 212 near
#: Paksan). A ``mode="road"`` edge inside D replaces it (``connector=True``,
#: ``connector_kind="bypass"``, length = the excursion's road length). Source: assumption;
#: its effect is measured before/after in docs/validation.md.
EXCURSION_MAX_NODES = 3
EXCURSION_BORDER_KM = 5.0
EXCURSION_MAX_DETOUR = 1.3
#: Speed of a bypass edge when its start node has no other edge in its country, km/h.
#: Source: assumption: generic two-lane national road.
BYPASS_FALLBACK_KPH = 50.0

#: Mountain sinuosity: the coarse network draws the roads over the Annamite range (which the
#: Lao-Vietnamese border follows) as long straight or nearly straight segments (Lao NR9 east of
#: Seno is one 190 km edge at 1.02x the great-circle), undercounting their bends. A road edge at
#: least :data:`STRAIGHT_EDGE_MIN_KM` long, shorter than :data:`SINUOSITY` x its great-circle
#: distance, whose straight line comes within :data:`ANNAMITE_KM` of the border between the two
#: :data:`SINUOSITY_COUNTRIES`, and every ``sinuous`` link of ``road_corrections.csv``, gets
#: length = great-circle x :data:`SINUOSITY`; the original is kept in ``length_raw`` and the
#: edge flagged ``length_corrected=True``. Source: assumption (scope): the mountain legs of the
#: corridors are those that climb to the Lao-Vietnamese crossings; the Mekong plain (Lao NR13,
#: 90+ km from that border) and the other countries are left as they are.
SINUOSITY_COUNTRIES: tuple[str, str] = ("LA", "VN")
ANNAMITE_KM = 40.0
STRAIGHT_EDGE_MIN_KM = 20.0

#: Road length per great-circle km on a corrected edge. Source: fitted (relative least squares)
#: on the three published Lao mountain legs by :func:`networks.validation.fit_sinuosity`
#: (leave-one-out errors and the validation on legs not fitted on in docs/validation.md);
#: tests/test_validation.py checks that re-fitting gives this value.
SINUOSITY = 1.37

#: Connectors attach only to road components with at least this many nodes (per country), so that a
#: checkpoint or port is not joined to a fragment cut off from the rest. Source: assumption.
MIN_COMPONENT_NODES = 10

_DATA_FILES = (
    "roads.npz",
    "countries.geojson",
    "crossings.csv",
    "ports.csv",
    "sea.json",
    "road_corrections.csv",
)
_CODE_FILES = ("multimodal.py", "road.py", "sea.py", "borders.py", "countries.py", "routing.py")


class NetworkError(ValueError):
    """Unknown corridor or source, or a road graph that cannot carry the multimodal network."""


def corridor_countries(corridor: str) -> tuple[str, ...]:
    """Countries of a corridor (``"all"``: every corridor country).

    Raises
    ------
    NetworkError
        Unknown corridor; the message lists the valid names, closest match first.
    """
    if corridor == "all":
        out: list[str] = []
        for spec in CORRIDORS.values():
            out.extend(c for c in spec["countries"] if c not in out)
        return tuple(out)
    if corridor not in CORRIDORS:
        close = difflib.get_close_matches(str(corridor), CORRIDOR_NAMES, n=3, cutoff=0.0)
        rest = [n for n in CORRIDOR_NAMES if n not in close]
        raise NetworkError(
            f"unknown corridor {corridor!r}; valid corridors: {', '.join([*close, *rest])}"
        )
    return tuple(CORRIDORS[corridor]["countries"])


@dataclass(frozen=True)
class _Crossing:
    crossing_id: str
    country_a: str
    country_b: str
    lat_a: float
    lon_a: float
    lat_b: float
    lon_b: float
    checkpoint_a: str
    checkpoint_b: str


def _crossing_rows(table: pd.DataFrame) -> list[_Crossing]:
    return [
        _Crossing(
            crossing_id=str(r["crossing_id"]),
            country_a=str(r["country_a"]),
            country_b=str(r["country_b"]),
            lat_a=float(r["lat_a"]),
            lon_a=float(r["lon_a"]),
            lat_b=float(r["lat_b"]),
            lon_b=float(r["lon_b"]),
            checkpoint_a=str(r["checkpoint_a"]),
            checkpoint_b=str(r["checkpoint_b"]),
        )
        for r in table.to_dict("records")
    ]


def checkpoint_node_id(crossing_id: str, country: str) -> str:
    """Graph node id of a crossing's checkpoint on the ``country`` side."""
    return f"cp:{crossing_id}:{country}"


def corridor_polygon(corridor: str = "all", *, buffer_km: float = OVERPASS_BUFFER_KM) -> Any:
    """Query area of a corridor: its backbone routes on the shipped network, buffered.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        WGS84; the union of the :data:`BACKBONES` routes (``load_network("all")``, fastest by
        road) buffered by ``buffer_km`` (degrees = km / 111.32; a degree of longitude is
        shorter, so the corridor is slightly wider east-west than stated).
    """
    import shapely

    from networks.routing import shortest_route

    corridor_countries(corridor)
    names = list(CORRIDORS) if corridor == "all" else [corridor]
    graph = load_network("all")
    lines = []
    for name in names:
        for origin, destination, via in BACKBONES[name]:
            route = shortest_route(graph, origin, destination, via=via)
            land = [
                graph.nodes[n]
                for n in route.nodes
                if graph.nodes[n].get("kind") in ("road", "checkpoint")
            ]
            lines.append(shapely.LineString([(d["x"], d["y"]) for d in land]))
    return shapely.union_all(shapely.buffer(np.asarray(lines), buffer_km / 111.32))


# -- Road sources -------------------------------------------------------------------------------


def _load_roads(source: Any, corridor: str, countries: tuple[str, ...]) -> nx.MultiDiGraph:
    from networks import road

    if isinstance(source, nx.MultiDiGraph):
        graph = source.copy()
        if any("travel_time" not in d or "mode" not in d for _, _, d in graph.edges(data=True)):
            road.annotate_road_graph(graph)
        return graph
    if isinstance(source, str) and source == "default":
        return road.load_default_roads(countries=countries)
    if isinstance(source, str) and source == "overpass":
        return road.graph_from_overpass(corridor_polygon(corridor), countries=countries)
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(
            f"source={str(source)!r}: no such file; allowed: 'default', 'overpass' or a path to an "
            ".osm, .osm.bz2 or .osm.pbf file"
        )
    return road.graph_from_osm_file(path)


def _source_name(source: Any) -> str:
    return "graph" if isinstance(source, nx.MultiDiGraph) else str(source)


# -- Assembly -----------------------------------------------------------------------------------


def _road_arrays(
    graph: nx.MultiDiGraph, nodes: Iterable[Any]
) -> tuple[list[Any], np.ndarray, np.ndarray]:
    ids = list(nodes)
    ys = np.fromiter((graph.nodes[n]["y"] for n in ids), float, len(ids))
    xs = np.fromiter((graph.nodes[n]["x"] for n in ids), float, len(ids))
    return ids, ys, xs


def _nearest(
    candidates: tuple[list[Any], np.ndarray, np.ndarray], lat: float, lon: float
) -> tuple[Any, float]:
    ids, ys, xs = candidates
    if not ids:
        return None, float("inf")
    idx, dist = nearest(lat, lon, ys, xs)
    return ids[int(idx[0])], float(dist[0])


def _connector_attrs(
    length_m: float, *, mode: str, country: str, speed_kph: float, kind: str, **extra: Any
) -> dict[str, Any]:
    return {
        "mode": mode,
        "length": length_m,
        "speed_kph": speed_kph,
        "travel_time": length_m / (speed_kph / 3.6),
        "country": country,
        "connector": True,
        "connector_kind": kind,
        **extra,
    }


def _road_nodes_by_country(
    graph: nx.MultiDiGraph, countries: tuple[str, ...]
) -> dict[str, list[Any]]:
    """Road nodes of each country, in one pass over the nodes."""
    out: dict[str, list[Any]] = {c: [] for c in countries}
    for n, d in graph.nodes(data=True):
        if d.get("kind") == "road" and d.get("country") in out:
            out[str(d["country"])].append(n)
    return out


def _main_component_nodes(
    graph: nx.MultiDiGraph, countries: tuple[str, ...]
) -> dict[str, list[Any]]:
    """Road nodes per country lying in national components of at least MIN_COMPONENT_NODES.

    Components are weakly connected over the road edges within one country
    (``scipy.sparse.csgraph``); nodes keep the graph's order. A country without such a component
    keeps its largest one.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    by_country = _road_nodes_by_country(graph, countries)
    country = {n: c for c, nodes in by_country.items() for n in nodes}
    if not country:
        return {c: [] for c in by_country}
    pos = {n: i for i, n in enumerate(country)}
    rows: list[int] = []
    cols: list[int] = []
    modes: Iterable[tuple[Any, Any, Any]] = graph.edges(data="mode")
    for u, v, mode in modes:
        if mode == "road" and u in country and country.get(v) == country[u]:
            rows.append(pos[u])
            cols.append(pos[v])
    adjacency = coo_array(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(pos), len(pos))
    ).tocsr()
    _, labels = connected_components(adjacency, directed=True, connection="weak")
    sizes = np.bincount(labels)
    out: dict[str, list[Any]] = {}
    for c, nodes in by_country.items():
        own = labels[np.fromiter((pos[n] for n in nodes), np.int64, len(nodes))]
        big = sizes[own] >= MIN_COMPONENT_NODES
        if nodes and not big.any():
            big = own == own[int(np.argmax(sizes[own]))]
        out[c] = [n for n, keep in zip(nodes, big.tolist(), strict=True) if keep]
    return out


def _correct_long_edges(graph: nx.MultiDiGraph, sinuosity: float = SINUOSITY) -> int:
    """Apply the mountain sinuosity to road edges (see :data:`SINUOSITY_COUNTRIES`)."""
    import shapely

    from networks.countries import _all_shapes

    shapes = _all_shapes()
    polygons = {str(c): g for c, g in zip(shapes.iso2, shapes.geometry, strict=True) if c}
    a_code, b_code = SINUOSITY_COUNTRIES
    border = shapely.intersection(
        shapely.boundary(polygons[a_code]), shapely.buffer(polygons[b_code], 0.01)
    )
    reach_deg = ANNAMITE_KM / 111.32
    count = 0
    for u, v, d in graph.edges(data=True):
        if d.get("mode", "road") != "road":
            continue
        a, b = graph.nodes[u], graph.nodes[v]
        straight = haversine_m(a["y"], a["x"], b["y"], b["x"])
        length = float(d["length"])
        if not d.get("sinuous"):
            if length < STRAIGHT_EDGE_MIN_KM * 1000 or length >= sinuosity * straight:
                continue
            line = shapely.LineString([(a["x"], a["y"]), (b["x"], b["y"])])
            if shapely.distance(line, border) > reach_deg:
                continue
        d["length_raw"] = length
        d["length"] = straight * sinuosity
        d["travel_time"] = d["length"] / (float(d["speed_kph"]) / 3.6)
        d["length_corrected"] = True
        count += 1
    return count


def _country_boundaries() -> dict[str, Any]:
    """Boundaries of the shipped study-country polygons, by ISO2 code.

    The polygons come from :mod:`networks.countries` (read once per process with json + shapely,
    without geopandas).
    """
    import shapely

    from networks.countries import _all_shapes

    shapes = _all_shapes()
    return {
        str(iso2): shapely.boundary(geom)
        for iso2, geom, study in zip(shapes.iso2, shapes.geometry, shapes.study, strict=True)
        if study and iso2
    }


def _bypass_excursions(graph: nx.MultiDiGraph) -> int:
    """Add bypass edges for short excursions across a border (see :data:`EXCURSION_MAX_NODES`)."""
    import shapely

    boundary = _country_boundaries()
    nc = nx.get_node_attributes(graph, "country")
    near: dict[Any, bool] = {}

    def is_near(t: Any) -> bool:
        if t not in near:
            d = graph.nodes[t]
            b = boundary.get(str(nc.get(t, "")))
            near[t] = b is not None and (
                shapely.Point(d["x"], d["y"]).distance(b) * 111.32 <= EXCURSION_BORDER_KM
            )
        return near[t]

    def shortest(u: Any, v: Any) -> dict[str, Any]:
        data: dict[str, Any] = min(graph[u][v].values(), key=lambda e: e["length"])
        return data

    found: dict[tuple[Any, Any], float] = {}
    for a, t in list(graph.edges()):
        home, away = nc.get(a), nc.get(t)
        if home == away or not is_near(t):
            continue
        stack = [(t, [t], float(shortest(a, t)["length"]))]
        while stack:
            x, path, length = stack.pop()
            for y in graph.successors(x):
                if y in path or y == a:
                    continue
                step = length + float(shortest(x, y)["length"])
                if nc.get(y) == home:
                    if step < found.get((a, y), float("inf")):
                        found[(a, y)] = step
                elif nc.get(y) == away and len(path) < EXCURSION_MAX_NODES and is_near(y):
                    stack.append((y, [*path, y], step))
    added = 0
    for (a, b), length in found.items():
        pa, pb = graph.nodes[a], graph.nodes[b]
        straight = haversine_m(pa["y"], pa["x"], pb["y"], pb["x"])
        if length > EXCURSION_MAX_DETOUR * max(straight, 1.0):
            continue
        own = [d for _, v, d in graph.out_edges(a, data=True) if nc.get(v) == nc.get(a)]
        speed = float(own[0]["speed_kph"]) if own else BYPASS_FALLBACK_KPH
        graph.add_edge(
            a,
            b,
            **_connector_attrs(
                length,
                mode="road",
                country=str(nc[a]),
                speed_kph=speed,
                kind="bypass",
                straight_m=straight,
            ),
        )
        added += 1
    return added


def _split_cross_border(
    graph: nx.MultiDiGraph, crossings: list[_Crossing]
) -> tuple[int, int, dict[str, int]]:
    """Remove cross-border road edges, splitting those that run through a crossing.

    Returns (removed, split, splits per crossing).
    """
    node_country = nx.get_node_attributes(graph, "country")
    cross = [
        (u, v, k, d)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if d.get("mode", "road") == "road"
        and (d.get("cross_border") or node_country.get(u) != node_country.get(v))
    ]
    per: dict[str, int] = {}
    split = 0
    for u, v, k, d in cross:
        graph.remove_edge(u, v, k)
        cu, cv = node_country.get(u, ""), node_country.get(v, "")
        uy, ux = graph.nodes[u]["y"], graph.nodes[u]["x"]
        vy, vx = graph.nodes[v]["y"], graph.nodes[v]["x"]
        straight = haversine_m(uy, ux, vy, vx)
        best: tuple[float, Any] | None = None
        for row in crossings:
            if {row.country_a, row.country_b} != {cu, cv}:
                continue
            if row.country_a == cu:
                (ly, lx), (ry, rx) = (row.lat_a, row.lon_a), (row.lat_b, row.lon_b)
            else:
                (ly, lx), (ry, rx) = (row.lat_b, row.lon_b), (row.lat_a, row.lon_a)
            pieces = (
                haversine_m(uy, ux, ly, lx),
                haversine_m(ly, lx, ry, rx),
                haversine_m(ry, rx, vy, vx),
            )
            ratio = sum(pieces) / max(straight, 1.0)
            if ratio <= SPLIT_MAX_DETOUR and (best is None or ratio < best[0]):
                best = (ratio, (row.crossing_id, pieces))
        if best is None:
            continue
        crossing_id, (p_u, p_x, p_v) = best[1]
        road_length = float(d["length"])
        if d.get("length_corrected"):
            # A modelled length (great-circle x sinuosity) is modelled again on the pieces the
            # road follows through the checkpoints; a measured length is shared among them.
            scale = road_length / max(straight, 1.0)
        else:
            scale = road_length / max(p_u + p_x + p_v, 1.0)
        for a, b, piece, country in (
            (u, checkpoint_node_id(crossing_id, cu), p_u, cu),
            (checkpoint_node_id(crossing_id, cv), v, p_v, cv),
        ):
            graph.add_edge(
                a,
                b,
                **_connector_attrs(
                    piece * scale,
                    mode="road",
                    country=country,
                    speed_kph=float(d["speed_kph"]),
                    kind="split",
                    crossing_id=crossing_id,
                    straight_m=piece,
                    **({"length_corrected": True} if d.get("length_corrected") else {}),
                ),
            )
        per[crossing_id] = per.get(crossing_id, 0) + 1
        split += 1
    return len(cross) - split, split, per


def _largest_land_component(graph: nx.MultiDiGraph) -> set[Any]:
    """Nodes of the largest strongly connected component of the road and border edges.

    ``scipy.sparse.csgraph`` on the edge list: about ten times faster than networkx on an edge
    subgraph view of the multigraph, with the same components.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    pos: dict[Any, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    modes: Iterable[tuple[Any, Any, Any]] = graph.edges(data="mode")
    for u, v, mode in modes:
        if mode in ("road", "border"):
            rows.append(pos.setdefault(u, len(pos)))
            cols.append(pos.setdefault(v, len(pos)))
    if not pos:
        return set()
    adjacency = coo_array(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(pos), len(pos))
    ).tocsr()
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    sizes = np.bincount(labels)
    largest = int(np.argmax(sizes))
    return {n for n, i in pos.items() if labels[i] == largest}


def build_network(
    corridor: str = "all",
    *,
    source: str | os.PathLike[str] | nx.MultiDiGraph = "default",
    correct_long_edges: bool = True,
    sinuosity: float = SINUOSITY,
) -> nx.MultiDiGraph:
    """Build the multimodal graph of a corridor.

    Parameters
    ----------
    corridor : str
        A key of :data:`CORRIDORS` or ``"all"``.
    source : str, path-like or networkx.MultiDiGraph
        ``"default"`` (the shipped ``world_highways`` extract), ``"overpass"`` (the area of
        :func:`corridor_polygon`, through :func:`networks.road.graph_from_overpass`), a path to an
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file, or an annotated road graph (as returned by
        the :mod:`networks.road` builders; it is copied, not modified). Crossings and ports
        farther than :data:`MAX_CONNECTOR_KM` from the road graph's nodes are skipped (logged).
    correct_long_edges : bool, default True
        Apply the mountain sinuosity (:data:`SINUOSITY_COUNTRIES`); ``False`` keeps the source
        lengths (used by the validation to report before/after).
    sinuosity : float, default :data:`SINUOSITY`
        The factor applied (the validation's fit varies it).

    Returns
    -------
    networkx.MultiDiGraph
        The graph of ``docs/architecture.md``; ``graph.graph`` holds ``corridor``, ``countries``,
        ``source``, ``crossings`` and ``ports`` (ids attached).

    Raises
    ------
    NetworkError
        Unknown corridor, or a road graph without nodes in the corridor countries.
    """
    countries = corridor_countries(corridor)
    graph = _load_roads(source, corridor, countries)
    for _, d in graph.nodes(data=True):
        d.setdefault("kind", "road")
    present = {d.get("country") for _, d in graph.nodes(data=True)} & set(countries)
    if not present:
        raise NetworkError(
            f"source={_source_name(source)!r}: the road graph has no node in the {corridor!r} "
            f"corridor countries ({', '.join(countries)})"
        )
    crossings = [
        c
        for c in _crossing_rows(crossings_table())
        if c.country_a in countries and c.country_b in countries
    ]

    # Checkpoint nodes first, so split edges can attach to them.
    for row in crossings:
        for side in ("a", "b"):
            c = getattr(row, f"country_{side}")
            graph.add_node(
                checkpoint_node_id(row.crossing_id, c),
                x=float(getattr(row, f"lon_{side}")),
                y=float(getattr(row, f"lat_{side}")),
                kind="checkpoint",
                country=c,
                crossing_id=row.crossing_id,
                name=str(getattr(row, f"checkpoint_{side}")),
            )
    if correct_long_edges:
        logger.info(
            "corrected %d road edges for mountain sinuosity", _correct_long_edges(graph, sinuosity)
        )
    bypassed = _bypass_excursions(graph)
    logger.info("added %d bypass edges for short excursions across a border", bypassed)
    removed, split, per_crossing = _split_cross_border(graph, crossings)
    logger.info("removed %d cross-border road edges; split %d at crossings", removed, split)

    candidates = _main_component_nodes(graph, countries)
    arrays = {c: _road_arrays(graph, nodes) for c, nodes in candidates.items()}
    attached: list[str] = []
    skipped: list[str] = []
    for row in crossings:
        sides = []
        for side in ("a", "b"):
            c = getattr(row, f"country_{side}")
            lat, lon = float(getattr(row, f"lat_{side}")), float(getattr(row, f"lon_{side}"))
            node, dist = _nearest(arrays.get(c, ([], np.empty(0), np.empty(0))), lat, lon)
            sides.append((c, node, dist))
        has_split = per_crossing.get(row.crossing_id, 0) > 0
        if not has_split and any(dist > MAX_CONNECTOR_KM * 1000 for _, _, dist in sides):
            graph.remove_nodes_from(checkpoint_node_id(row.crossing_id, c) for c, _, _ in sides)
            skipped.append(row.crossing_id)
            continue
        cp = {c: checkpoint_node_id(row.crossing_id, c) for c, _, _ in sides}
        for c, node, dist in sides:
            if node is not None and dist <= MAX_CONNECTOR_KM * 1000:
                attrs = _connector_attrs(
                    dist * CONNECTOR_CIRCUITY,
                    mode="road",
                    country=c,
                    speed_kph=CONNECTOR_SPEED_KPH,
                    kind="nearest",
                    crossing_id=row.crossing_id,
                    straight_m=dist,
                )
                graph.add_edge(cp[c], node, **attrs)
                graph.add_edge(node, cp[c], **attrs)
        (ca, _, _), (cb, _, _) = sides
        length = haversine_m(row.lat_a, row.lon_a, row.lat_b, row.lon_b)
        for frm, to in ((ca, cb), (cb, ca)):
            graph.add_edge(
                cp[frm],
                cp[to],
                mode="border",
                length=length,
                speed_kph=BORDER_SPEED_KPH,
                travel_time=length / (BORDER_SPEED_KPH / 3.6),
                country=to,
                crossing_id=row.crossing_id,
                from_country=frm,
                to_country=to,
                connector=False,
            )
        attached.append(row.crossing_id)

    # Keep the largest strongly connected land component.
    main = _largest_land_component(graph)
    if main:
        drop = [n for n in graph.nodes if n not in main]
        graph.remove_nodes_from(drop)
        lost = [
            row.crossing_id
            for row in crossings
            if row.crossing_id in attached
            and not (
                checkpoint_node_id(row.crossing_id, row.country_a) in graph
                and checkpoint_node_id(row.crossing_id, row.country_b) in graph
            )
        ]
        for cid in lost:
            attached.remove(cid)
            skipped.append(cid)
        logger.info("dropped %d nodes outside the main land component", len(drop))
    if skipped:
        logger.warning(
            "skipped %d crossing(s) outside the road graph's extent or cut off: %s",
            len(skipped),
            ", ".join(skipped),
        )

    # Ports and sea.
    ports = ports_table()
    ports = ports[ports.country.isin(countries)]
    road_by_country = {
        c: _road_arrays(graph, nodes)
        for c, nodes in _road_nodes_by_country(graph, countries).items()
    }
    port_links: list[tuple[str, Any, float]] = []
    for prow in ports.to_dict("records"):
        node, dist = _nearest(road_by_country[str(prow["country"])], prow["lat"], prow["lon"])
        if node is None or dist > MAX_CONNECTOR_KM * 1000:
            continue
        port_links.append((str(prow["port_id"]), node, dist))
    port_ids = [p for p, _, _ in port_links]
    if len(port_ids) < len(ports):
        logger.warning(
            "skipped %d port(s) outside the road graph's extent", len(ports) - len(port_ids)
        )
    if len(port_ids) >= 2:
        sea = load_sea_graph()
        graph.add_nodes_from(sea.nodes(data=True))
        graph.add_edges_from(sea.edges(data=True))
        add_ports(graph, ports[ports.port_id.isin(port_ids)])
        for pid, node, dist in port_links:
            pnode = f"port:{pid}"
            c = graph.nodes[pnode]["country"]
            attrs = _connector_attrs(
                dist * CONNECTOR_CIRCUITY,
                mode="port",
                country=c,
                speed_kph=PORT_ACCESS_SPEED_KPH,
                kind="drayage",
                port_id=pid,
                straight_m=dist,
            )
            graph.add_edge(pnode, node, **attrs)
            graph.add_edge(node, pnode, **attrs)
    else:
        port_ids = []
    graph.graph.update(
        crs="EPSG:4326",
        corridor=corridor,
        countries=",".join(countries),
        source=_source_name(source),
        crossings=",".join(attached),
        ports=",".join(port_ids),
    )
    logger.info(
        "built %s network: %d nodes, %d edges, %d crossings, %d ports",
        corridor,
        graph.number_of_nodes(),
        graph.number_of_edges(),
        len(attached),
        len(port_ids),
    )
    return graph


# -- Loading with caches ------------------------------------------------------------------------


def _fingerprint() -> str:
    """Hash of the shipped data files and the code that turns them into a graph."""
    h = hashlib.sha256()
    base = resources.files("networks")
    for name in _DATA_FILES:
        h.update(name.encode())
        h.update((base / "data" / name).read_bytes())
    for name in _CODE_FILES:
        h.update(name.encode())
        h.update((base / name).read_bytes())
    return h.hexdigest()[:16]


def cache_dir() -> Path | None:
    """Folder of the on-disk graph cache, or ``None`` when disabled.

    ``$CORRIDOR_CACHE_DIR`` overrides the default ``$XDG_CACHE_HOME/asean-corridor`` (or
    ``~/.cache/asean-corridor``); set it to ``off`` to disable the on-disk cache.
    """
    env = os.environ.get("CORRIDOR_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asean-corridor"


def _load_cached(corridor: str) -> nx.MultiDiGraph:
    folder = cache_dir()
    path = folder / f"network-{corridor}-{_fingerprint()}.pickle" if folder else None
    if path is not None and path.is_file():
        try:
            with path.open("rb") as fh:
                graph = pickle.load(fh)
            if isinstance(graph, nx.MultiDiGraph):
                from networks.routing import rebind_routing_index

                logger.info("loaded %s network from cache %s", corridor, path)
                return rebind_routing_index(graph)
        except Exception as exc:  # a corrupt cache is rebuilt, never fatal
            logger.warning("ignoring unreadable network cache %s: %s", path, exc)
    from networks.routing import prepare_routing

    graph = prepare_routing(build_network(corridor))
    if path is not None:
        try:
            with atomic_path(path) as tmp, tmp.open("wb") as fh:
                pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
            for stale in path.parent.glob(f"network-{corridor}-*.pickle"):
                if stale != path:  # built from older data or code
                    stale.unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("could not write network cache %s: %s", path, exc)
    return graph


@cache
def _load_default(corridor: str) -> nx.MultiDiGraph:
    return _load_cached(corridor)


def load_network(
    corridor: str = "all", *, source: str | os.PathLike[str] = "default"
) -> nx.MultiDiGraph:
    """The multimodal graph of a corridor, cached.

    With ``source="default"`` the graph is built once per process (and pickled under
    :func:`cache_dir`, keyed by a hash of the shipped data and code) and the *same object* is
    returned on later calls: treat it as read-only (``graph.copy()`` before modifying it). Other
    sources are built on every call.

    Parameters
    ----------
    corridor : str
        A key of :data:`CORRIDORS` or ``"all"``.
    source : str or path-like
        See :func:`build_network`.
    """
    corridor_countries(corridor)
    if isinstance(source, str) and source == "default":
        return _load_default(corridor)
    from networks.routing import prepare_routing

    return prepare_routing(build_network(corridor, source=source))


def connectors_table(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Every synthetic connector edge of a graph (one row per direction pair), with its length.

    Columns: ``kind`` (``nearest``, ``split``, ``bypass``, ``drayage``, ``port-water``,
    ``port-sea``), ``mode``, ``country``,
    ``crossing_id``, ``port_id``, ``from_node``, ``to_node``, ``length_m``, ``straight_m``.
    """
    rows = []
    seen: set[tuple[str, str, str]] = set()
    for u, v, d in graph.edges(data=True):
        if not d.get("connector"):
            continue
        kind = str(d.get("connector_kind") or ("port-sea" if d.get("mode") == "sea" else ""))
        a, b = sorted((str(u), str(v)))
        if kind != "split" and (kind, a, b) in seen:
            continue
        seen.add((kind, a, b))
        rows.append(
            {
                "kind": kind,
                "mode": d["mode"],
                "country": d.get("country", ""),
                "crossing_id": d.get("crossing_id", ""),
                "port_id": d.get("port_id", ""),
                "from_node": str(u),
                "to_node": str(v),
                "length_m": float(d["length"]),
                "straight_m": float(d.get("straight_m", d["length"])),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "kind",
            "mode",
            "country",
            "crossing_id",
            "port_id",
            "from_node",
            "to_node",
            "length_m",
            "straight_m",
        ],
    )
