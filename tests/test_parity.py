"""Parity between the fleet model and the itinerary engine (issue 9, item 2).

One shipment Bangkok -> Hanoi on one truck (through-trucking) or on three trucks with two
transloads (status quo), forced onto R9, R12 or R8 by a scenario that adds 300 h of documents at
every other Lao / Cambodian crossing. The plan's delivery time (P50; the plan's routes walked by
``logistics.fleet.timing``) and the routing model's own time (``model_delivery_utc``, the bound
the search works with) are compared with ``build_itinerary``'s median walk of the SAME node
path (``planned_path`` -> ``route_from_nodes``) from the same departure (pickup + loading). The
bounds and the measured figures are in ``docs/fleet.md`` ("Parity with the itinerary").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import networks
from logistics.fleet import SolverSettings, scenario_terms, solve_fleet
from logistics.fleet.instance import SERVICE_H
from logistics.fleet.replay import planned_path
from logistics.fleet.terms import bridges_h
from logistics.itinerary import build_itinerary
from logistics.matrix import TravelNetwork
from logistics.parameters import load_parameters
from logistics.rules.calendar import closed_minutes, wait_quantile_h
from logistics.rules.sea import gate_open, sea_passage
from logistics.scenarios import load_scenario
from logistics.shipments import Shipment, VehicleType
from networks.borders import ROUTE_CROSSINGS
from networks.routing import route_from_nodes
from networks.types import Place

UTC = dt.UTC
ROUTES = ("R9", "R12", "R8")
#: Crossings that could carry Bangkok -> Hanoi besides the forced route.
DETOURS = ("chiang-khong-houayxay", "aranyaprathet-poipet", "bavet-moc-bai")
TINY = SolverSettings(phase1_solutions=5, phase2_solutions=10, seed_polish_solutions=5, workers=1)
#: Solver minutes are rounded up per arc and per transfer gap.
ROUNDING_H = 2 / 60
MONDAY = dt.datetime(2026, 3, 2, tzinfo=UTC)
departures = st.integers(0, 7 * 24 * 4 - 1).map(lambda q: MONDAY + dt.timedelta(minutes=15 * q))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return make_world(tmp_path_factory.mktemp("scenarios"))


def make_world(folder: Path) -> dict[str, Any]:
    """The network (loaded once), Bangkok and Hanoi on graph nodes, and the forcing scenarios."""
    G = networks.load_network("all")
    net = TravelNetwork(G)

    def on_node(name: str) -> Place:
        # the place sits on its road node: no access leg (the itinerary of a node path has none)
        k = int(net.snap([networks.resolve_place(name)])[0][0])
        return Place(name, float(net.lat[k]), float(net.lon[k]), str(net.country[k]))

    scenarios = {}
    for route in ROUTES:
        others = [c for r in ROUTES if r != route for c in ROUTE_CROSSINGS[r]] + list(DETOURS)
        for through in (False, True):
            for hours in ("real", "24h"):
                name = f"{'tt' if through else 'sq'}-{hours}-{route}"
                text = f'name = "{name}"\nextends = "status-quo"\n'
                text += "through_trucking = true\n" if through else ""
                text += 'opening_hours = "24h"\n' if hours == "24h" else ""
                text += "".join(f'[crossings."{c}"]\ndocumentary_h = 300.0\n' for c in others)
                path = folder / f"{name}.toml"
                path.write_text(text)
                scenarios[name] = load_scenario(path)
    return {
        "G": G,
        "net": net,
        "bkk": on_node("Bangkok"),
        "hni": on_node("Hanoi"),
        "scenarios": scenarios,
        "terms": {},
        "runs": {},
    }


def _truck(depot: Place, country: str) -> VehicleType:
    return VehicleType(
        vehicle_type=f"truck-{country}",
        depot=depot,
        count=1,
        capacity_weight_t=20.0,
        cost_per_km_usd=1.0,
        cost_per_h_usd=10.0,
        fixed_cost_usd=100.0,
        crew="single",
        country=country,
        cross_border_permit=True,
        capacity_pallets=33.0,
    )


def _checkpoint(G: Any, crossing_id: str, country: str) -> Place:
    d = G.nodes[f"cp:{crossing_id}:{country}"]
    return Place(f"cp:{crossing_id}:{country}", float(d["y"]), float(d["x"]), country, "crossing")


def run(world: dict[str, Any], route: str, through: bool, hours: str, depart: dt.datetime) -> dict:
    """Plan one shipment and walk the plan's node path; the figures both engines give (cached
    per case: a status-quo solve takes seconds)."""
    key = (route, through, hours, depart)
    if key not in world["runs"]:
        world["runs"][key] = _run(world, route, through, hours, depart)
    return world["runs"][key]


def _run(world: dict[str, Any], route: str, through: bool, hours: str, depart: dt.datetime) -> dict:
    name = f"{'tt' if through else 'sq'}-{hours}-{route}"
    sc = world["scenarios"][name]
    bkk, hni, G = world["bkk"], world["hni"], world["G"]
    first, second = ROUTE_CROSSINGS[route]
    fleet = [_truck(bkk, "TH")]
    if not through:  # a Lao and a Vietnamese truck waiting where they take over
        fleet += [
            _truck(_checkpoint(G, first, "LA"), "LA"),
            _truck(_checkpoint(G, second, "VN"), "VN"),
        ]
    late = depart + dt.timedelta(days=12)
    s = Shipment("S1", bkk, hni, depart, depart, late, weight_t=10.0, pallets=10.0)
    plan = solve_fleet(world["net"], [s], fleet, scenario=sc, settings=TINY, allow_sea=False)
    row = plan.shipments.iloc[0]
    assert row["status"] == "served", row["reason"]
    assert row["crossings"] == f"{first};{second}"
    assert int(row["legs"]) == (1 if through else 3)
    pick = dt.datetime.fromisoformat(row["pickup_utc"])
    deliver = dt.datetime.fromisoformat(row["model_delivery_utc"])
    planned = dt.datetime.fromisoformat(row["delivery_utc"])
    path = route_from_nodes(G, planned_path(plan, "S1"), bkk, hni)
    it = build_itinerary(path, pick + dt.timedelta(hours=SERVICE_H), sc, relay=False)
    # what `corridor itinerary` gives (a fresh driver may take over at a crossing driven
    # through, as the plan's walk allows a permitted truck)
    default = build_itinerary(path, pick + dt.timedelta(hours=SERVICE_H), sc)
    assert list(it.crossings["id"]) == [first, second]
    if name not in world["terms"]:
        world["terms"][name] = scenario_terms(sc, percentile=50, bridges_h=bridges_h(world["net"]))
    terms = world["terms"][name]
    hos = terms.hours_of_service["single"]
    deliveries = plan.stops[plan.stops["kind"] == "delivery"]
    ev = it.events
    arrival_waits = [
        f"wait ({c['id']} ({c['from_country']} side) closed)"
        for c in it.crossings.to_dict("records")
    ]
    return {
        "plan_h": (planned - pick).total_seconds() / 3600.0 - SERVICE_H,
        "corridor_itinerary_h": default.hours,
        "relays": row["driver_relays"],
        "itinerary_relays": ";".join(
            default.crossings.loc[default.crossings["handover"] == "driver relay", "id"]
        ),
        "fleet_h": (deliver - pick).total_seconds() / 3600.0 - SERVICE_H,
        "itinerary_h": it.hours,
        "legs": int(row["legs"]),
        "through": int(through) * 2,  # crossings driven through
        "hos": hos,
        # pauses: the fleet's per-leg bound against the exact walk (with its stops)
        "fleet_pause_h": float(sum(hos.rest_h(d) for d in deliveries["driving_h"])),
        "walk_pause_h": float(
            ev.loc[ev["activity"].isin(["break", "daily rest"]), "duration_h"].sum()
        ),
        "fleet_drive_h": float(deliveries["driving_h"].sum()),
        "walk_drive_h": it.driving_h,
        # opening-hours waits of crossings driven through: quantile for a random arrival
        # (fleet) against the wait at the truck's arrival (itinerary)
        "fleet_wait_h": sum(
            terms.crossings[(c["id"], c["from_country"], c["to_country"])].wait_h
            for c in it.crossings.to_dict("records")
        )
        if through
        else 0.0,
        "walk_wait_h": float(it.crossings["wait_h"].sum()),
        # waits the walk takes before a crossing's first stop (exit side, or joint, closed)
        "walk_arrival_wait_h": float(
            ev.loc[ev["activity"].isin(arrival_waits), "duration_h"].sum()
        ),
        "long_stops": int((it.crossings["time_h"] >= hos.daily_rest_h).sum()),
    }


def pause_bound_h(r: dict) -> float:
    """Most the fleet's pauses exceed the walk's: one ``break_h`` per leg (``rest_h`` against the
    exact walk from a fresh driver, ``logistics.rules.hours``) plus one per crossing stop, which
    the walk counts as a break (the fleet does not); and a daily rest per stop of at least
    ``daily_rest_h``, which the walk counts as its daily rest."""
    hos = r["hos"]
    return hos.break_h * (r["legs"] + r["through"]) + hos.daily_rest_h * r["long_stops"]


# ------------------------------------------------------------------ around-the-clock borders


@pytest.mark.parametrize("route", ROUTES)
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(depart=departures)
def test_through_trucking_24h_borders_agree_within_the_driver_hours_bound(
    world: dict[str, Any], route: str, depart: dt.datetime
) -> None:
    r = run(world, route, True, "24h", depart)
    diff = r["fleet_h"] - r["itinerary_h"]
    assert abs(r["fleet_drive_h"] - r["walk_drive_h"]) < 1e-6
    assert r["walk_wait_h"] == 0.0
    assert -1e-6 <= diff <= pause_bound_h(r) + ROUNDING_H
    assert diff == pytest.approx(r["fleet_pause_h"] - r["walk_pause_h"], abs=ROUNDING_H)


@pytest.mark.parametrize("route", ROUTES)
def test_status_quo_24h_borders_agree_within_the_driver_hours_bound(
    world: dict[str, Any], route: str
) -> None:
    r = run(world, route, False, "24h", MONDAY + dt.timedelta(hours=9))
    diff = r["fleet_h"] - r["itinerary_h"]
    assert abs(r["fleet_drive_h"] - (r["walk_drive_h"] - _bridges_h(world, route))) < 1e-6
    assert -1e-6 <= diff <= pause_bound_h(r) + 3 * ROUNDING_H
    assert diff == pytest.approx(r["fleet_pause_h"] - r["walk_pause_h"], abs=3 * ROUNDING_H)


def _bridges_h(world: dict[str, Any], route: str) -> float:
    """Driving between the two checkpoints of each crossing of ``route`` (a transfer gap in the
    fleet model, driving in the walk)."""
    G = world["G"]
    out = 0.0
    for cid, (a, b) in zip(ROUTE_CROSSINGS[route], (("TH", "LA"), ("LA", "VN")), strict=True):
        data = G.get_edge_data(f"cp:{cid}:{a}", f"cp:{cid}:{b}")
        out += min(float(d["travel_time"]) for d in data.values()) / 3600.0
    return out


# ------------------------------------------------------------------ the shipped opening hours


@pytest.mark.parametrize("route", ROUTES)
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(depart=departures)
def test_through_trucking_differs_only_by_opening_hour_waits_and_pauses(
    world: dict[str, Any], route: str, depart: dt.datetime
) -> None:
    """Driving, documents, clearance and fees are the same rule in both engines: what differs is
    the opening-hours wait (the fleet's median for a random arrival, the walk's at the truck's
    arrival) and the pauses (bounded by :func:`pause_bound_h`)."""
    r = run(world, route, True, "real", depart)
    diff = r["fleet_h"] - r["itinerary_h"]
    waits = r["fleet_wait_h"] - r["walk_wait_h"]
    pauses = r["fleet_pause_h"] - r["walk_pause_h"]
    assert abs(r["fleet_drive_h"] - r["walk_drive_h"]) < 1e-6
    assert diff == pytest.approx(waits + pauses, abs=ROUNDING_H)
    assert -1e-6 <= pauses <= pause_bound_h(r) + ROUNDING_H


SQ_DEPARTURES = (MONDAY, MONDAY + dt.timedelta(hours=12))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("depart", SQ_DEPARTURES)
def test_status_quo_is_never_earlier_than_the_walk(
    world: dict[str, Any], route: str, depart: dt.datetime
) -> None:
    """Transload crossings: the fleet lets the truck arrive at the exit checkpoint only when the
    whole passage (both sides' hours, clearance at the median) runs without pausing, then a
    fixed transfer gap. So the fleet is never earlier than the walk; it is later by the work the
    walk does before a pause, and by what that shift does downstream."""
    r = run(world, route, False, "real", depart)
    diff = r["fleet_h"] - r["itinerary_h"]
    inside = r["walk_wait_h"] - r["walk_arrival_wait_h"]
    assert inside >= -1e-6
    # a transload leg arrives only when the passage runs without pausing, so the fleet is
    # never earlier than the walk (it may be later: docs/fleet.md, "Parity with the itinerary")
    assert diff >= -3 * ROUNDING_H


#: The plan's times walk its routes with the itinerary engine, rounded to the second.
PLAN_BOUND_H = 1.0


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("through", [False, True])
@pytest.mark.parametrize("hour", [0, 12, 16])
def test_the_plans_delivery_is_the_itinerarys_median_walk(
    world: dict[str, Any], route: str, through: bool, hour: int
) -> None:
    """Issue 9, done when: the planned delivery at P50 and ``corridor itinerary``'s arrival with
    every delay at its median agree within 1 h (they are the same walk: measured to the second,
    docs/fleet.md), under status quo and through-trucking, on R9, R12 and R8, with the shipped
    opening hours; and the model's own time is never earlier under status quo (its bound)."""
    r = run(world, route, through, "real", MONDAY + dt.timedelta(hours=hour))
    assert abs(r["plan_h"] - r["corridor_itinerary_h"]) <= PLAN_BOUND_H
    assert abs(r["plan_h"] - r["corridor_itinerary_h"]) <= 2 / 3600 + 1e-9  # to the second
    assert r["relays"] == r["itinerary_relays"]  # the same driver relays, reported
    if not through:
        assert r["relays"] == ""  # transloads bring fresh drivers; nothing to relay
        assert r["fleet_h"] >= r["plan_h"] - 3 * ROUNDING_H


# ------------------------------------------------------------------ port gate hours


@settings(max_examples=10, deadline=None)
@given(
    gate=st.sampled_from(["08:00-17:00", "06:00-22:00", "00:00-24:00"]),
    q=st.sampled_from([0.5, 0.9]),
)
def test_loading_gate_wait_is_the_walks_wait_for_a_random_arrival(
    tmp_path_factory: pytest.TempPathFactory, gate: str, q: float
) -> None:
    """The fleet's gate wait (``sea_passage``) is the quantile of the itinerary's wait at the
    gate over arrivals spread evenly across the week (the same calendar function)."""
    path = tmp_path_factory.mktemp("gate") / "gate.toml"
    path.write_text(
        f'name = "gate"\nextends = "status-quo"\n[ports."laem-chabang"]\ngate_hours = "{gate}"\n'
    )
    sc = load_scenario(path)
    p = load_parameters()
    passage = sea_passage(sc, p, "laem-chabang", "hai-phong", 2000.0, quantile=q)
    gate_hours = sc.port_rule(p, "laem-chabang").gate_hours
    arrivals = MONDAY.timestamp() / 3600.0 + np.arange(7 * 24 * 60) / 60.0  # every minute
    waits = gate_open(gate_hours, arrivals, "TH") - arrivals  # what the itinerary waits
    walk_q = float(np.quantile(waits, q, method="inverted_cdf"))
    unloading = wait_quantile_h(sc.port_rule(p, "hai-phong").gate_hours.intervals, quantile=q)
    assert passage.gate_wait_h == pytest.approx(walk_q + unloading, abs=1 / 60)


@pytest.mark.parametrize("scenario", ["status-quo"])
@pytest.mark.parametrize(
    ("crossing_id", "frm", "to"),
    [("na-phao-cha-lo", "LA", "VN"), ("mukdahan-savannakhet", "TH", "LA")],
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(minute=st.integers(0, 7 * 24 * 60 - 1))
@example(minute=9210)  # Sunday 16:30 local: documents run, the exit clearance waits
def test_transload_closed_minutes_are_the_minutes_the_walk_waits(
    world: dict[str, Any], scenario: str, crossing_id: str, frm: str, to: str, minute: int
) -> None:
    """The fleet forbids a delivery at a transload crossing in the closed minutes of the first
    stop's calendar (``CrossingPassage.open_intervals`` -> ``Leg.end_open`` -> ``closed_minutes``);
    the walk arriving in such a minute waits before its first task, and only then."""
    key = f"passage:{scenario}:{crossing_id}:{frm}"
    if key not in world["terms"]:
        world["terms"][key] = scenario_terms(scenario, crossings=[(crossing_id, frm, to)])
    passage = world["terms"][key].crossings[(crossing_id, frm, to)]
    closed = closed_minutes(passage.open_intervals, passage.utc_offset_h, MONDAY, 7 * 24 * 60)
    fleet_closed = any(lo <= minute <= hi for lo, hi in closed)
    a, b = f"cp:{crossing_id}:{frm}", f"cp:{crossing_id}:{to}"
    G = world["G"]
    path = route_from_nodes(
        G, [a, b], _checkpoint(G, crossing_id, frm), _checkpoint(G, crossing_id, to)
    )
    it = build_itinerary(path, MONDAY + dt.timedelta(minutes=minute), scenario)
    side = "joint stop" if passage.single_stop else f"{frm} side"
    ev = it.events.reset_index(drop=True)
    # the wait before the first task only (a later task can wait too: documents started at
    # 16:30 end at 17:00, when the exit clearance waits for the morning)
    first_task = int(ev.index[ev["activity"] == "documents"][0])
    before = ev.iloc[:first_task]
    waited = before.loc[
        before["activity"] == f"wait ({crossing_id} ({side}) closed)", "duration_h"
    ].sum()
    assert fleet_closed == (waited > 0), (minute, waited, closed[:3])


def _walk_waits_at(
    world: dict[str, Any], scenario: str, cid: str, frm: str, to: str, minute: int
) -> float:
    G = world["G"]
    a, b = f"cp:{cid}:{frm}", f"cp:{cid}:{to}"
    path = route_from_nodes(G, [a, b], _checkpoint(G, cid, frm), _checkpoint(G, cid, to))
    it = build_itinerary(path, MONDAY + dt.timedelta(minutes=minute), scenario)
    return float(it.crossings["wait_h"].sum())


def test_single_stop_transload_arrivals_are_read_after_the_bridge(world: dict[str, Any]) -> None:
    """Single stop: the joint control is after the bridge. The fleet's allowed arrivals at the
    exit checkpoint (``pause_free``, walked with the bridge) exclude 16:55 local at Na Phao-Cha
    Lo, when the walk would wait for the next opening, and include 09:00, when it does not."""
    cid, frm, to = "na-phao-cha-lo", "LA", "VN"
    terms = scenario_terms(
        "single-stop", crossings=[(cid, frm, to)], bridges_h=bridges_h(world["net"])
    )
    passage = terms.crossings[(cid, frm, to)]
    assert passage.pause_free is not None
    closed = closed_minutes(passage.pause_free, passage.utc_offset_h, MONDAY, 7 * 24 * 60)
    late = 9 * 60 + 55  # Monday 16:55 at UTC+7, five minutes before closing
    early = 2 * 60  # Monday 09:00 at UTC+7
    assert any(lo <= late <= hi for lo, hi in closed)
    assert _walk_waits_at(world, "single-stop", cid, frm, to, late) > 1.0
    assert not any(lo <= early <= hi for lo, hi in closed)
    assert _walk_waits_at(world, "single-stop", cid, frm, to, early) == 0.0


def main() -> None:
    """Print plan minus itinerary and model minus itinerary (h) per case:
    ``python tests/test_parity.py``."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        w = make_world(Path(tmp))
        cases = ((True, "24h", 24), (False, "24h", 24), (True, "real", 2), (False, "real", 4))
        for through, hours, step in cases:
            for route in ROUTES:
                diffs, plan = [], []
                for hour in range(0, 24, step):
                    r = run(w, route, through, hours, MONDAY + dt.timedelta(hours=hour))
                    diffs.append(r["fleet_h"] - r["itinerary_h"])
                    plan.append(r["plan_h"] - r["corridor_itinerary_h"])
                label = "through-trucking" if through else "status-quo"
                print(
                    f"{label:16} {hours:4} {route:3} departures {len(diffs):2}: plan - itinerary "
                    f"{min(plan):+.4f} .. {max(plan):+.4f} h; model - itinerary "
                    f"{min(diffs):+.2f} .. {max(diffs):+.2f} h"
                )


if __name__ == "__main__":
    main()
