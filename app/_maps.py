"""pydeck maps without basemap tiles: country outlines from the shipped polygons, routes on top.

Every deck is built with ``map_provider=None``: pydeck then sends its "no style" sentinel and
Streamlit's front end draws no basemap at all (with ``map_style=None`` alone Streamlit 1.67 picks a
Carto style from the theme and fetches tiles from the internet). The country outlines come from
``networks.countries.country_polygons()``, so the map works with no network access.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

from networks import country_polygons

#: RGBA colour of each edge mode on the maps.
MODE_COLOURS: dict[str, list[int]] = {
    "road": [11, 110, 79, 230],
    "sea": [30, 100, 200, 230],
    "port": [230, 140, 20, 230],
    "border": [200, 30, 40, 255],
}
CROSSING_COLOUR = [200, 30, 40, 220]
PORT_COLOUR = [30, 100, 200, 220]
#: Distinct colours for vehicles on the fleet map (cycled).
VEHICLE_COLOURS = [
    [228, 26, 28],
    [55, 126, 184],
    [77, 175, 74],
    [152, 78, 163],
    [255, 127, 0],
    [166, 86, 40],
    [247, 129, 191],
    [90, 90, 90],
]

#: Study-area window (lon_min, lat_min, lon_max, lat_max) for the outline layer.
REGION = (90.0, -5.0, 115.0, 30.0)
#: Simplification tolerance of the drawn outlines (degrees).
SIMPLIFY_DEG = 0.01
#: Extent of the pale-blue sea drawn under the outlines (wider than any view of the region).
SEA = (40.0, -40.0, 170.0, 60.0)


@st.cache_resource(show_spinner=False)
def country_geojson() -> dict[str, Any]:
    """Country outlines as a GeoJSON dict (read-only, shared)."""
    gdf = country_polygons()
    gdf = gdf.cx[REGION[0] : REGION[2], REGION[1] : REGION[3]].copy()
    # ~1 km tolerance: invisible at the zooms used, and about half the vertices to draw.
    gdf["geometry"] = gdf.geometry.simplify(SIMPLIFY_DEG, preserve_topology=True)
    data: dict[str, Any] = json.loads(gdf.to_json(drop_id=True))
    return data


def basemap_layers() -> list[pdk.Layer]:
    """The offline basemap: filled country outlines on a plain sea."""
    data = country_geojson()
    lon0, lat0, lon1, lat1 = SEA
    sea = [{"polygon": [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1]]}]
    return [
        pdk.Layer(
            "PolygonLayer",
            data=sea,
            id="sea",
            get_polygon="polygon",
            get_fill_color=[214, 232, 245, 255],
            stroked=False,
            pickable=False,
        ),
        pdk.Layer(
            "GeoJsonLayer",
            data=data,
            id="countries",
            stroked=True,
            filled=True,
            get_fill_color=[236, 233, 222, 255],
            get_line_color=[140, 140, 140, 255],
            line_width_min_pixels=1,
            pickable=False,
        ),
    ]


def view_for(points: Iterable[Sequence[float]], *, pad: float = 0.15) -> pdk.ViewState:
    """A view state framing the (lon, lat) points."""
    pts = [(float(p[0]), float(p[1])) for p in points]
    if not pts:
        return pdk.ViewState(longitude=103.0, latitude=12.0, zoom=4)
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    lon_span = max(max(lons) - min(lons), 0.2) * (1 + 2 * pad)
    lat_span = max(max(lats) - min(lats), 0.2) * (1 + 2 * pad)
    # Web Mercator at zoom z: 512 * 2**z px per 360 degrees of longitude, and per degree of
    # latitude 1 / cos(latitude) times more. Fit the points in a ~900 x 460 px map.
    lat_mid = math.radians((max(lats) + min(lats)) / 2)
    zoom = min(
        math.log2(900 * 360 / (512 * lon_span)),
        math.log2(460 * 360 * math.cos(lat_mid) / (512 * lat_span)),
    )
    return pdk.ViewState(
        longitude=(max(lons) + min(lons)) / 2,
        latitude=(max(lats) + min(lats)) / 2,
        zoom=max(2.0, min(zoom, 11.0)),
    )


def leg_paths(route: Any) -> list[dict[str, Any]]:
    """One record per leg of a ``networks.Route``: mode, country, km, hours and its polyline."""
    nodes, coords = list(route.nodes), [tuple(c) for c in route.coords]
    aligned = len(nodes) == len(coords)
    records: list[dict[str, Any]] = []
    cursor = 0
    for leg in route.legs:
        path: list[tuple[float, float]] = []
        if aligned:
            try:
                start = nodes.index(leg.start_node, cursor)
                end = nodes.index(leg.end_node, start)
                path = coords[start : end + 1]
                cursor = end
            except ValueError:
                path = []
        if len(path) < 2:
            path = [tuple(leg.start_lonlat), tuple(leg.end_lonlat)]
        records.append(
            {
                "path": [list(p) for p in path],
                "mode": leg.mode,
                "country": leg.country,
                "name": leg.crossing_id or leg.port_id or f"{leg.mode} {leg.country}".strip(),
                "km": round(float(leg.distance_km), 1),
                "hours": round(float(leg.travel_time_h), 2),
                "colour": MODE_COLOURS.get(leg.mode, [80, 80, 80, 230]),
            }
        )
    return records


def lonlat_columns(frame: pd.DataFrame) -> tuple[str, str] | None:
    """Names of the longitude and latitude columns of a table, if it has them."""
    cols = {c.lower(): c for c in frame.columns}
    for lon, lat in (("lon", "lat"), ("longitude", "latitude"), ("x", "y")):
        if lon in cols and lat in cols:
            return cols[lon], cols[lat]
    lon_like = [c for c in frame.columns if c.lower().startswith("lon")]
    lat_like = [c for c in frame.columns if c.lower().startswith("lat")]
    if lon_like and lat_like:
        return lon_like[0], lat_like[0]
    return None


def points_layer(
    frame: pd.DataFrame,
    *,
    layer_id: str,
    colour: list[int],
    label: str,
    radius_px: int = 5,
) -> list[pdk.Layer]:
    """A scatter layer of a table's points (empty when it has no lon/lat columns)."""
    names = lonlat_columns(frame)
    if names is None or frame.empty:
        return []
    lon, lat = names
    data = pd.DataFrame(
        {
            "lon": frame[lon].astype(float),
            "lat": frame[lat].astype(float),
            "name": frame[label].astype(str) if label in frame else "",
        }
    ).dropna()
    return [
        pdk.Layer(
            "ScatterplotLayer",
            data=data,
            id=layer_id,
            get_position=["lon", "lat"],
            get_fill_color=colour,
            get_line_color=[255, 255, 255, 255],
            stroked=True,
            radius_min_pixels=radius_px,
            radius_max_pixels=radius_px * 3,
            line_width_min_pixels=1,
            pickable=True,
        )
    ]


def crossing_layers(crossings: pd.DataFrame, *, used: set[str]) -> list[pdk.Layer]:
    """Crossings (midpoint of the two checkpoints); those in ``used`` drawn larger."""
    if crossings.empty or "crossing_id" not in crossings:
        return []
    frame = crossings.copy()
    if {"lon_a", "lon_b", "lat_a", "lat_b"} <= set(frame.columns):
        frame["lon"] = (frame["lon_a"].astype(float) + frame["lon_b"].astype(float)) / 2
        frame["lat"] = (frame["lat_a"].astype(float) + frame["lat_b"].astype(float)) / 2
    label = "name" if "name" in frame else "crossing_id"
    on_route = frame["crossing_id"].astype(str).isin(used)
    return points_layer(
        frame[~on_route], layer_id="crossings", colour=[200, 30, 40, 120], label=label
    ) + points_layer(
        frame[on_route],
        layer_id="used-crossings",
        colour=CROSSING_COLOUR,
        label=label,
        radius_px=8,
    )


def port_layers(ports: pd.DataFrame) -> list[pdk.Layer]:
    """Corridor ports."""
    if ports.empty:
        return []
    label = "name" if "name" in ports else ports.columns[0]
    return points_layer(ports, layer_id="ports", colour=PORT_COLOUR, label=label)


def path_layer(records: list[dict[str, Any]], *, layer_id: str, width_px: int = 4) -> pdk.Layer:
    """A path layer of records with ``path`` and ``colour`` fields."""
    return pdk.Layer(
        "PathLayer",
        data=records,
        id=layer_id,
        get_path="path",
        get_color="colour",
        width_min_pixels=width_px,
        width_max_pixels=width_px * 2,
        joint_rounded=True,
        cap_rounded=True,
        pickable=True,
    )


def deck(layers: list[pdk.Layer], view: pdk.ViewState) -> pdk.Deck:
    """A tile-free deck: outlines first, then the given layers."""
    return pdk.Deck(
        layers=basemap_layers() + layers,
        initial_view_state=view,
        map_provider=None,
        tooltip={"text": "{name}"},
    )
