"""Tests of shortest routes with legs (networks.routing)."""

from __future__ import annotations

import networkx as nx
import pytest

from networks.borders import CrossingError
from networks.multimodal import build_network, load_network
from networks.places import PlaceError
from networks.routing import (
    RouteError,
    port_options,
    route_from_nodes,
    route_geojson,
    shortest_route,
    shortest_route_nodes,
)
from networks.types import Place


@pytest.fixture(scope="module")
def network() -> nx.MultiDiGraph:
    return load_network("all")


def _check_legs(route) -> None:
    assert route.legs
    assert route.nodes[0] == route.legs[0].start_node
    assert route.nodes[-1] == route.legs[-1].end_node
    for a, b in zip(route.legs, route.legs[1:], strict=False):
        assert a.end_node == b.start_node
        assert (a.mode, a.country, a.crossing_id, a.port_id) != (
            b.mode,
            b.country,
            b.crossing_id,
            b.port_id,
        )
    assert len(route.coords) == len(route.nodes)


def test_bangkok_hanoi_by_road(network) -> None:
    route = shortest_route(network, "Bangkok", "Hanoi")
    _check_legs(route)
    assert route.countries[0] == "TH" and route.countries[-1] == "VN"
    assert len(route.crossings) == 2
    assert 1000 < route.distance_km < 1800
    assert route.modes == ["road", "border", "road", "border", "road"]
    for leg in route.legs:
        if leg.mode == "border":
            assert leg.crossing_id and leg.from_country != leg.to_country
            assert leg.country == leg.to_country
    d = route.to_dict()
    assert set(d) >= {"distance_km", "travel_time_h", "crossings", "countries", "legs"}
    assert set(d["legs"][0]) >= {"mode", "country", "distance_km", "travel_time_h"}


@pytest.mark.parametrize(
    ("via", "crossings"),
    [
        ("R9", ["mukdahan-savannakhet", "dansavanh-lao-bao"]),
        ("R12", ["nakhon-phanom-thakhek", "na-phao-cha-lo"]),
        ("R8", ["nong-khai-vientiane", "nam-phao-cau-treo"]),
        ("nong-khai-vientiane", None),
    ],
)
def test_via_routes(network, via: str, crossings: list[str] | None) -> None:
    route = shortest_route(network, "Bangkok", "Hanoi", via=via)
    _check_legs(route)
    if crossings is None:
        assert route.crossings[0] == via
    else:
        assert route.crossings == crossings
    assert route.countries == ["TH", "LA", "VN"]


def test_via_comparison_side_by_side(network) -> None:
    times = {
        v: shortest_route(network, "Bangkok", "Hanoi", via=v).travel_time_h
        for v in ("R9", "R12", "R8")
    }
    fastest = shortest_route(network, "Bangkok", "Hanoi").travel_time_h
    assert fastest <= min(times.values()) + 1e-9


def test_singapore_bangkok(network) -> None:
    route = shortest_route(network, "Singapore", "Bangkok")
    assert route.countries == ["SG", "MY", "TH"]
    assert route.crossings[0] in {"woodlands-johor-bahru", "tuas-second-link"}


def test_sea_mode_goes_through_two_ports(network) -> None:
    route = shortest_route(network, "Bangkok", "Hanoi", mode="sea")
    _check_legs(route)
    assert route.modes == ["road", "port", "sea", "port", "road"]
    ports = [leg.port_id for leg in route.legs if leg.mode == "port"]
    options = port_options(network, "Bangkok", "Hanoi")
    assert ports == [options[0].load_port, options[0].unload_port]
    assert ports[0] in {"khlong-toei", "laem-chabang"} and ports[1] == "hai-phong"
    assert options[0].cost == min(o.cost for o in options)
    assert route.crossings == []


def test_sea_port_choice_counts_the_sailing_not_only_the_drive(network) -> None:
    # Amata City Chonburi is nearer Laem Chabang by road; Laem Chabang also sails shorter.
    route = shortest_route(network, "Amata City Chonburi", "Bac Ninh", mode="sea")
    assert next(leg.port_id for leg in route.legs if leg.mode == "port") == "laem-chabang"
    options = port_options(network, "Amata City Chonburi", "Bac Ninh")
    assert {o.load_port for o in options} >= {"laem-chabang", "khlong-toei"}
    chosen = options[0]
    assert chosen.total_h == pytest.approx(chosen.land_h + chosen.sea_h + chosen.dwell_h)


def test_sea_mode_from_a_port_starts_at_the_port(network) -> None:
    route = shortest_route(network, "Laem Chabang", "hai-phong", mode="sea")
    assert route.nodes[0] == "port:laem-chabang" and route.nodes[-1] == "port:hai-phong"
    assert route.modes == ["sea"]
    assert route.countries == ["TH", "VN"]


def test_snap_any_country_is_the_users_choice(network) -> None:
    # A point on the Lao bank at Savannakhet snaps into Laos by default.
    own = shortest_route(network, "16.556,104.753", "Dansavanh-Lao Bao")
    assert own.countries[0] == "LA"
    anyc = shortest_route(network, "16.556,104.753", "Savannakhet", snap="any")
    assert anyc.distance_km >= 0
    with pytest.raises(RouteError, match="unknown snap 'nearest'; valid snap rules"):
        shortest_route(network, "Bangkok", "Hanoi", snap="nearest")


def test_any_mode_is_never_slower_than_road(network) -> None:
    road = shortest_route(network, "Bangkok", "Ho Chi Minh City")
    anym = shortest_route(network, "Bangkok", "Ho Chi Minh City", mode="any")
    assert anym.travel_time_h <= road.travel_time_h + 1e-9


def test_weight_length_is_not_longer(network) -> None:
    fast = shortest_route(network, "Kuala Lumpur", "Hat Yai")
    short = shortest_route(network, "Kuala Lumpur", "Hat Yai", weight="length")
    assert short.distance_km <= fast.distance_km + 1e-9


def test_coordinates_endpoints(network) -> None:
    route = shortest_route(network, "13.75,100.50", Place("JB", 1.4927, 103.7414, "MY"))
    assert route.countries[0] == "TH" and route.countries[-1] == "MY"


def test_bad_mode_weight_via(network) -> None:
    with pytest.raises(RouteError, match=r"unknown mode 'air'; valid modes: "):
        shortest_route(network, "Bangkok", "Hanoi", mode="air")
    with pytest.raises(RouteError, match="unknown weight"):
        shortest_route(network, "Bangkok", "Hanoi", weight="cost")
    with pytest.raises(CrossingError, match="unknown via 'R10'"):
        shortest_route(network, "Bangkok", "Hanoi", via="R10")
    with pytest.raises(RouteError, match="via is only supported"):
        shortest_route(network, "Bangkok", "Hanoi", via="R9", mode="sea")


def test_place_far_from_any_road_is_an_error(network) -> None:
    with pytest.raises(PlaceError, match=r"is \d+\.\d km from the nearest road node .*limit 50 km"):
        shortest_route(network, "0,90", "Bangkok")


def test_sea_mode_with_a_shared_nearest_port(network) -> None:
    with pytest.raises(RouteError, match="share the nearest port"):
        shortest_route(network, "Bangkok", "Lat Krabang", mode="sea")


def test_via_crossing_not_in_network() -> None:
    graph = load_network("singapore-malaysia-thailand")
    with pytest.raises(RouteError, match="not in this network; crossings present: "):
        shortest_route(graph, "Singapore", "Hat Yai", via="R9")


def test_route_between_checkpoint_nodes(network) -> None:
    route = shortest_route_nodes(
        network, "cp:mukdahan-savannakhet:LA", "cp:dansavanh-lao-bao:LA", weight="length"
    )
    assert route.countries == ["LA"]
    with pytest.raises(RouteError, match="not in the graph"):
        shortest_route_nodes(network, "nope", "cp:dansavanh-lao-bao:LA")


def test_route_geojson(network) -> None:
    route = shortest_route(network, "Bangkok", "Hanoi", mode="sea")
    gj = route_geojson(route)
    assert gj["type"] == "FeatureCollection"
    legs = [f for f in gj["features"] if f["properties"]["feature"] == "leg"]
    assert [f["properties"]["mode"] for f in legs] == [leg.mode for leg in route.legs]
    for f in legs:
        assert f["geometry"]["type"] == "LineString"
        assert len(f["geometry"]["coordinates"]) >= 2
    ports = {
        f["properties"]["port_id"] for f in gj["features"] if f["properties"]["feature"] == "port"
    }
    assert ports == {leg.port_id for leg in route.legs if leg.mode == "port"}
    road = route_geojson(shortest_route(network, "Bangkok", "Hanoi", via="R9"))
    xs = [
        f["properties"]["crossing_id"]
        for f in road["features"]
        if f["properties"]["feature"] == "crossing"
    ]
    assert xs == ["mukdahan-savannakhet", "dansavanh-lao-bao"]


def test_hand_built_graph_legs() -> None:
    """Legs on a small graph: road TH, border, road LA, with exact lengths."""
    from test_multimodal import hand_built_roads

    graph = build_network("bangkok-hanoi", source=hand_built_roads())
    route = shortest_route_nodes(graph, 1, 13, weight="length")
    assert route.modes == ["road", "border", "road"]
    assert [leg.country for leg in route.legs] == ["TH", "LA", "LA"]
    assert route.legs[1].crossing_id == "mukdahan-savannakhet"
    total = sum(
        min(d["length"] for d in graph[u][v].values())
        for u, v in zip(route.nodes, route.nodes[1:], strict=False)
    )
    assert route.distance_km == pytest.approx(total / 1000)


def test_crossing_endpoint_uses_the_better_checkpoint(network) -> None:
    to_hanoi = shortest_route(network, "dansavanh-lao-bao", "Hanoi")
    assert to_hanoi.nodes[0] == "cp:dansavanh-lao-bao:VN"
    assert to_hanoi.countries == ["VN"]
    from_bangkok = shortest_route(network, "Bangkok", "dansavanh-lao-bao")
    assert from_bangkok.nodes[-1] == "cp:dansavanh-lao-bao:LA"
    assert from_bangkok.countries == ["TH", "LA"]


def test_a_modified_copy_gets_its_own_routing_index(network) -> None:
    copy = network.copy()
    for u, v, k, d in copy.edges(keys=True, data=True):
        if d.get("crossing_id") == "nakhon-phanom-thakhek" and d["mode"] == "border":
            copy.edges[u, v, k]["travel_time"] = 1e6  # e.g. a closed crossing
    slow = shortest_route(copy, "Bangkok", "Hanoi")
    assert "nakhon-phanom-thakhek" not in slow.crossings
    assert "nakhon-phanom-thakhek" in shortest_route(network, "Bangkok", "Hanoi").crossings


def test_every_gazetteer_place_is_routable(network) -> None:
    """Each named place snaps within the limit and is reachable by road from Bangkok."""
    from networks.places import gazetteer

    for place_id in gazetteer()["place_id"]:
        route = shortest_route(network, "Bangkok", place_id)
        assert route.legs or route.nodes, place_id


@pytest.mark.parametrize(
    ("via", "mode"), [("R9", "road"), ("R12", "any"), ("R8", "road"), (None, "sea")]
)
def test_route_from_nodes_rebuilds_the_shortest_route(network, via, mode) -> None:
    route = shortest_route(network, "Bangkok", "Hanoi", via=via, mode=mode)
    rebuilt = route_from_nodes(network, route.nodes, route.origin, route.destination, mode=mode)
    assert rebuilt == route
    assert rebuilt.crossings == route.crossings


def test_route_from_nodes_rejects_a_broken_path(network) -> None:
    route = shortest_route(network, "Bangkok", "Hanoi", via="R9")
    broken = route.nodes[:10] + route.nodes[12:]
    with pytest.raises(RouteError, match=r"not joined by a .any. edge") as err:
        route_from_nodes(network, broken, route.origin, route.destination)
    assert repr(route.nodes[9]) in str(err.value) and repr(route.nodes[12]) in str(err.value)
    sea = shortest_route(network, "Bangkok", "Hanoi", mode="sea")
    with pytest.raises(RouteError, match=r"not joined by a .road. edge"):
        route_from_nodes(network, sea.nodes, sea.origin, sea.destination, mode="road")
    with pytest.raises(RouteError, match="not in the graph"):
        route_from_nodes(network, ["nowhere"], route.origin, route.destination)
    with pytest.raises(RouteError, match="nodes is empty"):
        route_from_nodes(network, [], route.origin, route.destination)
