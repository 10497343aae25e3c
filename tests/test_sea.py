"""Tests of the regional sea graph and ports (networks.sea)."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources

import networkx as nx
import pytest

from networks.sea import (
    PORT_WATER_MARGIN_KM,
    RIVER_MOUTH_KM,
    RIVER_PORT_MAX_KM,
    SEA_SPEED_KPH,
    SeaDataError,
    _estuary_exit,
    _river_channel,
    add_ports,
    channel_node_id,
    extract_sea,
    haversine_m,
    load_sea_graph,
    ports_table,
    sea_reference_km,
)

REQUIRED_PORTS = {
    "laem-chabang",
    "khlong-toei",
    "hai-phong",
    "da-nang",
    "port-klang",
    "penang",
    "singapore",
    "tanjung-pelepas",
}
HAS_SEAROUTE = importlib.util.find_spec("searoute") is not None


def test_sea_graph_contract() -> None:
    graph = load_sea_graph()
    assert graph.graph["crs"] == "EPSG:4326"
    assert graph.number_of_nodes() > 100
    assert nx.is_strongly_connected(graph)
    for _, d in graph.nodes(data=True):
        assert d["kind"] == "sea"
        assert d["country"] == ""
        assert 94 <= d["x"] <= 112 and -3 <= d["y"] <= 23.5
    for u, v, d in graph.edges(data=True):
        assert d["mode"] == "sea"
        assert d["country"] == ""
        a, b = graph.nodes[u], graph.nodes[v]
        assert d["length"] == pytest.approx(haversine_m(a["y"], a["x"], b["y"], b["x"]))
        assert d["travel_time"] == pytest.approx(d["length"] / (SEA_SPEED_KPH / 3.6))


def test_ports_table_has_corridor_ports_with_sources() -> None:
    ports = ports_table()
    assert set(ports["port_id"]) >= REQUIRED_PORTS
    assert ports["port_id"].is_unique
    assert ports["locode"].str.fullmatch(r"[A-Z]{5}").all()
    for col in ("position_source", "handling_h_source", "handling_cost_usd_source"):
        assert (ports[col].str.len() > 20).all()
    assert (ports["handling_h"] > 0).all() and (ports["handling_cost_usd"] > 0).all()


@pytest.mark.skipif(not HAS_SEAROUTE, reason="searoute (extract extra) not installed")
def test_port_positions_match_searoute_ports_file() -> None:
    path = resources.files("searoute") / "data" / "ports.geojson"
    first: dict[str, tuple[float, float]] = {}
    for f in json.loads(path.read_text())["features"]:
        first.setdefault(f["properties"]["port"], tuple(f["geometry"]["coordinates"]))
    for row in ports_table().to_dict("records"):
        if not row["position_source"].startswith("searoute"):
            continue  # moved to its container terminal; the source says where from
        lon, lat = first[row["locode"]]
        assert row["lat"] == pytest.approx(lat, abs=1e-6)
        assert row["lon"] == pytest.approx(lon, abs=1e-6)


@pytest.mark.skipif(not HAS_SEAROUTE, reason="searoute (extract extra) not installed")
def test_extract_sea_reproduces_the_shipped_file(tmp_path) -> None:
    path = extract_sea(tmp_path)
    shipped = json.loads((resources.files("networks") / "data" / "sea.json").read_text())
    fresh = json.loads(path.read_text())
    for key in ("nodes", "edges", "water_edges", "ports", "reference_km"):
        assert fresh[key] == shipped[key], key


def test_searoute_reference_distance_is_stored() -> None:
    refs = sea_reference_km()
    assert 2000 < refs["THLCH-VNHPH"] < 3000


def test_add_ports_joins_each_port_to_the_water() -> None:
    graph = load_sea_graph()
    ports = ports_table()
    lengths = add_ports(graph, ports[ports.port_id.isin(["laem-chabang", "hai-phong"])])
    assert set(lengths) == {"laem-chabang", "hai-phong"}
    node = "port:laem-chabang"
    assert graph.nodes[node]["kind"] == "port"
    assert graph.nodes[node]["country"] == "TH"
    out = list(graph.out_edges(node, data=True))
    assert len(out) == 1
    ((_, water, d),) = out
    assert water == "water:laem-chabang" and graph.nodes[water]["kind"] == "sea"
    assert d["mode"] == "sea" and d["connector"] is True and d["length"] == 0.0
    assert d["country"] == "TH" and d["port_id"] == "laem-chabang"
    links = [e for e in graph.out_edges(water, data=True) if e[1] != node]
    assert len(links) > 1  # several lane nodes over open water, not only the nearest
    assert all(e[2]["country"] == "" for e in links)
    assert min(e[2]["length"] for e in links) == pytest.approx(lengths["laem-chabang"])
    assert nx.has_path(graph, "port:laem-chabang", "port:hai-phong")


def test_open_water_edges_cross_no_land() -> None:
    import shapely

    from networks.countries import _all_shapes

    data = json.loads((resources.files("networks") / "data" / "sea.json").read_text())
    land = shapely.union_all(_all_shapes().geometry[_all_shapes().study])
    nodes = data["nodes"]
    lines = [shapely.LineString([nodes[i], nodes[j]]) for i, j in data["water_edges"]]
    assert len(lines) > len(data["edges"])
    # Checked at extract time on the unsimplified polygons; on the shipped (simplified) ones no
    # edge crosses more than ~1 km (0.01 degree) of land.
    crossing = [line for line in lines if land.intersection(line).length > 0.01]
    assert crossing == []


def test_add_ports_needs_sea_nodes() -> None:
    with pytest.raises(SeaDataError, match="no sea nodes"):
        add_ports(nx.MultiDiGraph(), ports_table())


# -- river ports: reached along their river ---------------------------------------------------


def _shipped_sea() -> dict:
    return json.loads((resources.files("networks") / "data" / "sea.json").read_text())


def _study_land():
    import shapely

    from networks.countries import _all_shapes

    shapes = _all_shapes()
    return shapely.union_all(shapes.geometry[shapes.study])


def test_every_inland_port_has_a_river_channel_and_only_those() -> None:
    import shapely

    land = _study_land()
    shipped = _shipped_sea()["ports"]
    for row in ports_table().to_dict("records"):
        point = shapely.Point(row["lon"], row["lat"])
        inland_km = shapely.distance(point, land.boundary) * 111.32 if land.contains(point) else 0
        entry = shipped[row["port_id"]]
        assert ("channel" in entry) == (inland_km > PORT_WATER_MARGIN_KM), row["port_id"]
        if "channel" in entry:
            (x0, y0), (x1, y1) = entry["channel"][0], entry["channel"][-1]
            assert haversine_m(row["lat"], row["lon"], y0, x0) <= RIVER_PORT_MAX_KM * 1000
            mouth = shapely.Point(x1, y1)
            assert not land.contains(mouth) or shapely.distance(mouth, land.boundary) < 0.01
            assert entry["links"], row["port_id"]
    assert {p for p, e in shipped.items() if "channel" in e} >= {"khlong-toei"}


def test_khlong_toei_is_reached_up_the_chao_phraya() -> None:
    graph = load_sea_graph()
    ports = ports_table()
    add_ports(graph, ports[ports.port_id.isin(["laem-chabang", "khlong-toei"])])
    # No straight connector from the river port to a lane node: only its channel leaves it.
    out = {v for _, v in graph.out_edges("water:khlong-toei")}
    assert out == {"port:khlong-toei", channel_node_id("khlong-toei", 0)}
    path = nx.shortest_path(graph, "port:laem-chabang", "port:khlong-toei", weight="length")
    on_river = [n for n in path if str(n).startswith("channel:khlong-toei:")]
    n_vertices = len(_shipped_sea()["ports"]["khlong-toei"]["channel"])
    assert len(on_river) == n_vertices
    km = nx.path_weight(graph, path, "length") / 1000
    # The channel alone is longer than the straight line from the port to the Gulf (14 km).
    channel_km = sum(
        graph.edges[u, v, 0]["length"] for u, v in nx.utils.pairwise(path) if u in on_river
    )
    assert channel_km / 1000 > 30
    assert 90 < km < 130


def _toy_land():
    import shapely

    # Land north of y=0 (a 1 x 1 degree block) with a narrow inlet: from the sea at x=0.5 up to
    # y=0.3, then east to x=0.8 (a winding estuary), 0.01 degrees wide.
    block = shapely.box(0.0, 0.0, 1.0, 1.0)
    inlet = shapely.union(
        shapely.box(0.495, -0.1, 0.505, 0.305), shapely.box(0.495, 0.295, 0.8, 0.305)
    )
    return shapely.difference(block, inlet)


def test_river_channel_follows_the_river_to_the_first_vertex_at_the_coast() -> None:
    land = _toy_land()
    river = nx.Graph()
    pts = [(0.2, 0.9), (0.2, 0.5), (0.3, 0.2), (0.3, 0.0), (0.3, -0.1)]
    for a, b in nx.utils.pairwise(pts):
        river.add_edge(a, b, length=haversine_m(a[1], a[0], b[1], b[0]))
    channel = _river_channel(river, land, "toy", 0.205, 0.5)
    assert channel == [(0.2, 0.5), (0.3, 0.2), (0.3, 0.0)]  # stops at the coast, not beyond
    with pytest.raises(SeaDataError, match=r"'toy'.*RIVER_PORT_MAX_KM"):
        _river_channel(river, land, "toy", 0.6, 0.7)


def test_estuary_way_follows_a_winding_inlet_to_the_nearest_lane_node() -> None:
    import numpy as np
    import shapely

    land = _toy_land()
    lanes = np.array([[0.5, -0.1], [0.9, -0.4]])
    mouth = (0.8, 0.3)  # the inland end of the inlet
    way, links = _estuary_exit(land, lanes, mouth)
    assert 0 in links
    line = shapely.LineString([mouth, *way, (0.5, -0.1)])
    assert line.length > 0.65  # along the inlet (0.3 + 0.4), not straight across land (0.5)
    assert shapely.intersection(line, land).length < 0.005
    assert RIVER_MOUTH_KM < 1
