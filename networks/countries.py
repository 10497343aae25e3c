"""Country polygons of the study area and point-in-country lookup (ISO 3166-1 alpha-2).

The polygons are Natural Earth 1:10m admin-0 countries (public domain), simplified and shipped in
``networks/data/countries.geojson``; ``corridor network extract`` regenerates the file.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

#: Study countries (ISO 3166-1 alpha-2).
STUDY_COUNTRIES: tuple[str, ...] = ("TH", "LA", "VN", "KH", "MY", "SG", "MM")

#: A point inside no polygon (at sea, on a bridge, causeway or reclaimed port land) takes the
#: country of the nearest polygon when that polygon is a study country within this distance.
#: Source: assumption: 5 km covers bridges, causeways and reclaimed port land at corridor scale.
COAST_TOLERANCE_KM = 5.0

#: Kilometres per degree of latitude (mean). Turns the tolerance into degrees; a degree of
#: longitude is shorter, so the test errs on the strict side.
KM_PER_DEG = 111.32

COUNTRIES_FILE = "countries.geojson"


class CoordinateError(ValueError):
    """A latitude or longitude is not a finite number in its valid range."""


@dataclass(frozen=True)
class _Shapes:
    """The shipped polygons as plain arrays (no geopandas): what point-in-country needs."""

    iso2: np.ndarray  # <U2, "" when the file has no code
    name: tuple[str, ...]
    study: np.ndarray  # bool
    geometry: np.ndarray  # shapely geometries, prepared
    tree: shapely.STRtree  # over ``geometry``, for the coastal tolerance


def _shapes(iso2: Any, name: Any, study: Any, geometry: Any) -> _Shapes:
    import shapely

    geoms = np.asarray(geometry, dtype=object)
    shapely.prepare(geoms)
    return _Shapes(
        iso2=np.asarray(["" if c is None else str(c) for c in iso2], dtype="<U2"),
        name=tuple("" if n is None else str(n) for n in name),
        study=np.asarray(study, dtype=bool),
        geometry=geoms,
        tree=shapely.STRtree(geoms),
    )


@functools.lru_cache(maxsize=1)
def _all_shapes() -> _Shapes:
    """Every shipped polygon (study countries and clipped neighbours), read once per process.

    Reads the GeoJSON with :mod:`json` and :func:`shapely.geometry.shape`: importing geopandas
    (about 0.3-0.6 s) is left to callers of :func:`country_polygons`.
    """
    import shapely.geometry

    path = resources.files("networks") / "data" / COUNTRIES_FILE
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    props = [f["properties"] for f in features]
    return _shapes(
        [p.get("iso2") for p in props],
        [p.get("name") for p in props],
        [bool(p.get("study")) for p in props],
        [shapely.geometry.shape(f["geometry"]) for f in features],
    )


def country_polygons() -> gpd.GeoDataFrame:
    """Simplified polygons of the study countries.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso2``, ``name``, ``geometry`` (EPSG:4326), one row per study country. A copy:
        callers may modify it.
    """
    import geopandas as gpd

    shapes = _all_shapes()
    keep = np.flatnonzero(shapes.study)
    return gpd.GeoDataFrame(
        {
            "iso2": [str(shapes.iso2[i]) for i in keep],
            "name": [shapes.name[i] for i in keep],
        },
        geometry=list(shapes.geometry[keep]),
        crs="EPSG:4326",
    )


def _check_coordinates(lats: np.ndarray, lons: np.ndarray) -> None:
    if lats.shape != lons.shape:
        raise CoordinateError(f"lats and lons differ in shape: {lats.shape} vs {lons.shape}")
    bad_lat = ~np.isfinite(lats) | (np.abs(lats) > 90)
    if bad_lat.any():
        raise CoordinateError(
            f"lat={float(lats[bad_lat][0])!r} is invalid; allowed: -90 to 90 degrees"
        )
    bad_lon = ~np.isfinite(lons) | (np.abs(lons) > 180)
    if bad_lon.any():
        raise CoordinateError(
            f"lon={float(lons[bad_lon][0])!r} is invalid; allowed: -180 to 180 degrees"
        )


def assign_countries(
    lats: Any,
    lons: Any,
    polygons: Any,
    *,
    tolerance_km: float = COAST_TOLERANCE_KM,
) -> np.ndarray:
    """ISO2 code of the study-country polygon holding each point, ``""`` elsewhere.

    Parameters
    ----------
    lats, lons : array-like of float
        WGS84 degrees.
    polygons : geopandas.GeoDataFrame or mapping
        Columns (or keys) ``iso2``, ``study`` (bool) and ``geometry``. Non-study polygons
        (neighbours) are used to keep points across a border out of the study countries.
    tolerance_km : float
        A point inside no polygon takes the nearest polygon's code when it is a study country
        within this distance.

    Returns
    -------
    numpy.ndarray
        ``<U2`` array, same shape as ``lats``.
    """
    import shapely

    shapes = (
        polygons
        if isinstance(polygons, _Shapes)
        else _shapes(
            polygons["iso2"],
            [""] * len(polygons["iso2"]),
            polygons["study"],
            polygons["geometry"],
        )
    )
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    _check_coordinates(lats, lons)
    codes = np.full(lats.shape, "", dtype="<U2")
    inside_any = np.zeros(lats.shape, dtype=bool)
    for iso2, study, geom in zip(shapes.iso2, shapes.study, shapes.geometry, strict=True):
        inside = shapely.contains_xy(geom, lons, lats) & ~inside_any
        inside_any |= inside
        if study:
            codes[inside] = iso2
    outside = np.flatnonzero(~inside_any.ravel())
    if outside.size and tolerance_km > 0:
        flat_codes = codes.reshape(-1)
        points = shapely.points(lons.ravel()[outside], lats.ravel()[outside])
        idx_pts, idx_geom = shapes.tree.query_nearest(
            points, max_distance=tolerance_km / KM_PER_DEG, all_matches=False
        )
        study_iso = np.where(shapes.study, shapes.iso2, "")
        flat_codes[outside[idx_pts]] = study_iso[idx_geom]
    return codes


def countries_of(lats: Any, lons: Any, *, tolerance_km: float = COAST_TOLERANCE_KM) -> np.ndarray:
    """Vectorised country lookup on the shipped polygons.

    Parameters
    ----------
    lats, lons : array-like of float
        WGS84 degrees, same shape.
    tolerance_km : float, default :data:`COAST_TOLERANCE_KM`
        Points just off the coast (or on a causeway) within this distance of a study country
        take that country.

    Returns
    -------
    numpy.ndarray
        ISO 3166-1 alpha-2 codes (``<U2``); ``""`` outside the study area.

    Raises
    ------
    CoordinateError
        A coordinate is not finite or out of range.
    """
    return assign_countries(lats, lons, _all_shapes(), tolerance_km=tolerance_km)


def country_of(lat: float, lon: float, *, tolerance_km: float = COAST_TOLERANCE_KM) -> str:
    """ISO2 code of the study country at ``(lat, lon)``, ``""`` outside the study area."""
    return str(countries_of([lat], [lon], tolerance_km=tolerance_km)[0])
