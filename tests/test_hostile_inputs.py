"""Hostile and malformed inputs (issue 12): every one ends in a correct result or a clear error.

Each class of input the issue lists is fuzzed with hypothesis: huge, negative and non-finite
values in scenario files, extreme dates, ``#`` inside CSV fields, scenario names that could be
paths, deeply nested TOML, malformed Overpass JSON, decompression bombs, huge fleets and flags.
The assertion is always the same: a result within the documented bounds (``logistics.limits``),
or a ``ValueError`` subclass whose lines name the problem (the CLI: exit 2 and one stderr line),
never another exception. The work is bounded by construction (small inputs, patched limits).
"""

from __future__ import annotations

import bz2
import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics import limits
from logistics.cli import main
from logistics.cli.checks import check_flags
from logistics.parameters import GENERAL_NAMES, ParameterError, load_parameters
from logistics.scenarios import SCENARIO_NAME, ScenarioError, load_scenario, parse_toml
from logistics.shipments import (
    FleetError,
    ShipmentError,
    fleet_from_frame,
    read_fleet,
    read_shipments,
    shipments_from_frame,
)
from networks import road
from networks.road import OSMFileError, RoadNetworkError, check_overpass_json

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

#: Numbers a hostile file may hold, as TOML text: huge, tiny, negative, non-finite, integers
#: beyond 64 bits, and ordinary values.
HOSTILE_NUMBERS = st.one_of(
    st.sampled_from(
        ["1e17", "1e300", "9223372036854775807", "-1", "nan", "inf", "-inf", "0", "-0.0", "1e-300"]
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
DURATION_KEYS = ("documentary_h", "exit_clearance_median_h", "transload_p90_h", "exit_fee_usd")
FACTOR_KEYS = ("clearance_factor", "port_dwell_factor", "single_window_cut", "harmonized_gvw_t")


def _one_line(exc: BaseException) -> None:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text, text


# --------------------------------------------------------------------------- scenario files


@FUZZ
@given(
    section=st.sampled_from(["", '[crossings."*"]', '[ports."*"]', "[general]"]),
    key=st.sampled_from(
        [
            *DURATION_KEYS,
            *FACTOR_KEYS,
            *GENERAL_NAMES,
            "export_dwell_median_h",
            "truck_cost_usd_per_km",
        ]
    ),
    value=HOSTILE_NUMBERS,
)
def test_fuzz_scenario_numbers_bounded_or_refused(
    tmp_path_factory: pytest.TempPathFactory, section: str, key: str, value: str
) -> None:
    path = tmp_path_factory.mktemp("sc") / "hostile.toml"
    path.write_text(f'name = "hostile"\n{section}\n{key} = {value}\n', encoding="utf-8")
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        _one_line(exc)
        return
    # accepted: every number the scenario holds is finite and within its documented bound
    for name, number in sc.general.items():
        lo, _, hi = limits.GENERAL_BOUNDS[name]
        assert lo <= number <= hi
    for item in (*sc.crossings, *sc.ports):
        for name in (*DURATION_KEYS, "export_dwell_median_h"):
            number = getattr(item, name, None)
            if number is not None:
                bound = limits.MAX_USD if name.endswith("_usd") else limits.MAX_DURATION_H
                assert 0 <= number <= bound
    assert 0 < sc.clearance_factor <= limits.MAX_FACTOR
    assert 0 < sc.port_dwell_factor <= limits.MAX_FACTOR


@pytest.mark.parametrize("value", ["0", "0.0", "-25.93", "nan", "1e300"])
def test_sailing_speed_refused_in_parameter_table(tmp_path: Path, value: str) -> None:
    shipped = Path(__file__).resolve().parents[1] / "logistics" / "data" / "general_parameters.csv"
    lines = shipped.read_text(encoding="utf-8").splitlines()
    lines = [
        f"sailing_speed_kph,{value},km/h,test" if ln.startswith("sailing_speed_kph,") else ln
        for ln in lines
    ]
    path = tmp_path / "general.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        ParameterError, match=r"sailing_speed_kph.*must be a finite number >= 1 and <= 100"
    ) as e:
        load_parameters(general=path)
    _one_line(e.value)


@FUZZ
@given(st.text(max_size=40))
def test_fuzz_scenario_names_are_identifiers(tmp_path_factory: pytest.TempPathFactory, name: str):
    path = tmp_path_factory.mktemp("name") / "n.toml"
    path.write_text(f"name = {json.dumps(name)}\n", encoding="utf-8")
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        _one_line(exc)
        return
    assert SCENARIO_NAME.fullmatch(sc.name)
    assert not ({"/", "\\"} & set(sc.name)) and not sc.name.startswith(".")
    assert all(c.isprintable() and not c.isspace() for c in sc.name)
    assert not Path(sc.name).is_absolute() and Path(sc.name).name == sc.name


@pytest.mark.parametrize("name", ["../../x", "/etc/x", "a/b", "a\\\\b", "..", ".", "", "a\\tb"])
def test_path_like_names_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "n.toml"
    path.write_text(f'name = "{name}"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="name: bad value") as e:
        load_scenario(path)
    _one_line(e.value)


@FUZZ
@given(depth=st.integers(min_value=1, max_value=20_000), kind=st.sampled_from(["[", "{a="]))
def test_fuzz_nested_toml(depth: int, kind: str) -> None:
    close = "]" if kind == "[" else "}"
    text = f"x = {kind * depth}1{close * depth}\n"
    try:
        data = parse_toml(text, label="nested.toml")
    except ScenarioError as exc:
        _one_line(exc)
        assert depth >= limits.MAX_TOML_DEPTH
        return
    assert depth < limits.MAX_TOML_DEPTH and "x" in data


def test_nested_toml_beyond_recursion_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text('name = "deep"\nx = ' + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="nesting: bad value") as e:
        load_scenario(path)
    _one_line(e.value)


def test_huge_scenario_file_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text('name = "big"\n' + "# filler\n" * (limits.MAX_SCENARIO_BYTES // 9 + 1))
    with pytest.raises(ScenarioError, match="size: bad value"):
        load_scenario(path)


# --------------------------------------------------------------------------- shipments and fleet

SHIP_HEADER = (
    "shipment_id,origin,destination,ready_time,earliest_delivery,latest_delivery,weight_t,pallets"
)
FLEET_HEADER = (
    "vehicle_type,depot,count,capacity_weight_t,capacity_pallets,cost_per_km_usd,"
    "cost_per_h_usd,fixed_cost_usd,crew,country,cross_border_permit"
)
BKK, HAN = '"13.72,100.77"', '"21.12,105.78"'


def _ship_row(
    *, weight: str = "6.5", ready: str = "2026-03-02 18:00", latest: str = "2026-03-05 12:00"
) -> str:
    return f"S1,{BKK},{HAN},{ready},2026-03-05 08:00,{latest},{weight},12"


@FUZZ
@given(
    left=st.integers(min_value=0, max_value=999),
    right=st.text(alphabet="0123456789# ", min_size=1, max_size=6),
)
def test_fuzz_hash_inside_a_field_never_cuts_the_row(
    tmp_path_factory: pytest.TempPathFactory, left: int, right: str
) -> None:
    text = f"{left}#{right}"
    path = tmp_path_factory.mktemp("hash") / "s.csv"
    path.write_text(f"# a comment line\n{SHIP_HEADER}\n{_ship_row(weight=text)}\n")
    try:
        (s,) = read_shipments(path)
    except ShipmentError as exc:
        assert "weight_t" in str(exc) and repr(text.strip()) in str(exc)
        return
    pytest.fail(f"weight_t {text!r} was read as {s.weight_t}")  # '#' is never a number


@FUZZ
@given(sid=st.text(min_size=1, max_size=120))
def test_fuzz_shipment_ids(sid: str) -> None:
    frame = pd.read_csv(io.StringIO(f"{SHIP_HEADER}\n{_ship_row()}\n"), dtype=str)
    frame.loc[0, "shipment_id"] = sid
    try:
        (s,) = shipments_from_frame(frame)
    except ShipmentError as exc:
        assert all("\n" not in line for line in exc.errors) and len(str(exc)) < 1000
        return
    assert s.shipment_id == sid.strip() and s.shipment_id.isprintable()
    assert 1 <= len(s.shipment_id) <= limits.MAX_ID_CHARS


def test_hash_in_a_text_field_is_data(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    row = _ship_row().replace("S1", "PO#125")
    path.write_text(f"{SHIP_HEADER}\n  # indented comment\n{row}\n", encoding="utf-8")
    (s,) = read_shipments(path)
    assert s.shipment_id == "PO#125" and s.weight_t == 6.5


@FUZZ
@given(
    ready_year=st.integers(min_value=1, max_value=9999),
    latest_year=st.integers(min_value=1, max_value=9999),
)
def test_fuzz_extreme_dates(ready_year: int, latest_year: int) -> None:
    row = _ship_row(ready=f"{ready_year:04d}-03-02 18:00", latest=f"{latest_year:04d}-03-05T12:00Z")
    frame = pd.read_csv(io.StringIO(f"{SHIP_HEADER}\n{row}\n"), dtype=str, keep_default_na=False)
    try:
        (s,) = shipments_from_frame(frame)
    except ShipmentError as exc:
        assert all("\n" not in line for line in exc.errors)
        return
    assert s.ready_utc.year >= limits.MIN_YEAR and s.latest_utc.year <= limits.MAX_YEAR
    assert limits.horizon_h(s.ready_utc, s.latest_utc) <= limits.MAX_HORIZON_H


def test_shipment_set_beyond_the_horizon_refused_at_read() -> None:
    rows = [_ship_row(), _ship_row(latest="2026-06-05 12:00").replace("S1", "S2")]
    frame = pd.read_csv(io.StringIO("\n".join([SHIP_HEADER, *rows])), dtype=str)
    with pytest.raises(ShipmentError, match=r"latest_delivery: bad value.*'S2'.*at most 57 days"):
        shipments_from_frame(frame)


def test_too_many_places_refused_at_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from logistics import shipments

    monkeypatch.setattr(shipments, "MAX_PLACES", 2)
    rows = [_ship_row(), _ship_row().replace("S1", "S2").replace('"21.12,105.78"', '"20,105"')]
    frame = pd.read_csv(io.StringIO("\n".join([SHIP_HEADER, *rows])), dtype=str)
    with pytest.raises(ShipmentError, match="places: bad value 3 distinct origins and dest") as e:
        shipments_from_frame(frame)
    _one_line(e.value)


def test_origin_equal_to_destination_refused() -> None:
    row = _ship_row().replace(HAN, BKK)
    frame = pd.read_csv(io.StringIO(f"{SHIP_HEADER}\n{row}\n"), dtype=str)
    with pytest.raises(ShipmentError, match="within 1000 m of origin") as e:
        shipments_from_frame(frame)
    _one_line(e.value)


def test_too_many_rows_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    row = _ship_row()
    with path.open("w", encoding="utf-8") as fh:
        fh.write(SHIP_HEADER + "\n")
        for i in range(limits.MAX_SHIPMENT_ROWS + 5):
            fh.write(row.replace("S1", f"S{i}") + "\n")
    with pytest.raises(ShipmentError, match=r"rows: bad value more than 4000") as e:
        read_shipments(path)
    _one_line(e.value)


@FUZZ
@given(count=st.one_of(st.sampled_from(["1e9", "1001", "-1", "nan", "2.5"]), st.integers()))
def test_fuzz_fleet_count(count: Any) -> None:
    row = f'semi,"13.72,100.77",{count},25,33,0.95,6,120,single,TH,no'
    frame = pd.read_csv(io.StringIO(f"{FLEET_HEADER}\n{row}\n"), dtype=str)
    try:
        (v,) = fleet_from_frame(frame)
    except FleetError as exc:
        assert all("\n" not in line for line in exc.errors)
        return
    assert 1 <= v.count <= limits.MAX_VEHICLES


def test_fleet_total_bounded(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    row = 'semi,"13.72,100.77",600,25,33,0.95,6,120,single,TH,no'
    path.write_text(f"{FLEET_HEADER}\n{row}\n{row.replace('semi', 'semi2')}\n", encoding="utf-8")
    with pytest.raises(FleetError, match="count: bad value 1200 vehicles in all; allowed: at most"):
        read_fleet(path)


# --------------------------------------------------------------------------- OSM and Overpass


def test_bz2_bomb_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small .osm.bz2 that expands past MAX_OSM_BYTES (patched to 1 MiB here) is refused."""
    monkeypatch.setattr(road, "MAX_OSM_BYTES", 2**20)
    path = tmp_path / "bomb.osm.bz2"
    comp = bz2.BZ2Compressor(9)
    data = comp.compress(b'<?xml version="1.0"?>\n<osm version="0.6">\n')
    for _ in range(4):
        data += comp.compress(b" " * 2**20)
    path.write_bytes(data + comp.flush())
    assert path.stat().st_size < 2_000
    with pytest.raises(OSMFileError, match="size: bad value more than 1048576 bytes after") as e:
        road.graph_from_osm_file(path)
    _one_line(e.value)


def test_plain_osm_over_the_limit(
    fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(road, "MAX_OSM_BYTES", 1000)
    with pytest.raises(OSMFileError, match=r"size: bad value \d+ bytes; allowed: at most 1000"):
        road.graph_from_osm_file(fixtures_dir / "tiny_roads.osm")


def test_pbf_element_limit(shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(road, "MAX_OSM_ELEMENTS", 100)
    path = shared_dir / "osm-samples" / "bangkok_pathumwan_th.osm.pbf"
    with pytest.raises(OSMFileError, match="elements: bad value more than 100 nodes and ways"):
        road.graph_from_osm_file(path)


def _good_response() -> dict[str, Any]:
    return {
        "elements": [
            {"type": "node", "id": 1, "lat": 1.360, "lon": 103.860},
            {"type": "node", "id": 2, "lat": 1.365, "lon": 103.862},
            {"type": "node", "id": 3, "lat": 1.370, "lon": 103.864},
            {"type": "way", "id": 10, "nodes": [1, 2, 3], "tags": {"highway": "trunk"}},
        ]
    }


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ("type", "id", "lat", "lon", "nodes", "tags")


@FUZZ
@given(
    element=st.integers(min_value=0, max_value=3),
    field=st.sampled_from(FIELDS),
    value=JSONISH,
    drop=st.booleans(),
)
def test_fuzz_overpass_response(
    monkeypatch: pytest.MonkeyPatch, element: int, field: str, value: Any, drop: bool
) -> None:
    """A corrupted Overpass answer gives a graph or one RoadNetworkError line, nothing else."""
    import osmnx as ox

    response = _good_response()
    target = response["elements"][element]
    if drop:
        target.pop(field, None)
    else:
        target[field] = value

    def fake_download(*args: Any, **kwargs: Any) -> Any:
        yield response

    with monkeypatch.context() as m:
        m.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
        m.setattr(ox._overpass, "_download_overpass_network", fake_download)
        try:
            graph = road.graph_from_overpass(shapely.box(103.85, 1.35, 103.88, 1.38))
        except RoadNetworkError as exc:
            _one_line(exc)
            return
    assert graph.number_of_edges() > 0
    for _, _, d in graph.edges(data=True):
        assert math.isfinite(d["length"]) and d["length"] >= 0


@pytest.mark.parametrize(
    ("response", "match"),
    [
        ([], "an 'elements' list"),
        ({"elements": {}}, "an 'elements' list"),
        ({"elements": [5]}, r"elements\[0\] must be an object"),
        ({"elements": [{"type": "node", "id": "1", "lat": 0, "lon": 0}]}, "id must be an integer"),
        ({"elements": [{"type": "node", "id": 1, "lat": 91, "lon": 0}]}, r"lat must be a number"),
        ({"elements": [{"type": "way", "id": 1, "nodes": [5, 6]}]}, "node 5 is not in the resp"),
    ],
)
def test_overpass_json_checked(response: Any, match: str) -> None:
    with pytest.raises(RoadNetworkError, match=match) as e:
        check_overpass_json(response)
    _one_line(e.value)


# --------------------------------------------------------------------------- flags


def _namespace(command: str, **flags: Any) -> Any:
    import argparse

    return argparse.Namespace(command=command, **flags)


@FUZZ
@given(
    command=st.sampled_from(["itinerary", "compare", "optimize", "delays"]),
    draws=st.one_of(st.none(), st.integers(min_value=-(2**40), max_value=2**40)),
    seed=st.one_of(st.none(), st.integers(min_value=-(2**40), max_value=2**40)),
    window=st.one_of(st.none(), st.floats()),
    year=st.integers(min_value=1, max_value=9999),
)
def test_fuzz_flags(
    command: str, draws: int | None, seed: int | None, window: float | None, year: int
) -> None:
    args = _namespace(
        command, draws=draws, seed=seed, window_h=window, depart=f"{year:04d}-03-02 08:00"
    )
    try:
        check_flags(args)
    except limits.LimitError as exc:
        _one_line(exc)
        assert str(exc).startswith(("--draws", "--seed", "--window-h", "--depart"))
        return
    low = 0 if command == "itinerary" else 1
    assert draws is None or low <= draws <= limits.MAX_DRAWS
    assert seed is None or 0 <= seed <= limits.MAX_SEED
    assert window is None or 0 < window <= limits.MAX_WINDOW_H
    assert limits.MIN_YEAR <= year <= limits.MAX_YEAR


OD = ("--from", "Bangkok", "--to", "Hanoi")


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a command gets as far as loading the network or the fleet inputs."""
    import networks
    from logistics.cli import fleet

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the command started its work before checking its inputs")

    monkeypatch.setattr(networks, "load_network", refuse)
    monkeypatch.setattr(fleet, "_inputs", refuse)


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["itinerary", *OD, "--depart", "9999-12-31"], "--depart"),
        (["itinerary", *OD, "--depart", "2026-03-02", "--window-h", "-5"], "--window-h"),
        (["itinerary", *OD, "--depart", "2026-03-02", "--window-h", "nan"], "--window-h"),
        (["itinerary", *OD, "--depart", "2026-03-02", "--draws", "1000000000"], "--draws"),
        (["compare", *OD, "--draws", "1000000000"], "--draws"),
        (["delays", "export", "--format", "csv", "--out", "x.csv", "--draws", "-1"], "--draws"),
        (["optimize", "--demo", "--out", "o", "--draws", "100001"], "--draws"),
        (["optimize", "--demo", "--out", "o", "--time-limit", "inf"], "--time-limit"),
        (["optimize", "--demo", "--out", "o", "--time-limit", "nan"], "--time-limit"),
        (["optimize", "--demo", "--out", "o", "--time-limit", "-1"], "--time-limit"),
        (["optimize", "--demo", "--out", "o", "--seed", "-5"], "--seed"),
        (["optimize", "--demo", "--out", "o", "--workers", "1000000"], "--workers"),
        (["bench", "vrptw", "--dir", ".", "--time-limit", "inf"], "--time-limit"),
        (["bench", "pdptw", "--dir", ".", "--workers", "0"], "--workers"),
    ],
)
def test_cli_refuses_before_work(
    no_work: None, capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert flag in err


def test_compare_duplicate_names_refused_before_work(
    no_work: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('name = "same"\n', encoding="utf-8")
    b.write_text('name = "same"\nsingle_stop = true\n', encoding="utf-8")
    out = tmp_path / "out"
    for argv in (
        ["compare", "--demo", "--scenarios", f"{a},{b}", "--out", str(out)],
        ["compare", "--from", "Bangkok", "--to", "Hanoi", "--scenarios", f"{a},{b}"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1
        assert "scenario name 'same' is also the name of" in err
    assert not out.exists()


def test_compare_path_like_name_refused_before_work(
    no_work: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "../../escape"\n', encoding="utf-8")
    assert main(["compare", "--demo", "--scenarios", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "name: bad value '../../escape'" in capsys.readouterr().err
    assert not (tmp_path / "escape").exists()


def test_limits_documented() -> None:
    """Every public bound of logistics.limits appears in docs/limits.md."""
    doc = Path(__file__).resolve().parents[1] / "docs" / "limits.md"
    text = doc.read_text(encoding="utf-8")
    for name in limits.__all__:
        if name.isupper():
            assert f"`{name}`" in text, name
