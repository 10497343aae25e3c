"""Shared value types of the network stage: places, legs and routes.

These are the objects that flow from ``networks`` into ``logistics`` and ``app``.
The graph contract they rest on is documented in ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from networks.geo import UTC_OFFSET_H

#: Edge modes of the multimodal graph.
MODES = ("road", "sea", "port", "border")

__all__ = ["MODES", "UTC_OFFSET_H", "Leg", "Place", "Route"]  # UTC_OFFSET_H: see networks.geo


@dataclass(frozen=True)
class Place:
    """A named point: city, industrial estate, port, crossing or raw coordinates.

    Attributes
    ----------
    name : str
        Display name (``"13.75,100.5"`` for raw coordinates).
    lat, lon : float
        WGS84 decimal degrees.
    country : str
        ISO 3166-1 alpha-2 code, ``""`` when unknown.
    kind : str
        One of ``city``, ``industrial``, ``port``, ``crossing``, ``coordinates``.
    place_id : str
        Stable identifier (gazetteer key, port id or crossing id).
    """

    name: str
    lat: float
    lon: float
    country: str = ""
    kind: str = "coordinates"
    place_id: str = ""


@dataclass(frozen=True)
class Leg:
    """A run of consecutive route edges sharing ``mode`` and ``country``.

    Border legs (``mode="border"``) carry ``crossing_id``; port legs carry ``port_id``.
    ``from_country``/``to_country`` are set on border legs (direction of travel).
    """

    mode: str
    country: str
    distance_km: float
    travel_time_h: float
    start_node: Any
    end_node: Any
    start_lonlat: tuple[float, float]
    end_lonlat: tuple[float, float]
    crossing_id: str = ""
    port_id: str = ""
    from_country: str = ""
    to_country: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the stable field names."""
        return {
            "mode": self.mode,
            "country": self.country,
            "distance_km": round(self.distance_km, 3),
            "travel_time_h": round(self.travel_time_h, 4),
            "crossing_id": self.crossing_id or None,
            "port_id": self.port_id or None,
            "from_country": self.from_country or None,
            "to_country": self.to_country or None,
            "start": list(self.start_lonlat),
            "end": list(self.end_lonlat),
        }


@dataclass(frozen=True)
class Route:
    """A path through the multimodal graph with its legs breakdown.

    Attributes
    ----------
    origin, destination : Place
    nodes : list
        Graph node ids in order.
    legs : list of Leg
    coords : list of (lon, lat)
        Polyline of the path (node positions).
    """

    origin: Place
    destination: Place
    nodes: list[Any]
    legs: list[Leg]
    coords: list[tuple[float, float]] = field(default_factory=list)

    @property
    def distance_km(self) -> float:
        """Total length in km."""
        return sum(leg.distance_km for leg in self.legs)

    @property
    def travel_time_h(self) -> float:
        """Total free-flow travel time in hours (no delays)."""
        return sum(leg.travel_time_h for leg in self.legs)

    @property
    def crossings(self) -> list[str]:
        """Crossing ids in the order used."""
        return [leg.crossing_id for leg in self.legs if leg.mode == "border"]

    @property
    def countries(self) -> list[str]:
        """Countries in order of travel, consecutive duplicates removed."""
        out: list[str] = []
        for leg in self.legs:
            # A border leg enters its ``to_country`` (a route may end at a checkpoint).
            country = leg.to_country if leg.mode == "border" else leg.country
            if country and (not out or out[-1] != country):
                out.append(country)
        return out

    @property
    def modes(self) -> list[str]:
        """Modes in order of travel, consecutive duplicates removed."""
        out: list[str] = []
        for leg in self.legs:
            if not out or out[-1] != leg.mode:
                out.append(leg.mode)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; the top-level names are a stable interface."""
        return {
            "origin": self.origin.name,
            "destination": self.destination.name,
            "distance_km": round(self.distance_km, 3),
            "travel_time_h": round(self.travel_time_h, 4),
            "crossings": self.crossings,
            "countries": self.countries,
            "legs": [leg.to_dict() for leg in self.legs],
        }
