"""Shipment and fleet readers: parsing, time zones, per-row errors, demo set, fuzzing."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.shipments import (
    FleetError,
    ShipmentError,
    check_fleet_fits,
    demo_fleet,
    demo_shipments,
    fleet_from_frame,
    read_fleet,
    read_shipments,
    shipments_from_frame,
)

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
    st.sampled_from(["", "2026-03-02 18:00", "2026-03-02T18:00+07:00", "13.7,100.5", "-1", "nan"]),
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
