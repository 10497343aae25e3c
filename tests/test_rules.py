"""The corridor rules (logistics.rules, networks.geo): each rule once; the engines agree on it."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _routes import leg
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.defaults import check_p90
from logistics.itinerary import median_sampler, walk
from logistics.parameters import OpeningHours, load_parameters
from logistics.rules import calendar
from logistics.rules.border import border_stops, crossing_passage, joint_hours
from logistics.rules.hours import HoursOfService
from logistics.rules.sea import next_sailing, sea_passage
from logistics.scenarios import load_scenario
from networks.geo import (
    ACCESS_CIRCUITY,
    ACCESS_SPEED_KPH,
    access_leg,
    haversine_m,
    nearest,
    parse_time,
    utc_offset_h,
)
from networks.types import Place, Route

PARAMS = load_parameters()
SINGLE = HoursOfService("single", 4.5, 0.75, 9.0, 11.0)
DOUBLE = HoursOfService("double", 16.0, 0.0, 16.0, 8.0)

# --------------------------------------------------------------------------- geography


def test_one_degree_of_latitude_and_vectorised() -> None:
    assert haversine_m(0.0, 100.0, 1.0, 100.0) == pytest.approx(6_371_008.8 * math.pi / 180)
    out = haversine_m(np.array([0.0, 10.0]), 100.0, np.array([1.0, 10.0]), 100.0)
    assert out.shape == (2,) and out[1] == 0.0
    assert isinstance(haversine_m(13.75, 100.5, 21.03, 105.85), float)


def test_parse_time_naive_is_local_time_of_the_country() -> None:
    assert parse_time("2026-03-02 18:00", country="TH", field="depart") == datetime(
        2026, 3, 2, 11, tzinfo=UTC
    )
    assert parse_time("2026-03-02 18:00", country="SG", field="depart").hour == 10
    assert parse_time("2026-03-02T18:00Z", country="SG", field="depart").hour == 18
    assert parse_time("2026-03-02T18:00+07:00", country="MY", field="d").hour == 11
    with pytest.raises(ValueError, match=r"^ready_time 'soon' is not a date-time; allowed: ISO"):
        parse_time("soon", country="TH", field="ready_time")


def test_unknown_country_gets_the_one_default_offset() -> None:
    assert utc_offset_h("XX") == utc_offset_h("") == 7.0 and utc_offset_h("MM") == 6.5


def test_access_leg_model() -> None:
    length, time_s = access_leg(np.array([0.0, 1000.0]))
    assert length[1] == pytest.approx(1000 * ACCESS_CIRCUITY)
    assert time_s[1] == pytest.approx(1000 * ACCESS_CIRCUITY / (ACCESS_SPEED_KPH / 3.6))


def test_snapping_prefers_the_own_country_then_any_node() -> None:
    lat, lon = np.array([10.0, 10.1]), np.array([100.0, 100.0])
    codes = np.array(["TH", "LA"])
    idx, dist = nearest(10.09, 100.0, lat, lon, country="TH", node_country=codes)
    assert idx[0] == 0 and dist[0] == pytest.approx(haversine_m(10.09, 100.0, 10.0, 100.0))
    assert nearest(10.09, 100.0, lat, lon, country="VN", node_country=codes)[0][0] == 1
    idx, _ = nearest(
        [10.0, 10.1], [100.0, 100.0], lat, lon, country=["LA", "TH"], node_country=codes
    )
    assert idx.tolist() == [1, 0]


# --------------------------------------------------------------------------- hours of service


def _exact_rest(hos: HoursOfService, drive_h: float) -> float:
    elapsed, _, _ = hos.drive(drive_h)
    return float(elapsed) - drive_h


@settings(max_examples=300, deadline=None)
@given(drive_h=st.floats(0.0, 80.0), crew=st.sampled_from([SINGLE, DOUBLE]))
def test_fleet_bound_never_below_the_rules_and_at_most_one_break_more(
    drive_h: float, crew: HoursOfService
) -> None:
    exact = _exact_rest(crew, drive_h)
    bound = float(crew.rest_h(drive_h))
    assert exact - 1e-6 <= bound <= exact + crew.break_h + 1e-6
    _, _, day = crew.drive(drive_h)
    assert float(crew.allowance_used(drive_h)) == pytest.approx(
        float(day) / crew.daily_driving_h, abs=1e-9
    )  # the walk ignores driving below 1e-9 h


@settings(max_examples=200, deadline=None)
@given(arcs=st.lists(st.floats(0.01, 3.0), min_size=1, max_size=6))
def test_pro_rata_breaks_over_arcs_cover_the_breaks_of_the_walk(arcs: list[float]) -> None:
    total = sum(arcs)
    if total > SINGLE.daily_driving_h:
        return  # within one driving day (a daily rest resets the counters)
    cont: Any = 0.0
    day: Any = 0.0
    breaks = 0.0
    for a in arcs:  # the exact walk, arc after arc, no stop in between
        elapsed, cont, day = SINGLE.drive(a, cont, day)
        breaks += float(elapsed) - a
    assert sum(float(SINGLE.rest_h(a)) for a in arcs) >= breaks - 1e-9


def test_walk_inserts_breaks_and_rests() -> None:
    elapsed, cont, day = SINGLE.drive(20.0)
    # 4.5 + b + 4.5 + rest + 4.5 + b + 4.5 + rest + 2 -> 2 rests, 2 breaks
    assert float(elapsed) == pytest.approx(20.0 + 2 * 11.0 + 2 * 0.75)
    assert float(day) == pytest.approx(2.0) and float(cont) == pytest.approx(2.0)
    cont2, day2 = SINGLE.after_stop(np.array([3.0]), np.array([5.0]), np.array([0.75]))
    assert cont2[0] == 0.0 and day2[0] == 5.0
    assert float(DOUBLE.drive(16.0)[0]) == 16.0 and float(DOUBLE.drive(17.0)[0]) == 25.0


def test_hours_of_service_from_scenario_and_validation() -> None:
    sc = load_scenario("status-quo")
    single = HoursOfService.from_scenario(sc, PARAMS, "single")
    assert single.continuous_driving_h == sc.general_value(PARAMS, "continuous_driving_h")
    double = HoursOfService.from_scenario(sc, PARAMS, "double")
    assert double.break_h == 0.0 and double.continuous_driving_h == double.daily_driving_h
    with pytest.raises(ValueError, match=r"daily_driving_h = 0; allowed: a finite number > 0"):
        HoursOfService("single", 4.5, 0.75, 0, 11.0)
    with pytest.raises(ValueError, match=r"crew 'triple' is not allowed; allowed: single, double"):
        HoursOfService.from_scenario(sc, PARAMS, "triple")


def test_pause_free_arrivals_run_the_passage_without_waiting() -> None:
    """An arrival inside ``pause_free`` walks the crossing in exactly its work time; one outside
    it waits (status quo, Na Phao-Cha Lo LA->VN, clearance at the median)."""
    sc = load_scenario("status-quo")
    cp = crossing_passage(sc, PARAMS, "na-phao-cha-lo", "LA", "VN", quantile=0.5)
    rule = sc.border_rule(PARAMS, "na-phao-cha-lo", "LA", "VN")
    stops = border_stops(rule)
    t = calendar.FIRST_MONDAY_H + np.arange(0.0, 168.0, 0.25)  # arrivals, a week from Monday
    start, work = t.copy(), 0.0
    for stop in stops:
        for task in stop.tasks:
            h = {
                "documentary": rule.documentary_h,
                "exit": rule.exit_clearance.median_h,
                "entry": rule.entry_clearance.median_h,
            }.get(task.part, 0.0)
            t = calendar.finish(tuple(stop.hours.intervals), t, h, stop.utc_offset_h)
            work += h
    waits = t - start - work
    inside = _is_open(cp.pause_free, start, cp.utc_offset_h)
    assert inside.any() and (~inside).any()
    assert np.all(waits[inside] < 1e-6)
    assert np.all(waits[~inside] > 1e-6)


# --------------------------------------------------------------------------- calendars


@st.composite
def calendars(draw: st.DrawFn) -> tuple[tuple[float, float], ...]:
    cuts = sorted(set(draw(st.lists(st.integers(0, 168 * 4), min_size=2, max_size=10))))
    pieces = [(a / 4, b / 4) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    return tuple(pieces) or ((6.0, 22.0),)


def _is_open(ivs: tuple[tuple[float, float], ...], t: np.ndarray, off: float) -> np.ndarray:
    w = calendar.week_hour(t, off)
    return np.array([any(s <= x < e for s, e in ivs) for x in np.atleast_1d(w)])


@settings(max_examples=100, deadline=None)
@given(ivs=calendars(), t=st.floats(0.0, 1000.0), off=st.sampled_from([6.5, 7.0, 8.0]))
def test_next_open_is_the_first_open_time(ivs: tuple, t: float, off: float) -> None:
    t0 = 490_000.0 + t  # hours since the epoch, in 2025
    nxt = float(calendar.next_open(ivs, t0, off))
    assert nxt >= t0
    assert _is_open(ivs, np.array([nxt + 1e-6]), off)[0]
    between = np.linspace(t0, nxt, 50)[:-1]
    assert not _is_open(ivs, between, off).any() or nxt == t0


@settings(max_examples=60, deadline=None)
@given(ivs=calendars(), q=st.sampled_from([0.5, 0.9]))
def test_wait_quantile_matches_random_arrivals(ivs: tuple, q: float) -> None:
    t = np.arange(168 * 60) / 60.0
    waits = calendar.next_open(ivs, t, 7.0) - t
    empirical = float(np.quantile(waits, q, method="inverted_cdf"))
    assert calendar.wait_quantile_h(ivs, quantile=q) == pytest.approx(empirical, abs=1 / 60 + 1e-6)


@settings(max_examples=60, deadline=None)
@given(a=calendars(), b=calendars(), lag=st.sampled_from([-1.0, 0.0, 1.0, 1.5]))
def test_intersection_is_open_when_both_are(a: tuple, b: tuple, lag: float) -> None:
    t = np.arange(0, 168 * 4) / 4 + 0.125
    both = calendar.intersect(calendar.shift(a, lag), b)
    # a in local time off_a, b in off_b = off_a + lag
    expected = _is_open(a, t, 7.0) & _is_open(b, t, 7.0 + lag)
    assert (_is_open(both, t, 7.0 + lag) == expected).all()


@settings(max_examples=40, deadline=None)
@given(ivs=calendars(), off=st.sampled_from([7.0, 8.0]), start_min=st.integers(0, 10_079))
def test_closed_minutes_are_the_minutes_next_open_moves(
    ivs: tuple, off: float, start_min: int
) -> None:
    t0 = (
        datetime(2026, 3, 2, tzinfo=UTC)
        + (datetime(2026, 3, 2, 0, 1) - datetime(2026, 3, 2)) * start_min
    )
    horizon = 3 * 24 * 60
    closed = np.zeros(horizon + 1, dtype=bool)
    for lo, hi in calendar.closed_minutes(ivs, off, t0, horizon):
        closed[lo : hi + 1] = True
    t = t0.timestamp() / 3600 + np.arange(horizon + 1) / 60
    moved = calendar.next_open(ivs, t, off) > t + 1e-9
    # a minute on an opening or closing boundary may go either way; elsewhere they agree
    w = calendar.week_hour(t, off)
    # (distance around the week: Monday 00:00 is also the end of Sunday)
    edges = np.array(
        [min(abs((x - s + 84) % 168 - 84) for iv in ivs for s in iv) < 1 / 60 + 1e-9 for x in w]
    )
    assert (closed == moved)[~edges].all()


# --------------------------------------------------------------------------- the border rule


def test_single_stop_is_open_when_both_sides_are() -> None:
    sc = load_scenario("single-stop")
    rule = sc.border_rule(PARAMS, "bukit-kayu-hitam-sadao", "TH", "MY")
    (stop,) = border_stops(rule)
    assert stop.side == "joint" and stop.country == "MY" and stop.after_bridge
    # TH 05:00-22:00 (UTC+7) is 06:00-23:00 in Malaysia (UTC+8); MY 06:00-24:00
    assert joint_hours(rule).intervals[0] == (6.0, 23.0)
    sq = border_stops(load_scenario("status-quo").border_rule(PARAMS, *rule.key))
    assert [s.side for s in sq] == ["exit", "entry"] and [s.after_bridge for s in sq] == [
        False,
        True,
    ]


def test_a_closed_exit_side_closes_a_single_stop_crossing(tmp_path: Path) -> None:
    path = tmp_path / "closed.toml"
    path.write_text(
        'extends = "single-stop"\n[crossings."na-phao-cha-lo"]\nexit_hours = "closed"\n',
        encoding="utf-8",
    )
    sc = load_scenario(path)
    passage = crossing_passage(sc, PARAMS, "na-phao-cha-lo", "LA", "VN", quantile=0.5)
    assert not passage.passable and math.isinf(passage.wait_h)
    from logistics.itinerary import ItineraryError

    with pytest.raises(ItineraryError, match=r"never opens at the joint stop"):
        walk(
            _border_route("na-phao-cha-lo", "LA", "VN"),
            490_000.0,
            sc,
            PARAMS,
            n=1,
            sampler=median_sampler(),
        )


def test_itinerary_waits_when_the_exit_side_of_a_joint_stop_is_closed() -> None:
    """23:30 MYT: Malaysia is open until 24:00 but Thailand closed at 23:00 MYT (22:00 ICT)."""
    t = 489_984.0 + 15.5  # Monday 15:30 UTC = 23:30 MYT
    trace = walk(
        _border_route("bukit-kayu-hitam-sadao", "TH", "MY"),
        t,
        load_scenario("single-stop"),
        PARAMS,
        n=1,
        sampler=median_sampler(),
    )
    # the bridge (0.05 h), then closed until 06:00 MYT
    assert float(trace.crossings[0].wait_h[0]) == pytest.approx(6.5 - 0.05)


def _border_route(cid: str, a: str, b: str) -> Route:
    return Route(
        Place("A", 0.0, 0.0, a, "city"),
        Place("B", 0.0, 0.0, b, "city"),
        [0, 1],
        [leg("border", b, 1, 0.05, crossing_id=cid, from_country=a, to_country=b)],
    )


@pytest.mark.parametrize("scenario", ["status-quo", "single-stop", "24h-borders"])
@pytest.mark.parametrize(
    ("cid", "a", "b"),
    [
        ("bukit-kayu-hitam-sadao", "TH", "MY"),
        ("bukit-kayu-hitam-sadao", "MY", "TH"),
        ("na-phao-cha-lo", "LA", "VN"),
        ("nakhon-phanom-thakhek", "TH", "LA"),
    ],
)
def test_itinerary_and_fleet_terms_give_the_same_border_wait(
    scenario: str, cid: str, a: str, b: str
) -> None:
    """The itinerary's median walk over every minute of a week and the fleet's wait at P50."""
    sc = load_scenario(scenario)
    t0 = 489_984.0 + np.arange(168 * 60) / 60.0  # a Monday 00:00 UTC, then every minute
    trace = walk(_border_route(cid, a, b), t0, sc, PARAMS, n=t0.size, sampler=median_sampler())
    waits = trace.crossings[0].wait_h
    passage = crossing_passage(sc, PARAMS, cid, a, b, quantile=0.5, bridge_h=0.05)
    assert passage.wait_h == pytest.approx(
        float(np.quantile(waits, 0.5, method="inverted_cdf")), abs=1e-6
    )
    clearance = trace.crossings[0].clearance_h + trace.crossings[0].documentary_h
    assert passage.clearance_h == pytest.approx(float(clearance[0]))


# --------------------------------------------------------------------------- sea and defaults


def test_sailings_evenly_spaced_from_monday_local() -> None:
    monday_utc = 489_984.0 - 7.0  # Monday 00:00 ICT
    assert float(next_sailing(monday_utc + 0.5, 2.0, "TH")) == pytest.approx(monday_utc + 84.0)
    assert float(next_sailing(monday_utc, 2.0, "TH")) == pytest.approx(monday_utc)


def test_sea_passage_uses_the_cost_model_and_the_gates() -> None:
    from logistics.costs import CostModel

    sc = load_scenario("status-quo")
    pid = sorted(PARAMS.ports)
    sp = sea_passage(sc, PARAMS, pid[0], pid[1], 2000.0, quantile=0.9)
    costs = CostModel(PARAMS, sc)
    assert sp.freight_usd == costs.sea_freight_usd(2000.0)
    assert sp.sailing_h == pytest.approx(2000.0 / costs.sailing_speed_kph)
    gates = [sc.port_rule(PARAMS, p).gate_hours.intervals for p in pid[:2]]
    assert sp.gate_wait_h == pytest.approx(
        sum(calendar.wait_quantile_h(g, quantile=0.9) for g in gates)
    )


def test_one_p90_check() -> None:
    assert check_p90(1.0, 2.0, what="x") == ""
    assert (
        check_p90(2.0, 1.0, what="x")
        == "x: P90 1.0 h is below the median 2.0 h; P90 must be >= median"
    )


def test_opening_hours_methods_are_the_calendar_functions() -> None:
    oh = OpeningHours.parse("mon-fri 07:00-17:00")
    t = 489_984.0 + np.arange(0, 168, 0.25)
    assert (oh.next_open(t, 7.0) == calendar.next_open(oh.intervals, t, 7.0)).all()
    assert (oh.finish(t, 3.0, 7.0) == calendar.finish(oh.intervals, t, 3.0, 7.0)).all()


def test_pause_free_arrivals_follow_a_weekday_calendar(tmp_path: Path) -> None:
    """A crossing open on weekdays only: no pause-free arrival on Saturday or Sunday (local
    time), and Monday morning is one (the minute grid starts on Monday 00:00 UTC: it started on
    Thursday, which a calendar with the same hours every day does not show)."""
    spec = tmp_path / "weekdays.toml"
    spec.write_text(
        'name = "weekdays"\nextends = "status-quo"\n'
        '[crossings."na-phao-cha-lo"]\n'
        'exit_hours = "mon-fri 07:00-17:00"\nentry_hours = "mon-fri 07:00-17:00"\n'
    )
    sc = load_scenario(spec)
    cp = crossing_passage(sc, PARAMS, "na-phao-cha-lo", "LA", "VN", quantile=0.5)
    assert cp.pause_free
    for start, end in cp.pause_free:  # local hours of the week from Monday 00:00
        assert end <= 5 * 24 + 1e-9, (start, end)  # nothing on the weekend
    assert any(start <= 7.5 < end for start, end in cp.pause_free)  # Monday 07:30 local
