"""Tests for the OSM road-graph builders: local files (XML, PBF) and Overpass (offline, cached).

Real OSM samples come from ``../shared/osm-samples`` (the ``shared_dir`` fixture skips when they
are absent); ``tests/fixtures/tiny_roads.osm`` is hand-written.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from networks.road import (
    CLASS_SPEEDS,
    DRIVABLE_HIGHWAYS,
    OVERPASS_FILTER,
    OSMFileError,
    OverpassUnavailableError,
    RoadNetworkError,
    graph_from_osm_file,
    graph_from_overpass,
)

SAMPLES = "osm-samples"


def _assert_contract(graph: nx.MultiDiGraph, country: str) -> None:
    assert graph.graph["crs"] == "EPSG:4326"
    assert graph.number_of_edges() > 0
    for _, d in graph.nodes(data=True):
        assert d["kind"] == "road"
        assert d["country"] == country
    for _, _, d in graph.edges(data=True):
        assert isinstance(d["length"], float) and d["length"] > 0
        assert d["speed_kph"] > 0
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6))
        assert d["mode"] == "road"
        assert d["country"] == country
        assert d["connector"] is False
        highways = d["highway"] if isinstance(d["highway"], list) else [d["highway"]]
        assert any(h in DRIVABLE_HIGHWAYS for h in highways)


# -- hand-written fixture ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_raw(fixtures_dir: Path) -> nx.MultiDiGraph:
    return graph_from_osm_file(fixtures_dir / "tiny_roads.osm", simplify=False)


@pytest.fixture(scope="module")
def tiny(fixtures_dir: Path) -> nx.MultiDiGraph:
    return graph_from_osm_file(fixtures_dir / "tiny_roads.osm")


def test_tiny_drops_non_road_ways(tiny_raw: nx.MultiDiGraph) -> None:
    # Nodes 8-10 (building outline), 11 (footway end) and 12 (no way) are gone.
    assert sorted(tiny_raw.nodes) == [1, 2, 3, 4, 5, 6, 7]
    assert {d["osmid"] for _, _, d in tiny_raw.edges(data=True)} == {100, 101, 102}


def test_tiny_oneway_handling(tiny_raw: nx.MultiDiGraph) -> None:
    # way 101 (oneway=yes, 2->6->7) only forwards; way 102 (oneway=-1, nodes 1,7) only 7->1.
    assert tiny_raw.has_edge(2, 6) and tiny_raw.has_edge(6, 7)
    assert not tiny_raw.has_edge(6, 2) and not tiny_raw.has_edge(7, 6)
    assert tiny_raw.has_edge(7, 1) and not tiny_raw.has_edge(1, 7)
    # the two-way trunk has both directions
    assert tiny_raw.has_edge(3, 4) and tiny_raw.has_edge(4, 3)


def test_tiny_keeps_border_post_through_simplification(tiny: nx.MultiDiGraph) -> None:
    assert tiny.nodes[3]["barrier"] == "border_control"
    assert tiny.nodes[3]["border_control"] is True
    assert 4 not in tiny  # an ordinary interstitial node is simplified away
    assert tiny.has_edge(3, 5)


def test_tiny_countries_and_cross_border_flag(tiny: nx.MultiDiGraph) -> None:
    assert tiny.nodes[1]["country"] == "TH"
    assert tiny.nodes[5]["country"] == "MY"
    assert tiny.edges[3, 5, 0]["cross_border"] is True
    assert tiny.edges[5, 3, 0]["country"] == "MY"
    assert tiny.edges[1, 2, 0]["cross_border"] is False


def test_tiny_truck_tags_and_speeds(tiny: nx.MultiDiGraph) -> None:
    trunk = tiny.edges[1, 2, 0]
    assert trunk["maxweight"] == "25"
    assert trunk["hgv"] == "designated"
    assert trunk["maxspeed:hgv"] == "60"
    # trunk class speed capped by maxspeed:hgv=60
    assert trunk["speed_kph"] == min(CLASS_SPEEDS["trunk"].kph, 60.0)
    # the one-way loop 2->6->7->1 is one simplified edge of primary + secondary
    loop = [d for d in tiny.get_edge_data(2, 1).values() if d["oneway"]]
    assert len(loop) == 1
    assert sorted(loop[0]["highway"]) == ["primary", "secondary"]
    assert loop[0]["speed_kph"] == pytest.approx(
        (CLASS_SPEEDS["primary"].kph + CLASS_SPEEDS["secondary"].kph) / 2
    )


def test_tiny_pbf_equals_xml(tmp_path: Path, fixtures_dir: Path, tiny: nx.MultiDiGraph) -> None:
    import osmium

    pbf = tmp_path / "tiny_roads.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(fixtures_dir / "tiny_roads.osm")):
            writer.add(obj)
    from_pbf = graph_from_osm_file(pbf)
    assert sorted(from_pbf.edges(keys=False)) == sorted(tiny.edges(keys=False))
    assert from_pbf.nodes[3]["border_control"] is True


# -- errors --------------------------------------------------------------------------------------


def test_not_an_osm_file(tmp_path: Path) -> None:
    bad = tmp_path / "page.osm"
    bad.write_text("<html><body>not OSM</body></html>", encoding="utf-8")
    with pytest.raises(OSMFileError, match=r"page\.osm: not an OSM XML file"):
        graph_from_osm_file(bad)
    broken = tmp_path / "broken.osm"
    broken.write_text('<osm version="0.6"><node id="1" lat="1"', encoding="utf-8")
    with pytest.raises(OSMFileError, match=r"broken\.osm: not a readable OSM XML file"):
        graph_from_osm_file(broken)
    notbz2 = tmp_path / "x.osm.bz2"
    notbz2.write_bytes(b"plain bytes")
    with pytest.raises(OSMFileError, match=r"x\.osm\.bz2: cannot read as OSM XML"):
        graph_from_osm_file(notbz2)
    notpbf = tmp_path / "x.osm.pbf"
    notpbf.write_bytes(b"\x00\x01garbage")
    with pytest.raises(OSMFileError, match=r"x\.osm\.pbf: not a readable OSM PBF file"):
        graph_from_osm_file(notpbf)


def test_empty_extract_and_bad_paths(tmp_path: Path) -> None:
    empty = tmp_path / "empty.osm"
    empty.write_text('<osm version="0.6"></osm>', encoding="utf-8")
    with pytest.raises(OSMFileError, match=r"empty\.osm: OSM file holds no nodes or ways"):
        graph_from_osm_file(empty)
    no_roads = tmp_path / "no_roads.osm"
    no_roads.write_text(
        '<osm version="0.6"><node id="1" lat="13.7" lon="100.5"/>'
        '<node id="2" lat="13.71" lon="100.5"/>'
        '<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(OSMFileError, match=r"no_roads\.osm: no drivable road ways"):
        graph_from_osm_file(no_roads)
    with pytest.raises(OSMFileError, match="no such file"):
        graph_from_osm_file(tmp_path / "missing.osm")
    other = tmp_path / "roads.csv"
    other.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(OSMFileError, match=r"unknown OSM file type; allowed extensions: \.osm"):
        graph_from_osm_file(other)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300), st.sampled_from(["f.osm", "f.osm.bz2", "f.osm.pbf"]))
def test_fuzz_garbage_files_raise_osm_file_error(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(OSMFileError, match=re.escape(str(path))):
        graph_from_osm_file(path)


# -- real OSM samples ------------------------------------------------------------------------------


def test_bangkok_pbf_and_xml_give_the_same_graph(shared_dir: Path) -> None:
    pbf = graph_from_osm_file(shared_dir / SAMPLES / "bangkok_pathumwan_th.osm.pbf")
    xml = graph_from_osm_file(shared_dir / SAMPLES / "bangkok_pathumwan_th.osm.bz2")
    _assert_contract(pbf, "TH")
    _assert_contract(xml, "TH")
    assert set(pbf.nodes) == set(xml.nodes)
    assert sorted(pbf.edges(keys=False)) == sorted(xml.edges(keys=False))
    total_pbf = sum(d["length"] for _, _, d in pbf.edges(data=True))
    total_xml = sum(d["length"] for _, _, d in xml.edges(data=True))
    assert total_pbf == pytest.approx(total_xml, rel=1e-9)
    # footways, steps, cycleways etc. are not in a truck road graph
    classes = Counter(
        h
        for _, _, d in xml.edges(data=True)
        for h in (d["highway"] if isinstance(d["highway"], list) else [d["highway"]])
    )
    assert "footway" not in classes and "steps" not in classes
    assert classes["primary"] > 0  # Rama IV, Phaya Thai, Rama I ...


def test_kuching_osm(shared_dir: Path) -> None:
    graph = graph_from_osm_file(shared_dir / SAMPLES / "kuching_central_my.osm")
    _assert_contract(graph, "MY")
    names = {d.get("name") for _, _, d in graph.edges(data=True) if isinstance(d.get("name"), str)}
    assert "Jalan Tun Abang Haji Openg" in names


def test_singapore_osm(shared_dir: Path) -> None:
    graph = graph_from_osm_file(shared_dir / SAMPLES / "singapore_serangoon.osm")
    _assert_contract(graph, "SG")
    motorway = [d for _, _, d in graph.edges(data=True) if d["highway"] == "motorway"]
    assert motorway
    assert all(d["speed_kph"] <= 60.0 for d in motorway)  # Singapore heavy-vehicle limit


# -- Overpass, offline through osmnx's response cache ----------------------------------------


class _KeyCapturedError(Exception):
    """Raised by the spy to stop osmnx once it has computed the request's cache key."""


def _overpass_response_from_recording(recording: dict[str, Any]) -> dict[str, Any]:
    """Reshape the recorded ``out geom`` response into the ``out;`` form osmnx consumes.

    The recording holds ways with their node ids (``nodes``) and, aligned with them, the nodes'
    coordinates (``geometry``), but no node elements. Node elements are rebuilt from exactly those
    pairs (lossless). Ways are kept when their ``highway`` matches the query's regex filter, as
    the Overpass server would have done for this query.
    """
    pattern = re.search(r'~"([^"]+)"', OVERPASS_FILTER)
    assert pattern is not None
    regex = re.compile(pattern.group(1))
    ways = [e for e in recording["elements"] if regex.search(e["tags"].get("highway", ""))]
    nodes: dict[int, dict[str, Any]] = {}
    for way in ways:
        assert len(way["nodes"]) == len(way["geometry"])
        for node_id, point in zip(way["nodes"], way["geometry"], strict=True):
            nodes[node_id] = {
                "type": "node",
                "id": node_id,
                "lat": point["lat"],
                "lon": point["lon"],
            }
    meta = {k: v for k, v in recording.items() if k != "elements"}
    return {**meta, "elements": [*nodes.values(), *ways]}


@pytest.fixture
def overpass_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """osmnx settings for an unreachable Overpass server and an empty temporary cache."""
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    monkeypatch.setattr(ox.settings, "use_cache", True)
    monkeypatch.setattr(ox.settings, "cache_folder", str(tmp_path / "cache"))
    monkeypatch.setattr(ox.settings, "requests_timeout", 5)
    return tmp_path / "cache"


def test_overpass_from_recorded_response(
    shared_dir: Path, overpass_offline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from osmnx import _http

    recording = json.loads(
        (shared_dir / SAMPLES / "singapore_serangoon_overpass.json").read_text(encoding="utf-8")
    )
    response = _overpass_response_from_recording(recording)
    polygon = shapely.box(103.8569, 1.3578, 103.8730, 1.3761)

    # 1. Let osmnx compute the cache key of our exact query, then stop it.
    keys: list[str] = []

    def spy(url: str) -> None:
        keys.append(url)
        raise _KeyCapturedError

    with monkeypatch.context() as m:
        m.setattr(_http, "_retrieve_from_cache", spy)
        with pytest.raises(_KeyCapturedError):
            graph_from_overpass(polygon)
    assert len(keys) == 1
    assert "interpreter" in keys[0]

    # 2. Store the recorded response under that key, as osmnx's own cache writer would.
    cache_file = _http._resolve_cache_filepath(keys[0])
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(json.dumps(response), encoding="utf-8")

    # 3. The real code path, served from the cache.
    saved_tags = list(ox.settings.useful_tags_way)
    graph = graph_from_overpass(polygon, countries=["SG"])
    assert ox.settings.useful_tags_way == saved_tags  # settings restored
    _assert_contract(graph, "SG")
    classes = Counter(
        h
        for _, _, d in graph.edges(data=True)
        for h in (d["highway"] if isinstance(d["highway"], list) else [d["highway"]])
    )
    assert set(classes) <= {"motorway", "trunk", "primary", "motorway_link", "trunk_link"}
    assert classes["motorway"] > 0 and classes["trunk"] > 0  # CTE and Ang Mo Kio Avenue 3
    names = {d.get("name") for _, _, d in graph.edges(data=True) if isinstance(d.get("name"), str)}
    assert "Central Expressway" in names
    recorded_maxweight = any(
        "maxweight" in w["tags"] for w in response["elements"] if w["type"] == "way"
    )
    if recorded_maxweight:  # a truck tag in the recording survives into the graph
        assert any("maxweight" in d for _, _, d in graph.edges(data=True))


def test_overpass_unreachable_names_offline_alternatives(overpass_offline: Path) -> None:
    polygon = shapely.box(103.8569, 1.3578, 103.8730, 1.3761)
    with pytest.raises(OverpassUnavailableError, match=r"--source default.*\.osm\.pbf"):
        graph_from_overpass(polygon)


def test_overpass_bad_arguments() -> None:
    with pytest.raises(RoadNetworkError, match="needs polygon= or countries="):
        graph_from_overpass()
    with pytest.raises(RoadNetworkError, match="expected a valid shapely Polygon"):
        graph_from_overpass(shapely.Point(100, 13))
    with pytest.raises(RoadNetworkError, match="unknown country code"):
        graph_from_overpass(countries=["XX"])
