"""Scenarios act on ports: single window and full integration shorten port dwell, 24 h gates."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import networks
from logistics.itinerary import build_itinerary
from logistics.parameters import load_parameters
from logistics.rules.sea import sea_passage
from logistics.scenarios import check_relaxation, load_scenario

PORT_MEASURES = ("single-window", "full-integration")


def _door_to_door_h(it) -> float:
    return (it.arrive - it.depart).total_seconds() / 3600.0


@pytest.mark.parametrize("name", PORT_MEASURES)
def test_single_window_shortens_port_dwell_at_every_port(name: str) -> None:
    p = load_parameters()
    sq, sc = load_scenario("status-quo"), load_scenario(name)
    for port_id in p.ports:
        base, new = sq.port_rule(p, port_id), sc.port_rule(p, port_id)
        for side in ("export_dwell", "import_dwell"):
            b, n = getattr(base, side), getattr(new, side)
            assert n.median_h == pytest.approx(0.7 * b.median_h), (port_id, side)
            assert n.p90_h == pytest.approx(0.7 * b.p90_h), (port_id, side)


@pytest.mark.parametrize("name", PORT_MEASURES)
@pytest.mark.parametrize("q", [0.5, 0.9])
def test_port_measures_shorten_the_sea_passage(name: str, q: float) -> None:
    """The fleet's view: Laem Chabang -> Hai Phong at a quantile, same sea distance."""
    p = load_parameters()
    sq = sea_passage(
        load_scenario("status-quo"), p, "laem-chabang", "hai-phong", 2442.5, quantile=q
    )
    new = sea_passage(load_scenario(name), p, "laem-chabang", "hai-phong", 2442.5, quantile=q)
    saved = (sq.export_dwell_h - new.export_dwell_h) + (sq.import_dwell_h - new.import_dwell_h)
    assert saved > 0
    assert new.total_h == pytest.approx(sq.total_h - saved)
    assert new.sailing_h == sq.sailing_h and new.handling_usd == sq.handling_usd


@pytest.fixture(scope="module")
def sea_route():
    graph = networks.load_network("all")
    return networks.shortest_route(graph, "Laem Chabang", "Hai Phong", mode="sea")


@pytest.mark.parametrize("depart", ["2026-03-02 08:00", "2026-03-04 21:00"])
def test_port_measures_shorten_sea_door_to_door(sea_route, depart: str) -> None:
    """The itinerary's view: every median walk of a port measure arrives earlier."""
    base = _door_to_door_h(build_itinerary(sea_route, depart, "status-quo"))
    for name in PORT_MEASURES:
        assert _door_to_door_h(build_itinerary(sea_route, depart, name)) < base - 1.0, name
    # a measure that does not touch ports leaves the sea trip as it was
    assert _door_to_door_h(build_itinerary(sea_route, depart, "through-trucking")) == pytest.approx(
        base
    )


def test_24h_operations_open_port_gates(tmp_path: Path) -> None:
    """Shipped gates are already 24 h; a table with day-time gates is opened by 24h-borders."""
    text = resources.files("logistics").joinpath("data", "port_parameters.csv").read_text("utf-8")
    day = tmp_path / "ports.csv"
    day.write_text(text.replace("hai-phong,VN,00:00-24:00", "hai-phong,VN,07:00-19:00"), "utf-8")
    p = load_parameters(ports=day)
    assert not load_scenario("status-quo").port_rule(p, "hai-phong").gate_hours.always_open
    for name in ("24h-borders", "full-integration"):
        assert load_scenario(name).port_rule(p, "hai-phong").gate_hours.always_open, name
        assert check_relaxation(name, "status-quo", p) == [] or name == "full-integration"


@pytest.mark.parametrize(
    "relaxed, strict",
    [
        ("single-window", "status-quo"),
        ("24h-borders", "status-quo"),
        ("full-integration", "harmonized-axle-loads"),
    ],
)
def test_declared_relaxations_still_hold(relaxed: str, strict: str) -> None:
    assert strict in load_scenario(relaxed).relaxes
    assert check_relaxation(relaxed, strict) == []
