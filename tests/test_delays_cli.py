"""`corridor scenario|itinerary|compare|delays export` through the real command-line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import networks
from logistics.cli import main


@pytest.fixture(scope="module")
def graph():
    return networks.load_network("all")


@pytest.fixture
def cached_network(graph, monkeypatch):
    """Load the real network once for the module (the CLI calls networks.load_network)."""
    monkeypatch.setattr(networks, "load_network", lambda *a, **k: graph)
    return graph


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scenario_list_show_diff(capsys) -> None:
    code, out, _ = run(capsys, "scenario", "list")
    assert code == 0 and out.splitlines()[0].startswith("status-quo")
    code, out, _ = run(capsys, "scenario", "list", "--format", "json")
    assert len(json.loads(out)["scenarios"]) == 7
    code, out, _ = run(capsys, "scenario", "show", "single-window")
    assert code == 0 and "single_window_cut    0.3" in out and "assumption" in out
    code, out, _ = run(capsys, "scenario", "diff", "status-quo", "24h-borders", "--format", "json")
    diff = json.loads(out)
    assert diff["schema_version"] == 1
    assert diff["differences"] == [  # 24 h operations open borders and port gates
        {"key": "opening_hours", "a": None, "b": "24h"},
        {"key": "ports.*.gate_hours", "a": None, "b": "24h"},
    ]
    code, out, _ = run(capsys, "scenario", "diff", "status-quo", "through-trucking")
    assert "through_trucking" in out


def test_unknown_scenario_is_a_clear_error(capsys) -> None:
    code, out, err = run(capsys, "scenario", "show", "24-borders")
    assert code == 2 and out == ""
    assert "unknown scenario '24-borders'; available: 24h-borders" in err
    assert "Traceback" not in err


def test_itinerary_json(capsys, cached_network, tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    code, out, err = run(
        capsys,
        "itinerary",
        "--from", "Bangkok",
        "--to", "Hanoi",
        "--via", "R12",
        "--depart", "2026-03-02 18:00",
        "--scenario", "status-quo",
        "--draws", "300",
        "--window-h", "72",
        "--chart", str(chart),
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    for key in (
        "p50_h",
        "p90_h",
        "p95_h",
        "cost_usd",
        "co2_kg",
        "on_time_probability",
        "crossings",
        "events",
        "median_walk_h",
        "travel_time_h",
        "countries",
    ):
        assert key in d
    assert [c["id"] for c in d["crossings"]] == ["nakhon-phanom-thakhek", "na-phao-cha-lo"]
    assert {"id", "wait_h", "clearance_h", "transload_h"} <= set(d["crossings"][0])
    assert d["events"][0]["activity"] == "drive" and d["events"][0]["start"].endswith("+07:00")
    assert d["depart_assumed_local"] is True and d["notes"]
    assert 0.0 <= d["on_time_probability"] <= 1.0
    assert chart.read_bytes()[:4] == b"\x89PNG"


def test_itinerary_table_and_errors(capsys, cached_network) -> None:
    base = ["itinerary", "--from", "Singapore", "--to", "Bangkok", "--draws", "100"]
    code, out, _ = run(capsys, *base, "--depart", "2026-03-02 08:00", "--crew", "double")
    assert code == 0 and ("woodlands-johor-bahru" in out or "tuas-second-link" in out)
    assert "SGT" in out and "P90" in out and "walk at median delays" in out
    assert "Monte Carlo over 100 draws" in out and "P50" in out
    code, _, err = run(capsys, *base, "--depart", "next tuesday")
    assert code == 2 and "departure 'next tuesday' is not a date-time" in err
    code, _, err = run(capsys, *base, "--depart", "2026-03-02 08:00", "--scenario", "nope")
    assert code == 2 and "unknown scenario 'nope'" in err


def test_itinerary_through_a_closed_crossing(capsys, cached_network, tmp_path: Path) -> None:
    path = tmp_path / "closed.toml"
    path.write_text('[crossings."na-phao-cha-lo"]\nopening_hours = "closed"\n', encoding="utf-8")
    code, _, err = run(
        capsys, "itinerary", "--from", "Bangkok", "--to", "Hanoi", "--via", "R12",
        "--depart", "2026-03-02 18:00", "--scenario", str(path),
    )  # fmt: skip
    assert code == 2 and "crossing 'na-phao-cha-lo' (LA->VN) never opens" in err


def test_compare_json(capsys, cached_network) -> None:
    code, out, err = run(
        capsys, "compare", "--from", "Bangkok", "--to", "Hanoi", "--via", "R9",
        "--scenarios", "status-quo,24h-borders", "--window-h", "96", "--draws", "200",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert [(r["scenario"], r["mode"]) for r in rows] == [
        ("status-quo", "road"),
        ("status-quo", "sea"),
        ("24h-borders", "road"),
        ("24h-borders", "sea"),
    ]
    for key in ("p50_h", "p90_h", "p95_h", "cost_usd", "co2_kg", "on_time_probability", "winner"):
        assert key in rows[0]
    assert rows[0]["crossings"] == [
        {"id": "mukdahan-savannakhet", "from_country": "TH", "to_country": "LA"},
        {"id": "dansavanh-lao-bao", "from_country": "LA", "to_country": "VN"},
    ]
    assert rows[0]["countries"] == ["TH", "LA", "VN"] and rows[0]["travel_time_h"] > 0
    assert rows[1]["mode"] == "sea" and rows[1]["ports"] and "id" in rows[1]["ports"][0]


def test_compare_over_every_hour_of_a_week(capsys, cached_network) -> None:
    """``--departures week``: 168 hourly departures; through-trucking is never slower than the
    status quo (a permit only adds options), and the summary says how often it is faster."""
    code, out, err = run(
        capsys, "compare", "--from", "Bangkok", "--to", "Hanoi", "--via", "R8",
        "--scenarios", "status-quo,through-trucking", "--departures", "week",
        "--draws", "20", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["schema_version"] >= 1
    departs = {r["depart"] for r in data["departures"]}
    assert len(departs) == 168 and len(data["departures"]) == 168 * 2 * 2
    summary = {(r["scenario"], r["mode"]): r for r in data["summary"]}
    tt = summary[("through-trucking", "road")]
    assert tt["departures"] == 168 and tt["baseline"] == "status-quo"
    assert tt["slower_share"] == 0.0 and tt["worst_h"] <= 0.0
    assert 0.0 < tt["faster_share"] <= 1.0
    assert tt["p50_h_min"] <= tt["p50_h_median"] <= tt["p50_h_max"]


def test_compare_needs_od_or_fleet(capsys) -> None:
    code, _, err = run(capsys, "compare", "--scenarios", "status-quo")
    assert code == 2 and "--from and --to" in err


def test_compare_fleet_arguments_are_parsed() -> None:
    from logistics.cli import build_parser

    args = build_parser().parse_args(
        ["compare", "--shipments", "s.csv", "--fleet", "f.csv", "--scenarios", "a,b",
         "--time-limit", "5", "--out", "outdir", "--seed", "3"]
    )  # fmt: skip
    assert (args.shipments, args.fleet, args.time_limit, args.out, args.seed) == (
        "s.csv",
        "f.csv",
        5.0,
        "outdir",
        3,
    )
    assert build_parser().parse_args(["compare", "--demo"]).demo is True


def test_delays_export(capsys, tmp_path: Path) -> None:
    out = tmp_path / "d.csv"
    code, _, err = run(
        capsys, "delays", "export", "--scenario", "status-quo,single-stop", "--format", "csv",
        "--out", str(out), "--draws", "100", "--no-routes",
    )  # fmt: skip
    assert code == 0, err
    assert out.exists() and (tmp_path / "d.csv.json").exists()
    meta = json.loads((tmp_path / "d.csv.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in meta["scenarios"]] == ["status-quo", "single-stop"] and meta[
        "draws"
    ] == 100
    with pytest.raises(SystemExit) as info:
        main(["delays", "export", "--scenario", "all", "--format", "xml", "--out", str(out)])
    assert info.value.code == 2 and "invalid choice: 'xml'" in capsys.readouterr().err


def test_compare_defaults_to_every_scenario(capsys, cached_network) -> None:
    code, out, err = run(
        capsys,
        "compare",
        "--from",
        "Kuala Lumpur",
        "--to",
        "Bangkok",
        "--draws",
        "100",
        "--format",
        "json",
    )
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert len({r["scenario"] for r in rows}) == 7
    assert "on_time_probability" not in rows[0]


def test_compare_hands_fleet_arguments_over(monkeypatch, capsys) -> None:
    """--shipments/--demo go to logistics.cli.fleet.run_fleet_compare with the parsed arguments."""
    import logistics.cli.fleet as fleet_cli

    seen = {}

    def fake_run(args) -> int:
        seen.update(vars(args))
        return 0

    monkeypatch.setattr(fleet_cli, "run_fleet_compare", fake_run, raising=False)
    assert main(["compare", "--demo", "--time-limit", "3", "--out", "o"]) == 0
    assert seen["demo"] is True and seen["time_limit"] == 3.0 and seen["out"] == "o"
    assert seen["scenarios"] is None and seen["draws"] is None  # the fleet side picks its defaults


def test_itinerary_medians_only(capsys, cached_network) -> None:
    base = ["itinerary", "--from", "Bangkok", "--to", "Vientiane", "--depart", "2026-03-02 08:00"]
    code, out, err = run(capsys, *base, "--draws", "0", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert "p50_h" not in d and "draws" not in d and d["median_walk_h"] > 0
    code, out, _ = run(capsys, *base, "--draws", "0")
    assert code == 0 and "Monte Carlo: not run (--draws 0)" in out and "P50" not in out
    assert "walk at median delays" in out
    code, _, err = run(capsys, *base, "--draws", "0", "--window-h", "24")
    assert code == 2 and "window 24.0 needs Monte Carlo draws" in err
    code, _, err = run(capsys, *base, "--draws", "-5")
    assert code == 2 and "draws" in err and "-5" in err


def test_draws_default_is_the_shared_one(capsys, cached_network) -> None:
    from logistics.defaults import DRAWS_ANALYSIS

    code, out, err = run(
        capsys, "itinerary", "--from", "Bangkok", "--to", "Vientiane",
        "--depart", "2026-03-02 08:00", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["draws"] == DRAWS_ANALYSIS


def test_itinerary_chart_that_is_a_link_is_refused_first(capsys, tmp_path: Path) -> None:
    real = tmp_path / "real.png"
    real.write_bytes(b"keep")
    link = tmp_path / "chart.png"
    link.symlink_to(real)
    code, _, err = run(
        capsys, "itinerary", "--from", "Bangkok", "--to", "Vientiane",
        "--depart", "2026-03-02 08:00", "--chart", str(link),
    )  # fmt: skip
    assert code == 2 and err.startswith("corridor itinerary: error: --chart: bad value")
    assert "a symbolic link" in err and real.read_bytes() == b"keep" and link.is_symlink()
