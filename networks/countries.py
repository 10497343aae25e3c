"""Country polygons of the study area and point-in-country lookup (ISO 3166-1 alpha-2).

The polygons are Natural Earth 1:10m admin-0 countries (public domain), simplified and shipped in
``networks/data/countries.geojson``; ``corridor network extract`` regenerates the file.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd

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


@functools.lru_cache(maxsize=1)
def _all_polygons() -> gpd.GeoDataFrame:
    """Every shipped polygon (study countries and clipped neighbours), read once per process."""
    import geopandas as gpd
    import shapely

    path = resources.files("networks") / "data" / COUNTRIES_FILE
    with resources.as_file(path) as file:
        gdf = gpd.read_file(file)
    gdf["iso2"] = gdf["iso2"].fillna("").astype(str)
    gdf["study"] = gdf["study"].astype(bool)
    shapely.prepare(np.asarray(gdf.geometry))
    return gdf[["iso2", "name", "study", "geometry"]]


def country_polygons() -> gpd.GeoDataFrame:
    """Simplified polygons of the study countries.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso2``, ``name``, ``geometry`` (EPSG:4326), one row per study country. A copy:
        callers may modify it.
    """
    gdf = _all_polygons()
    return gdf.loc[gdf["study"], ["iso2", "name", "geometry"]].reset_index(drop=True).copy()


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
    polygons : geopandas.GeoDataFrame
        Columns ``iso2``, ``study`` (bool) and geometry. Non-study polygons (neighbours) are used
        to keep points across a border out of the study countries.
    tolerance_km : float
        A point inside no polygon takes the nearest polygon's code when it is a study country
        within this distance.

    Returns
    -------
    numpy.ndarray
        ``<U2`` array, same shape as ``lats``.
    """
    import shapely

    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    _check_coordinates(lats, lons)
    codes = np.full(lats.shape, "", dtype="<U2")
    inside_any = np.zeros(lats.shape, dtype=bool)
    for iso2, study, geom in zip(
        polygons["iso2"], polygons["study"], polygons.geometry, strict=True
    ):
        inside = shapely.contains_xy(geom, lons, lats) & ~inside_any
        inside_any |= inside
        if study:
            codes[inside] = iso2
    outside = np.flatnonzero(~inside_any.ravel())
    if outside.size and tolerance_km > 0:
        flat_codes = codes.reshape(-1)
        points = shapely.points(lons.ravel()[outside], lats.ravel()[outside])
        tree = shapely.STRtree(np.asarray(polygons.geometry))
        idx_pts, idx_geom = tree.query_nearest(
            points, max_distance=tolerance_km / KM_PER_DEG, all_matches=False
        )
        study_iso = np.where(
            np.asarray(polygons["study"], dtype=bool),
            np.asarray(polygons["iso2"], dtype="<U2"),
            "",
        )
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
    return assign_countries(lats, lons, _all_polygons(), tolerance_km=tolerance_km)


def country_of(lat: float, lon: float, *, tolerance_km: float = COAST_TOLERANCE_KM) -> str:
    """ISO2 code of the study country at ``(lat, lon)``, ``""`` outside the study area."""
    return str(countries_of([lat], [lon], tolerance_km=tolerance_km)[0])
