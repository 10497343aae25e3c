"""`corridor optimize` and `corridor compare --shipments` end to end on a tiny hand-written input
(work budgets, offline), and bad input: exit 2 with one line naming the flag or field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from logistics.cli import main
from logistics.fleet import SolverSettings

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
#: Small work budgets: ``--budget`` counts phase-2 solutions; one worker leaves a core free.
FAST = ["--budget", "10", "--draws", "16", "--workers", "1"]
PLAN_FILES = {
    "routes.csv",
    "legs.csv",
    "routes.geojson",
    "shipments.csv",
    "vehicles.csv",
    "kpis.json",
}


@pytest.fixture(autouse=True, scope="module")
def _small_check_budget() -> Iterator[None]:
    """A smaller work budget of OR-Tools checks per search (still work, never seconds): the
    engine's default lets a tiny instance with an empty neighbourhood search for seconds."""
    from logistics.fleet import search as fleet_search

    engine = fleet_search._engine

    def small(settings: SolverSettings, solutions: int, **kw: Any) -> Any:
        return replace(engine(settings, solutions, **kw), ls_checks=50_000)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fleet_search, "_engine", small)
        yield


@pytest.fixture()
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    s, f = tmp_path / "shipments.csv", tmp_path / "fleet.csv"
    s.write_text(SHIPMENTS)
    f.write_text(FLEET)
    return s, f


def _one_line_error(capsys: pytest.CaptureFixture[str], command: str, starts: str) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err, err
    assert err.startswith(f"corridor {command}: error: {starts}"), err
    return err


def test_optimize_writes_routes_legs_results_and_kpis(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    out = tmp_path / "out"
    args = ["optimize", "--shipments", str(s), "--fleet", str(f), "--scenario", "status-quo"]
    assert main([*args, *FAST, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"wrote 6 files to {out}" in text
    assert {p.name for p in out.iterdir()} == PLAN_FILES  # no temporary files left behind
    kpis = json.loads((out / "kpis.json").read_text())
    for key in ("cost_usd", "vehicles_used", "on_time_rate", "dropped", "road_share", "sea_share"):
        assert key in kpis
    assert kpis["shipments"] == 3 and kpis["stopped_by"] == "budget"
    assert kpis["solver"]["settings"]["phase2_solutions"] == 10
    assert kpis["objective_lower_bound_usd"] <= kpis["objective_usd"]
    table = pd.read_csv(out / "shipments.csv").set_index("shipment_id")
    assert (table["status"] == "served").all()
    s3 = table.loc["S3"]
    assert s3["legs"] == 2  # TH truck, transload at the bridge, Lao truck
    assert s3["replay_crossings"] == s3["crossings"]
    legs = pd.read_csv(out / "legs.csv")
    assert list(legs[legs["shipment_id"] == "S3"]["leg"]) == [1, 2]
    assert legs["nodes"].str.contains(";").all()  # node paths, ';'-separated
    gj = json.loads((out / "routes.geojson").read_text())
    assert gj["type"] == "FeatureCollection"
    kinds = {feat["geometry"]["type"] for feat in gj["features"]}
    assert kinds == {"LineString", "Point"}
    routes = pd.read_csv(out / "routes.csv")
    assert {"vehicle", "seq", "kind", "shipment_id", "arrival_utc"} <= set(routes.columns)

    # --format json: one JSON document of the KPIs on stdout, the same plan
    out2 = tmp_path / "out2"
    assert main([*args, *FAST, "--out", str(out2), "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["stopped_by"] == "budget" and printed["served"] == 3
    again = json.loads((out2 / "kpis.json").read_text())
    for key in ("cost_usd", "objective_usd", "on_time_rate", "served"):
        assert printed[key] == kpis[key] == again[key]
    assert (out2 / "shipments.csv").read_bytes() == (out / "shipments.csv").read_bytes()
    assert (out2 / "routes.csv").read_bytes() == (out / "routes.csv").read_bytes()


def test_compare_runs_each_scenario_side_by_side(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    out = tmp_path / "cmp"
    argv = ["compare", "--shipments", str(s), "--fleet", str(f)]
    argv += ["--scenarios", "status-quo,through-trucking", *FAST, "--out", str(out)]
    assert main([*argv, "--replicas", "2"]) == 0
    text = capsys.readouterr().out
    assert "status-quo" in text and "through-trucking" in text and str(out) in text
    assert "2 replicas" in text and "within_spread" in text
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == ["status-quo", "through-trucking"]
    assert {"road_share", "sea_share", "on_time_rate", "cost_usd", "stopped_by"} <= set(
        table.columns
    )
    assert {"served_min", "served_median", "served_max", "within_spread"} <= set(table.columns)
    assert (out / "comparison.png").stat().st_size > 1000
    kpis = json.loads((out / "kpis.json").read_text())["scenarios"]
    assert set(kpis) == {"status-quo", "through-trucking"}
    for name in kpis:
        assert {p.name for p in (out / name).iterdir()} == PLAN_FILES
    tt = pd.read_csv(out / "through-trucking" / "shipments.csv").set_index("shipment_id")
    sq = pd.read_csv(out / "status-quo" / "shipments.csv").set_index("shipment_id")
    assert sq.loc["S3", "legs"] == 2
    # through-trucking offers the permitted truck door to door beside the relay (a permit is
    # an option): the plan says which it chose and why; the status quo has only the relay
    assert tt.loc["S3", "status"] == "served" and tt.loc["S3", "legs"] in (1, 2)
    assert "chosen over road" in tt.loc["S3", "reason"]
    assert "only alternative" in sq.loc["S3", "reason"]
    assert table.set_index("scenario").loc["through-trucking", "relaxes"] == "status-quo ok"
    # --format json, without cross-seeding: the rows as one JSON document
    out2 = tmp_path / "cmp2"
    argv[-1] = str(out2)
    assert main([*argv, "--no-cross-seed", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["scenario"] for r in rows] == ["status-quo", "through-trucking"]
    assert all(r["stopped_by"] == "budget" for r in rows)


def test_bad_inputs_exit_2_with_one_clear_line(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    assert main(["optimize", "--shipments", str(s), "--out", str(tmp_path)]) == 2
    assert "--fleet FILE" in _one_line_error(capsys, "optimize", "give --shipments FILE")
    bad = tmp_path / "bad.csv"
    bad.write_text(SHIPMENTS.replace("2026-03-02 20:00", "2026-03-01 20:00"))
    assert (
        main(["optimize", "--shipments", str(bad), "--fleet", str(f), "--out", str(tmp_path)]) == 2
    )
    # one line per problem, under a line naming the file
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "corridor optimize: error: 2 problem(s) in bad.csv:"
    assert lines[1].startswith("  row 1 (shipment 'S1'): latest_delivery '2026-03-01 20:00' is")
    assert len(lines) == 3 and lines[2].startswith("  row 1 (shipment 'S1'): ")
    big = tmp_path / "big.csv"
    big.write_text(SHIPMENTS.replace(",8,10\n", ",80,10\n"))
    assert (
        main(["optimize", "--shipments", str(big), "--fleet", str(f), "--out", str(tmp_path)]) == 2
    )
    err = _one_line_error(capsys, "optimize", "shipments vs fleet: row 1 (shipment 'S1'): ")
    assert "demand larger than every vehicle: weight_t 80 > largest capacity 30" in err
    argv = ["optimize", "--demo", "--scenario", "no-such", "--out", str(tmp_path), *FAST]
    assert main(argv) == 2
    assert "no-such" in _one_line_error(capsys, "optimize", "")


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--budget", "0"),
        ("--time-limit", "0"),
        ("--time-limit", "nan"),
        ("--group-size", "2"),
        ("--workers", "0"),
        ("--seed", "-1"),
        ("--draws", "0"),
    ],
)
@pytest.mark.parametrize("command", ["optimize", "compare"])
def test_bad_solver_flags_name_the_flag(
    command: str, flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, "--demo", "--out", str(tmp_path)]
    if command == "compare":
        argv += ["--scenarios", "status-quo,through-trucking"]
    assert main([*argv, flag, value]) == 2
    err = _one_line_error(capsys, command, f"{flag}: bad value ")
    assert "allowed" in err
    assert not list(tmp_path.iterdir())  # refused before any work


@pytest.mark.parametrize("value", ["0", "-1"])
def test_bad_replicas_flag_names_the_flag(
    value: str, inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    argv = ["compare", "--shipments", str(s), "--fleet", str(f), *FAST]
    argv += ["--scenarios", "status-quo,through-trucking", "--out", str(tmp_path / "cmp")]
    assert main([*argv, "--replicas", value]) == 2
    _one_line_error(capsys, "compare", f"--replicas: bad value {value}")


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/abs", ".hidden"])
def test_scenario_name_that_could_be_a_path_is_refused_before_the_solve(
    name: str, inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, f = inputs
    toml = tmp_path / "evil.toml"
    toml.write_text(f'name = "{name}"\nextends = "status-quo"\n', encoding="utf-8")
    out = tmp_path / "a" / "b" / "cmp"
    argv = ["compare", "--shipments", str(s), "--fleet", str(f), *FAST]
    code = main([*argv, "--scenarios", f"status-quo,{toml}", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "name" in err, err
    assert not out.exists() and not (tmp_path / "escaped").exists()
