"""Shipment and fleet readers: parsing, time zones, per-row errors, demo set, fuzzing."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.shipments import (
    FleetError,
    Shipment,
    ShipmentError,
    VehicleType,
    check_fleet_fits,
    demo_fleet,
    demo_shipments,
    fleet_from_frame,
    read_fleet,
    read_shipments,
    shipments_from_frame,
)
from networks.types import Place

HEADER = (
    "shipment_id,origin,destination,ready_time,earliest_delivery,latest_delivery,"
    "weight_t,pallets,lateness_cost_usd_per_h\n"
)
GOOD_ROW = (
    'S1,"13.72,100.77","21.12,105.78",2026-03-02 18:00,2026-03-05 08:00,'
    "2026-03-05T12:00+07:00,6.5,12,80\n"
)
FLEET = (
    "vehicle_type,depot,count,capacity_weight_t,capacity_pallets,capacity_teu,cost_per_km_usd,"
    "cost_per_h_usd,fixed_cost_usd,crew,country,cross_border_permit\n"
    'semi,"13.72,100.77",2,25,33,2,0.95,6,120,single,TH,no\n'
)


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_reads_good_row_and_converts_local_time_to_utc(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("# comment line\n" + HEADER + GOOD_ROW)
    (s,) = read_shipments(path)
    assert s.shipment_id == "S1"
    assert s.origin.country == "TH" and s.destination.country == "VN"
    # naive 18:00 at a Thai origin is ICT (UTC+7) -> 11:00 UTC
    assert s.ready_utc == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert s.latest_utc == datetime(2026, 3, 5, 5, 0, tzinfo=UTC)
    assert s.pallets == 12 and s.teu == 0 and s.lateness_cost_usd_per_h == 80


def test_parquet_and_named_places(tmp_path: Path) -> None:
    frame = _frame(HEADER + GOOD_ROW)
    frame.loc[0, "origin"] = "Bangkok"
    frame.loc[0, "destination"] = "Hanoi"
    path = tmp_path / "s.parquet"
    frame.to_parquet(path)
    (s,) = read_shipments(path)
    assert s.origin.name == "Bangkok" and s.destination.country == "VN"


def test_all_row_errors_collected_in_one_error() -> None:
    rows = (
        GOOD_ROW
        + GOOD_ROW  # duplicate id
        + 'S2,"13.72,100.77",Atlantis,2026-03-02 18:00,2026-03-05 08:00,2026-03-05 09:00,1,1,\n'
        + 'S3,"13.72,100.77","21.12,105.78",yesterday,2026-03-05 08:00,2026-03-05 09:00,1,1,\n'
        + 'S4,"13.72,100.77","21.12,105.78",2026-03-02 18:00,2026-03-05 08:00,'
        + "2026-03-04 09:00,1,1,\n"
        + 'S5,"13.72,100.77","21.12,105.78",2026-03-02 18:00,2026-03-05 08:00,'
        + "2026-03-05 09:00,-3,1,\n"
    )
    with pytest.raises(ShipmentError) as info:
        shipments_from_frame(_frame(HEADER + rows))
    errors = info.value.errors
    assert len(errors) == 5
    text = str(info.value)
    assert "duplicate shipment_id 'S1'" in text
    assert "unknown place 'Atlantis'" in text
    assert "ready_time 'yesterday' is not a date-time" in text
    assert "latest_delivery '2026-03-04 09:00' is not after earliest_delivery" in text
    assert "weight_t '-3' is out of range" in text


def test_misnamed_column_gets_close_match() -> None:
    with pytest.raises(ShipmentError, match=r"missing column 'weight_t'; found 'weigth_t'"):
        shipments_from_frame(_frame(HEADER.replace("weight_t", "weigth_t") + GOOD_ROW))


def test_missing_space_column() -> None:
    header = HEADER.replace(",pallets", "")
    row = GOOD_ROW.replace(",12,80", ",80")
    with pytest.raises(ShipmentError, match="missing a space column"):
        shipments_from_frame(_frame(header + row))


def test_demand_larger_than_every_vehicle() -> None:
    fleet = fleet_from_frame(_frame(FLEET))
    shipments = shipments_from_frame(_frame(HEADER + GOOD_ROW.replace(",6.5,12,", ",40,12,")))
    with pytest.raises(ShipmentError, match=r"weight_t 40 > largest capacity 25 \(semi\)"):
        check_fleet_fits(shipments, fleet)


def test_fleet_errors_and_empty_fleet() -> None:
    (v,) = fleet_from_frame(_frame(FLEET))
    assert v.country == "TH" and not v.cross_border_permit and v.capacity_teu == 2
    bad = FLEET.replace("single,TH,no", "triple,XX,maybe")
    with pytest.raises(FleetError) as info:
        fleet_from_frame(_frame(bad))
    assert len(info.value.errors) == 3
    assert "crew 'triple'" in str(info.value) and "cross_border_permit 'maybe'" in str(info.value)
    with pytest.raises(FleetError, match="empty fleet"):
        fleet_from_frame(_frame(FLEET.replace('semi,"13.72,100.77",2,', 'semi,"13.72,100.77",0,')))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="shipments file not found"):
        read_shipments(tmp_path / "none.csv")
    with pytest.raises(FileNotFoundError, match="fleet file not found"):
        read_fleet(tmp_path / "none.csv")


def test_demo_set_is_synthetic_both_corridors_and_fits() -> None:
    shipments, fleet = demo_shipments(), demo_fleet()
    assert len(shipments) >= 60
    pairs = {(s.origin.country, s.destination.country) for s in shipments}
    assert {("TH", "VN"), ("MY", "TH"), ("TH", "TH")} <= pairs
    check_fleet_fits(shipments, fleet)
    from importlib import resources

    text = (resources.files("logistics") / "data" / "demo_shipments.csv").read_text()
    assert text.startswith("# SYNTHETIC")


cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "2026-03-02 18:00", "2026-03-02T18:00+07:00", "13.7,100.5", "-1", "nan", "0001-01-01"]
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell, min_size=9, max_size=9), min_size=0, max_size=4))
def test_fuzz_reader_raises_only_shipment_error(rows: list[list[str]]) -> None:
    frame = pd.DataFrame(rows, columns=HEADER.strip().split(","), dtype=str)
    try:
        shipments = shipments_from_frame(frame)
    except ShipmentError as exc:
        assert exc.errors
    else:
        for s in shipments:
            assert s.latest_utc > s.earliest_utc and s.weight_t > 0


# --------------------------------------------------------------------------- self-validation

ICT = timezone(timedelta(hours=7))
T = datetime(2026, 3, 2, 18, 0, tzinfo=ICT)
BKK = Place("Bangkok", 13.75, 100.5, "TH")
HAN = Place("Hanoi", 21.03, 105.85, "VN")


def _shipment(**changes: object) -> Shipment:
    fields: dict[str, object] = {
        "shipment_id": "S1",
        "origin": BKK,
        "destination": HAN,
        "ready_utc": T,
        "earliest_utc": T + timedelta(hours=10),
        "latest_utc": T + timedelta(hours=14),
        "weight_t": 5.0,
        "pallets": 10.0,
    }
    return Shipment(**{**fields, **changes})  # type: ignore[arg-type]


def _vehicle(**changes: object) -> VehicleType:
    fields: dict[str, object] = {
        "vehicle_type": "semi",
        "depot": BKK,
        "count": 2,
        "capacity_weight_t": 25.0,
        "cost_per_km_usd": 1.0,
        "cost_per_h_usd": 6.0,
        "fixed_cost_usd": 120.0,
        "crew": "single",
        "country": "TH",
        "cross_border_permit": False,
    }
    return VehicleType(**{**fields, **changes})  # type: ignore[arg-type]


def test_shipment_times_become_utc() -> None:
    s = _shipment()
    assert s.ready_utc == datetime(2026, 3, 2, 11, 0, tzinfo=UTC) and s.ready_utc.tzinfo is UTC


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_t": 0.0}, "weight_t 0.0 is out of range; allowed: a finite number > 0"),
        ({"weight_t": math.nan}, "weight_t nan is out of range"),
        ({"weight_t": "5"}, "weight_t '5' is not a number"),
        ({"teu": -1.0}, "teu -1.0 is out of range; allowed: a finite number >= 0"),
        ({"lateness_cost_usd_per_h": math.inf}, "lateness_cost_usd_per_h inf is out of range"),
        ({"shipment_id": " "}, "shipment_id is empty"),
        ({"shipment_id": "S\n1"}, "shipment_id 'S\\n1' is not allowed; allowed: 1-100 printable"),
        ({"shipment_id": "x" * 101}, "shipment_id 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"),
        ({"weight_t": 1e7}, "weight_t 10000000.0 is out of range; allowed: a finite number > 0"),
        ({"destination": BKK}, "destination 'Bangkok' is within 1000 m of origin 'Bangkok'"),
        (
            {"latest_utc": datetime(9999, 1, 1, tzinfo=UTC)},
            "latest_utc '9999-01-01T00:00:00+00:00' is out of range; allowed: a date-time in the "
            "years 1970-2200 (UTC)",
        ),
        ({"origin": "Bangkok"}, "origin 'Bangkok' is not a place"),
        (
            {"ready_utc": datetime(2026, 3, 2)},
            "ready_utc '2026-03-02T00:00:00' is not allowed; allowed: a timezone-aware datetime",
        ),
        (
            {"latest_utc": T + timedelta(hours=9)},
            "latest_utc '2026-03-03T03:00:00+07:00' is not "
            "after earliest_utc '2026-03-03T04:00:00+07:00'",
        ),
        ({"pallets": 0.0}, "no space demand; give a positive volume_m3 or pallets or teu"),
    ],
)
def test_shipment_validates_itself(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ShipmentError) as info:
        _shipment(**changes)
    assert message in str(info.value)
    assert str(info.value).startswith("shipment ") and "\n" not in str(info.value)


def test_shipment_lists_every_broken_rule() -> None:
    with pytest.raises(ShipmentError) as info:
        replace(_shipment(), weight_t=-1.0, pallets=0.0, origin="x")  # type: ignore[arg-type]
    assert len(info.value.errors) == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count": 2.5}, "count 2.5 is not a whole number"),
        ({"count": -1}, "count -1 is out of range; allowed: a whole number >= 0"),
        ({"capacity_teu": -2.0}, "capacity_teu -2.0 is out of range"),
        ({"fixed_cost_usd": math.nan}, "fixed_cost_usd nan is out of range"),
        ({"crew": "triple"}, "crew 'triple' is not allowed; allowed: single, double"),
        ({"country": "th"}, "country 'th' is not a study country; allowed: TH, "),
        ({"cross_border_permit": "yes"}, "cross_border_permit 'yes' is not allowed"),
        ({"vehicle_type": ""}, "vehicle_type is empty"),
        ({"depot": (13.7, 100.5)}, "depot (13.7, 100.5) is not a place"),
    ],
)
def test_vehicle_type_validates_itself(changes: dict[str, object], message: str) -> None:
    with pytest.raises(FleetError, match=r"^vehicle type ") as info:
        _vehicle(**changes)
    assert message in str(info.value)


def test_whole_float_count_becomes_int() -> None:
    assert type(_vehicle(count=3.0).count) is int


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True))
def test_fuzz_shipment_numbers(weight: float, pallets: float) -> None:
    try:
        s = _shipment(weight_t=weight, pallets=pallets)
    except ShipmentError as exc:
        assert all(e.split()[0] in ("weight_t", "pallets", "no") for e in exc.errors)
    else:
        assert s.weight_t > 0 and s.pallets > 0 and math.isfinite(s.weight_t + s.pallets)


def test_reader_out_of_range_date_is_a_row_error() -> None:
    row = GOOD_ROW.replace("2026-03-02 18:00", "0001-01-01")
    expected = r"^shipments: row 1 \(shipment 'S1'\): ready_time '0001-01-01' is out of range"
    with pytest.raises(ShipmentError, match=expected):
        shipments_from_frame(_frame(HEADER + row))
