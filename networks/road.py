"""Road graphs for trucks: the shipped offline default, Overpass, and local OSM files.

Every builder returns an ``nx.MultiDiGraph`` in the osmnx convention (``G.graph["crs"] ==
"EPSG:4326"``, node ``x``/``y``) annotated for the corridor model (see ``docs/architecture.md``):
nodes carry ``country`` and ``kind="road"``; edges carry ``length`` (m), ``speed_kph``,
``travel_time`` (s), ``mode="road"``, ``country``, ``connector=False`` and ``cross_border``.

Truck speeds come from :data:`COUNTRY_SPEEDS` (the default network has no road classes) and, for
OSM sources with ``highway`` tags, :data:`CLASS_SPEEDS` capped by :data:`COUNTRY_MAX_SPEEDS` and by
a ``maxspeed:hgv`` tag. Every value carries its source or an ``assumption:`` label; the same table
is in ``docs/data-sources.md``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np

from networks.countries import STUDY_COUNTRIES, countries_of

logger = logging.getLogger(__name__)

#: Earth radius used by the haversine distance (IUGG mean radius, metres; osmnx uses the same).
EARTH_RADIUS_M = 6_371_009.0

ROADS_FILE = "roads.npz"


@dataclass(frozen=True)
class Speed:
    """A truck speed with where it comes from."""

    kph: float
    source: str


# -- Speed tables ------------------------------------------------------------------------------

_TH_LIMIT = (
    "Thailand's speed-limit Ministerial Regulation under the Land Traffic Act B.E. 2522 "
    "(approved by Cabinet 1 June 2021): trucks over 2,200 kg 80 km/h outside Bangkok, Pattaya "
    "and municipal areas, 60 km/h inside them"
)
_MY_LIMIT = (
    "Malaysia National Speed Limit Order 1989 under the Road Transport Act 1987 s.69: heavy "
    "vehicles 80-90 km/h on expressways, 70-80 km/h on federal and state roads"
)
_SG_LIMIT = "Singapore Road Traffic Rules: heavy vehicles limited to 60 km/h on all roads"
_VN_LIMIT = (
    "Viet Nam Circular 31/2019/TT-BGTVT: 60 km/h maximum for all motor vehicles on dual "
    "carriageways in populated areas, lower maxima for trucks over 3.5 t outside them"
)

#: Average free-flow truck speed on the shipped ``world_highways`` network (no road classes), by
#: country. These are planning assumptions below the legal limits (the coarse network mixes
#: expressways, national roads and town stretches; gradients and mixed traffic slow trucks).
COUNTRY_SPEEDS: Mapping[str, Speed] = MappingProxyType(
    {
        "TH": Speed(60.0, f"assumption: below the 80 km/h legal truck limit ({_TH_LIMIT})"),
        "MY": Speed(65.0, f"assumption: much of the network is expressway ({_MY_LIMIT})"),
        "SG": Speed(50.0, f"assumption: urban network below the legal limit ({_SG_LIMIT})"),
        "VN": Speed(50.0, f"assumption: mostly two-lane national roads ({_VN_LIMIT})"),
        "LA": Speed(
            40.0,
            "assumption: two-lane mountainous national roads (R8, R9, R12); no published "
            "truck speed figure found",
        ),
        "KH": Speed(
            45.0, "assumption: two-lane national roads; no published truck speed figure found"
        ),
        "MM": Speed(
            40.0, "assumption: two-lane roads in mixed condition; no published figure found"
        ),
    }
)

#: Speed for a country outside the study set (user OSM files elsewhere).
FALLBACK_SPEED = Speed(50.0, "assumption: generic truck speed outside the study countries")

#: Upper bound of truck speed by country, applied to the OSM class speeds below.
COUNTRY_MAX_SPEEDS: Mapping[str, Speed] = MappingProxyType(
    {
        "TH": Speed(80.0, _TH_LIMIT),
        "MY": Speed(80.0, f"lower end of the expressway heavy-vehicle limit ({_MY_LIMIT})"),
        "SG": Speed(60.0, _SG_LIMIT),
        "VN": Speed(80.0, "assumption: truck maximum outside populated areas"),
        "LA": Speed(70.0, "assumption: no published truck limit found"),
        "KH": Speed(70.0, "assumption: no published truck limit found"),
        "MM": Speed(70.0, "assumption: no published truck limit found"),
    }
)

#: Free-flow truck speed by OSM ``highway`` class (OSM sources only).
CLASS_SPEEDS: Mapping[str, Speed] = MappingProxyType(
    {
        "motorway": Speed(80.0, "assumption: loaded truck cruising on an expressway"),
        "trunk": Speed(65.0, "assumption: divided national highway with at-grade junctions"),
        "primary": Speed(55.0, "assumption: national/primary road"),
        "secondary": Speed(45.0, "assumption"),
        "tertiary": Speed(35.0, "assumption"),
        "motorway_link": Speed(40.0, "assumption: ramps"),
        "trunk_link": Speed(35.0, "assumption: ramps"),
        "primary_link": Speed(30.0, "assumption: ramps"),
        "secondary_link": Speed(30.0, "assumption: ramps"),
        "tertiary_link": Speed(25.0, "assumption: ramps"),
        "unclassified": Speed(30.0, "assumption"),
        "residential": Speed(25.0, "assumption"),
        "living_street": Speed(10.0, "assumption"),
        "service": Speed(15.0, "assumption"),
        "road": Speed(30.0, "assumption: OSM class of unknown type"),
    }
)

#: OSM ``highway`` values kept in road graphs built from OSM files (drivable by trucks).
DRIVABLE_HIGHWAYS: frozenset[str] = frozenset(CLASS_SPEEDS)


# -- Errors -----------------------------------------------------------------------------------


class RoadNetworkError(ValueError):
    """Bad input to a road-graph builder (unknown country code, empty graph, ...)."""


# -- Annotation shared by every source --------------------------------------------------------


def _check_countries(countries: Iterable[str] | None) -> tuple[str, ...]:
    if countries is None:
        return STUDY_COUNTRIES
    if isinstance(countries, str):
        countries = [countries]
    chosen = tuple(dict.fromkeys(str(c).upper() for c in countries))
    bad = [c for c in chosen if c not in STUDY_COUNTRIES]
    if bad or not chosen:
        raise RoadNetworkError(
            f"countries={list(countries)!r}: unknown country code(s) {bad}; "
            f"allowed: {', '.join(STUDY_COUNTRIES)}"
        )
    return chosen


def _parse_kph(value: Any) -> float | None:
    """Lowest speed in km/h in an OSM ``maxspeed``-like value (``"60"``, ``"50 mph"``, lists)."""
    values = value if isinstance(value, list) else [value]
    found: list[float] = []
    for item in values:
        match = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", str(item))
        if match:
            kph = float(match.group(1)) * (1.609344 if match.group(2) else 1.0)
            if kph > 0:
                found.append(kph)
    return min(found) if found else None


def edge_speed_kph(country: str, highway: Any = None, maxspeed_hgv: Any = None) -> float:
    """Truck speed for an edge.

    Without a ``highway`` class (the shipped default) the country's :data:`COUNTRY_SPEEDS` value.
    With one, the :data:`CLASS_SPEEDS` value (mean over a list of classes, as osmnx does),
    capped by :data:`COUNTRY_MAX_SPEEDS` and by a ``maxspeed:hgv`` tag.
    """
    classes = highway if isinstance(highway, list) else [highway] if highway else []
    class_kph = [CLASS_SPEEDS[h].kph for h in classes if h in CLASS_SPEEDS]
    if not class_kph:
        return COUNTRY_SPEEDS.get(country, FALLBACK_SPEED).kph
    kph = sum(class_kph) / len(class_kph)
    cap = COUNTRY_MAX_SPEEDS.get(country)
    if cap is not None:
        kph = min(kph, cap.kph)
    hgv = _parse_kph(maxspeed_hgv) if maxspeed_hgv is not None else None
    if hgv is not None:
        kph = min(kph, hgv)
    return kph


def annotate_road_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Add the corridor attributes to a road graph in place and return it.

    Nodes get ``country`` (point-in-polygon on the shipped country polygons, unless already set)
    and ``kind="road"``. Edges get ``speed_kph`` (:func:`edge_speed_kph`), ``travel_time``
    (s, ``length / speed``), ``mode="road"``, ``country`` (of the start node),
    ``connector=False`` and ``cross_border`` (end nodes in different countries).
    Edges must already have ``length`` (m).
    """
    graph.graph.setdefault("crs", "EPSG:4326")
    todo = [n for n, d in graph.nodes(data=True) if "country" not in d]
    if todo:
        lats = np.array([graph.nodes[n]["y"] for n in todo], dtype=float)
        lons = np.array([graph.nodes[n]["x"] for n in todo], dtype=float)
        for n, code in zip(todo, countries_of(lats, lons), strict=True):
            graph.nodes[n]["country"] = str(code)
    for _, data in graph.nodes(data=True):
        data.setdefault("kind", "road")
    node_country = nx.get_node_attributes(graph, "country")
    for u, v, data in graph.edges(data=True):
        country = node_country[u]
        kph = edge_speed_kph(country, data.get("highway"), data.get("maxspeed:hgv"))
        data["speed_kph"] = kph
        data["travel_time"] = float(data["length"]) / (kph / 3.6)
        data["mode"] = "road"
        data["country"] = country
        data["connector"] = False
        data["cross_border"] = country != node_country[v]
    return graph


# -- Shipped default ----------------------------------------------------------------------------


def load_default_roads(*, countries: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """Road graph of the study countries from the shipped ``world_highways`` extract.

    Parameters
    ----------
    countries : iterable of str, optional
        ISO2 codes to keep (default: all of :data:`~networks.countries.STUDY_COUNTRIES`). An edge
        is kept when both its nodes are in the selection.

    Returns
    -------
    networkx.MultiDiGraph
        Integer node ids (indices in ``world_highways``); every undirected source edge becomes two
        directed edges. Edges whose ends lie in different countries carry ``cross_border=True``
        (the multimodal stage replaces them by explicit border-crossing edges).

    Raises
    ------
    RoadNetworkError
        An unknown country code.
    """
    chosen = _check_countries(countries)
    path = resources.files("networks") / "data" / ROADS_FILE
    with resources.as_file(path) as file, np.load(file, allow_pickle=False) as npz:
        node_id = npz["node_id"]
        lat = npz["lat"]
        lon = npz["lon"]
        country = npz["country"]
        u = npz["u"]
        v = npz["v"]
        length_m = npz["length_m"]
        source = str(npz["source"])
    keep = np.isin(country, chosen)
    node_country = dict(zip(node_id.tolist(), country.tolist(), strict=True))
    graph: nx.MultiDiGraph = nx.MultiDiGraph(crs="EPSG:4326", name="world_highways", source=source)
    graph.add_nodes_from(
        (n, {"x": x, "y": y, "country": c, "kind": "road"})
        for n, x, y, c in zip(
            node_id[keep].tolist(),
            lon[keep].tolist(),
            lat[keep].tolist(),
            country[keep].tolist(),
            strict=True,
        )
    )
    edge_keep = np.isin(country[np.searchsorted(node_id, u)], chosen) & np.isin(
        country[np.searchsorted(node_id, v)], chosen
    )
    edges = []
    for a, b, length in zip(
        u[edge_keep].tolist(), v[edge_keep].tolist(), length_m[edge_keep].tolist(), strict=True
    ):
        for s, t in ((a, b), (b, a)):
            c = node_country[s]
            kph = COUNTRY_SPEEDS[c].kph
            edges.append(
                (
                    s,
                    t,
                    {
                        "length": length,
                        "speed_kph": kph,
                        "travel_time": length / (kph / 3.6),
                        "mode": "road",
                        "country": c,
                        "connector": False,
                        "cross_border": c != node_country[t],
                    },
                )
            )
    graph.add_edges_from(edges)
    logger.info(
        "loaded default roads for %s: %d nodes, %d edges",
        ",".join(chosen),
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )
    return graph


# -- Nearest node ---------------------------------------------------------------------------------


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres (vectorised; arrays broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def nearest_road_node(
    graph: nx.MultiDiGraph, lat: float, lon: float, *, country: str | None = None
) -> tuple[Any, float]:
    """Closest road node to a point.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Any graph of the contract; only nodes with ``kind == "road"`` (or no ``kind``) count.
    lat, lon : float
        WGS84 degrees.
    country : str, optional
        Restrict to road nodes of this ISO2 country.

    Returns
    -------
    (node, distance_m)
        Node id and great-circle distance in metres.

    Raises
    ------
    RoadNetworkError
        Bad coordinates, or no road node (in ``country``) in the graph.
    """
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise RoadNetworkError(f"lat={lat!r} is invalid; allowed: -90 to 90 degrees")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise RoadNetworkError(f"lon={lon!r} is invalid; allowed: -180 to 180 degrees")
    ids: list[Any] = []
    ys: list[float] = []
    xs: list[float] = []
    for n, d in graph.nodes(data=True):
        if d.get("kind", "road") != "road":
            continue
        if country is not None and d.get("country") != country:
            continue
        ids.append(n)
        ys.append(d["y"])
        xs.append(d["x"])
    if not ids:
        where = f" in country={country!r}" if country is not None else ""
        present = sorted({str(d.get("country", "")) for _, d in graph.nodes(data=True)} - {""})
        raise RoadNetworkError(
            f"no road node{where} in the graph; countries present: {', '.join(present) or 'none'}"
        )
    dist = haversine_m(lat, lon, np.asarray(ys), np.asarray(xs))
    i = int(np.argmin(dist))
    return ids[i], float(dist[i])
