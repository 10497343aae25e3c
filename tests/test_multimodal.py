"""Tests of the multimodal assembly (networks.multimodal)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from networks.multimodal import (
    CONNECTOR_CIRCUITY,
    CORRIDORS,
    NetworkError,
    build_network,
    checkpoint_node_id,
    connectors_table,
    corridor_countries,
    load_network,
)
from networks.sea import haversine_m
from networks.types import MODES


def _road(graph: nx.MultiDiGraph, u: int, v: int, length: float | None = None) -> None:
    a, b = graph.nodes[u], graph.nodes[v]
    length = length or haversine_m(a["y"], a["x"], b["y"], b["x"])
    for s, t in ((u, v), (v, u)):
        c, ct = graph.nodes[s]["country"], graph.nodes[t]["country"]
        graph.add_edge(
            s,
            t,
            length=length,
            speed_kph=50.0,
            travel_time=length / (50 / 3.6),
            mode="road",
            country=c,
            connector=False,
            cross_border=c != ct,
        )


def hand_built_roads() -> nx.MultiDiGraph:
    """A hand-built road graph around the Mukdahan-Savannakhet bridge.

    Thai nodes 1-3 (Mukdahan side), Lao nodes 11-13 (Savannakhet side); edge 3-11 runs straight
    across the Mekong near the bridge, edge 2-12 crosses the boundary 10 km from any crossing.
    """
    g: nx.MultiDiGraph[Any] = nx.MultiDiGraph(crs="EPSG:4326")
    nodes = {
        1: (16.45, 104.60, "TH"),
        2: (16.54, 104.70, "TH"),
        3: (16.600, 104.715, "TH"),
        11: (16.615, 104.780, "LA"),
        12: (16.50, 104.80, "LA"),
        13: (16.62, 104.95, "LA"),
    }
    for n, (y, x, c) in nodes.items():
        g.add_node(n, x=x, y=y, country=c, kind="road")
    for u, v in ((1, 2), (2, 3), (11, 12), (11, 13), (12, 13), (3, 11), (2, 12)):
        _road(g, u, v)
    return g


@pytest.fixture
def mukdahan_roads() -> nx.MultiDiGraph:
    return hand_built_roads()


def test_hand_built_graph_crosses_only_at_the_crossing(mukdahan_roads: nx.MultiDiGraph) -> None:
    graph = build_network("bangkok-hanoi", source=mukdahan_roads)
    assert graph.graph["crossings"] == "mukdahan-savannakhet"
    assert graph.graph["ports"] == ""  # no port within reach: no sea network either
    assert not any(d["kind"] == "sea" for _, d in graph.nodes(data=True))
    th, la = (checkpoint_node_id("mukdahan-savannakhet", c) for c in ("TH", "LA"))
    assert graph.nodes[th]["kind"] == "checkpoint" and graph.nodes[th]["country"] == "TH"
    border = [(u, v, d) for u, v, d in graph.edges(data=True) if d["mode"] == "border"]
    assert {(u, v) for u, v, _ in border} == {(th, la), (la, th)}
    for u, v, d in border:
        assert d["crossing_id"] == "mukdahan-savannakhet"
        assert d["country"] == d["to_country"] == graph.nodes[v]["country"]
        assert d["from_country"] == graph.nodes[u]["country"]
    # Every non-border edge stays inside one country.
    for u, v, d in graph.edges(data=True):
        if d["mode"] != "border":
            assert graph.nodes[u]["country"] == graph.nodes[v]["country"], (u, v)
    # The far crossing edge 2-12 is gone; 3-11 is split through the checkpoints.
    assert not graph.has_edge(2, 12) and not graph.has_edge(3, 11)
    assert graph.has_edge(3, th) and graph.has_edge(la, 11)
    path = nx.shortest_path(graph, 1, 13, weight="length")
    assert th in path and la in path
    # The source graph is not modified.
    assert mukdahan_roads.has_edge(2, 12)


def test_connectors_are_flagged_and_measured(mukdahan_roads: nx.MultiDiGraph) -> None:
    graph = build_network("bangkok-hanoi", source=mukdahan_roads)
    table = connectors_table(graph)
    nearest = table[table.kind == "nearest"]
    assert set(nearest.country) == {"TH", "LA"}
    for row in nearest.to_dict("records"):
        assert row["length_m"] == pytest.approx(row["straight_m"] * CONNECTOR_CIRCUITY)
    split = table[table.kind == "split"]
    assert len(split) == 4  # two pieces for each direction of the 3-11 edge
    # A split edge keeps the original road length (pieces + the border edge's share).
    th_piece = graph.edges[3, checkpoint_node_id("mukdahan-savannakhet", "TH"), 0]["length"]
    la_piece = graph.edges[checkpoint_node_id("mukdahan-savannakhet", "LA"), 11, 0]["length"]
    assert th_piece + la_piece < mukdahan_roads.edges[3, 11, 0]["length"]


def test_graph_without_corridor_country_is_an_error() -> None:
    g: nx.MultiDiGraph[Any] = nx.MultiDiGraph(crs="EPSG:4326")
    g.add_node(1, x=103.8, y=1.35, country="SG", kind="road")
    with pytest.raises(NetworkError, match="no node in the 'bangkok-hanoi' corridor"):
        build_network("bangkok-hanoi", source=g)


def test_unknown_corridor_lists_closest_first() -> None:
    with pytest.raises(
        NetworkError,
        match=r"unknown corridor 'bangkok-hanio'; valid corridors: "
        r"bangkok-hanoi, ",
    ):
        corridor_countries("bangkok-hanio")
    with pytest.raises(NetworkError, match="unknown corridor"):
        load_network("nowhere")


def test_corridors() -> None:
    assert set(CORRIDORS) == {"bangkok-hanoi", "singapore-malaysia-thailand"}
    assert corridor_countries("all") == ("TH", "LA", "VN", "KH", "SG", "MY")


def test_missing_file_source() -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        build_network("all", source="/nonexistent/x.osm.pbf")


@pytest.fixture(scope="module")
def network() -> nx.MultiDiGraph:
    return load_network("all")


def test_default_network_contract(network: nx.MultiDiGraph) -> None:
    assert network.graph["crs"] == "EPSG:4326"
    kinds = {d["kind"] for _, d in network.nodes(data=True)}
    assert kinds == {"road", "checkpoint", "port", "sea"}
    for _, d in network.nodes(data=True):
        assert "x" in d and "y" in d and "country" in d
    for u, v, d in network.edges(data=True):
        assert d["mode"] in MODES
        assert d["length"] >= 0 and d["travel_time"] >= 0
        if d["mode"] == "border":
            assert d["crossing_id"] and d["from_country"] != d["to_country"]
        elif d["mode"] in ("road", "port"):
            # A route changes country only on a border edge.
            assert network.nodes[u]["country"] == network.nodes[v]["country"], (u, v)


def test_default_network_has_all_crossings_and_ports(network: nx.MultiDiGraph) -> None:
    from networks.borders import crossings_table
    from networks.sea import ports_table

    assert set(network.graph["crossings"].split(",")) == set(crossings_table()["crossing_id"])
    assert set(network.graph["ports"].split(",")) == set(ports_table()["port_id"])
    assert nx.is_strongly_connected(network)


def test_load_network_is_cached(network: nx.MultiDiGraph) -> None:
    assert load_network("all") is network


def test_corridor_subset() -> None:
    graph = load_network("singapore-malaysia-thailand")
    countries = {d["country"] for _, d in graph.nodes(data=True)} - {""}
    assert countries == {"SG", "MY", "TH"}
    crossings = set(graph.graph["crossings"].split(","))
    assert "woodlands-johor-bahru" in crossings and "mukdahan-savannakhet" not in crossings


def test_osm_file_source_skips_far_crossings(shared_dir, caplog) -> None:
    """A local OSM extract (Pathum Wan, Bangkok) builds; crossings and ports out of reach skip."""
    path = shared_dir / "osm-samples" / "bangkok_pathumwan_th.osm.pbf"
    if not path.exists():
        pytest.skip("sample missing")
    with caplog.at_level("WARNING"):
        graph = build_network("bangkok-hanoi", source=path)
    assert graph.graph["crossings"] == ""
    assert graph.graph["ports"] == ""  # Khlong Toei is ~7 km away but only one port is in reach
    assert {d["country"] for _, d in graph.nodes(data=True)} == {"TH"}
    assert "skipped" in caplog.text


def test_disk_cache_round_trip(tmp_path, monkeypatch) -> None:
    from networks.multimodal import _load_cached

    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path))
    stale = tmp_path / "network-singapore-malaysia-thailand-0000000000000000.pickle"
    stale.write_bytes(b"built from older data")
    first = _load_cached("singapore-malaysia-thailand")
    assert not stale.exists()
    files = list(tmp_path.glob("network-singapore-malaysia-thailand-*.pickle"))
    assert len(files) == 1
    second = _load_cached("singapore-malaysia-thailand")
    assert second is not first
    assert dict(first.nodes(data=True)) == dict(second.nodes(data=True))
    assert list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True))
    # Routing indexes are pickled with the graph and re-attached to the loaded object.
    assert second.graph["_routing_index"]["stamp"] == (id(second), second.number_of_nodes())
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", "off")
    from networks.multimodal import cache_dir

    assert cache_dir() is None


def test_corridor_polygon_covers_the_backbones() -> None:
    import shapely

    from networks.borders import crossings_table
    from networks.multimodal import corridor_polygon

    poly = corridor_polygon("bangkok-hanoi")
    assert poly.is_valid
    assert poly.area < 10  # square degrees: a corridor, not the four countries (~130)
    for lon, lat in ((100.5018, 13.7563), (105.8542, 21.0285)):  # Bangkok, Hanoi
        assert poly.contains(shapely.Point(lon, lat))
    table = crossings_table().set_index("crossing_id")
    for cid in ("mukdahan-savannakhet", "dansavanh-lao-bao", "na-phao-cha-lo", "nam-phao-cau-treo"):
        row = table.loc[cid]
        assert poly.contains(shapely.Point(row["lon_a"], row["lat_a"])), cid


def test_package_re_exports_the_public_api() -> None:
    import networks

    contract = {
        "load_network", "build_network", "CORRIDORS", "shortest_route", "route_geojson",
        "resolve_place", "crossings_table", "ports_table", "save_graph", "load_graph",
        "load_default_roads", "graph_from_overpass", "graph_from_osm_file", "nearest_road_node",
        "country_of", "countries_of", "country_polygons", "gazetteer", "Place", "Leg", "Route",
    }  # fmt: skip
    assert contract <= set(networks.__all__)
    for name in networks.__all__:
        obj = getattr(networks, name)
        if isinstance(obj, type) and name.endswith("Error"):
            assert issubclass(obj, ValueError | ConnectionError | RuntimeError), name
    errors = {n for n in networks.__all__ if n.endswith("Error")}
    assert {"PlaceError", "RoadNetworkError", "OSMFileError", "CoordinateError"} <= errors
    assert {"OverpassUnavailableError", "RouteError", "NetworkError", "CrossingError"} <= errors


def test_component_helpers_match_networkx() -> None:
    # The build finds components with scipy.sparse.csgraph; networkx must agree on real data.
    from networks.multimodal import (
        MIN_COMPONENT_NODES,
        _largest_land_component,
        _main_component_nodes,
    )
    from networks.road import load_default_roads

    roads = load_default_roads()
    countries = ("TH", "LA", "VN", "KH", "SG", "MY")
    main = _largest_land_component(roads)
    assert main == max(nx.strongly_connected_components(roads), key=len)

    got = _main_component_nodes(roads, countries)
    for c in countries:
        own = [n for n, d in roads.nodes(data=True) if d["country"] == c]
        national = roads.subgraph(own).to_undirected(as_view=True)
        parts = [p for p in nx.connected_components(national) if len(p) >= MIN_COMPONENT_NODES]
        assert set(got[c]) == set().union(*parts), c
        assert got[c] == [n for n in own if n in set(got[c])]  # the graph's node order


def test_default_network_is_unchanged(network: nx.MultiDiGraph) -> None:
    # Pins the shipped default graph so speed-ups cannot change it silently. If a change is
    # deliberate (new data, new rules), update these figures and regenerate docs/validation.md.
    from networks.routing import shortest_route

    assert (network.number_of_nodes(), network.number_of_edges()) == (11_691, 36_296)
    expected_km = {
        ("Bangkok", "Hanoi", None): 1323.364597,
        ("Bangkok", "Hanoi", "R9"): 1589.862405,
        ("Bangkok", "Hanoi", "R8"): 1338.815284,
        ("Singapore", "Bangkok", None): 1789.797758,
        ("Kuala Lumpur", "Penang", None): 330.293,
    }
    for (origin, destination, via), km in expected_km.items():
        route = shortest_route(network, origin, destination, via=via)
        assert route.distance_km == pytest.approx(km, abs=1e-3), (origin, destination, via)
    sea = shortest_route(network, "Bangkok", "Hanoi", mode="sea")
    assert sea.distance_km == pytest.approx(2693.681496, abs=1e-3)
