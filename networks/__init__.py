"""Corridor networks: road, sea, ports and border crossings as one multimodal graph.

Public API (see ``docs/architecture.md``)::

    from networks import load_network, resolve_place, shortest_route

    G = load_network("all")
    route = shortest_route(G, "Bangkok", "Hanoi", via="R9")
"""

from networks.borders import ROUTE_CROSSINGS, CrossingError, crossings_table
from networks.multimodal import (
    CORRIDORS,
    NetworkError,
    build_network,
    connectors_table,
    load_network,
)
from networks.places import PlaceError, gazetteer, resolve_place
from networks.routing import ROUTE_MODES, RouteError, route_geojson, shortest_route
from networks.sea import load_sea_graph, ports_table
from networks.types import MODES, UTC_OFFSET_H, Leg, Place, Route

__all__ = [
    "CORRIDORS",
    "MODES",
    "ROUTE_CROSSINGS",
    "ROUTE_MODES",
    "UTC_OFFSET_H",
    "CrossingError",
    "Leg",
    "NetworkError",
    "Place",
    "PlaceError",
    "Route",
    "RouteError",
    "build_network",
    "connectors_table",
    "crossings_table",
    "gazetteer",
    "load_network",
    "load_sea_graph",
    "ports_table",
    "resolve_place",
    "route_geojson",
    "shortest_route",
]
