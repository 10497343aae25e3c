"""Sweeps: spec checks (and a fuzz of the parser), designs, variants, analysis and break-even.

The runs on a real Dask LocalCluster and on a TCP scheduler are in ``test_sweep_dask.py``.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.cli import main
from logistics.parameters import load_parameters
from logistics.scenarios import load_scenario
from logistics.sweep import (
    SweepError,
    SweepSpecError,
    analyse,
    break_even,
    design,
    load_results,
    load_spec,
    n_points,
    parse_spec,
    run_sweep,
)
from logistics.sweep.spec import _TOP_KEYS
from logistics.sweep.tasks import point_seed
from logistics.sweep.variant import apply_point, hours_text

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "logistics" / "data" / "sweeps"
NP = "crossings.nakhon-phanom-thakhek"


def small(**changes: Any) -> dict[str, Any]:
    """A small valid OD spec as a TOML table (R12 road and sea)."""
    data: dict[str, Any] = {
        "name": "small",
        "seed": 7,
        "design": "sobol",
        "samples": 4,
        "draws": 200,
        "window_h": 120.0,
        "corridor": "bangkok-hanoi",
        "chunk_points": 5,
        "od": [{"from": "Bangkok", "to": "Hanoi", "via": "R12"}],
        "parameters": [
            {"path": f"{NP}.clearance_scale", "range": [0.5, 3.0]},
            {"path": "ports.hai-phong.gate_open_h", "range": [8.0, 24.0]},
        ],
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------- spec


def test_shipped_specs_load() -> None:
    names = sorted(p.stem for p in SWEEPS.glob("*.toml"))
    assert {"r12-sobol", "r12-breakeven", "r12-intensity", "demo-fleet"} <= set(names)
    sobol = load_spec(SWEEPS / "r12-sobol.toml")
    assert sobol.design == "sobol" and n_points(sobol) == sobol.samples * (6 + 2)
    assert {p.path.split(".")[1] for p in sobol.parameters} == {
        "nakhon-phanom-thakhek",
        "na-phao-cha-lo",
    }
    be = load_spec(SWEEPS / "r12-breakeven.toml")
    assert be.breakeven is not None and be.window_h == 120.0
    fleet = load_spec(SWEEPS / "demo-fleet.toml")
    assert fleet.kind == "fleet" and n_points(fleet) == 4 and fleet.shipments == "demo"
    phased = load_spec(SWEEPS / "r12-intensity.toml")
    assert phased.target_scenario == "full-integration" and phased.breakeven is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": "x"}, "seed"),
        ({"design": "taguchi"}, "design"),
        ({"samples": 0}, "samples"),
        ({"draws": 0}, "draws"),
        ({"draws": 100_001}, "draws"),
        ({"window_h": 1e9}, "window_h"),
        ({"colour": "red"}, "colour"),
        ({"window_h": -5}, "window_h"),
        ({"modes": ["road", "air"]}, "modes"),
        ({"base_scenario": "no-such-scenario"}, "base_scenario"),
        ({"od": []}, "od"),
        ({"od": [{"from": "Bangkok"}]}, "od[0].to"),
        ({"parameters": []}, "parameters"),
        ({"parameters": [{"path": "crossings.nowhere.open_h", "range": [1, 2]}]}, "parameters[0]"),
        ({"parameters": [{"path": f"{NP}.colour", "range": [1, 2]}]}, "parameters[0].path"),
        ({"parameters": [{"path": "general.warp_speed", "range": [1, 2]}]}, "parameters[0]"),
        ({"parameters": [{"path": "depart_h", "range": [5, 1]}]}, "parameters[0].range"),
        ({"parameters": [{"path": "depart_h"}]}, "parameters[0]"),
        ({"parameters": [{"path": "opening_hours", "range": [1, 2]}]}, "parameters[0].range"),
        ({"parameters": [{"path": "opening_hours", "values": ["25:00-26:00"]}]}, "values"),
        ({"parameters": [{"path": "axle_loads", "values": ["heavy"]}]}, "parameters[0].values"),
        ({"breakeven": {"parameter": "depart_h"}}, "breakeven.parameter"),
        ({"shipments": "demo"}, "shipments"),
    ],
)
def test_bad_specs_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(SweepSpecError) as err:
        parse_spec(small(**changes))
    message = str(err.value)
    assert "\n" not in message and field in message and "allowed" in message


def test_seed_and_samples_are_required_and_fleet_keys_are_checked() -> None:
    data = small()
    del data["seed"]
    with pytest.raises(SweepSpecError, match="seed is missing"):
        parse_spec(data)
    data = small()
    del data["samples"]
    with pytest.raises(SweepSpecError, match="samples is missing"):
        parse_spec(data)
    with pytest.raises(SweepSpecError, match="draws"):
        fleet = {**small(), "kind": "fleet"}
        del fleet["od"]
        parse_spec(fleet)


def test_bad_spec_on_the_command_line_is_one_line(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text('seed = 1\ndesign = "grid"\n[[parameters]]\npath = "nowhere"\nrange = [0, 1]\n')
    assert main(["sweep", "--spec", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "parameters[0].path" in err
    spec.write_text("seed = [")
    assert main(["sweep", "--spec", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "invalid TOML" in capsys.readouterr().err
    spec.write_text("seed = " + "[" * 5000 + "]" * 5000)  # no RecursionError
    assert main(["sweep", "--spec", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nested" in err
    assert not (tmp_path / "o").exists()


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(-3, 30), st.floats(-1, 30), st.text(max_size=6)), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(
    base=st.dictionaries(st.sampled_from((*_TOP_KEYS, "other")), _values, max_size=6),
    param=st.dictionaries(
        st.sampled_from(("path", "range", "values", "step")),
        st.one_of(
            _values,
            st.sampled_from(
                (
                    "depart_h",
                    "intensity",
                    f"{NP}.open_h",
                    "general.break_h",
                    "axle_loads",
                    "lanes.a.b.c",
                    "crossings.*.through_trucking",
                )
            ),
        ),
        max_size=3,
    ),
)
def test_fuzzed_specs_load_or_fail_with_one_line(
    base: dict[str, Any], param: dict[str, Any]
) -> None:
    data = {**small(), **base}
    data["parameters"] = [param]
    try:
        spec = parse_spec(data)
    except SweepSpecError as exc:
        assert "\n" not in str(exc).strip()
    else:
        assert spec.parameters[0].path == param["path"]


def test_command_line_run_and_rerun(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(
        'seed = 4\ndesign = "grid"\nlevels = 2\ndraws = 100\ncorridor = "bangkok-hanoi"\n'
        'modes = ["road"]\n[[od]]\nfrom = "Bangkok"\nto = "Hanoi"\nvia = "R12"\n'
        '[[parameters]]\npath = "depart_h"\nrange = [0, 24]\n'
    )
    argv = ["sweep", "--spec", str(spec), "--out", str(tmp_path / "o"), "--workers", "0"]
    assert main([*argv, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["points"] == 2 and out["rows"] == 2 and out["computed_chunks"] == 1
    assert main(argv) == 0
    assert "0 of 1 chunks computed" in capsys.readouterr().out
    assert main([*argv[:-2], "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler or --workers" in capsys.readouterr().err


# --------------------------------------------------------------------------- design


def test_designs_are_seeded_and_sized() -> None:
    spec = parse_spec(small())
    a, X = design(spec)
    b, _ = design(spec)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == n_points(spec) == 4 * (2 + 2) and X.shape == (16, 2)
    assert a[f"{NP}.clearance_scale"].between(0.5, 3.0).all()
    grid = parse_spec(
        small(
            design="grid",
            levels=3,
            parameters=[
                {"path": "depart_h", "range": [48.0, 0.0]},
                {"path": "axle_loads", "values": ["strictest", "harmonized"]},
            ],
        )
    )
    g, _ = design(grid)
    assert len(g) == 6 and list(g["depart_h"].unique()) == [48.0, 24.0, 0.0]
    assert set(g["axle_loads"]) == {"strictest", "harmonized"}
    lhs, _ = design(parse_spec(small(design="lhs", samples=10)))
    morris, _ = design(parse_spec(small(design="morris", samples=3)))
    assert len(lhs) == 10 and len(morris) == 3 * 3


def test_point_seeds_come_from_the_spec_and_the_index() -> None:
    spec = parse_spec(small())
    seeds = {point_seed(spec, i) for i in range(50)}
    assert len(seeds) == 50 and point_seed(spec, 3) == point_seed(parse_spec(small()), 3)
    assert point_seed(parse_spec(small(seeding="common")), 3) == 7


# --------------------------------------------------------------------------- variants


def test_hours_text() -> None:
    assert hours_text(16) == "06:00-22:00"
    assert hours_text(24) == hours_text(23.995) == "24h"
    assert hours_text(22) == "03:00-01:00"  # past midnight
    assert hours_text(0) == "closed"


def test_apply_point_changes_what_the_path_names() -> None:
    base, params = load_scenario("status-quo"), load_parameters()
    sc, p, shift = apply_point(
        base,
        params,
        {
            f"{NP}.clearance_scale": 2.0,
            f"{NP}.open_h": 24.0,
            "lanes.laem-chabang.hai-phong.sailings_per_week": 7.0,
            "general.break_h": 1.0,
            "single_window_cut": 0.25,
            "depart_h": 30.0,
        },
    )
    table = params.border("nakhon-phanom-thakhek", "TH", "LA")
    rule = sc.border_rule(p, "nakhon-phanom-thakhek", "TH", "LA")
    assert rule.exit_clearance.median_h == pytest.approx(table.exit_clearance.median_h * 2 * 0.75)
    assert rule.exit_hours.intervals == ((0.0, 168.0),)
    other = sc.border_rule(p, "na-phao-cha-lo", "LA", "VN")
    table_other = params.border("na-phao-cha-lo", "LA", "VN").exit_clearance
    assert other.exit_clearance.p90_h == pytest.approx(table_other.p90_h * 0.75)
    assert p.sailings_per_week("laem-chabang", "hai-phong") == 7.0
    assert sc.general_value(p, "break_h") == 1.0 and shift == 30.0
    assert base.general == {} and params.border("nakhon-phanom-thakhek", "TH", "LA") == table


def test_intensity_phases_a_scenario_in() -> None:
    base, target, params = (
        load_scenario("status-quo"),
        load_scenario("full-integration"),
        load_parameters(),
    )
    key = ("nakhon-phanom-thakhek", "TH", "LA")
    rules = []
    for t in (0.0, 0.5, 1.0):
        sc, p, _ = apply_point(base, params, {"intensity": t}, target)
        rules.append(sc.border_rule(p, *key))
    a, b = base.border_rule(params, *key), target.border_rule(params, *key)
    assert rules[0].exit_clearance.median_h == pytest.approx(a.exit_clearance.median_h)
    assert rules[2].exit_clearance.median_h == pytest.approx(b.exit_clearance.median_h)
    mid = (a.exit_clearance.p90_h + b.exit_clearance.p90_h) / 2
    assert rules[1].exit_clearance.p90_h == pytest.approx(mid)
    assert a.through_trucking != b.through_trucking  # switched, not phased: the base's below 1
    assert [r.through_trucking for r in rules] == [a.through_trucking] * 2 + [b.through_trucking]
    assert rules[1].exit_hours == a.exit_hours and rules[2].exit_hours == b.exit_hours
    with pytest.raises(SweepSpecError, match="target_scenario"):
        parse_spec(small(parameters=[{"path": "intensity", "range": [0.0, 1.0]}]))
    with pytest.raises(SweepSpecError, match=r"parameters\[0\]\.range"):
        parse_spec(
            small(
                target_scenario="full-integration",
                parameters=[{"path": "intensity", "range": [0.0, 2.0]}],
            )
        )


# --------------------------------------------------------------------------- runs (in process)


def test_serial_run_rows_failures_and_provenance(tmp_path: Path) -> None:
    data = small(
        design="grid",
        levels=2,
        parameters=[{"path": f"{NP}.exit_clearance_median_h", "range": [0.5, 10.0]}],
    )
    spec = parse_spec(data)
    info = run_sweep(spec, tmp_path, workers=0)
    df = load_results(tmp_path)
    assert info["points"] == 2 and len(df) == 2 * 2 and info["failed_rows"] == 1
    bad = df[df["error"] != ""]  # a median above the table's P90: the road fails, not the sea
    assert list(bad["mode"]) == ["road"] and bad[f"{NP}.exit_clearance_median_h"].eq(10.0).all()
    assert bad["error"].str.contains("P90").all() and bad["p90_h"].isna().all()
    assert df.loc[df["point"] == 1, "winner"].eq("").all()  # no winner from a partial comparison
    good = df[df["point"] == 0]
    assert set(good["mode"]) == {"road", "sea"} and good["winner"].eq("road").all()
    assert good["p90_h"].gt(good["p50_h"]).all()
    meta = json.loads((tmp_path / "sweep.json").read_text())
    assert meta["spec_sha256"] == spec.sha256() and meta["seed"] == 7
    assert meta["status"] == "complete" and "SALib" in meta["versions"]
    assert meta["sources"]["border_parameters"] and meta["base_scenario"]["name"] == "status-quo"
    other = parse_spec({**data, "seed": 8})
    with pytest.raises(SweepError, match="another spec"):
        run_sweep(other, tmp_path, workers=0)


def test_sobol_indices_rank_what_the_route_crosses(tmp_path: Path) -> None:
    spec = parse_spec(small(samples=16, seeding="common"))
    run_sweep(spec, tmp_path, workers=0)
    written = analyse(spec, tmp_path)
    assert (tmp_path / "tornado.png").stat().st_size > 1000
    idx = pd.read_csv(written["indices"]).set_index(["output", "parameter"])
    road = "Bangkok->Hanoi via R12|road|p90_h"
    st_clearance = idx.loc[(road, f"{NP}.clearance_scale"), "ST"]
    st_port = idx.loc[(road, "ports.hai-phong.gate_open_h"), "ST"]
    assert st_clearance > 0.5 and abs(st_port) < 1e-9  # the road never calls at Hai Phong
    assert idx.loc[(road, f"{NP}.clearance_scale"), "ST_conf"] > 0
    sea = idx.xs("Bangkok->Hanoi via R12|sea|cost_usd_per_t", level="output")
    assert sea["note"].str.contains("does not vary").all()


def test_morris_indices(tmp_path: Path) -> None:
    spec = parse_spec(small(design="morris", samples=4, seeding="common"))
    run_sweep(spec, tmp_path, workers=0)
    idx = pd.read_csv(analyse(spec, tmp_path)["indices"])
    road = idx[idx["output"] == "Bangkok->Hanoi via R12|road|p90_h"].set_index("parameter")
    assert road.loc[f"{NP}.clearance_scale", "mu_star"] > 0
    assert road.loc["ports.hai-phong.gate_open_h", "mu_star"] == 0


def test_break_even_never_and_why(tmp_path: Path) -> None:
    spec = parse_spec(
        small(
            design="grid",
            levels=3,
            seeding="common",
            parameters=[{"path": "crossings.*.clearance_scale", "range": [1.0, 0.1]}],
            breakeven={"parameter": "crossings.*.clearance_scale", "criterion": "road-cheaper"},
        )
    )
    run_sweep(spec, tmp_path, workers=0)
    written = analyse(spec, tmp_path)
    answer = json.loads((tmp_path / "breakeven.json").read_text())
    assert answer == json.loads(json.dumps(written["answer"]))
    assert not answer["found"] and answer["value"] is None
    assert "road stays dearer per tonne" in answer["message"]
    curve = pd.read_csv(tmp_path / "breakeven.csv")
    assert list(curve["value"]) == [1.0, 0.55, 0.1]
    assert (curve["road_cost_usd_per_t"] > curve["sea_cost_usd_per_t"]).all()
    assert curve["road_p90_h"].is_monotonic_decreasing
    assert (tmp_path / "breakeven.png").stat().st_size > 1000


def test_break_even_interpolates_on_time(tmp_path: Path) -> None:
    spec = parse_spec(
        small(
            design="grid",
            levels=3,
            parameters=[{"path": "depart_h", "range": [0.0, 2.0]}],
            breakeven={"parameter": "depart_h", "criterion": "on-time", "target": 0.5},
        )
    )
    rows = []
    for point, (value, p_road) in enumerate([(0.0, 0.2), (1.0, 0.4), (2.0, 0.8)]):
        for mode, p in (("road", p_road), ("sea", 0.0)):
            rows.append(
                {
                    "point": point,
                    "od": 0,
                    "depart_h": value,
                    "mode": mode,
                    "p90_h": 1.0,
                    "on_time_probability": p,
                    "cost_usd_per_t": 1.0,
                    "winner": "road",
                    "error": "",
                }
            )
    curve, answer = break_even(spec, pd.DataFrame(rows))
    assert answer["found"] and not answer["already"]
    assert answer["value"] == pytest.approx(1.25)  # 0.4 -> 0.8 between 1 and 2: 0.5 at 1.25
    assert list(curve["holds"]) == [False, False, True]


def test_resume_computes_only_missing_chunks(tmp_path: Path) -> None:
    spec = parse_spec(small(chunk_points=4))
    run_sweep(spec, tmp_path / "full", workers=0)
    run_sweep(spec, tmp_path / "part", workers=0)
    parts = sorted((tmp_path / "part" / "results").glob("part-*.parquet"))
    assert len(parts) == 4
    for p in parts[1::2]:
        p.unlink()
    info = run_sweep(spec, tmp_path / "part", workers=0)
    assert info["computed_chunks"] == 2 and info["chunks"] == 4
    for p in parts:
        assert p.read_bytes() == (tmp_path / "full" / "results" / p.name).read_bytes()


def tiny_fleet_spec(tmp_path: Path) -> Path:
    """Two shipments Thailand -> Viet Nam, one vehicle type, two through-trucking variants."""
    (tmp_path / "shipments.csv").write_text(
        "shipment_id,origin_name,origin_lat,origin_lon,destination_name,destination_lat,"
        "destination_lon,ready_time,earliest_delivery,latest_delivery,weight_t,pallets,teu,"
        "value_usd,lateness_cost_usd_per_h\n"
        "S1,Amata City,13.42,101.03,Bac Ninh,21.2,105.95,2026-03-02 14:00,2026-03-06 11:00,"
        "2026-03-06 15:00,5.2,13,0,172400,200\n"
        "S2,Ayutthaya,14.33,100.63,Bac Ninh,21.2,105.95,2026-03-02 09:00,2026-03-06 00:00,"
        "2026-03-06 04:00,3.4,9,0,118300,50\n"
    )
    (tmp_path / "fleet.csv").write_text(
        "vehicle_type,depot_name,depot_lat,depot_lon,count,capacity_weight_t,capacity_pallets,"
        "capacity_teu,cost_per_km_usd,cost_per_h_usd,fixed_cost_usd,crew,country,"
        "cross_border_permit\n"
        "semi-trailer CBTA,Bangkok Lat Krabang,13.72,100.77,2,36,33,2,1.0,8,150,double,TH,yes\n"
    )
    spec_file = tmp_path / "fleet.toml"
    spec_file.write_text(
        'kind = "fleet"\nseed = 1\ndesign = "grid"\nshipments = "shipments.csv"\n'
        'fleet = "fleet.csv"\nbudget = 5\ncorridor = "bangkok-hanoi"\nchunk_points = 1\n'
        '[[parameters]]\npath = "through_trucking"\nvalues = [false, true]\n'
    )
    return spec_file


def test_fleet_sweep_one_solve_per_point(tmp_path: Path) -> None:
    spec_file = tiny_fleet_spec(tmp_path)
    spec = load_spec(spec_file)
    info = run_sweep(spec, tmp_path / "out", workers=0)
    df = load_results(tmp_path / "out")
    assert info["chunks"] == 2 and list(df["through_trucking"]) == [False, True]
    assert (df["error"] == "").all() and (df["served"] + df["dropped"] == 2).all()
    assert df.loc[1, "served"] == 2 and df.loc[1, "cost_usd"] > 0
    assert tomllib.loads(spec_file.read_text())["budget"] == spec.budget
    assert not math.isnan(df.loc[1, "km"]) and np.isfinite(df["cost_usd"]).all()
