"""Itinerary engine: hand-built routes (exact rules) and real network routes (the known case)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from _routes import leg, r12_by_hand, sg_to_bkk_by_hand
from hypothesis import given, settings
from hypothesis import strategies as st

import networks
from logistics.itinerary import (
    ItineraryError,
    build_itinerary,
    parse_departure,
    time_cost_distance_chart,
)
from logistics.scenarios import load_scenario
from networks.types import Place, Route

# --------------------------------------------------------------------------- departure times


def test_departure_without_offset_is_origin_local_time() -> None:
    t, assumed = parse_departure("2026-03-02 18:00", "SG")
    assert assumed and t.utcoffset() == dt.timedelta(hours=8)
    t, assumed = parse_departure("2026-03-02T18:00+00:00", "SG")
    assert not assumed and t.hour == 18
    it = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "status-quo")
    assert it.depart_assumed_local
    assert "no UTC offset" in it.notes[0] and "ICT" in it.notes[0]
    it2 = build_itinerary(r12_by_hand(), "2026-03-02T11:00:00Z", "status-quo")
    assert not it2.depart_assumed_local and it2.notes == ()
    assert it2.hours == pytest.approx(it.hours)  # 11:00 UTC is 18:00 ICT


@pytest.mark.parametrize("bad", ["tomorrow 6pm", "2026-13-01 10:00", "", "18:00"])
def test_unparseable_departure(bad: str) -> None:
    with pytest.raises(ItineraryError, match=r"departure .* is not a date-time"):
        build_itinerary(r12_by_hand(), bad, "status-quo")


def test_times_are_local_per_country() -> None:
    it = build_itinerary(sg_to_bkk_by_hand(), "2026-03-02 08:00", "status-quo")
    ev = it.events
    assert ev.iloc[0]["start"].utcoffset() == dt.timedelta(hours=8)
    assert ev.iloc[0]["zone"] == "SGT"
    th = ev[ev["country"] == "TH"]
    assert (th["zone"] == "ICT").all()
    assert th.iloc[-1]["end"].utcoffset() == dt.timedelta(hours=7)
    assert it.arrive.utcoffset() == dt.timedelta(hours=7)
    # MY-TH trucks run through: no transloading in the status quo
    assert not ev["activity"].str.startswith("transload").any()


# --------------------------------------------------------------------------- rules


def test_events_table_is_consistent() -> None:
    it = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "status-quo")
    ev = it.events
    for col in ("place", "start", "end", "activity", "km", "cum_h", "cum_cost_usd"):
        assert col in ev.columns
    starts = [t.timestamp() for t in ev["start"]]
    ends = [t.timestamp() for t in ev["end"]]
    assert all(e >= s for s, e in zip(starts, ends, strict=True))
    assert all(abs(s - e) < 1 for e, s in zip(ends, starts[1:], strict=False))  # contiguous
    assert ev["cum_h"].is_monotonic_increasing and ev["cum_cost_usd"].is_monotonic_increasing
    assert ev["cum_km"].iloc[-1] == pytest.approx(r12_by_hand().distance_km)
    assert it.hours == pytest.approx(ev["cum_h"].iloc[-1])
    assert it.cost_usd == pytest.approx(ev["cost_usd"].sum())
    assert it.co2_kg == pytest.approx(0.88 * r12_by_hand().distance_km)
    ind = it.indicators
    assert ind["speed_without_delays_kph"] > ind["speed_with_delays_kph"] > 0
    assert set(it.crossings["id"]) == {"nakhon-phanom-thakhek", "na-phao-cha-lo"}
    d = it.to_dict()
    for key in ("hours", "cost_usd", "co2_kg", "crossings", "legs"):
        assert key in d
    assert {"id", "wait_h", "clearance_h", "transload_h"} <= set(d["crossings"][0])


def test_hours_of_service_single_and_double_crew() -> None:
    single = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "through-trucking")
    acts = single.events["activity"]
    assert (acts == "break").any() and (acts == "daily rest").any()
    rest = single.events[acts == "daily rest"].iloc[0]
    assert rest["duration_h"] == pytest.approx(11.0)
    drive_before = single.events.loc[: rest.name]
    assert drive_before.loc[
        drive_before["activity"] == "drive", "duration_h"
    ].sum() == pytest.approx(9.0)
    for chunk in single.events.loc[acts == "drive", "duration_h"]:
        assert chunk <= 4.5 + 1e-9
    double = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "through-trucking", crew="double")
    assert not (double.events["activity"] == "break").any()
    assert double.hours < single.hours
    with pytest.raises(ItineraryError, match="unknown crew 'triple'; allowed: single, double"):
        build_itinerary(r12_by_hand(), "2026-03-02 18:00", crew="triple")


def test_transloading_depends_on_the_scenario() -> None:
    sq = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "status-quo")
    tt = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "through-trucking")
    assert (sq.events["activity"] == "transload (new truck and driver)").sum() == 2
    assert not tt.events["activity"].str.startswith("transload").any()
    assert (sq.crossings["transload_h"] == 3.0).all() and (tt.crossings["transload_h"] == 0).all()
    assert tt.cost_usd < sq.cost_usd


def test_single_stop_and_24h() -> None:
    ss = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "single-stop")
    assert (ss.events["activity"] == "joint inspection (single stop)").sum() == 2
    assert not (ss.events["activity"] == "exit clearance").any()
    assert ss.crossings["clearance_h"].tolist() == pytest.approx([0.5 * 2.5, 0.5 * 2.5])
    h24 = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "24h-borders")
    assert (h24.crossings["wait_h"] == 0).all()
    assert not h24.events["activity"].str.startswith("wait").any()


def test_pinned_draws_change_one_delay() -> None:
    base = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "24h-borders")
    slow = build_itinerary(
        r12_by_hand(),
        "2026-03-02 18:00",
        "24h-borders",
        draws={"na-phao-cha-lo:LA-VN:entry_clearance_h": 5.5},
    )
    row = slow.crossings.set_index("id").loc["na-phao-cha-lo"]
    assert row["clearance_h"] == pytest.approx(1.0 + 5.5)
    assert slow.hours >= base.hours + 4.0 - 1e-6
    with pytest.raises(ItineraryError, match="non-negative"):
        build_itinerary(r12_by_hand(), "2026-03-02 18:00", draws={"x": -1.0})


def test_crossing_that_never_opens(tmp_path: Path) -> None:
    path = tmp_path / "closed.toml"
    path.write_text('[crossings."na-phao-cha-lo"]\nentry_hours = "closed"\n', encoding="utf-8")
    with pytest.raises(
        ItineraryError,
        match=r"crossing 'na-phao-cha-lo' \(LA->VN\) never opens on the entry side \(VN",
    ):
        build_itinerary(r12_by_hand(), "2026-03-02 18:00", load_scenario(path))


def test_payload_and_capacity() -> None:
    it = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "status-quo")
    assert it.payload_t == it.capacity_t == pytest.approx(48.0 - 15.0)
    h = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "harmonized-axle-loads")
    assert h.capacity_t == pytest.approx(35.0)
    assert h.indicators["cost_usd_per_t"] < it.indicators["cost_usd_per_t"]
    with pytest.raises(
        ItineraryError, match=r"payload_t = 40 t exceeds the truck's capacity of 33 t"
    ):
        build_itinerary(r12_by_hand(), "2026-03-02 18:00", "status-quo", payload_t=40)
    with pytest.raises(ItineraryError, match="payload_t must be a positive number"):
        build_itinerary(r12_by_hand(), "2026-03-02 18:00", "status-quo", payload_t=0)


def test_chart_written_atomically(tmp_path: Path) -> None:
    it = build_itinerary(r12_by_hand(), "2026-03-02 18:00", "status-quo")
    out = time_cost_distance_chart(it, tmp_path / "sub" / "chart.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in out.parent.iterdir()] == ["chart.png"]


# --------------------------------------------------------------------------- real network


@pytest.fixture(scope="module")
def graph():
    return networks.load_network("all")


def test_known_case_bangkok_hanoi_r12(graph) -> None:
    """Nissin (Nikkei 2015): Bangkok 18:00, ~10 h to the Mekong, overnight at Na Phao, morning
    customs inspection, Hanoi in about two and a half days."""
    route = networks.shortest_route(graph, "Bangkok", "Hanoi", via="R12", mode="road")
    assert route.crossings == ["nakhon-phanom-thakhek", "na-phao-cha-lo"]
    it = build_itinerary(route, "2026-03-02 18:00", "status-quo")
    ev = it.events
    at_naphao = ev[ev["crossing_id"] == "na-phao-cha-lo"]
    wait = at_naphao[at_naphao["activity"].str.startswith("wait")]
    assert len(wait) == 1
    w = wait.iloc[0]
    assert w["start"].hour < 7 and w["start"].day == 4  # arrives in the night of day 2 ...
    assert w["end"] == pd.Timestamp(
        "2026-03-04 07:00", tz=w["end"].tz
    )  # ... waits for the 07:00 opening
    inspection = at_naphao[at_naphao["activity"].isin(["exit clearance", "entry clearance"])]
    assert (inspection["start"].map(lambda t: 7 <= t.hour < 12)).all()  # morning inspection
    assert 48.0 <= it.hours <= 72.0  # "about two and a half days"
    assert it.arrive.utcoffset() == dt.timedelta(hours=7)


def test_sea_route_has_port_dwell_and_sailing(graph) -> None:
    route = networks.shortest_route(graph, "Bangkok", "Hanoi", mode="sea")
    it = build_itinerary(route, "2026-03-02 18:00", "status-quo")
    acts = list(it.events["activity"])
    assert "port dwell and handling (export)" in acts and "sailing" in acts
    assert "port dwell and handling (import)" in acts
    sail = it.events[it.events["activity"] == "sailing"].iloc[0]
    assert sail["duration_h"] == pytest.approx(sail["km"] / 25.93)
    wait = it.events[it.events["activity"] == "wait for next sailing"]
    assert (wait["duration_h"] < 168 / 2 + 1e-6).all()  # at least 2 sailings per week
    assert it.hours > 100  # dwell + sailing: days, not hours
    road = build_itinerary(
        networks.shortest_route(graph, "Bangkok", "Hanoi", via="R12"), "2026-03-02 18:00"
    )
    assert it.cost_usd < road.cost_usd  # sea is cheaper, road faster
    assert it.hours > road.hours


def test_every_scenario_runs_on_every_bangkok_hanoi_route(graph) -> None:
    routes = [
        networks.shortest_route(graph, "Bangkok", "Hanoi", via=v) for v in ("R9", "R12", "R8")
    ]
    routes.append(networks.shortest_route(graph, "Singapore", "Bangkok"))
    from logistics.scenarios import list_scenarios

    for route in routes:
        hours = {s: build_itinerary(route, "2026-03-02 08:00", s).hours for s in list_scenarios()}
        assert hours["full-integration"] <= hours["status-quo"] + 1e-6
        assert hours["24h-borders"] <= hours["status-quo"] + 1e-6


def test_port_to_port_sea_route(graph) -> None:
    """A route that starts at a port has no port-access leg: the ports come from the sea legs."""
    route = networks.shortest_route(graph, "Laem Chabang", "Hai Phong", mode="sea")
    it = build_itinerary(route, "2026-03-02 08:00", "status-quo")
    ev = it.events
    assert ev.iloc[0]["place"] == "laem-chabang"
    assert ev.iloc[0]["activity"] == "port dwell and handling (export)"
    assert (ev["activity"] == "sailing").sum() == 1
    assert "hai-phong" in set(ev["place"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_departure_parser_fuzz(text: str) -> None:
    try:
        t, assumed = parse_departure(text, "VN")
    except ItineraryError:
        return
    assert t.utcoffset() is not None
    assert assumed == (
        dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")).tzinfo is None
    )


def test_clearance_interrupted_by_closing_time() -> None:
    """Entry clearance of 4 h started at 15:18 at a 07:00-17:00 gate resumes the next morning."""
    route = Route(
        Place("A", 17.5, 105.0, "LA"),
        Place("B", 17.8, 106.0, "VN"),
        [0, 1],
        [
            leg("road", "LA", 100, 2.0),
            leg(
                "border",
                "VN",
                1,
                0.03,
                crossing_id="na-phao-cha-lo",
                from_country="LA",
                to_country="VN",
            ),
            leg("road", "VN", 100, 2.0),
        ],
    )
    it = build_itinerary(
        route,
        "2026-03-02 13:00",
        "through-trucking",
        draws={"na-phao-cha-lo:LA-VN:entry_clearance_h": 4.0},
    )
    ev = it.events[it.events["crossing_id"] == "na-phao-cha-lo"]
    parts = ev[ev["activity"] == "entry clearance"]
    assert len(parts) == 2
    assert parts.iloc[0]["end"].hour == 17 and parts.iloc[1]["start"].hour == 7
    assert parts["duration_h"].sum() == pytest.approx(4.0)
    assert (ev["activity"] == "wait (entry clearance resumes at opening)").sum() == 1
    row = it.crossings.iloc[0]
    assert row["wait_h"] == pytest.approx(14.0) and row["clearance_h"] == pytest.approx(5.0)


def test_through_trucking_is_never_slower_than_the_status_quo_over_a_week(graph) -> None:
    """A permit is an option, not an obligation: where a single through-driver would pause, a
    fresh driver takes the truck over at the border (``handover`` says so), so through-trucking
    is never slower than the status quo's transloads, for every hour of a week and every
    Bangkok -> Hanoi route and the Singapore -> Bangkok route (issue 11)."""
    routes = [
        networks.shortest_route(graph, "Bangkok", "Hanoi", via=v) for v in ("R9", "R12", "R8")
    ]
    routes.append(networks.shortest_route(graph, "Singapore", "Bangkok"))
    monday = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    relays = 0
    for route in routes:
        for hour in range(7 * 24):
            depart = monday + dt.timedelta(hours=hour)
            sq = build_itinerary(route, depart, "status-quo")
            tt = build_itinerary(route, depart, "through-trucking")
            assert tt.hours <= sq.hours + 1e-6, (route.crossings, depart, tt.hours, sq.hours)
            for it in (sq, tt):  # the status quo, too, lets trucks through at some crossings
                through = it.crossings["through_trucking"]
                assert (it.crossings.loc[~through, "handover"] == "transload").all()
                assert set(it.crossings.loc[through, "handover"]) <= {"driver relay", "same driver"}
            relays += int((tt.crossings["handover"] == "driver relay").sum())
    assert relays > 0
    # one driver all the way (a fleet plan's truck): the same walk without relays
    route = routes[0]
    one = build_itinerary(route, monday, "through-trucking", relay=False)
    assert set(one.crossings["handover"]) == {"same driver"}
    assert one.hours >= build_itinerary(route, monday, "through-trucking").hours - 1e-6


def test_customs_clearance_is_charged_once_per_land_shipment(graph, monkeypatch) -> None:
    """Export clearance at the first crossing out of the origin country, import clearance at
    the last one into the destination (``CostModel.clearance_usd``), nothing at a transit
    crossing: without them the trip costs exactly that much less, at those two crossings."""
    from logistics.costs import CostModel
    from logistics.parameters import load_parameters

    route = networks.shortest_route(graph, "Singapore", "Bangkok", mode="road")
    assert len(route.crossings) >= 2  # through Malaysia
    customs = CostModel(load_parameters(), load_scenario("status-quo")).clearance_usd("SG", "TH")
    assert customs > 0
    it = build_itinerary(route, "2026-03-02 08:00", "status-quo")
    monkeypatch.setattr(CostModel, "export_clearance_usd", lambda self, c: 0.0)
    monkeypatch.setattr(CostModel, "import_clearance_usd", lambda self, c: 0.0)
    free = build_itinerary(route, "2026-03-02 08:00", "status-quo")
    assert it.hours == free.hours
    assert it.cost_usd - free.cost_usd == pytest.approx(customs)
    extra = (it.crossings["cost_usd"] - free.crossings["cost_usd"]).round(6)
    assert extra.iloc[0] > 0 and extra.iloc[-1] > 0 and (extra.iloc[1:-1] == 0).all()
