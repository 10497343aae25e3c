"""Corridor networks: road, sea, ports and border crossings as one multimodal graph.

Public API (see ``docs/architecture.md``)::

    from networks import load_network, resolve_place, shortest_route

    G = load_network("all")
    route = shortest_route(G, "Bangkok", "Hanoi", via="R9")

Families re-exported here: the multimodal graph (:func:`load_network`, :func:`build_network`,
:data:`CORRIDORS`), routes (:func:`shortest_route`, :func:`route_from_nodes`,
:func:`route_geojson`), places (:func:`resolve_place`, :func:`gazetteer`), border crossings
(:func:`crossings_table`), ports and sea lanes (:func:`ports_table`, :func:`load_sea_graph`), road
graphs (:func:`load_default_roads`, :func:`graph_from_overpass`, :func:`graph_from_osm_file`,
:func:`nearest_road_node`), countries (:func:`country_of`, :func:`countries_of`,
:func:`country_polygons`), geography (:func:`haversine_m`, :func:`utc_offset_h`,
:func:`parse_time`, from :mod:`networks.geo`), graph files (:func:`save_graph`,
:func:`load_graph`), the value types and every exception class (each a ``ValueError``, except
:class:`OverpassUnavailableError`, a ``ConnectionError``, and :class:`SeaDataError`, a
``RuntimeError``).

Imports are eager: the package's own modules add about 0.1 s to the pandas, networkx and numpy
imports that every caller (the app, the CLI, ``logistics``) needs anyway, so deferring them
(PEP 562) would not shorten any real run.
"""

from networks.borders import (
    ROUTE_CROSSINGS,
    VERIFY_MAX_KM,
    CrossingError,
    crossings_table,
    verify_crossings,
)
from networks.countries import (
    STUDY_COUNTRIES,
    CoordinateError,
    countries_of,
    country_of,
    country_polygons,
)
from networks.geo import DEFAULT_COUNTRY, haversine_m, parse_time, utc_offset_h
from networks.io import GRAPH_FORMATS, ExportError, load_graph, save_graph
from networks.multimodal import (
    CORRIDOR_NAMES,
    CORRIDORS,
    NetworkError,
    build_network,
    connectors_table,
    corridor_polygon,
    load_network,
)
from networks.places import PLACE_KINDS, PlaceError, gazetteer, resolve_place
from networks.road import (
    OSMFileError,
    OverpassUnavailableError,
    RoadNetworkError,
    graph_from_osm_file,
    graph_from_overpass,
    load_default_roads,
    nearest_road_node,
)
from networks.routing import (
    ROUTE_MODES,
    RouteError,
    route_from_nodes,
    route_geojson,
    shortest_route,
    shortest_route_nodes,
)
from networks.sea import SEA_SPEED_KPH, SeaDataError, load_sea_graph, ports_table
from networks.types import MODES, UTC_OFFSET_H, Leg, Place, Route

__all__ = [
    "CORRIDORS",
    "CORRIDOR_NAMES",
    "DEFAULT_COUNTRY",
    "GRAPH_FORMATS",
    "MODES",
    "PLACE_KINDS",
    "ROUTE_CROSSINGS",
    "ROUTE_MODES",
    "SEA_SPEED_KPH",
    "STUDY_COUNTRIES",
    "UTC_OFFSET_H",
    "VERIFY_MAX_KM",
    "CoordinateError",
    "CrossingError",
    "ExportError",
    "Leg",
    "NetworkError",
    "OSMFileError",
    "OverpassUnavailableError",
    "Place",
    "PlaceError",
    "RoadNetworkError",
    "Route",
    "RouteError",
    "SeaDataError",
    "build_network",
    "connectors_table",
    "corridor_polygon",
    "countries_of",
    "country_of",
    "country_polygons",
    "crossings_table",
    "gazetteer",
    "graph_from_osm_file",
    "graph_from_overpass",
    "haversine_m",
    "load_default_roads",
    "load_graph",
    "load_network",
    "load_sea_graph",
    "nearest_road_node",
    "parse_time",
    "ports_table",
    "resolve_place",
    "route_from_nodes",
    "route_geojson",
    "save_graph",
    "shortest_route",
    "shortest_route_nodes",
    "utc_offset_h",
    "verify_crossings",
]
