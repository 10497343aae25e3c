"""Tests for networks.countries: shipped Natural Earth polygons and point-in-country lookup."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from networks.countries import (
    STUDY_COUNTRIES,
    CoordinateError,
    _all_shapes,
    assign_countries,
    countries_of,
    country_of,
    country_polygons,
)


def test_country_polygons_has_every_study_country() -> None:
    gdf = country_polygons()
    assert sorted(gdf["iso2"]) == sorted(STUDY_COUNTRIES)
    assert list(gdf.columns) == ["iso2", "name", "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()


def test_country_polygons_returns_a_copy() -> None:
    gdf = country_polygons()
    gdf.loc[0, "iso2"] = "XX"
    assert "XX" not in set(country_polygons()["iso2"])


@pytest.mark.parametrize(
    ("lat", "lon", "iso2"),
    [
        (13.7563, 100.5018, "TH"),  # Bangkok
        (17.9757, 102.6331, "LA"),  # Vientiane
        (21.0278, 105.8342, "VN"),  # Hanoi
        (11.5564, 104.9282, "KH"),  # Phnom Penh
        (3.1390, 101.6869, "MY"),  # Kuala Lumpur
        (1.3521, 103.8198, "SG"),  # Singapore
        (16.8409, 96.1735, "MM"),  # Yangon
        (1.5535, 110.3593, "MY"),  # Kuching (Borneo)
        (13.0827, 100.8830, "TH"),  # Laem Chabang port, on the coast
        (23.1291, 113.2644, ""),  # Guangzhou, China: outside the study area
        (-6.2088, 106.8456, ""),  # Jakarta, Indonesia
        (10.0, 95.0, ""),  # Andaman Sea, far from land
    ],
)
def test_country_of_known_places(lat: float, lon: float, iso2: str) -> None:
    assert country_of(lat, lon) == iso2


def test_point_just_across_a_land_border_is_not_a_study_country() -> None:
    # Dongxing, China, 1-2 km north of the Mong Cai (VN) border: within the coastal tolerance of
    # Viet Nam, but inside the Chinese polygon, so it must stay "".
    assert country_of(21.56, 107.97) == ""


def test_countries_of_is_vectorised_and_keeps_shape() -> None:
    lats = np.array([[13.7563, 1.3521], [21.0278, 0.0]])
    lons = np.array([[100.5018, 103.8198], [105.8342, 0.0]])
    codes = countries_of(lats, lons)
    assert codes.shape == (2, 2)
    assert codes.tolist() == [["TH", "SG"], ["VN", ""]]


def test_bad_coordinates_name_the_field() -> None:
    with pytest.raises(CoordinateError, match=r"lat=95\.0 is invalid; allowed: -90 to 90"):
        country_of(95.0, 100.0)
    with pytest.raises(CoordinateError, match=r"lon=nan is invalid"):
        countries_of([10.0], [float("nan")])
    with pytest.raises(CoordinateError, match="differ in shape"):
        countries_of([1.0, 2.0], [1.0])


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_country_of_fuzz_returns_study_code_or_empty(lat: float, lon: float) -> None:
    assert country_of(lat, lon) in {*STUDY_COUNTRIES, ""}


def test_coordinate_lookup_does_not_import_geopandas() -> None:
    # The first coordinate query of a process reads the GeoJSON with json + shapely; importing
    # geopandas (~0.3-0.6 s) is left to callers of country_polygons().
    code = (
        "import sys\n"
        "from networks.countries import country_of\n"
        "assert country_of(13.7563, 100.5018) == 'TH'\n"
        "print('geopandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_assign_countries_same_answer_from_a_geodataframe() -> None:
    # The extractor passes a GeoDataFrame (full-resolution polygons); the lookup uses plain
    # shapely arrays. Both paths must agree on the shipped polygons.
    import geopandas as gpd

    shapes = _all_shapes()
    gdf = gpd.GeoDataFrame(
        {"iso2": list(shapes.iso2), "study": list(shapes.study)},
        geometry=list(shapes.geometry),
        crs="EPSG:4326",
    )
    rng = np.random.default_rng(7)
    lats = rng.uniform(-5.0, 28.0, 5_000)
    lons = rng.uniform(92.0, 118.0, 5_000)
    expected = countries_of(lats, lons)
    assert (expected != "").sum() > 500
    assert assign_countries(lats, lons, gdf).tolist() == expected.tolist()


# Hand-picked points a few hundred metres to a few kilometres from a border, with the country
# they are in (positions written by hand from the towns' layout: the Mekong towns face each other
# across the river; Danok and Bukit Kayu Hitam sit either side of the Malaysia-Thailand line).
BORDER_POINTS = [
    (16.5560, 104.7530, "LA"),  # Savannakhet riverfront (east bank of the Mekong)
    (16.5450, 104.7150, "TH"),  # Mukdahan town (west bank)
    (17.9620, 102.6060, "LA"),  # Vientiane riverfront
    (17.8750, 102.7420, "TH"),  # Nong Khai town
    (17.4040, 104.8070, "LA"),  # Thakhek
    (17.4000, 104.7750, "TH"),  # Nakhon Phanom
    (20.2620, 100.4040, "TH"),  # Chiang Khong
    (20.2770, 100.4180, "LA"),  # Houayxay
    (6.5200, 100.4300, "TH"),  # Danok border post (Thai side)
    (6.5350, 100.4280, "TH"),  # Danok town
    (6.6400, 100.4240, "TH"),  # Sadao town
    (6.5050, 100.4200, "MY"),  # Bukit Kayu Hitam
    (6.0300, 101.9650, "TH"),  # Sungai Kolok
    (6.0050, 101.9780, "MY"),  # Rantau Panjang
    (16.6200, 106.6000, "VN"),  # Lao Bao town
]


@pytest.mark.parametrize(("lat", "lon", "iso2"), BORDER_POINTS)
def test_border_points_keep_their_country(lat: float, lon: float, iso2: str) -> None:
    # No coastal tolerance: the point itself must lie inside its country's polygon.
    assert country_of(lat, lon, tolerance_km=0) == iso2
