"""compare_od on the real network, and delay exports (csv/parquet/geojson + sidecar, atomic)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import networks
from logistics.itinerary import ItineraryError
from logistics.montecarlo import simulate
from logistics.report import (
    OD_TABLE_COLUMNS,
    ExportError,
    compare_od,
    compare_od_json,
    compare_od_table,
    export_delays,
    itinerary_report,
    package_version,
)
from logistics.scenarios import ScenarioError


@pytest.fixture(scope="module")
def graph():
    return networks.load_network("all")


def test_compare_od_rows_per_scenario_and_mode(graph) -> None:
    df = compare_od(
        graph,
        "Bangkok",
        "Hanoi",
        ["status-quo", "full-integration"],
        via="R12",
        depart="2026-03-02 18:00",
        window_h=96,
        draws=500,
        seed=1,
    )
    assert list(zip(df["scenario"], df["mode"], strict=True)) == [
        ("status-quo", "road"),
        ("status-quo", "sea"),
        ("full-integration", "road"),
        ("full-integration", "sea"),
    ]
    for col in (
        "p50_h",
        "p90_h",
        "p95_h",
        "cost_usd",
        "co2_kg",
        "on_time_probability",
        "crossings",
        "winner",
    ):
        assert col in df.columns
    road = df[df["mode"] == "road"].set_index("scenario")
    sea = df[df["mode"] == "sea"].set_index("scenario")
    assert road.loc["status-quo", "crossings"] == "nakhon-phanom-thakhek,na-phao-cha-lo"
    assert (road["p50_h"] < sea["p50_h"]).all()  # road is faster
    assert sea.loc["status-quo", "cost_usd"] < road.loc["status-quo", "cost_usd"]  # sea cheaper
    # full integration (through trucking, single stop) makes the road trip faster and cheaper
    assert road.loc["full-integration", "p90_h"] < road.loc["status-quo", "p90_h"]
    assert road.loc["full-integration", "cost_usd"] < road.loc["status-quo", "cost_usd"]
    assert df.attrs["routes"]["road"]["crossings"][0]["id"] == "nakhon-phanom-thakhek"
    # a 96 h window: sea (~9 days) misses it, road meets it -> road wins
    assert (df["winner"] == "road").all()
    assert df.groupby("scenario")["wins"].sum().eq(1).all()
    assert df.attrs["depart"].startswith("2026-03-02T18:00:00+07:00")


def test_compare_without_window_picks_the_cheaper_mode(graph) -> None:
    df = compare_od(graph, "Bangkok", "Hanoi", ["status-quo"], draws=200)
    assert df["on_time_probability"].isna().all()
    cheaper = df.loc[df["cost_usd_per_t"].idxmin(), "mode"]
    assert (df["winner"] == cheaper).all()


def test_compare_same_seed_same_result(graph) -> None:
    a = compare_od(
        graph, "Singapore", "Bangkok", ["status-quo"], draws=300, seed=4, modes=("road",)
    )
    b = compare_od(
        graph, "Singapore", "Bangkok", ["status-quo"], draws=300, seed=4, modes=("road",)
    )
    pd.testing.assert_frame_equal(a, b)


def test_compare_bad_input(graph) -> None:
    with pytest.raises(ScenarioError, match="unknown scenario 'status-qou'; available: status-quo"):
        compare_od(graph, "Bangkok", "Hanoi", ["status-qou"])
    with pytest.raises(ValueError, match="window_h must be a positive number"):
        compare_od(graph, "Bangkok", "Hanoi", ["status-quo"], window_h=-3)
    with pytest.raises(ValueError, match="unknown mode 'air'"):
        compare_od(graph, "Bangkok", "Hanoi", ["status-quo"], modes=("air",))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "geojson"])
def test_export_delays_crossings_only(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"delays.{fmt}"
    path, sidecar = export_delays(
        ["status-quo", "24h-borders"], fmt=fmt, out=out, draws=200, seed=2
    )
    assert path == out and sidecar == tmp_path / f"delays.{fmt}.json"
    if fmt == "csv":
        df = pd.read_csv(path)
    elif fmt == "parquet":
        df = pd.read_parquet(path)
    else:
        gj = json.loads(path.read_text(encoding="utf-8"))
        assert gj["type"] == "FeatureCollection"
        assert all(f["geometry"]["type"] == "Point" for f in gj["features"])
        df = pd.DataFrame([f["properties"] for f in gj["features"]])
    n = len(networks.crossings_table()) * 2
    assert len(df) == 2 * n
    assert set(df["level"]) == {"crossing"}
    for col in ("wait_p50_h", "wait_p90_h", "clearance_p50_h", "transload_p90_h", "time_p95_h"):
        assert col in df.columns
    sq = df[df["scenario"] == "status-quo"].set_index(["id", "from_country"])
    h24 = df[df["scenario"] == "24h-borders"].set_index(["id", "from_country"])
    assert sq.loc[("na-phao-cha-lo", "LA"), "wait_mean_h"] > 0  # closed 17:00-07:00
    assert (h24["wait_p95_h"] == 0).all()
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    assert meta["seed"] == 2 and meta["draws"] == 200 and meta["version"] == package_version()
    assert [s["name"] for s in meta["scenarios"]] == ["status-quo", "24h-borders"]
    borders = meta["parameters"]["border_parameters"]
    assert all(row["clearance_source"] and row["hours_source"] for row in borders)
    assert {"general_parameters", "port_parameters", "country_costs", "sea_lanes"} <= set(
        meta["parameters"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, sidecar.name]
    )  # no temp files


def test_export_with_routes(tmp_path: Path, graph) -> None:
    path, _ = export_delays(
        "status-quo", fmt="geojson", out=tmp_path / "d.geojson", G=graph, draws=100
    )
    gj = json.loads(path.read_text(encoding="utf-8"))
    routes = [f for f in gj["features"] if f["properties"]["level"] == "route"]
    assert {f["properties"]["id"] for f in routes} >= {"bangkok-hanoi-r12", "bangkok-hanoi-sea"}
    assert all(
        f["geometry"]["type"] == "LineString" and len(f["geometry"]["coordinates"]) > 2
        for f in routes
    )
    r12 = next(f["properties"] for f in routes if f["properties"]["id"] == "bangkok-hanoi-r12")
    assert r12["time_p50_h"] <= r12["time_p90_h"] <= r12["time_p95_h"]


def test_export_bad_input(tmp_path: Path) -> None:
    with pytest.raises(
        ExportError, match="unknown export format 'xlsx'; allowed: csv, parquet, geojson"
    ):
        export_delays("all", fmt="xlsx", out=tmp_path / "x")
    with pytest.raises(ExportError, match="a folder; allowed: a new or existing regular file"):
        export_delays("all", fmt="csv", out=tmp_path)
    with pytest.raises(ScenarioError, match="unknown scenario"):
        export_delays(["nope"], fmt="csv", out=tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- itinerary report


def test_itinerary_report_merges_the_monte_carlo_into_the_median_walk(graph) -> None:
    route = networks.shortest_route(graph, "Bangkok", "Hanoi", via="R12")
    it, out = itinerary_report(
        route, "2026-03-02 18:00", "status-quo", draws=300, seed=3, window=96
    )
    mc = simulate(route, "2026-03-02 18:00", "status-quo", draws=300, seed=3).summary(window=96)
    assert out["median_walk_h"] == pytest.approx(it.hours, abs=1e-3)  # the walk at the medians
    assert out["travel_time_h"] == round(route.travel_time_h, 4)  # free flow, as in `route`
    assert out["countries"] == route.countries == ["TH", "LA", "VN"]
    assert out["events"][0]["activity"] == "drive" and "hours" not in out
    for key in ("p50_h", "p90_h", "p95_h", "mean_h", "cost_usd", "on_time_probability"):
        assert out[key] == mc[key]
    assert (out["draws"], out["seed"]) == (300, 3)
    assert [c["id"] for c in out["crossings"]] == ["nakhon-phanom-thakhek", "na-phao-cha-lo"]
    for walked, drawn in zip(out["crossings"], mc["crossings"], strict=True):
        assert walked["time_p90_h"] == drawn["time_p90_h"]
        assert walked["wait_p90_h"] >= 0 and walked["time_p90_h"] >= walked["clearance_h"]
    assert json.loads(json.dumps(out, default=str))


def test_itinerary_report_without_draws_is_the_median_walk(graph) -> None:
    route = networks.shortest_route(graph, "Singapore", "Kuala Lumpur")
    it, out = itinerary_report(route, "2026-03-02 08:00", "status-quo", draws=0)
    assert out["median_walk_h"] == round(it.hours, 3)
    assert not {"p50_h", "p90_h", "p95_h", "draws", "on_time_probability"} & set(out)
    assert "wait_p90_h" not in out["crossings"][0]


def test_itinerary_report_bad_input(graph) -> None:
    route = networks.shortest_route(graph, "Singapore", "Kuala Lumpur")
    with pytest.raises(ItineraryError, match="draws -1 is out of range; allowed: a whole number"):
        itinerary_report(route, "2026-03-02 08:00", "status-quo", draws=-1)
    with pytest.raises(ItineraryError, match="window 24 needs Monte Carlo draws"):
        itinerary_report(route, "2026-03-02 08:00", "status-quo", draws=0, window=24)


def test_compare_od_json_and_table(graph) -> None:
    kw = {"modes": ("road",), "draws": 100, "seed": 1}
    plain = compare_od(graph, "Kuala Lumpur", "Bangkok", ["status-quo", "24h-borders"], **kw)
    data = compare_od_json(plain, "Kuala Lumpur", "Bangkok")
    text = json.dumps(data, allow_nan=False)  # NaN became null or was dropped
    assert json.loads(text)["rows"] and data["origin"] == "Kuala Lumpur"
    assert data["draws"] == 100 and data["window_h"] is None
    assert all("on_time_probability" not in r for r in data["rows"])
    assert [(r["scenario"], r["mode"]) for r in data["rows"]] == [
        ("status-quo", "road"),
        ("24h-borders", "road"),
    ]
    assert "on_time_probability" not in compare_od_table(plain).columns
    timed = compare_od(graph, "Kuala Lumpur", "Bangkok", ["status-quo"], window_h=30, **kw)
    assert list(compare_od_table(timed).columns) == list(OD_TABLE_COLUMNS)
    row = compare_od_json(timed, "Kuala Lumpur", "Bangkok")["rows"][0]
    assert 0.0 <= row["on_time_probability"] <= 1.0 and isinstance(row["wins"], bool)
