"""Shipped border, port and cost parameters: completeness, sources, validation, calendars."""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import networks
from logistics.costs import CostModel
from logistics.parameters import (
    GENERAL_NAMES,
    Delay,
    OpeningHours,
    ParameterError,
    bibliography,
    border_parameters,
    country_costs,
    general_parameters,
    load_parameters,
    port_parameters,
    sea_lanes,
)
from logistics.scenarios import load_scenario

ICT = dt.timezone(dt.timedelta(hours=7))


def hours(y: int, m: int, d: int, hh: int, mm: int = 0, tz: dt.tzinfo = ICT) -> float:
    return dt.datetime(y, m, d, hh, mm, tzinfo=tz).timestamp() / 3600.0


def local(h: float, offset: float = 7.0) -> dt.datetime:
    return dt.datetime.fromtimestamp(round(h * 3600), dt.timezone(dt.timedelta(hours=offset)))


# --------------------------------------------------------------------------- completeness


def test_every_crossing_has_parameters_in_both_directions() -> None:
    params = load_parameters()
    table = networks.crossings_table()
    assert len(table) > 0
    for row in table.to_dict("records"):
        a, b, cid = row["country_a"], row["country_b"], row["crossing_id"]
        for frm, to in ((a, b), (b, a)):
            rule = params.border(cid, frm, to)
            assert rule.from_country == frm and rule.to_country == to


def test_no_parameters_for_unknown_crossings() -> None:
    known = set(networks.crossings_table()["crossing_id"])
    assert {k[0] for k in load_parameters().borders} <= known


def test_every_port_has_parameters() -> None:
    params = load_parameters()
    for port_id in networks.ports_table()["port_id"]:
        assert params.port(port_id).port_id == port_id


def test_every_country_on_the_network_has_costs() -> None:
    params = load_parameters()
    for code in ("TH", "LA", "VN", "KH", "MY", "SG"):
        assert params.country(code).truck_cost_usd_per_km > 0
    assert set(GENERAL_NAMES) <= set(params.general)


@pytest.mark.parametrize(
    "table", [border_parameters, port_parameters, sea_lanes, country_costs, general_parameters]
)
def test_every_value_has_a_source(table) -> None:
    df = table()
    source_cols = [c for c in df.columns if c.endswith("source")]
    assert source_cols, f"{table.__name__} has no source column"
    for col in source_cols:
        assert df[col].notna().all() and (df[col].str.len() > 10).all(), col


def test_unsourced_values_are_labelled_assumptions() -> None:
    df = border_parameters()
    # crossing-level clearance times were not found in the reference: they must say so
    assert df["clearance_source"].str.contains("assumption").all()
    # Na Phao-Cha Lo hours carry the aggregator source and its flag
    naphao = df[df["crossing_id"] == "na-phao-cha-lo"].iloc[0]
    assert naphao["exit_hours"] == "07:00-17:00"
    assert "[@bordercrossinghub-chalo]" in naphao["hours_source"]
    assert bibliography()["bordercrossinghub-chalo"].reliability == "C"
    general = general_parameters().set_index("name")
    assert "assumption" in general.loc["co2_sea_kg_per_tkm", "source"]
    assert "[@ipcc-2006-mobile]" in general.loc["co2_road_kg_per_vkm", "source"]


def test_status_quo_policy_values_follow_the_reference() -> None:
    params = load_parameters()
    # EWEC: CBTA permits exist but transloading is the status quo
    assert not params.border("mukdahan-savannakhet", "TH", "LA").through_trucking
    # SG-MY and MY-TH: trucks of both countries cross
    assert params.border("woodlands-johor-bahru", "SG", "MY").through_trucking
    assert params.border("bukit-kayu-hitam-sadao", "MY", "TH").through_trucking
    # single stop at Lao Bao ended in June 2025
    assert not params.border("dansavanh-lao-bao", "LA", "VN").single_stop
    # Bukit Kayu Hitam heavy-vehicle lane 06:00-24:00
    assert params.border("bukit-kayu-hitam-sadao", "MY", "TH").exit_hours.text == "06:00-24:00"
    assert params.country("TH").gvw_limit_t == 50.5
    assert params.country("MY").gvw_limit_t == 50.0


ROUTE9 = {"mukdahan-savannakhet", "dansavanh-lao-bao"}


def test_the_2009_ewec_permits_are_cited_only_on_route_9() -> None:
    df = border_parameters()
    ewec = df[df["permit_regime"].str.contains("from 11 Jun 2009")]
    # the 2009 exchange of CBTA traffic rights covered Route 9 (Savannakhet) only
    assert set(ewec["crossing_id"]) == ROUTE9
    assert (
        df[df["crossing_id"].isin(ROUTE9)]["through_trucking_source"]
        .str.contains(r"\[@voa-2009\]")
        .all()
    )
    for cid in ("nakhon-phanom-thakhek", "na-phao-cha-lo", "nam-phao-cau-treo"):
        row = df[df["crossing_id"] == cid].iloc[0]
        assert "Route 9 only" in row["permit_regime"], cid


def test_dansavanh_lao_bao_clearance_matches_its_cited_text() -> None:
    params = load_parameters()
    # 'only 15 minutes' for customs declarations at Dansavanh (LA side) -> 0.25 h + 0.5 h = 0.75 h,
    # on the Lao side in both directions: exit LA->VN, entry VN->LA
    assert params.border("dansavanh-lao-bao", "LA", "VN").exit_clearance.median_h == 0.75
    assert params.border("dansavanh-lao-bao", "VN", "LA").entry_clearance.median_h == 0.75
    for rule in (
        params.border("dansavanh-lao-bao", "LA", "VN"),
        params.border("dansavanh-lao-bao", "VN", "LA"),
    ):
        text = rule.sources["clearance_source"]
        assert "median 0.75 h" in text and "[@laotiantimes-2016]" in text


def test_land_crossings_charge_per_crossing_items_not_doing_business() -> None:
    df = border_parameters()
    db_costs = {222.56, 224.0, 140.0, 373.0, 290.0, 212.5, 335.0, 375.0}
    fees = set(df["exit_fee_usd"]) | set(df["entry_fee_usd"])
    assert not fees & db_costs, "a whole-process Doing Business cost is charged at a crossing"
    # every per-crossing fee without a published figure says so
    assert df["fee_source"].str.contains("assumption").all()
    assert not df["fee_source"].str.contains(r"\[@wb-db2020-exp-cost\]").any()


def test_customs_clearance_is_charged_once_per_shipment_and_direction() -> None:
    params = load_parameters()
    costs = CostModel(params, load_scenario("status-quo"))
    # Bangkok -> Hanoi: Thai export and Vietnamese import, nothing for Laos in transit
    th, vn = params.country("TH"), params.country("VN")
    assert costs.clearance_usd("TH", "VN") == pytest.approx(
        th.export_clearance_usd + vn.import_clearance_usd
    )
    assert vn.import_clearance_usd == 373.0 and th.export_clearance_usd == 222.56
    # the landlocked Lao figures are Doing Business's inland-border case
    la = params.country("LA")
    assert (la.export_clearance_usd, la.import_clearance_usd) == (140.0, 224.0)
    assert "[@wb-db-methodology]" in la.sources["clearance_cost_source"]


def test_export_free_days_bound_only_export_dwell() -> None:
    for port in load_parameters().ports.values():
        text = port.sources["dwell_source"]
        assert "[@maersk-vn-export]" in text and "export dwell only" in text
        assert "import free time found" in text


# --------------------------------------------------------------------------- distributions


def test_lognormal_fit_matches_median_and_p90() -> None:
    d = Delay(1.5, 4.0, "x")
    assert d.sigma == pytest.approx(np.log(4.0 / 1.5) / 1.2815515655446004)
    assert d.quantile(0.5) == pytest.approx(1.5)
    assert d.quantile(0.9) == pytest.approx(4.0)
    draws = d.sample(np.random.default_rng(3), 200_000)
    assert np.percentile(draws, 50) == pytest.approx(1.5, rel=0.02)
    assert np.percentile(draws, 90) == pytest.approx(4.0, rel=0.02)
    assert (draws > 0).all()


def test_fixed_and_zero_delays() -> None:
    rng = np.random.default_rng(0)
    assert (Delay(2.0, 2.0).sample(rng, 5) == 2.0).all()
    assert (Delay(0.0, 0.0).sample(rng, 5) == 0.0).all()


@pytest.mark.parametrize(
    ("median", "p90", "match"),
    [
        (2.0, 1.0, "P90 1.0 h is below the median"),
        (-1.0, 1.0, "must be >= 0"),
        (float("nan"), 1.0, "finite"),
    ],
)
def test_bad_delay_rejected(median: float, p90: float, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        Delay(median, p90, "x")


# --------------------------------------------------------------------------- opening hours


def test_next_open_and_work_pause_overnight() -> None:
    oh = OpeningHours.parse("07:00-17:00")
    t = hours(2026, 3, 2, 16)  # Monday 16:00 ICT
    assert local(oh.next_open(np.array([t]), 7.0)[0]) == dt.datetime(2026, 3, 2, 16, tzinfo=ICT)
    # 1.5 h of work from 16:00: 1 h today, 0.5 h tomorrow from 07:00
    assert local(oh.finish(np.array([t]), np.array([1.5]), 7.0)[0]) == dt.datetime(
        2026, 3, 3, 7, 30, tzinfo=ICT
    )
    late = hours(2026, 3, 2, 18)
    assert local(oh.next_open(np.array([late]), 7.0)[0]) == dt.datetime(2026, 3, 3, 7, tzinfo=ICT)


def test_weekday_calendar_and_wraparound() -> None:
    oh = OpeningHours.parse("mon-fri 07:00-17:00")
    friday_evening = hours(2026, 3, 6, 18)
    assert local(oh.next_open(np.array([friday_evening]), 7.0)[0]) == dt.datetime(
        2026, 3, 9, 7, tzinfo=ICT
    )
    # 25 h of work from Friday 16:00: Fri 1 h, Mon 10 h, Tue 10 h, Wed 4 h -> Wed 11:00
    end = oh.finish(np.array([hours(2026, 3, 6, 16)]), np.array([25.0]), 7.0)[0]
    assert local(end) == dt.datetime(2026, 3, 11, 11, tzinfo=ICT)
    night = OpeningHours.parse("22:00-06:00")
    assert local(night.next_open(np.array([hours(2026, 3, 2, 12)]), 7.0)[0]) == dt.datetime(
        2026, 3, 2, 22, tzinfo=ICT
    )
    # Sunday 23:00 is open (the range wraps into Monday)
    sunday = hours(2026, 3, 8, 23)
    assert night.next_open(np.array([sunday]), 7.0)[0] == pytest.approx(sunday)


def test_local_time_is_per_side() -> None:
    """The same clock hours mean different instants at UTC+7 and UTC+8."""
    oh = OpeningHours.parse("06:00-24:00")
    t = hours(2026, 3, 2, 5, 30)  # 05:30 ICT = 06:30 MYT
    assert oh.next_open(np.array([t]), 8.0)[0] == pytest.approx(t)  # open in Malaysia
    assert oh.next_open(np.array([t]), 7.0)[0] == pytest.approx(t + 0.5)  # closed in Thailand


def test_always_and_never_open() -> None:
    assert OpeningHours.parse("24h").always_open
    assert OpeningHours.parse("00:00-24:00").open_hours_per_week == 168
    closed = OpeningHours.parse("closed")
    assert closed.never_open
    with pytest.raises(ParameterError, match="never open"):
        closed.next_open(np.array([0.0]), 7.0)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("07:00-17:00; 16:00-18:00", "overlapping"),
        ("25:00-26:00", "bad clock time"),
        ("seven", "malformed"),
        ("7 to 5", "bad day spec"),
        ("xyz 07:00-08:00", "bad day spec"),
        ("07:00-07:00", "empty range"),
        ("", "empty opening hours"),
    ],
)
def test_bad_opening_hours(text: str, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        OpeningHours.parse(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_opening_hours_parser_fuzz(text: str) -> None:
    try:
        oh = OpeningHours.parse(text)
    except ParameterError:
        return
    assert all(0 <= s < e <= 168 for s, e in oh.intervals)
    assert all(e1 < s2 for (_, e1), (s2, _) in zip(oh.intervals, oh.intervals[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(0, 23),
    length=st.integers(1, 23),
    t=st.floats(0, 24 * 14),
    work=st.floats(0, 30),
)
def test_calendar_properties(start: int, length: int, t: float, work: float) -> None:
    end = (start + length) % 24
    oh = OpeningHours.parse(f"{start:02d}:00-{end:02d}:00" if end else f"{start:02d}:00-24:00")
    base = hours(2026, 3, 2, 0) + t
    opened = oh.next_open(np.array([base]), 7.0)[0]
    assert opened >= base - 1e-9
    assert opened - base <= 24 - length + 1e-6
    done = oh.finish(np.array([base]), np.array([work]), 7.0)[0]
    assert done >= base + work - 1e-6  # work never goes faster than the clock
    if work > 0:
        assert done >= opened + min(work, length) - 1e-6


# --------------------------------------------------------------------------- loader validation


def _shipped_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("logistics").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("exit_clearance_p90_h", "0.1", r"exit_clearance_p90_h.*P90 0.1 h is below the median"),
        ("entry_clearance_median_h", "-2", r"entry_clearance_median_h.*'-2' is not allowed"),
        ("exit_hours", "07:00-12:00;11:00-17:00", r"exit_hours.*overlapping"),
        ("entry_hours", "7h-17h", r"entry_hours.*malformed"),
        ("through_trucking", "maybe", r"through_trucking.*not a boolean"),
        ("transload_cost_usd", "cheap", r"transload_cost_usd.*not a number"),
    ],
)
def test_border_loader_names_crossing_field_and_value(
    tmp_path: Path, field: str, value: str, match: str
) -> None:
    rows = _shipped_rows("border_parameters.csv")
    rows[6][field] = value
    label = f"{rows[6]['crossing_id']} {rows[6]['from_country']}->{rows[6]['to_country']}"
    path = _write(tmp_path / "borders.csv", rows)
    with pytest.raises(ParameterError, match=match) as info:
        load_parameters(borders=path)
    assert label in str(info.value) and "line 8" in str(info.value)


def test_port_loader_rejects_bad_dwell(tmp_path: Path) -> None:
    rows = _shipped_rows("port_parameters.csv")
    rows[0]["import_dwell_p90_h"] = "1"
    path = _write(tmp_path / "ports.csv", rows)
    with pytest.raises(ParameterError, match=r"laem-chabang.*import_dwell_p90_h.*below the median"):
        load_parameters(ports=path)


def test_loader_rejects_missing_columns_and_files(tmp_path: Path) -> None:
    bad = tmp_path / "b.csv"
    bad.write_text("crossing_id,from_country\nx,TH\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="missing columns"):
        load_parameters(borders=bad)
    with pytest.raises(FileNotFoundError):
        load_parameters(borders=tmp_path / "nope.csv")


def test_unknown_crossing_lists_known_ids() -> None:
    with pytest.raises(ParameterError, match=r"unknown crossing 'na-phao'; known: na-phao-cha-lo"):
        load_parameters().border("na-phao", "LA", "VN")
    with pytest.raises(ParameterError, match="unknown port 'laem-chabung'; known: laem-chabang"):
        load_parameters().port("laem-chabung")


def test_parameters_doc_lists_every_value() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "parameters.md").read_text(
        encoding="utf-8"
    )
    for cid in border_parameters()["crossing_id"].unique():
        assert f"| {cid} |" in doc, cid
    for pid in port_parameters()["port_id"]:
        assert f"| {pid} |" in doc, pid
    for name in GENERAL_NAMES:
        assert f"| {name} |" in doc, name
    assert "sigma = ln(P90 / median) / 1.2816" in doc
