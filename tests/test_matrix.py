"""Travel matrices: many-to-many searches on a small hand-made graph and on the shipped network."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.matrix import (
    BorderTerms,
    MatrixError,
    TravelNetwork,
    to_solver_int,
)
from logistics.rules.calendar import wait_quantile_h
from networks.types import Place

KPH = 60.0


def _edge(G: nx.MultiDiGraph, u: str, v: str, km: float, **attrs: object) -> None:
    for a, b in ((u, v), (v, u)):
        data = {
            "mode": "road",
            "length": km * 1000.0,
            "speed_kph": KPH,
            "travel_time": km / KPH * 3600.0,
            "country": G.nodes[b]["country"],
        }
        data.update(attrs)
        if data["mode"] == "border":
            data["from_country"] = G.nodes[a]["country"]
            data["to_country"] = G.nodes[b]["country"]
            data["country"] = G.nodes[b]["country"]
        G.add_edge(a, b, **data)


def toy_graph() -> nx.MultiDiGraph:
    """TH: a - b - cp:x:TH | border x | VN: cp:x:VN - c - d; a faster detour b - e - c via y."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    nodes = {
        "a": (100.0, 13.0, "TH", "road"),
        "b": (100.5, 13.0, "TH", "road"),
        "cp:x:TH": (101.0, 13.0, "TH", "checkpoint"),
        "cp:x:VN": (101.05, 13.0, "VN", "checkpoint"),
        "c": (101.5, 13.0, "VN", "road"),
        "d": (102.0, 13.0, "VN", "road"),
        "cp:y:TH": (101.0, 14.0, "TH", "checkpoint"),
        "cp:y:VN": (101.05, 14.0, "VN", "checkpoint"),
    }
    for n, (x, y, c, k) in nodes.items():
        G.add_node(n, x=x, y=y, country=c, kind=k)
    _edge(G, "a", "b", 50)
    _edge(G, "b", "cp:x:TH", 50)
    _edge(G, "cp:x:TH", "cp:x:VN", 5, mode="border", crossing_id="x")
    _edge(G, "cp:x:VN", "c", 50)
    _edge(G, "c", "d", 50)
    _edge(G, "b", "cp:y:TH", 120)
    _edge(G, "cp:y:TH", "cp:y:VN", 5, mode="border", crossing_id="y")
    _edge(G, "cp:y:VN", "c", 120)
    return G


def place(G: nx.MultiDiGraph, node: str) -> Place:
    d = G.nodes[node]
    return Place(name=node, lat=d["y"], lon=d["x"], country=d["country"], kind="city")


def test_matrix_matches_networkx_and_records_crossings() -> None:
    G = toy_graph()
    net = TravelNetwork(G)
    stops = [place(G, n) for n in ("a", "b", "c", "d")]
    m = net.road_matrix(stops)
    for i, u in enumerate(("a", "b", "c", "d")):
        for j, v in enumerate(("a", "b", "c", "d")):
            expect = nx.shortest_path_length(G, u, v, weight="travel_time")
            assert m.time_s[i, j] == pytest.approx(expect)
    assert m.distance_m[0, 3] == pytest.approx(205_000.0)
    assert m.crossings(0, 3) == ["x"]
    assert m.crossings(3, 0) == ["x"]
    assert m.countries(0, 3) == {"TH", "VN"}
    assert m.countries(0, 1) == {"TH"}
    assert m.border_s[0, 3] == 0.0 and m.fee_usd[0, 3] == 0.0
    assert m.path_nodes(0, 3) == ["a", "b", "cp:x:TH", "cp:x:VN", "c", "d"]


def test_border_delay_by_direction_can_switch_crossing() -> None:
    G = toy_graph()
    net = TravelNetwork(G)
    stops = [place(G, "a"), place(G, "d")]
    # 5 h at x eastbound only: the 240 km detour through y (4 h more driving) wins eastbound
    terms = {("x", "TH", "VN"): BorderTerms(delay_h=5.0, fee_usd=20.0)}
    m = net.road_matrix(stops, border_terms=terms)
    assert m.crossings(0, 1) == ["y"]
    assert m.crossings(1, 0) == ["x"]
    assert m.border_s[0, 1] == 0.0
    terms = {("x", "TH", "VN"): BorderTerms(delay_h=1.0, fee_usd=20.0)}
    m = net.road_matrix(stops, border_terms=terms)
    assert m.crossings(0, 1) == ["x"]
    assert m.border_s[0, 1] == pytest.approx(3600.0)
    assert m.fee_usd[0, 1] == pytest.approx(20.0)
    assert m.drive_s[0, 1] == pytest.approx(m.time_s[0, 1] - 3600.0)


def test_snap_access_leg_and_fixed_nodes() -> None:
    G = toy_graph()
    net = TravelNetwork(G)
    near_a = Place(name="near a", lat=13.01, lon=100.0, country="TH")
    m = net.road_matrix([near_a, place(G, "b")], stop_nodes=[None, None])
    assert m.nodes[0] == "a"
    assert m.access_m[0] == pytest.approx(1112, rel=0.01)
    assert m.time_s[0, 1] > nx.shortest_path_length(G, "a", "b", weight="travel_time")
    m = net.road_matrix([place(G, "cp:x:TH"), place(G, "d")], stop_nodes=["cp:x:TH", None])
    assert m.nodes[0] == "cp:x:TH" and m.access_m[0] == 0.0
    with pytest.raises(MatrixError, match="not in the graph"):
        net.road_matrix([place(G, "a")], stop_nodes=["nowhere"])


def test_unreachable_pairs_are_inf() -> None:
    G = toy_graph()
    G.add_node("island", x=105.0, y=13.0, country="VN", kind="road")
    net = TravelNetwork(G)
    m = net.road_matrix([place(G, "a"), place(G, "island")])
    assert not m.reachable[0, 1] and math.isinf(m.distance_m[0, 1])
    assert m.crossings(0, 1) == []


def test_missing_edge_attribute_is_a_clear_error() -> None:
    G = toy_graph()
    G.add_edge("a", "d", mode="road", length=1.0)
    with pytest.raises(MatrixError, match=r"lacks a numeric 'length'.*'travel_time'"):
        TravelNetwork(G)


def test_to_solver_int_rounding_rule() -> None:
    out = to_solver_int([0.0, 59.99, 60.0 + 1e-12, 61.0, np.inf], scale=1 / 60.0, big=999)
    assert out.tolist() == [0, 1, 1, 2, 999]
    assert to_solver_int([1.999], scale=1.0, rounding="floor").tolist() == [1]
    assert to_solver_int([-3.0], scale=1.0).tolist() == [0]
    with pytest.raises(ValueError, match="rounding 'round'"):
        to_solver_int([1.0], scale=1.0, rounding="round")


def test_opening_wait() -> None:
    always = ((0.0, 168.0),)
    assert wait_quantile_h(always, quantile=0.9) == 0.0
    assert math.isinf(wait_quantile_h((), quantile=0.5))
    # open 06:00-22:00 every day: 8 h closed per day; P(wait > w) = 7 (8 - w) / 168
    daily = tuple((d * 24 + 6.0, d * 24 + 22.0) for d in range(7))
    assert wait_quantile_h(daily, quantile=0.5) == 0.0
    assert wait_quantile_h(daily, quantile=0.9) == pytest.approx(8 - 0.1 * 168 / 7, abs=1e-6)


@given(st.floats(0.0, 23.0), st.floats(0.5, 0.99))
def test_opening_wait_is_monotone_in_quantile(closed_h: float, q: float) -> None:
    ivs = tuple((d * 24 + closed_h, d * 24 + 24.0) for d in range(7))  # closed 00:00-closed_h
    w = wait_quantile_h(ivs, quantile=q)
    assert 0.0 <= w <= closed_h + 1e-9
    assert wait_quantile_h(ivs, quantile=min(q + 0.005, 0.999)) >= w - 1e-9


def test_shipped_network_bangkok_hanoi_uses_a_lao_crossing_pair() -> None:
    import networks

    G = networks.load_network("all")
    net = TravelNetwork(G)
    stops = [networks.resolve_place("Bangkok"), networks.resolve_place("Hanoi")]
    m = net.road_matrix(stops)
    crossings = m.crossings(0, 1)
    assert len(crossings) == 2
    assert m.countries(0, 1) == {"TH", "LA", "VN"}
    assert 900 < m.distance_m[0, 1] / 1000 < 1800
