"""Route/Leg value types: derived totals, order of countries and crossings, JSON names."""

from __future__ import annotations

from networks.types import Leg, Place, Route


def _leg(mode: str, country: str, km: float, **kw: str) -> Leg:
    return Leg(mode, country, km, km / 60.0, 0, 1, (100.0, 14.0), (101.0, 15.0), **kw)


def test_route_ending_at_a_checkpoint_keeps_its_last_country() -> None:
    legs = [
        _leg("road", "TH", 600.0),
        _leg(
            "border",
            "LA",
            3.0,
            crossing_id="mukdahan-savannakhet",
            from_country="TH",
            to_country="LA",
        ),
    ]
    route = Route(Place("a", 14, 100), Place("b", 16.5, 104.7), [0, 1, 2], legs)
    assert route.countries == ["TH", "LA"]
    assert route.crossings == ["mukdahan-savannakhet"]
    assert route.distance_km == 603.0
    assert route.modes == ["road", "border"]


def test_route_to_dict_has_the_stable_names() -> None:
    legs = [
        _leg("road", "TH", 60.0),
        _leg("border", "LA", 3.0, crossing_id="x", from_country="TH", to_country="LA"),
        _leg("road", "LA", 120.0),
    ]
    d = Route(Place("a", 14, 100), Place("b", 17, 105), [0, 1, 2, 3], legs).to_dict()
    assert d["countries"] == ["TH", "LA"]
    assert d["crossings"] == ["x"]
    assert d["distance_km"] == 183.0
    assert abs(d["travel_time_h"] - 183.0 / 60.0) < 1e-3
    assert {"mode", "country", "distance_km", "travel_time_h"} <= set(d["legs"][0])
