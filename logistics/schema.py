"""One output schema for every JSON the project writes or prints.

The same concept has the same field name and type everywhere: ``crossings`` is a list of objects
with ``id`` (and ``from_country``, ``to_country``), ``ports`` a list of objects with ``id``,
``countries`` a list of ISO codes in travel order, ``travel_time_h`` the free-flow driving and
sailing time (no border or port delays), ``distance_km`` the route length. Every JSON document
carries ``schema_version`` (:data:`SCHEMA_VERSION`, defined in :mod:`networks.io`; raised when a
field is renamed, removed or changes type). The JSON Schema files ship with the package
in ``logistics/data/schema/`` (:func:`schema`, :data:`SCHEMAS`).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from networks.io import SCHEMA_VERSION
from networks.types import Route

__all__ = [
    "SCHEMAS",
    "SCHEMA_VERSION",
    "crossing_objects",
    "port_objects",
    "route_json",
    "schema",
]

#: The shipped schemas: name -> the JSON it describes.
SCHEMAS = {
    "route": "corridor route --format json",
    "itinerary": "corridor itinerary --format json",
    "compare-od": "corridor compare --from/--to --format json",
    "fleet-compare": "corridor compare --shipments/--demo --format json",
    "plan-kpis": "kpis.json of a plan folder; corridor optimize --format json",
    "comparison-kpis": "kpis.json at the top of a comparison folder",
    "plan-geojson": "routes.geojson of a plan folder",
    "network-info": "corridor network info --format json",
    "delays-sidecar": "the <out>.json sidecar of corridor delays export",
    "scenario-list": "corridor scenario list --format json",
    "scenario": "corridor scenario show --format json",
    "scenario-diff": "corridor scenario diff --format json",
}


@cache
def _schema_text(name: str) -> str:
    if name not in SCHEMAS:
        raise KeyError(f"schema: bad value {name!r}; allowed: {', '.join(SCHEMAS)}")
    path = resources.files("logistics") / "data" / "schema" / f"{name}.schema.json"
    return path.read_text(encoding="utf-8")


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one output, by its name in :data:`SCHEMAS`."""
    data: dict[str, Any] = json.loads(_schema_text(name))
    return data


def crossing_objects(route: Route) -> list[dict[str, Any]]:
    """The border crossings of ``route`` in order: ``id``, ``from_country``, ``to_country``."""
    return [
        {"id": leg.crossing_id, "from_country": leg.from_country, "to_country": leg.to_country}
        for leg in route.legs
        if leg.mode == "border"
    ]


def port_objects(route: Route) -> list[dict[str, Any]]:
    """The ports of ``route`` in order, as objects with ``id``."""
    return [{"id": leg.port_id} for leg in route.legs if leg.mode == "port" and leg.port_id]


def route_json(route: Route) -> dict[str, Any]:
    """A route as JSON-ready data of the ``route`` schema."""
    return {
        "schema_version": SCHEMA_VERSION,
        **route.to_dict(),
        "crossings": crossing_objects(route),
        "ports": port_objects(route),
    }
