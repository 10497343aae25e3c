"""Tests of `corridor network ...` and `corridor route` through logistics.cli.main."""

from __future__ import annotations

import json

import pytest

from logistics.cli import main


def test_network_info(capsys) -> None:
    assert main(["network", "info"]) == 0
    out = capsys.readouterr().out
    assert "Corridor network 'all'" in out
    assert "border crossings (14)" in out
    assert "mukdahan-savannakhet" in out and "laem-chabang" in out
    assert "road by country" in out


def test_route_table(capsys) -> None:
    assert main(["route", "--from", "Bangkok", "--to", "Hanoi"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Bangkok -> Hanoi:")
    assert "border" in out and "TH > LA > VN" in out


def test_route_json_keys_are_stable(capsys) -> None:
    assert (
        main(["route", "--from", "Bangkok", "--to", "Hanoi", "--via", "R9", "--format", "json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"distance_km", "travel_time_h", "crossings", "countries", "legs"}
    assert data["crossings"] == [
        {"id": "mukdahan-savannakhet", "from_country": "TH", "to_country": "LA"},
        {"id": "dansavanh-lao-bao", "from_country": "LA", "to_country": "VN"},
    ]
    assert data["schema_version"] == 1 and data["ports"] == []
    assert data["countries"] == ["TH", "LA", "VN"]
    for leg in data["legs"]:
        assert set(leg) >= {"mode", "country", "distance_km", "travel_time_h"}
    assert data["distance_km"] == pytest.approx(
        sum(leg["distance_km"] for leg in data["legs"]), abs=0.01
    )


def test_route_geojson(capsys) -> None:
    assert (
        main(
            ["route", "--from", "Bangkok", "--to", "Hanoi", "--mode", "sea", "--format", "geojson"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["type"] == "FeatureCollection"
    assert any(f["properties"].get("mode") == "sea" for f in data["features"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["route", "--from", "Bangkock", "--to", "Hanoi"],
            "unknown place 'Bangkock'; closest names: Bangkok",
        ),
        (["route", "--from", "Bangkok", "--to", "Hanoi", "--mode", "air"], "unknown mode 'air'"),
        (["route", "--from", "Bangkok", "--to", "Hanoi", "--via", "R99"], "unknown via 'R99'"),
        (["route", "--from", "91,100", "--to", "Hanoi"], "latitude 91.0"),
        (["network", "info", "--corridor", "bangkok-hanio"], "valid corridors: bangkok-hanoi"),
        (["network", "build", "--out", "x.shp"], "unknown extension '.shp'"),
    ],
)
def test_errors_are_one_clear_line(capsys, argv: list[str], message: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_build_gpkg_readable_by_geopandas(tmp_path, capsys) -> None:
    import geopandas as gpd
    import pyogrio

    out = tmp_path / "smt.gpkg"
    assert (
        main(["network", "build", "--corridor", "singapore-malaysia-thailand", "--out", str(out)])
        == 0
    )
    assert "wrote" in capsys.readouterr().out
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"nodes", "edges"}
    nodes = gpd.read_file(out, layer="nodes")
    edges = gpd.read_file(out, layer="edges")
    assert set(nodes["kind"]) == {"road", "checkpoint", "port", "sea"}
    assert set(edges["mode"]) == {"road", "border", "port", "sea"}
    assert edges.geometry.geom_type.eq("LineString").all()
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_build_graphml_from_a_local_osm_file(shared_dir, tmp_path, capsys) -> None:
    """`network build --source FILE`: the real Serangoon (Singapore) sample, exported as GraphML."""
    from networks.io import load_graph

    sample = shared_dir / "osm-samples" / "singapore_serangoon.osm"
    if not sample.exists():
        pytest.skip("sample missing")
    out = tmp_path / "serangoon.graphml"
    argv = ["network", "build", "--corridor", "singapore-malaysia-thailand"]
    assert main([*argv, "--source", str(sample), "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    graph = load_graph(out)
    assert {d["country"] for _, d in graph.nodes(data=True)} == {"SG"}
    assert {d["mode"] for _, _, d in graph.edges(data=True)} == {"road"}


def test_graphml_round_trip_keeps_routes(tmp_path) -> None:
    from test_multimodal import hand_built_roads

    from networks import build_network, shortest_route_nodes
    from networks.io import load_graph, save_graph

    graph = build_network("bangkok-hanoi", source=hand_built_roads())
    back = load_graph(save_graph(graph, tmp_path / "g.graphml"))
    assert sorted(map(str, back.nodes)) == sorted(map(str, graph.nodes))
    assert back.number_of_edges() == graph.number_of_edges()
    a = shortest_route_nodes(back, 1, 13)
    b = shortest_route_nodes(graph, 1, 13)
    assert a.nodes == b.nodes
    assert a.distance_km == pytest.approx(b.distance_km)
    assert a.crossings == ["mukdahan-savannakhet"]
    border = [d for _, _, d in back.edges(data=True) if d["mode"] == "border"]
    assert all(isinstance(d["connector"], bool) for d in border)


def test_save_graph_rejects_unknown_extension(tmp_path) -> None:
    import networkx as nx

    from networks.io import ExportError, save_graph

    with pytest.raises(ExportError, match=r"unknown extension '\.csv'; allowed: \.graphml, \.gpkg"):
        save_graph(nx.MultiDiGraph(), tmp_path / "g.csv")


def test_network_crossings(capsys) -> None:
    assert main(["network", "crossings"]) == 0
    assert "woodlands-johor-bahru" in capsys.readouterr().out


def test_network_validate(tmp_path, capsys) -> None:
    out = tmp_path / "validation.md"
    assert main(["network", "validate", "--out", str(out)]) == 0
    text = out.read_text()
    assert "| North-South Expressway" in text
    assert "## Every connector" in text
    assert "cp:dansavanh-lao-bao:LA" in text
    assert "published" in capsys.readouterr().out


def test_network_crossings_verify(tmp_path, capsys) -> None:
    path = tmp_path / "posts.osm"  # hand-written test fixture, not real OSM data
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '  <node id="7" lat="6.5100" lon="100.4240" version="1">'
        '<tag k="barrier" v="border_control"/></node>\n</osm>\n',
        encoding="utf-8",
    )
    assert main(["network", "crossings", "--verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "bukit-kayu-hitam-sadao" in out and "OSM node 7" in out
    assert main(["network", "crossings", "--verify", str(tmp_path / "none.osm")]) == 2
    assert "no such OSM file" in capsys.readouterr().err


def test_network_summary_is_plain_data_that_adds_up() -> None:
    from test_multimodal import hand_built_roads

    from networks import build_network
    from networks.summary import network_summary

    graph = build_network("bangkok-hanoi", source=hand_built_roads())
    s = network_summary(graph)
    assert json.loads(json.dumps(s)) == s  # JSON-ready, nothing lost
    assert s["corridor"] == "bangkok-hanoi"
    assert [c["name"] for c in s["corridors"]] == ["bangkok-hanoi"]
    assert sum(s["nodes_by_kind"].values()) == s["nodes"] == graph.number_of_nodes()
    assert sum(s["edges_by_mode"].values()) == s["edges"] == graph.number_of_edges()
    road_m = sum(d["length"] for _, _, d in graph.edges(data=True) if d["mode"] == "road")
    assert sum(s["road_km_by_country"].values()) == pytest.approx(road_m / 2000, abs=0.5)
    ids = [c["id"] for c in s["crossings"]]
    assert "mukdahan-savannakhet" in ids and len(ids) == len(set(ids))
    for c in s["crossings"]:
        assert c["corridor"] == "bangkok-hanoi"
        assert {j["country"] for j in c["connectors"]} <= {c["country_a"], c["country_b"]}
        assert all(j["length_m"] >= 0 for j in c["connectors"])
    assert all(m > 0 for p in s["ports"] for m in p["drayage_m"])


def test_network_info_json(capsys) -> None:
    argv = ["network", "info", "--corridor", "singapore-malaysia-thailand", "--format", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["corridor"] == "singapore-malaysia-thailand"
    assert {c["id"] for c in data["crossings"]} >= {"woodlands-johor-bahru"}
    assert set(data["road_km_by_country"]) == {"SG", "MY", "TH"}


def test_network_validate_needs_out_and_keeps_other_files(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["network", "validate"])
    assert "--out" in capsys.readouterr().err
    doc = tmp_path / "notes.md"
    doc.write_text("# notes\n", encoding="utf-8")
    assert main(["network", "validate", "--out", str(doc)]) == 2
    assert "was not written by `corridor network validate`" in capsys.readouterr().err
    assert doc.read_text(encoding="utf-8") == "# notes\n"


def test_route_sea_explains_the_port_choice(capsys) -> None:
    args = ["route", "--from", "Amata City Chonburi", "--to", "Bac Ninh", "--mode", "sea"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "port choice" in out
    assert "chosen laem-chabang -> hai-phong: road" in out
    assert "dwell" in out and "sailings per week" in out


def test_route_snap_own_country_by_default_any_on_request(capsys) -> None:
    args = ["route", "--from", "6.520,100.430", "--to", "6.640,100.424", "--weight", "length"]
    assert main(args) == 0  # Danok border post -> Sadao town
    assert "countries: TH;" in capsys.readouterr().out
    assert main([*args, "--snap", "any"]) == 0
    assert "countries: " in capsys.readouterr().out
    assert main(["route", "--from", "Bangkok", "--to", "Hanoi", "--snap", "nearest"]) == 2
    assert "unknown snap 'nearest'; valid snap rules: own-country, any" in capsys.readouterr().err
