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

import itertools
import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np

from networks.countries import STUDY_COUNTRIES, countries_of
from networks.geo import nearest

logger = logging.getLogger(__name__)


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
        data["length"] = float(data["length"])
        data["speed_kph"] = kph
        data["travel_time"] = data["length"] / (kph / 3.6)
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
        Integer node ids (indices in ``world_highways``, or from
        ``networks._extract_roads.NEW_NODE_BASE`` for nodes a correction added); every undirected
        source edge becomes two directed edges. A link of ``road_corrections.csv`` carries
        ``correction`` (its id) and ``sinuous`` (its length is the great-circle, to be multiplied
        by the fitted sinuosity). Edges whose ends lie in different countries carry
        ``cross_border=True`` (the multimodal stage replaces them by explicit border-crossing
        edges).

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
        correction = npz["correction"] if "correction" in npz.files else np.full(u.shape, "")
        sinuous = npz["sinuous"] if "sinuous" in npz.files else np.zeros(u.shape, dtype=bool)
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
    edges: list[tuple[int, int, dict[str, Any]]] = []
    for a, b, length, fix, bent in zip(
        u[edge_keep].tolist(),
        v[edge_keep].tolist(),
        length_m[edge_keep].tolist(),
        correction[edge_keep].tolist(),
        sinuous[edge_keep].tolist(),
        strict=True,
    ):
        extra: dict[str, Any] = {"correction": fix, "sinuous": bool(bent)} if fix else {}
        for s, t in ((a, b), (b, a)):
            c = node_country[s]
            kph = COUNTRY_SPEEDS[c].kph
            attrs = {
                "length": length,
                "speed_kph": kph,
                "travel_time": length / (kph / 3.6),
                "mode": "road",
                "country": c,
                "connector": False,
                "cross_border": c != node_country[t],
                **extra,
            }
            edges.append((s, t, attrs))
    graph.add_edges_from(edges)
    logger.info(
        "loaded default roads for %s: %d nodes, %d edges",
        ",".join(chosen),
        graph.number_of_nodes(),
        len(edges),
    )
    return graph


# -- Nearest node ---------------------------------------------------------------------------------


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
    idx, dist = nearest(lat, lon, np.asarray(ys), np.asarray(xs))
    return ids[int(idx[0])], float(dist[0])


# -- OSM sources: shared pipeline ------------------------------------------------------------------

#: Overpass way filter of :func:`graph_from_overpass` (trunk network for trucks).
OVERPASS_FILTER = '["highway"~"motorway|trunk|primary|motorway_link|trunk_link|primary_link"]'

#: Truck-relevant OSM way tags kept on edges, on top of osmnx's ``useful_tags_way``.
TRUCK_WAY_TAGS: tuple[str, ...] = ("maxweight", "maxaxleload", "hgv", "maxspeed:hgv")

#: OSM node tags kept on nodes, on top of osmnx's ``useful_tags_node``.
TRUCK_NODE_TAGS: tuple[str, ...] = ("barrier",)

#: ``oneway`` values meaning one-way, and those meaning one-way against the node order
#: (the same sets as osmnx 2.1, so XML and PBF graphs agree).
_ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
_REVERSED_VALUES = frozenset({"-1", "reverse", "T"})


class OverpassUnavailableError(ConnectionError):
    """The Overpass API could not be reached (offline, blocked or down)."""


class OSMFileError(ValueError):
    """A local file is not a readable OSM extract, holds no drivable road, or is too large."""


#: Largest OSM XML read, bytes after decompression (a ``.osm.bz2`` is measured as it expands, so
#: a small archive that expands to gigabytes stops here), and largest ``.osm.pbf`` file.
#: Source: assumption: osmnx holds every parsed element; 256 MiB of XML (about 2.5 million
#: elements) stays within a few GB of memory.
MAX_OSM_BYTES = 256 * 2**20
#: Most nodes plus ways read from an ``.osm.pbf`` file or an Overpass response.
#: Source: assumption: the element count of about :data:`MAX_OSM_BYTES` of XML.
MAX_OSM_ELEMENTS = 5_000_000


@contextmanager
def _osmnx_truck_tags() -> Iterator[Any]:
    """Temporarily extend osmnx's useful tags with the truck tags; yields the osmnx module.

    osmnx keeps these lists in its global ``settings``; they are restored on exit.
    """
    import osmnx as ox

    saved_way, saved_node = ox.settings.useful_tags_way, ox.settings.useful_tags_node
    ox.settings.useful_tags_way = list(dict.fromkeys([*saved_way, *TRUCK_WAY_TAGS]))
    ox.settings.useful_tags_node = list(dict.fromkeys([*saved_node, *TRUCK_NODE_TAGS]))
    try:
        yield ox
    finally:
        ox.settings.useful_tags_way, ox.settings.useful_tags_node = saved_way, saved_node


def _is_drivable(highway: Any) -> bool:
    values = highway if isinstance(highway, list) else [highway]
    return any(h in DRIVABLE_HIGHWAYS for h in values)


def _road_graph(raw: nx.MultiDiGraph, *, name: str, simplify: bool) -> nx.MultiDiGraph:
    """Mark ``barrier=border_control`` nodes (kept through simplification), simplify if asked,
    set the CRS and name, and annotate countries, speeds and travel times."""
    from osmnx import simplification

    for _, data in raw.nodes(data=True):
        if data.get("barrier") == "border_control":
            data["border_control"] = True
    graph = raw
    if simplify:
        graph = simplification.simplify_graph(raw, node_attrs_include=["border_control"])
    graph.graph["crs"] = "EPSG:4326"
    graph.graph["name"] = name
    return annotate_road_graph(graph)


def _finish_osm_graph(
    raw: nx.MultiDiGraph, *, name: str, simplify: bool, where: str
) -> nx.MultiDiGraph:
    """Keep drivable highway edges, mark border posts, simplify, annotate.

    ``raw`` is an unsimplified osmnx-style graph (edges with ``length``).
    """
    drop = [
        (u, v, k)
        for u, v, k, data in raw.edges(keys=True, data=True)
        if not _is_drivable(data.get("highway"))
    ]
    raw.remove_edges_from(drop)
    raw.remove_nodes_from([n for n in list(raw.nodes) if raw.degree(n) == 0])
    if raw.number_of_edges() == 0:
        raise OSMFileError(
            f"{where}: no drivable road ways (highway={'|'.join(sorted(DRIVABLE_HIGHWAYS))}); "
            "is it an empty or non-road extract?"
        )
    graph = _road_graph(raw, name=name, simplify=simplify)
    posts = sum(1 for _, b in graph.nodes(data="border_control") if b)
    logger.info(
        "%s: road graph with %d nodes, %d edges, %d border_control nodes",
        where,
        graph.number_of_nodes(),
        graph.number_of_edges(),
        posts,
    )
    return graph


# -- Overpass ------------------------------------------------------------------------------------


def _overpass_reachable(timeout_s: float) -> bool:
    import osmnx as ox
    import requests

    url = ox.settings.overpass_url.rstrip("/") + "/status"
    try:
        requests.get(url, timeout=timeout_s)
    except requests.exceptions.RequestException:
        return False
    return True


def _overpass_problem(element: Any, i: int) -> str | None:
    """What is wrong with element ``i`` of an Overpass response (``None``: a usable element)."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return f"elements[{i}] must be an object with a text 'type', got {str(element)[:80]!r}"
    kind, oid = element["type"], element.get("id")
    if kind not in ("node", "way"):
        return None  # relations and others are not read
    if isinstance(oid, bool) or not isinstance(oid, int):
        return f"elements[{i}] ({kind}): id must be an integer, got {oid!r}"
    tags = element.get("tags", {})
    if not isinstance(tags, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    ):
        return f"elements[{i}] ({kind} {oid}): tags must map text to text, got {str(tags)[:80]!r}"
    if kind == "node":
        for key, bound in (("lat", 90.0), ("lon", 180.0)):
            value = element.get(key)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (math.isfinite(value) and abs(value) <= bound)
            ):
                return (
                    f"elements[{i}] (node {oid}): {key} must be a number in "
                    f"[-{bound:g}, {bound:g}], got {value!r}"
                )
        return None
    nodes = element.get("nodes")
    if (
        not isinstance(nodes, list)
        or not nodes
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in nodes)
    ):
        return (
            f"elements[{i}] (way {oid}): nodes must be a non-empty list of integers, "
            f"got {str(nodes)[:80]!r}"
        )
    return None


def check_overpass_json(response: Any) -> None:
    """Raise :class:`RoadNetworkError` unless ``response`` is an Overpass JSON answer the graph
    builder can read: an object whose ``elements`` is a list of at most
    :data:`MAX_OSM_ELEMENTS` objects, nodes with an integer ``id`` and ``lat``/``lon`` in range,
    ways with an integer ``id`` and a list of integer ``nodes`` (each a node of the response),
    ``tags`` mapping text to text.
    """
    if not isinstance(response, dict) or not isinstance(response.get("elements"), list):
        raise RoadNetworkError(
            f"Overpass response: elements: bad value; allowed: a JSON object with an 'elements' "
            f"list, got {str(response)[:80]!r}"
        )
    elements = response["elements"]
    if len(elements) > MAX_OSM_ELEMENTS:
        raise RoadNetworkError(
            f"Overpass response: elements: bad value {len(elements)} elements; allowed: at most "
            f"{MAX_OSM_ELEMENTS}"
        )
    for i, element in enumerate(elements):
        if problem := _overpass_problem(element, i):
            raise RoadNetworkError(f"Overpass response: {problem}")
    nodes = {e["id"] for e in elements if e["type"] == "node"}
    for i, e in enumerate(elements):
        missing = [n for n in e["nodes"] if n not in nodes] if e["type"] == "way" else []
        if missing:
            raise RoadNetworkError(
                f"Overpass response: elements[{i}] (way {e['id']}): node {missing[0]} is not in "
                "the response; allowed: ways whose nodes the response holds"
            )


@contextmanager
def _validated_overpass(ox: Any) -> Iterator[None]:
    """Check every Overpass response osmnx downloads (or reads from its cache) with
    :func:`check_overpass_json` before osmnx builds a graph from it."""
    module = ox._overpass
    download = module._download_overpass_network

    def checked(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for response in download(*args, **kwargs):
            check_overpass_json(response)
            yield response

    module._download_overpass_network = checked
    try:
        yield
    finally:
        module._download_overpass_network = download


def graph_from_overpass(
    polygon: Any = None,
    *,
    countries: Iterable[str] | None = None,
    retain_all: bool = True,
    simplify: bool = True,
    status_timeout_s: float = 10.0,
) -> nx.MultiDiGraph:
    """Full-fidelity truck road graph from the Overpass API (needs internet).

    osmnx ``graph_from_polygon`` with the custom filter :data:`OVERPASS_FILTER` (motorway, trunk,
    primary and their links), keeping the truck tags :data:`TRUCK_WAY_TAGS` on edges and
    ``barrier`` on nodes; ``barrier=border_control`` nodes are kept through simplification.
    Responses go through osmnx's cache when ``osmnx.settings.use_cache`` is on.

    Parameters
    ----------
    polygon : shapely Polygon or MultiPolygon, optional
        Query area (WGS84). Default: the union of the ``countries`` polygons.
    countries : iterable of str, optional
        ISO2 study countries. With ``polygon``, nodes outside these countries are dropped after
        download; without it, their union is the query area.
    retain_all : bool, default True
        Keep every connected component (osmnx ``retain_all``).
    simplify : bool, default True
        Simplify topology (interstitial nodes removed; border posts kept).
    status_timeout_s : float, default 10
        Timeout of the reachability check of the Overpass server.

    Returns
    -------
    networkx.MultiDiGraph
        Annotated as described in the module docstring.

    Raises
    ------
    OverpassUnavailableError
        The server cannot be reached and the response is not cached.
    RoadNetworkError
        No polygon and no countries, an unknown country code, an invalid polygon, or a malformed
        response (:func:`check_overpass_json`).
    """
    import requests
    import shapely
    from osmnx._errors import InsufficientResponseError

    chosen = _check_countries(countries) if countries is not None else None
    if polygon is None:
        if chosen is None:
            raise RoadNetworkError(
                "graph_from_overpass needs polygon= or countries= "
                f"(allowed countries: {', '.join(STUDY_COUNTRIES)})"
            )
        from networks.countries import country_polygons

        gdf = country_polygons()
        polygon = shapely.union_all(np.asarray(gdf.geometry[gdf["iso2"].isin(chosen)]))
    if not isinstance(polygon, shapely.Polygon | shapely.MultiPolygon) or not polygon.is_valid:
        raise RoadNetworkError(
            f"polygon={type(polygon).__name__}: expected a valid shapely Polygon or MultiPolygon"
        )
    with _osmnx_truck_tags() as ox:
        reachable = _overpass_reachable(status_timeout_s)
        saved_rate_limit = ox.settings.overpass_rate_limit
        if not reachable:
            # Offline: only a cached response can answer. Skip osmnx's status-endpoint pause
            # (60 s when the server is unreachable) so a cache miss fails fast.
            ox.settings.overpass_rate_limit = False
        try:
            with _validated_overpass(ox):
                raw = ox.graph_from_polygon(
                    polygon, custom_filter=OVERPASS_FILTER, simplify=False, retain_all=retain_all
                )
        except (requests.exceptions.RequestException, ConnectionError) as exc:
            raise OverpassUnavailableError(
                f"cannot reach the Overpass API at {ox.settings.overpass_url!r} ({exc}); "
                "work offline with the shipped network (--source default) or a local OSM file "
                "(--source PATH.osm / PATH.osm.bz2 / PATH.osm.pbf)"
            ) from exc
        except InsufficientResponseError as exc:
            raise RoadNetworkError(
                f"Overpass returned no road ways for this polygon ({exc})"
            ) from exc
        finally:
            ox.settings.overpass_rate_limit = saved_rate_limit
        graph = _road_graph(raw, name="overpass", simplify=simplify)
    if chosen is not None:
        outside = [n for n, c in graph.nodes(data="country") if c not in chosen]
        graph.remove_nodes_from(outside)
    if graph.number_of_edges() == 0:
        raise RoadNetworkError("Overpass returned no road ways inside this polygon")
    logger.info(
        "overpass: road graph with %d nodes, %d edges",
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )
    return graph


# -- Local OSM files -----------------------------------------------------------------------------

_XML_SUFFIXES = (".osm", ".osm.bz2", ".xml", ".xml.bz2")
_PBF_SUFFIXES = (".osm.pbf", ".pbf")


def _too_large(path: Path, size: str) -> OSMFileError:
    return OSMFileError(
        f"{path}: size: bad value {size}; allowed: at most {MAX_OSM_BYTES} bytes of OSM data "
        "(cut the extract to the corridor, e.g. with osmium extract)"
    )


def _check_osm_xml(path: Path) -> None:
    """An OSM XML root within :data:`MAX_OSM_BYTES` (a ``.bz2`` is decompressed and counted
    chunk by chunk, stopping past the limit)."""
    import bz2

    if path.suffix != ".bz2" and path.stat().st_size > MAX_OSM_BYTES:
        raise _too_large(path, f"{path.stat().st_size} bytes")
    opener: Any = bz2.open if path.suffix == ".bz2" else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4096)
            if b"<osm" not in head:
                raise OSMFileError(f"{path}: not an OSM XML file (no <osm> root element)")
            size = len(head)
            while path.suffix == ".bz2" and (chunk := fh.read(2**20)):
                size += len(chunk)
                if size > MAX_OSM_BYTES:
                    raise _too_large(path, f"more than {MAX_OSM_BYTES} bytes after decompression")
    except (OSError, EOFError) as exc:
        raise OSMFileError(f"{path}: cannot read as OSM XML ({exc})") from exc


def _graph_from_xml(path: Path, *, simplify: bool) -> nx.MultiDiGraph:
    from xml.etree.ElementTree import ParseError
    from xml.sax import SAXException

    from osmnx._errors import InsufficientResponseError

    _check_osm_xml(path)
    with _osmnx_truck_tags() as ox:
        try:
            raw = ox.graph_from_xml(path, simplify=False, retain_all=True)
        except InsufficientResponseError as exc:
            raise OSMFileError(f"{path}: OSM file holds no nodes or ways") from exc
        except (SAXException, ParseError, OSError, EOFError, ValueError) as exc:
            raise OSMFileError(f"{path}: not a readable OSM XML file ({exc})") from exc
    return _finish_osm_graph(raw, name=path.name, simplify=simplify, where=str(path))


def _graph_from_pbf(path: Path, *, simplify: bool) -> nx.MultiDiGraph:
    import osmium
    from osmnx import distance

    with _osmnx_truck_tags() as ox:  # the same tag lists as the XML path
        way_tags = tuple(ox.settings.useful_tags_way)
        node_tags = tuple(ox.settings.useful_tags_node)
    if path.stat().st_size > MAX_OSM_BYTES:
        raise _too_large(path, f"{path.stat().st_size} bytes")
    coords: dict[int, tuple[float, float]] = {}
    node_attrs: dict[int, dict[str, str]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        for count, obj in enumerate(processor.with_locations(), start=1):
            if count > MAX_OSM_ELEMENTS:
                raise OSMFileError(
                    f"{path}: elements: bad value more than {MAX_OSM_ELEMENTS} nodes and ways; "
                    f"allowed: at most {MAX_OSM_ELEMENTS}"
                )
            if isinstance(obj, osmium.osm.Node):
                tags = {k: obj.tags[k] for k in node_tags if k in obj.tags}
                if tags:
                    node_attrs[obj.id] = tags
            elif isinstance(obj, osmium.osm.Way) and obj.tags.get("highway") in DRIVABLE_HIGHWAYS:
                refs: list[int] = []
                for nd in obj.nodes:
                    if nd.location.valid():
                        coords[nd.ref] = (nd.location.lon, nd.location.lat)
                        if not refs or refs[-1] != nd.ref:
                            refs.append(nd.ref)
                tags = {k: obj.tags[k] for k in way_tags if k in obj.tags}
                ways.append((obj.id, refs, tags))
    except RuntimeError as exc:
        raise OSMFileError(f"{path}: not a readable OSM PBF file ({exc})") from exc
    raw: nx.MultiDiGraph = nx.MultiDiGraph(crs="EPSG:4326")
    for node, (x, y) in coords.items():
        raw.add_node(node, y=y, x=x, **node_attrs.get(node, {}))
    for way_id, refs, tags in ways:
        if len(refs) < 2:
            continue
        oneway = tags.get("oneway") in _ONEWAY_VALUES or tags.get("junction") == "roundabout"
        if oneway and tags.get("oneway") in _REVERSED_VALUES:
            refs = refs[::-1]
        attrs = {"osmid": way_id, **tags, "oneway": oneway}
        pairs = list(itertools.pairwise(refs))
        raw.add_edges_from((u, v, {**attrs, "reversed": False}) for u, v in pairs)
        if not oneway:
            raw.add_edges_from((v, u, {**attrs, "reversed": True}) for u, v in pairs)
    if raw.number_of_edges() == 0:
        raise OSMFileError(
            f"{path}: no drivable road ways (highway={'|'.join(sorted(DRIVABLE_HIGHWAYS))}); "
            "is it an empty or non-road extract?"
        )
    distance.add_edge_lengths(raw)
    return _finish_osm_graph(raw, name=path.name, simplify=simplify, where=str(path))


def graph_from_osm_file(path: str | Path, *, simplify: bool = True) -> nx.MultiDiGraph:
    """Truck road graph from a local OpenStreetMap extract.

    ``.osm``/``.osm.bz2`` (XML) go through osmnx ``graph_from_xml``; ``.osm.pbf`` through
    pyosmium (osmnx 2.1 has no PBF reader), with osmnx's one-way rules. Only ways whose
    ``highway`` is in :data:`DRIVABLE_HIGHWAYS` are kept; ``barrier=border_control`` nodes survive
    simplification (node attribute ``border_control=True``).

    Parameters
    ----------
    path : str or pathlib.Path
        The OSM file.
    simplify : bool, default True
        Simplify topology with osmnx ``simplify_graph``.

    Returns
    -------
    networkx.MultiDiGraph
        Annotated as described in the module docstring.

    Raises
    ------
    OSMFileError
        Missing file, unknown extension, not an OSM file, or no drivable road in it.
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise OSMFileError(f"{path}: no such file")
    if name.endswith(_PBF_SUFFIXES):
        return _graph_from_pbf(path, simplify=simplify)
    if name.endswith(_XML_SUFFIXES):
        return _graph_from_xml(path, simplify=simplify)
    raise OSMFileError(
        f"{path}: unknown OSM file type; allowed extensions: "
        f"{', '.join(_XML_SUFFIXES + _PBF_SUFFIXES)}"
    )
