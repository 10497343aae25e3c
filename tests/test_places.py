"""Tests of the gazetteer and the place/coordinate parser (networks.places)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from networks.places import (
    PlaceError,
    gazetteer,
    normalize_name,
    parse_coordinates,
    resolve_place,
)
from networks.types import Place


def test_gazetteer_has_cities_estates_ports_crossings_with_sources() -> None:
    g = gazetteer()
    assert {"city", "industrial", "port", "crossing"} <= set(g["kind"])
    assert (g["source"].str.len() > 0).all()
    for name in (
        "Bangkok",
        "Hanoi",
        "Vientiane",
        "Savannakhet",
        "Amata City Chonburi",
        "Jurong Industrial Estate",
    ):
        assert name in set(g["name"]), name


@pytest.mark.parametrize(
    ("text", "place_id", "kind"),
    [
        ("Bangkok", "bangkok", "city"),
        ("  bangkok ", "bangkok", "city"),
        ("Hà Nội", "hanoi", "city"),
        ("ha noi", "hanoi", "city"),
        ("HCMC", "ho-chi-minh-city", "city"),
        ("Đà Nẵng", "da-nang", "city"),
        ("Korat", "nakhon-ratchasima", "city"),
        ("laem-chabang", "laem-chabang", "port"),
        ("hai-phong", "hai-phong", "port"),
        ("Hai Phong", "hai-phong-city", "city"),
        ("THLCH", "laem-chabang", "port"),
        ("Singapore port", "singapore", "port"),
        ("Singapore", "singapore", "city"),
        ("Klang Valley", "shah-alam", "industrial"),
        ("mukdahan-savannakhet", "mukdahan-savannakhet", "crossing"),
    ],
)
def test_resolve_names_and_aliases(text: str, place_id: str, kind: str) -> None:
    place = resolve_place(text)
    assert (place.place_id, place.kind) == (place_id, kind)


def test_resolve_coordinates() -> None:
    place = resolve_place("13.75,100.50")
    assert place == Place("13.75,100.5", 13.75, 100.5, "TH", "coordinates", "")
    assert resolve_place(" -1.5 , 103.8 ").lat == -1.5


def test_place_passes_through() -> None:
    p = Place("x", 1.0, 2.0)
    assert resolve_place(p) is p


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("91,100", r"latitude 91.0 .* allowed: -90 to 90"),
        ("13.7,181", r"longitude 181.0 .* allowed: -180 to 180"),
        ("", "place is empty"),
    ],
)
def test_bad_input(text: str, match: str) -> None:
    with pytest.raises(PlaceError, match=match):
        resolve_place(text)


def test_unknown_name_lists_closest_first() -> None:
    with pytest.raises(PlaceError, match=r"unknown place 'Bangkock'; closest names: Bangkok"):
        resolve_place("Bangkock")


def test_normalize_name() -> None:
    assert normalize_name("Thành phố Hồ Chí Minh") == "thanh pho ho chi minh"
    assert normalize_name("Johor-Bahru") == "johor bahru"


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-90, 90, allow_nan=False),
    lon=st.floats(-180, 180, allow_nan=False),
    sep=st.sampled_from([",", ", ", " ,", ";", " "]),
)
def test_coordinates_round_trip(lat: float, lon: float, sep: str) -> None:
    text = f"{lat:.6f}{sep}{lon:.6f}"
    got = parse_coordinates(text)
    assert got is not None
    assert got[0] == pytest.approx(float(f"{lat:.6f}"))
    assert got[1] == pytest.approx(float(f"{lon:.6f}"))


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: abs(v) > 90),
    lon=st.floats(-180, 180, allow_nan=False),
)
def test_out_of_range_latitude_is_rejected(lat: float, lon: float) -> None:
    with pytest.raises(PlaceError, match="latitude"):
        parse_coordinates(f"{lat:f},{lon:f}")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_gives_place_or_place_error(text: str) -> None:
    """The parser never fails with anything but PlaceError."""
    try:
        place = resolve_place(text)
    except PlaceError as exc:
        assert str(exc)
    else:
        assert isinstance(place, Place)
        assert math.isfinite(place.lat) and math.isfinite(place.lon)
