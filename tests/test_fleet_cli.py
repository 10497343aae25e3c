"""`corridor optimize` and `corridor compare --shipments` end to end (solution limits, offline)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from logistics.cli import build_parser, main
from logistics.cli.fleet import run_fleet_compare

SHIPMENTS = (
    "shipment_id,origin,destination,ready_time,earliest_delivery,latest_delivery,"
    "weight_t,pallets\n"
    "S1,Laem Chabang,Bangkok,2026-03-02 08:00,2026-03-02 12:00,2026-03-02 20:00,8,10\n"
    "S2,Amata City Chonburi,Rojana Industrial Park (Ayutthaya),2026-03-02 09:00,"
    "2026-03-02 12:00,2026-03-03 09:00,5,8\n"
    "S3,Bangkok,Vientiane,2026-03-02 06:00,2026-03-03 06:00,2026-03-04 18:00,6,12\n"
)
FLEET = (
    "vehicle_type,depot,count,capacity_weight_t,capacity_pallets,cost_per_km_usd,"
    "cost_per_h_usd,fixed_cost_usd,crew,country,cross_border_permit\n"
    "semi,Bangkok,2,30,33,0.9,6,120,single,TH,no\n"
    "semi CBTA,Bangkok,1,30,33,1.0,8,150,double,TH,yes\n"
    "semi,Vientiane,1,30,33,1.0,5,110,single,LA,no\n"
)


@pytest.fixture()
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    s, f = tmp_path / "shipments.csv", tmp_path / "fleet.csv"
    s.write_text(SHIPMENTS)
    f.write_text(FLEET)
    return s, f


def test_optimize_writes_routes_results_and_kpis(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    out = tmp_path / "out"
    code = main(
        [
            "optimize",
            "--shipments",
            str(s),
            "--fleet",
            str(f),
            "--scenario",
            "status-quo",
            "--solution-limit",
            "20",
            "--draws",
            "32",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "wrote 5 files" in text
    kpis = json.loads((out / "kpis.json").read_text())
    for key in ("cost_usd", "vehicles_used", "on_time_rate", "dropped", "road_share", "sea_share"):
        assert key in kpis
    assert kpis["shipments"] == 3
    table = pd.read_csv(out / "shipments.csv")
    s3 = table.set_index("shipment_id").loc["S3"]
    assert s3["status"] == "served" and s3["legs"] == 2  # TH truck, transload, Lao truck
    gj = json.loads((out / "routes.geojson").read_text())
    assert gj["type"] == "FeatureCollection"
    kinds = {feat["geometry"]["type"] for feat in gj["features"]}
    assert kinds == {"LineString", "Point"}
    routes = pd.read_csv(out / "routes.csv")
    assert {"vehicle", "seq", "kind", "shipment_id", "arrival_utc"} <= set(routes.columns)
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_compare_runs_each_scenario_side_by_side(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    out = tmp_path / "cmp"
    args = build_parser().parse_args(
        [
            "compare",
            "--shipments",
            str(s),
            "--fleet",
            str(f),
            "--scenarios",
            "status-quo,through-trucking",
            "--draws",
            "32",
            "--out",
            str(out),
        ]
    )
    args.solution_limit = 20
    assert run_fleet_compare(args) == 0
    text = capsys.readouterr().out
    assert "status-quo" in text and "through-trucking" in text and str(out) in text
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == ["status-quo", "through-trucking"]
    assert {"road_share", "sea_share", "on_time_rate", "cost_usd"} <= set(table.columns)
    assert (out / "comparison.png").stat().st_size > 1000
    kpis = json.loads((out / "kpis.json").read_text())["scenarios"]
    assert set(kpis) == {"status-quo", "through-trucking"}
    assert (out / "through-trucking" / "routes.geojson").is_file()
    s3 = pd.read_csv(out / "through-trucking" / "shipments.csv").set_index("shipment_id")
    assert s3.loc["S3", "legs"] == 1  # the permitted truck runs through


def test_bad_inputs_exit_2_with_clear_message(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    assert main(["optimize", "--shipments", str(s), "--out", str(tmp_path)]) == 2
    assert "--fleet FILE" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text(SHIPMENTS.replace("2026-03-02 20:00", "2026-03-01 20:00"))
    assert (
        main(["optimize", "--shipments", str(bad), "--fleet", str(f), "--out", str(tmp_path)]) == 2
    )
    err = capsys.readouterr().err
    assert "row 1 (shipment 'S1'): latest_delivery '2026-03-01 20:00' is not after" in err
    big = tmp_path / "big.csv"
    big.write_text(SHIPMENTS.replace(",8,10\n", ",80,10\n"))
    assert (
        main(["optimize", "--shipments", str(big), "--fleet", str(f), "--out", str(tmp_path)]) == 2
    )
    assert "demand larger than every vehicle" in capsys.readouterr().err
    assert (
        main(
            [
                "optimize",
                "--demo",
                "--scenario",
                "no-such",
                "--out",
                str(tmp_path),
                "--solution-limit",
                "1",
            ]
        )
        == 2
    )
    assert "no-such" in capsys.readouterr().err


def test_compare_in_worker_processes_gives_the_plans_of_one_process(
    inputs: tuple[Path, Path],
) -> None:
    import networks
    from logistics.fleet import RoutingError, compare_fleet
    from logistics.shipments import read_fleet, read_shipments

    s, f = inputs
    G = networks.load_network()
    shipments, fleet = read_shipments(s), read_fleet(f)
    kw = {"time_limit_s": None, "solution_limit": 20, "draws": 32}
    names = ["status-quo", "through-trucking"]
    one, plans1 = compare_fleet(G, shipments, fleet, names, workers=1, **kw)
    two, plans2 = compare_fleet(G, shipments, fleet, names, workers=2, **kw)
    pd.testing.assert_frame_equal(one, two)
    for name in names:
        pd.testing.assert_frame_equal(plans1[name].stops, plans2[name].stops)
    with pytest.raises(RoutingError, match="workers 0 must be at least 1"):
        compare_fleet(G, shipments, fleet, names, workers=0, **kw)
