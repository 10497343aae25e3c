"""One output schema: real command output validates against the shipped JSON Schema files, and
the same concept has the same field names and types in ``route``, ``itinerary``, ``compare`` and
the plan files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import networks
from logistics.cli import main
from logistics.schema import SCHEMA_VERSION, SCHEMAS, schema

jsonschema = pytest.importorskip("jsonschema")

OD = ["--from", "Bangkok", "--to", "Hanoi", "--via", "R12"]
CROSSINGS_R12 = [
    {"id": "nakhon-phanom-thakhek", "from_country": "TH", "to_country": "LA"},
    {"id": "na-phao-cha-lo", "from_country": "LA", "to_country": "VN"},
]
SHIPMENTS = (
    "shipment_id,origin,destination,ready_time,earliest_delivery,latest_delivery,"
    "weight_t,pallets\n"
    "S1,Laem Chabang,Bangkok,2026-03-02 08:00,2026-03-02 12:00,2026-03-02 20:00,8,10\n"
    "S3,Bangkok,Vientiane,2026-03-02 06:00,2026-03-03 06:00,2026-03-04 18:00,6,12\n"
)
FLEET = (
    "vehicle_type,depot,count,capacity_weight_t,capacity_pallets,cost_per_km_usd,"
    "cost_per_h_usd,fixed_cost_usd,crew,country,cross_border_permit\n"
    "semi,Bangkok,2,30,33,0.9,6,120,single,TH,no\n"
    "semi,Vientiane,1,30,33,1.0,5,110,single,LA,no\n"
)
FAST = ["--budget", "10", "--draws", "16", "--workers", "1"]


@pytest.fixture(scope="module")
def graph() -> Any:
    return networks.load_network("all")


@pytest.fixture
def cached_network(graph: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(networks, "load_network", lambda *a, **k: graph)
    return graph


@pytest.fixture(autouse=True, scope="module")
def _small_check_budget() -> Iterator[None]:
    """A small budget of OR-Tools checks per search (work, not seconds) for the tiny fleet runs."""
    from logistics.fleet import search as fleet_search

    engine = fleet_search._engine

    def small(settings: Any, solutions: int, **kw: Any) -> Any:
        return replace(engine(settings, solutions, **kw), ls_checks=50_000)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fleet_search, "_engine", small)
        yield


def _valid(name: str, data: Any) -> Any:
    jsonschema.Draft202012Validator.check_schema(schema(name))
    jsonschema.validate(data, schema(name), cls=jsonschema.Draft202012Validator)
    assert data["schema_version"] == SCHEMA_VERSION
    return data


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_every_schema_ships_and_is_valid() -> None:
    for name in SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(schema(name))
    with pytest.raises(KeyError, match="schema: bad value 'nope'; allowed: route"):
        schema("nope")


def test_route_itinerary_and_compare_share_field_names_and_types(
    capsys: pytest.CaptureFixture[str], cached_network: Any
) -> None:
    route = _valid("route", _json(capsys, "route", *OD, "--format", "json"))
    depart = ["--depart", "2026-03-02 18:00"]
    it = _valid("itinerary", _json(capsys, "itinerary", *OD, *depart, "--draws", "50",
                                   "--window-h", "96", "--format", "json"))  # fmt: skip
    walk = _valid("itinerary", _json(capsys, "itinerary", *OD, *depart, "--draws", "0",
                                     "--format", "json"))  # fmt: skip
    cmp = _valid("compare-od", _json(capsys, "compare", *OD, "--scenarios", "status-quo",
                                     "--draws", "50", "--format", "json"))  # fmt: skip
    road = next(r for r in cmp["rows"] if r["mode"] == "road")
    for doc in (route, it, walk, road):
        keys = ("id", "from_country", "to_country")
        assert [{k: c[k] for k in keys} for c in doc["crossings"]] == CROSSINGS_R12
        assert doc["countries"] == ["TH", "LA", "VN"]
        assert doc["travel_time_h"] == route["travel_time_h"]  # free flow, the same figure
        assert doc["distance_km"] == pytest.approx(route["distance_km"], abs=0.1)
    # the walk at median delays and the Monte Carlo are told apart
    assert it["median_walk_h"] == walk["median_walk_h"] and "p50_h" in it
    assert "p50_h" not in walk and "hours" not in it
    sea = next(r for r in cmp["rows"] if r["mode"] == "sea")
    assert all(set(p) == {"id"} for p in sea["ports"]) and sea["ports"]


def test_scenario_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    listed = _valid("scenario-list", _json(capsys, "scenario", "list", "--format", "json"))
    assert "status-quo" in [s["name"] for s in listed["scenarios"]]
    _valid("scenario", _json(capsys, "scenario", "show", "status-quo", "--format", "json"))
    diff = _json(capsys, "scenario", "diff", "status-quo", "24h-borders", "--format", "json")
    assert _valid("scenario-diff", diff)["differences"]


def test_network_info_and_delays_sidecar(
    capsys: pytest.CaptureFixture[str], cached_network: Any, tmp_path: Path
) -> None:
    info = _valid("network-info", _json(capsys, "network", "info", "--format", "json"))
    assert all("id" in c for c in info["crossings"]) and all("id" in p for p in info["ports"])
    out = tmp_path / "d.geojson"
    code = main(["delays", "export", "--format", "geojson", "--out", str(out), "--draws", "20",
                 "--no-routes"])  # fmt: skip
    assert code == 0
    _valid("delays-sidecar", json.loads((tmp_path / "d.geojson.json").read_text()))
    assert json.loads(out.read_text())["schema_version"] == SCHEMA_VERSION


def test_plan_files_and_fleet_compare(
    capsys: pytest.CaptureFixture[str], cached_network: Any, tmp_path: Path
) -> None:
    s, f = tmp_path / "s.csv", tmp_path / "f.csv"
    s.write_text(SHIPMENTS)
    f.write_text(FLEET)
    inputs = ["--shipments", str(s), "--fleet", str(f)]
    printed = _json(capsys, "optimize", *inputs, *FAST, "--out", str(tmp_path / "p"),
                    "--format", "json")  # fmt: skip
    _valid("plan-kpis", printed)
    assert _valid("plan-kpis", json.loads((tmp_path / "p" / "kpis.json").read_text())) == printed
    _valid("plan-geojson", json.loads((tmp_path / "p" / "routes.geojson").read_text()))
    rows = _json(capsys, "compare", *inputs, *FAST, "--scenarios", "status-quo,through-trucking",
                 "--out", str(tmp_path / "c"), "--format", "json")  # fmt: skip
    _valid("fleet-compare", rows)
    _valid("comparison-kpis", json.loads((tmp_path / "c" / "kpis.json").read_text()))
    for name in ("status-quo", "through-trucking"):
        _valid("plan-kpis", json.loads((tmp_path / "c" / name / "kpis.json").read_text()))
