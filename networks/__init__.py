"""Corridor networks: road, sea, ports and border crossings as one multimodal graph.

Public API (see ``docs/architecture.md``)::

    from networks import load_network, resolve_place, shortest_route

    G = load_network("all")
    route = shortest_route(G, "Bangkok", "Hanoi", via="R9")
"""

from networks.borders import ROUTE_CROSSINGS, CrossingError, crossings_table
from networks.countries import country_of
from networks.io import ExportError, load_graph, save_graph
from networks.multimodal import (
    CORRIDORS,
    NetworkError,
    build_network,
    connectors_table,
    corridor_polygon,
    load_network,
)
from networks.places import PlaceError, gazetteer, resolve_place
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
    route_geojson,
    shortest_route,
    shortest_route_nodes,
)
from networks.sea import load_sea_graph, ports_table
from networks.types import MODES, UTC_OFFSET_H, Leg, Place, Route

__all__ = [
    "CORRIDORS",
    "MODES",
    "ROUTE_CROSSINGS",
    "ROUTE_MODES",
    "UTC_OFFSET_H",
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
    "build_network",
    "connectors_table",
    "corridor_polygon",
    "country_of",
    "crossings_table",
    "gazetteer",
    "graph_from_osm_file",
    "graph_from_overpass",
    "load_default_roads",
    "load_graph",
    "load_network",
    "load_sea_graph",
    "nearest_road_node",
    "ports_table",
    "resolve_place",
    "route_geojson",
    "save_graph",
    "shortest_route",
    "shortest_route_nodes",
]
