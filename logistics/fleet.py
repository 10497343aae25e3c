"""Just-in-time fleet routing with OR-Tools: model, solve, plan, Monte Carlo replay, compare.

The model is a pickup-and-delivery problem with time windows (``docs/fleet.md``):

* every shipment has one or two **alternatives**: ``road`` (door to door by truck) and, when both
  ends' countries have corridor ports joined by sea, ``sea`` (truck to the port, ship, truck from
  the port). Each alternative is a chain of **legs**; each leg is a pickup-delivery pair carried by
  one vehicle;
* under a scenario where a crossing does not allow through-trucking (or the vehicle holds no
  cross-border permit) the road alternative is split at that crossing: leg *k* delivers to the
  exit checkpoint, leg *k+1* picks up at the entry checkpoint no earlier than the delivery plus the
  border passage, clearance and transloading time (precedence kept by a solver constraint);
  transload deliveries respect the exit side's opening hours (closed hours are removed from the
  time variable);
* a vehicle may serve a leg only if it fits the shipment in every unit (weight capped by the
  scenario's axle-load regime), and it drives only in its registration country, or, with a
  cross-border permit, in the countries of a leg whose crossings all allow through-trucking;
* JIT delivery windows are hard, or soft with a lateness penalty per hour;
* driver hours: each arc's time includes the daily rests and breaks its own driving needs, and a
  counter carries driving over from arc to arc, so a vehicle takes its daily rest at the stop
  before the arc that would exceed the daily limit (or in a wait the windows force); see
  ``docs/fleet.md``;
* a fixed cost per vehicle used; arc costs per vehicle type (per km, per hour, border fees);
* shipments that cannot be served are dropped with a penalty and a reason.

Times inside the solver are whole minutes and money whole US cents, converted by
:func:`logistics.matrix.to_solver_int` only.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time as _time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from ortools.constraint_solver import pywrapcp

from logistics.matrix import BorderTerms, TravelMatrix, TravelNetwork, opening_wait_h, to_solver_int
from logistics.shipments import DEMAND_UNITS, Shipment, VehicleType
from networks.io import atomic_path
from networks.types import UTC_OFFSET_H, Place

log = logging.getLogger(__name__)

#: Loading or unloading one shipment at its origin or destination.
#: Source: assumption: 1 h per stop for a full or part truckload; no corridor figure found.
SERVICE_H = 1.0
#: Penalty for dropping a shipment: a modelling weight, not a cost (reported separately).
#: Source: assumption: USD 100,000, far above any corridor trip, so the solver drops a shipment
#: only when it cannot be served.
DROP_PENALTY_USD = 100_000.0
#: Pallets one sea container carries when a shipment is measured in pallets.
#: Source: assumption: a 40-foot container holds 24-25 EUR pallets on the floor; 24 used.
PALLETS_PER_CONTAINER = 24.0
#: Solver units: minutes per time unit, cents per dollar, and demand scale per unit.
MINUTES_PER_H = 60.0
CENTS_PER_USD = 100.0
#: Solver units of the shared deck-space dimension: thousandths of a vehicle's deck.
DECK_SCALE = 1000.0
#: Solver units of the driver-hours counters: ten-thousandths of the daily or the continuous
#: driving allowance.
ALLOWANCE_SCALE = 10_000
DEMAND_SCALE: dict[str, float] = {"weight_t": 10.0, "volume_m3": 10.0, "pallets": 1.0, "teu": 10.0}
#: Extra horizon beyond the latest delivery window (room for soft lateness).
#: Source: assumption: 5 days.
HORIZON_SLACK_H = 120.0
#: Default solver time limit per scenario (s). With the driver-hours constraints the first
#: solution of the demo takes about 6 s; at 15 s, runs with local cheapest insertion served 56
#: or 71 shipments by chance, 30 s runs repeated. 4 scenarios, two at a time, with the Monte
#: Carlo replay finish in about 70 s on 2 cores (docs/performance.md, "Fleet routing").
DEFAULT_TIME_LIMIT_S = 30.0
PERCENTILES = (50, 90)
#: OR-Tools first-solution strategy of phase 1 (legs not coupled). With the coupling constraints
#: (a later leg only with the one before) insertion heuristics found no solution in 8 s on 24
#: demo shipments, hence the two phases. Parallel cheapest insertion: with the driver-hours
#: constraints it served 70 / 75 / 72 / 75 demo shipments at 30 s (status quo, harmonized axle
#: loads, through-trucking, full integration) against 68 / 71 / 73 / 76 with local cheapest
#: insertion, which won before those constraints (docs/performance.md, "Fleet routing").
FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"
#: Share of the time limit spent in phase 1 (uncoupled legs, insertion heuristic).
#: Source: assumption: 40 %, tuned on the demo set (docs/performance.md).
PHASE1_SHARE = 0.4
#: Extra options of :func:`logistics.vrptw.search_parameters` for both phases.
#: Phase 1 penalty of an alternative's later legs together, as a multiple of the drop penalty.
CHAIN_WEIGHT = 0.5
#: ``ls_operator_neighbors_ratio`` 0.3 (at least 10): local search operators try the 30 %
#: nearest nodes; served 53 instead of 50 demo shipments in 15 s under status quo (one run).
SEARCH_OPTIONS: dict[str, Any] = {"neighbors_ratio": 0.3, "min_neighbors": 10}
MODES = ("road", "sea")


class RoutingError(ValueError):
    """Bad fleet-routing input or an unsolvable instance (the message explains which)."""


# =========================================================================== scenario terms


@dataclass(frozen=True)
class CrossingTerms:
    """One crossing in one direction, under a scenario, at a percentile.

    Attributes
    ----------
    through_trucking : bool
        A permitted truck may drive through (no transloading).
    clearance_h : float
        Exit + entry clearance (joint when single-stop) + documentary time, at the percentile.
    wait_h : float
        Opening-hours wait at the percentile for a random arrival (matrix approximation).
    transload_h, transload_cost_usd : float
        Transloading when through-trucking is not allowed.
    fee_usd : float
    exit_open : tuple of (float, float)
        Weekly open intervals of the exit side, hours since Monday 00:00 local time.
    exit_utc_offset_h : float
    """

    crossing_id: str
    from_country: str
    to_country: str
    through_trucking: bool
    clearance_h: float
    wait_h: float
    transload_h: float
    transload_cost_usd: float
    fee_usd: float
    exit_open: tuple[tuple[float, float], ...]
    exit_utc_offset_h: float


@dataclass(frozen=True)
class PortTerms:
    """One port under a scenario at a percentile (dwell in hours, handling per box in USD)."""

    port_id: str
    country: str
    export_dwell_h: float
    import_dwell_h: float
    export_handling_usd: float
    import_handling_usd: float


@dataclass(frozen=True)
class ScenarioTerms:
    """What the routing model needs from a scenario, at one reliability percentile.

    Build with :func:`scenario_terms`; tests may build one by hand.
    """

    name: str
    percentile: int
    crossings: Mapping[tuple[str, str, str], CrossingTerms]
    ports: Mapping[str, PortTerms]
    sailings_per_week: Callable[[str, str], float]
    sea_freight_usd: Callable[[float], float]
    sailing_speed_kph: float
    co2_road_kg_per_vkm: float
    co2_sea_kg_per_tkm: float
    hours_of_service: Mapping[str, tuple[float, float, float, float]]
    payload_t: Callable[[Sequence[str]], float]
    sources: Mapping[str, str] = field(default_factory=dict)

    def border_terms(self) -> dict[tuple[str, str, str], BorderTerms]:
        """Delays and fees for the travel matrix (crossings driven through)."""
        return {
            k: BorderTerms(delay_h=c.clearance_h + c.wait_h, fee_usd=c.fee_usd)
            for k, c in self.crossings.items()
        }


def _quantile(delay: Any, q: float) -> float:
    return float(delay.quantile(q)) if delay.median_h > 0 else 0.0


def scenario_terms(
    scenario: Any,
    *,
    percentile: int = 50,
    params: Any = None,
    crossings: Iterable[tuple[str, str, str]] | None = None,
) -> ScenarioTerms:
    """Turn a :class:`logistics.Scenario` into routing terms at a percentile.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario or a built-in name / TOML path (:func:`logistics.load_scenario`).
    percentile : {50, 90}
        Border clearance, transloading, port dwell and opening-hours waits are taken at this
        percentile of their distributions.
    params : ParameterSet, optional
        Default :func:`logistics.load_parameters`.
    crossings : iterable of (crossing_id, from_country, to_country), optional
        Directions to include (default: every direction in the parameter table).
    """
    from logistics.parameters import load_parameters
    from logistics.scenarios import load_scenario

    if percentile not in PERCENTILES:
        raise RoutingError(f"percentile {percentile!r} is not allowed; allowed: 50, 90")
    sc = load_scenario(scenario) if not hasattr(scenario, "border_rule") else scenario
    p = params or load_parameters()
    q = percentile / 100.0
    keys = list(crossings) if crossings is not None else list(p.borders)
    out: dict[tuple[str, str, str], CrossingTerms] = {}
    factor = sc.general_value(p, "single_stop_time_factor")
    for cid, a, b in keys:
        try:
            rule = sc.border_rule(p, cid, a, b)
        except ValueError as exc:
            log.warning("no border parameters for %s %s->%s: %s", cid, a, b, exc)
            continue
        clearance = _quantile(rule.exit_clearance, q) + _quantile(rule.entry_clearance, q)
        if rule.single_stop:
            clearance *= factor
        clearance += rule.documentary_h
        wait = max(
            opening_wait_h(rule.exit_hours.intervals, quantile=q),
            opening_wait_h(rule.entry_hours.intervals, quantile=q),
        )
        out[(cid, a, b)] = CrossingTerms(
            crossing_id=cid,
            from_country=a,
            to_country=b,
            through_trucking=bool(rule.through_trucking),
            clearance_h=clearance,
            wait_h=wait,
            transload_h=_quantile(rule.transload, q),
            transload_cost_usd=float(rule.transload_cost_usd),
            fee_usd=float(rule.exit_fee_usd + rule.entry_fee_usd),
            exit_open=tuple(rule.exit_hours.intervals),
            exit_utc_offset_h=UTC_OFFSET_H.get(a, 7.0),
        )
    ports = {}
    for pid in p.ports:
        rule = sc.port_rule(p, pid)
        ports[pid] = PortTerms(
            port_id=pid,
            country=rule.country,
            export_dwell_h=_quantile(rule.export_dwell, q),
            import_dwell_h=_quantile(rule.import_dwell, q),
            export_handling_usd=float(rule.export_handling_usd),
            import_handling_usd=float(rule.import_handling_usd),
        )
    g = {
        k: sc.general_value(p, k)
        for k in (
            "continuous_driving_h",
            "break_h",
            "daily_driving_h",
            "daily_rest_h",
            "double_crew_daily_driving_h",
            "double_crew_daily_rest_h",
            "sea_freight_base_usd",
            "sea_freight_usd_per_km",
            "sailing_speed_kph",
            "co2_road_kg_per_vkm",
            "co2_sea_kg_per_tkm",
        )
    }
    base, per_km = g["sea_freight_base_usd"], g["sea_freight_usd_per_km"]
    return ScenarioTerms(
        name=sc.name,
        percentile=percentile,
        crossings=out,
        ports=ports,
        sailings_per_week=p.sailings_per_week,
        sea_freight_usd=lambda km: base + per_km * km,
        sailing_speed_kph=g["sailing_speed_kph"],
        co2_road_kg_per_vkm=g["co2_road_kg_per_vkm"],
        co2_sea_kg_per_tkm=g["co2_sea_kg_per_tkm"],
        hours_of_service={
            "single": (
                g["continuous_driving_h"],
                g["break_h"],
                g["daily_driving_h"],
                g["daily_rest_h"],
            ),
            # Two drivers take turns: no break while the other drives (continuous limit =
            # daily limit), daily rest after the double-crew daily driving time.
            "double": (
                g["double_crew_daily_driving_h"],
                0.0,
                g["double_crew_daily_driving_h"],
                g["double_crew_daily_rest_h"],
            ),
        },
        payload_t=lambda countries: float(sc.capacity_t(p, list(countries))),
        sources={"parameters": "logistics/data/*.csv via logistics.load_parameters"},
    )


def _days_and_last(drive_h: Any, daily_h: float) -> tuple[Any, Any]:
    """Full driving days in ``drive_h`` (each followed by a daily rest) and the last day's
    driving, in ``(0, daily_h]`` (0 only without driving)."""
    d = np.maximum(np.nan_to_num(np.asarray(drive_h, dtype=float), posinf=0.0), 0.0)
    days = np.maximum(np.floor(d / daily_h - 1e-9), 0.0)  # no driving: no rest (not -1 day)
    return days, d - days * daily_h


def rest_h(drive_h: Any, hos: tuple[float, float, float, float]) -> Any:
    """Breaks and daily rests counted on an arc of ``drive_h`` hours of driving (vectorised).

    ``hos = (continuous_driving_h, break_h, daily_driving_h, daily_rest_h)``. A daily rest
    follows every full ``daily_driving_h`` and each full day has its breaks (one after every
    full ``continuous_driving_h``). The last day's driving may continue driving done before the
    arc, so its breaks are counted pro rata (``break_h`` per ``continuous_driving_h`` driven):
    at every stop that is at least what the rules require, whatever came before.
    """
    cont, brk, daily, rest = hos
    days, last = _days_and_last(drive_h, daily)
    breaks_full_day = max(math.ceil(daily / cont - 1e-9) - 1, 0)
    return days * (rest + breaks_full_day * brk) + last * (brk / cont)


def allowance_used(drive_h: Any, hos: tuple[float, float, float, float]) -> Any:
    """Share of the daily driving allowance in use on arrival after ``drive_h`` hours.

    From a fresh start, with the daily rests of :func:`rest_h` taken on the way: the last
    day's driving over ``daily_driving_h`` (in ``[0, 1]``).
    """
    daily = hos[2]
    return _days_and_last(drive_h, daily)[1] / daily


# =========================================================================== model data


@dataclass
class _Leg:
    """One pickup-delivery pair of one alternative of one shipment."""

    shipment: int
    alt: str
    index: int
    start: int  # stop index in the matrix
    end: int
    countries: frozenset[str]
    crossings: tuple[str, ...]
    gap_after_h: float = 0.0
    transfer_cost_usd: float = 0.0
    transfer: str = ""
    end_open: tuple[tuple[tuple[float, float], ...], float] | None = None
    allowed: list[int] = field(default_factory=list)
    pickup_node: int = -1
    delivery_node: int = -1


@dataclass
class _Alternative:
    mode: str
    legs: list[_Leg]
    estimate_h: float  # door-to-door if served alone, at the percentile
    note: str
    sea_km: float = 0.0
    ports: tuple[str, str] = ("", "")
    alone_cost_usd: float = math.inf  # cheapest cost if served alone (see _alone_cost_usd)
    leg_alone_usd: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class FleetPlan:
    """A solved plan and its results.

    Attributes
    ----------
    scenario : str
    percentile : int
    soft_windows : bool
    t0_utc : datetime
        Time origin of the solver (minutes are counted from it).
    shipments : DataFrame
        One row per shipment: ``shipment_id``, ``status`` (served/dropped), ``mode``,
        ``reason``, ``legs``, ``vehicles``, ``pickup_utc``, ``delivery_utc``, ``lateness_h``,
        ``cost_usd``... and, after :func:`evaluate_plan`, ``on_time_probability`` and
        ``p90_lateness_h``.
    stops : DataFrame
        One row per vehicle stop in order (``vehicle``, ``seq``, ``kind``, ``shipment_id``,
        ``leg``, ``place``, ``lat``, ``lon``, ``arrival_utc``, ``on_board``).
    vehicles : DataFrame
        One row per vehicle used: ``km``, ``driving_h``, ``empty_km``, ``cost_usd``.
    kpis : dict
    geometry : dict
        Vehicle id -> list of (lon, lat) along the road network.
    """

    scenario: str
    percentile: int
    soft_windows: bool
    t0_utc: datetime
    shipments: pd.DataFrame
    stops: pd.DataFrame
    vehicles: pd.DataFrame
    kpis: dict[str, Any]
    geometry: dict[str, list[tuple[float, float]]] = field(default_factory=dict, repr=False)
    solver: dict[str, Any] = field(default_factory=dict)


# =========================================================================== building


def _stop_places(
    net: TravelNetwork, shipments: Sequence[Shipment], fleet: Sequence[VehicleType]
) -> tuple[list[Place], list[Any], dict[str, int]]:
    """Stops of the matrix: shipment ends, depots, every checkpoint and port (by node)."""
    places: list[Place] = []
    nodes: list[Any] = []
    key_of: dict[str, int] = {}

    def add(key: str, place: Place, node: Any = None) -> int:
        if key not in key_of:
            key_of[key] = len(places)
            places.append(place)
            nodes.append(node)
        return key_of[key]

    for s in shipments:
        for p in (s.origin, s.destination):
            add(f"place:{p.lat:.6f},{p.lon:.6f}", p)
    for v in fleet:
        add(f"place:{v.depot.lat:.6f},{v.depot.lon:.6f}", v.depot)
    border = net.edges[net.edges["mode"] == "border"]
    for u, v in zip(border["u"], border["v"], strict=True):
        for k in (int(u), int(v)):
            node = net.node_ids[k]
            place = Place(
                name=str(node),
                lat=float(net.lat[k]),
                lon=float(net.lon[k]),
                country=str(net.country[k]),
                kind="crossing",
            )
            add(f"node:{node}", place, node)
    for pid, k in net.port_node.items():
        node = net.node_ids[k]
        place = Place(
            name=pid,
            lat=float(net.lat[k]),
            lon=float(net.lon[k]),
            country=str(net.country[k]),
            kind="port",
            place_id=pid,
        )
        add(f"node:{node}", place, node)
    return places, nodes, key_of


def _place_key(p: Place) -> str:
    return f"place:{p.lat:.6f},{p.lon:.6f}"


def _road_legs(
    s_idx: int,
    o: int,
    d: int,
    origin_country: str,
    mat: TravelMatrix,
    net: TravelNetwork,
    terms: ScenarioTerms,
    key_of: Mapping[str, int],
) -> list[_Leg] | str:
    """Split the road path o -> d into legs at crossings without through-trucking."""
    crossings = mat.crossings(o, d)
    legs: list[_Leg] = []
    start, countries, through = o, {origin_country}, []
    country = origin_country
    border = net.edges[net.edges["mode"] == "border"]
    for cid in crossings:
        rows = border[(border["crossing_id"] == cid) & (border["frm"] == country)]
        if rows.empty:
            return f"unreachable: crossing {cid} has no direction out of {country}"
        row = rows.iloc[0]
        nxt = str(row["to"])
        t = terms.crossings.get((cid, country, nxt))
        if t is not None and t.through_trucking:
            through.append(cid)
            countries.add(nxt)
            country = nxt
            continue
        exit_stop = key_of[f"node:{net.node_ids[int(row['u'])]}"]
        entry_stop = key_of[f"node:{net.node_ids[int(row['v'])]}"]
        clearance = (t.clearance_h if t else 0.0) + float(row["travel_time"]) / 3600.0
        transload_h = t.transload_h if t else 0.0
        legs.append(
            _Leg(
                shipment=s_idx,
                alt="road",
                index=len(legs),
                start=start,
                end=exit_stop,
                countries=frozenset(countries),
                crossings=tuple(through),
                gap_after_h=clearance + transload_h,
                transfer_cost_usd=(t.transload_cost_usd + t.fee_usd) if t else 0.0,
                transfer=f"transload at {cid} ({country}->{nxt})",
                end_open=(t.exit_open, t.exit_utc_offset_h) if t else None,
            )
        )
        start, countries, through, country = entry_stop, {nxt}, [], nxt
    legs.append(
        _Leg(
            shipment=s_idx,
            alt="road",
            index=len(legs),
            start=start,
            end=d,
            countries=frozenset(countries),
            crossings=tuple(through),
        )
    )
    return legs


def _boxes(s: Shipment) -> float:
    """Sea containers a shipment takes (TEU counted as they are; pallets per 40-foot box)."""
    if s.teu > 0:
        return max(1.0, math.ceil(s.teu / 2.0 - 1e-9))
    return max(1.0, math.ceil(s.pallets / PALLETS_PER_CONTAINER - 1e-9))


def _sea_alternative(
    s_idx: int,
    s: Shipment,
    o: int,
    d: int,
    mat: TravelMatrix,
    sea: TravelMatrix | None,
    sea_ports: Sequence[str],
    terms: ScenarioTerms,
    key_of: Mapping[str, int],
    net: TravelNetwork,
) -> _Alternative | None:
    """Sea via the port nearest (by road) to each end, in the origin / destination country."""
    if sea is None or s.origin.country == s.destination.country:
        return None

    def nearest(country: str, outbound: bool) -> int | None:
        """Index in sea_ports of the port of ``country`` nearest by road to the shipment end."""
        found: tuple[float, int] | None = None
        for i, pid in enumerate(sea_ports):
            if terms.ports[pid].country != country:
                continue
            stop = key_of[f"node:{net.node_ids[net.port_node[pid]]}"]
            t = mat.time_s[o, stop] if outbound else mat.time_s[stop, d]
            if np.isfinite(t) and (found is None or t < found[0]):
                found = (float(t), i)
        return None if found is None else found[1]

    i, j = nearest(s.origin.country, True), nearest(s.destination.country, False)
    best: tuple[float, str, str, float, float] | None = None
    if i is not None and j is not None and np.isfinite(sea.distance_m[i, j]):
        a, b = sea_ports[i], sea_ports[j]
        sa = key_of[f"node:{net.node_ids[net.port_node[a]]}"]
        sb = key_of[f"node:{net.node_ids[net.port_node[b]]}"]
        sea_km = float(sea.distance_m[i, j]) / 1000.0
        wait = (terms.percentile / 100.0) * 168.0 / max(terms.sailings_per_week(a, b), 1e-6)
        ta, tb = terms.ports[a], terms.ports[b]
        gap = ta.export_dwell_h + wait + sea_km / terms.sailing_speed_kph + tb.import_dwell_h
        total = mat.time_s[o, sa] / 3600 + gap + mat.time_s[sb, d] / 3600
        best = (float(total), a, b, gap, sea_km)
    if best is None:
        return None
    total, a, b, gap, sea_km = best
    sa = key_of[f"node:{net.node_ids[net.port_node[a]]}"]
    sb = key_of[f"node:{net.node_ids[net.port_node[b]]}"]
    boxes = _boxes(s)
    cost = boxes * (
        terms.sea_freight_usd(sea_km)
        + terms.ports[a].export_handling_usd
        + terms.ports[b].import_handling_usd
    )
    legs = [
        _Leg(
            shipment=s_idx,
            alt="sea",
            index=0,
            start=o,
            end=sa,
            countries=frozenset({s.origin.country}),
            crossings=(),
            gap_after_h=gap,
            transfer_cost_usd=cost,
            transfer=f"sea {a}->{b} ({sea_km:.0f} km)",
        ),
        _Leg(
            shipment=s_idx,
            alt="sea",
            index=1,
            start=sb,
            end=d,
            countries=frozenset({s.destination.country}),
            crossings=(),
        ),
    ]
    return _Alternative("sea", legs, total, f"sea via {a}->{b}", sea_km=sea_km, ports=(a, b))


def _allowed(
    leg: _Leg, s: Shipment, vehicles: Sequence[VehicleType], caps: np.ndarray
) -> list[int]:
    out = []
    for k, v in enumerate(vehicles):
        if not all(s.demand(u) <= caps[k, j] + 1e-9 for j, u in enumerate(DEMAND_UNITS)):
            continue
        if leg.crossings:
            ok = v.cross_border_permit and v.country in leg.countries
        else:
            ok = leg.countries == frozenset({v.country})
        if ok:
            out.append(k)
    return out


def _effective_caps(vehicles: Sequence[VehicleType], terms: ScenarioTerms) -> np.ndarray:
    """Capacity per vehicle and unit; weight capped by the scenario's legal payload."""
    corridor = sorted({v.country for v in vehicles})
    caps = np.zeros((len(vehicles), len(DEMAND_UNITS)))
    for k, v in enumerate(vehicles):
        countries = corridor if v.cross_border_permit else [v.country]
        for j, u in enumerate(DEMAND_UNITS):
            caps[k, j] = v.capacity(u)
        caps[k, 0] = min(v.capacity_weight_t, terms.payload_t(countries))
    return caps


def _alone_cost_usd(
    alt: _Alternative,
    vehicles: Sequence[VehicleType],
    depot_stop: Sequence[int],
    mat: TravelMatrix,
    hours: Mapping[str, np.ndarray],
) -> list[float]:
    """Cost of an alternative served alone: per leg, the cheapest allowed vehicle driving
    depot -> pickup -> delivery -> depot (km, hours with rests, fees, fixed cost), plus the
    leg's transfer cost (transloading, sea freight and handling). One value per leg."""
    out = []
    for leg in alt.legs:
        best = math.inf
        for k in leg.allowed:
            v, dep = vehicles[k], depot_stop[k]
            trip = ((dep, leg.start), (leg.start, leg.end), (leg.end, dep))
            km = sum(float(mat.distance_m[a, b]) for a, b in trip) / 1000.0
            h = sum(float(hours[v.crew][a, b]) for a, b in trip)
            fee = sum(float(mat.fee_usd[a, b]) for a, b in trip)
            best = min(best, km * v.cost_per_km_usd + h * v.cost_per_h_usd + fee + v.fixed_cost_usd)
        out.append(best + leg.transfer_cost_usd)
    return out


def _leg_bounds(
    alt: _Alternative,
    s: Shipment,
    t0: datetime,
    fastest_h: np.ndarray,
    service_h: np.ndarray,
) -> list[tuple[float, float]]:
    """Earliest pickup and latest delivery of each leg (hours after ``t0``) implied by the
    shipment's ready time and window, the fastest leg times and the transfer gaps."""
    n = len(alt.legs)
    # pickup arrival -> delivery arrival (-> end of unloading, except at the final delivery,
    # whose arrival is what the window bounds)
    dur = [
        service_h[leg.pickup_node]
        + fastest_h[leg.pickup_node, leg.delivery_node]
        + (service_h[leg.delivery_node] if k < n - 1 else 0.0)
        for k, leg in enumerate(alt.legs)
    ]
    ready = (s.ready_utc - t0).total_seconds() / 3600.0
    latest = (s.latest_utc - t0).total_seconds() / 3600.0
    out = []
    for k in range(n):
        est = ready + sum(dur[j] + alt.legs[j].gap_after_h for j in range(k))
        lst = latest - sum(alt.legs[j - 1].gap_after_h + dur[j] for j in range(k + 1, n))
        out.append((est, lst))
    return out


def _closed_minutes(
    open_intervals: tuple[tuple[float, float], ...],
    utc_offset_h: float,
    t0: datetime,
    horizon_min: int,
) -> list[tuple[int, int]]:
    """Closed periods (solver minutes, inclusive) over the horizon of a weekly calendar."""
    if not open_intervals:
        return [(0, horizon_min)]
    if open_intervals == ((0.0, 168.0),):
        return []
    local0 = t0 + timedelta(hours=utc_offset_h)
    monday_local = datetime(local0.year, local0.month, local0.day) - timedelta(
        days=local0.weekday()
    )
    monday_utc = monday_local.replace(tzinfo=UTC) - timedelta(hours=utc_offset_h)
    base_min = (monday_utc - t0).total_seconds() / 60.0
    gaps = []
    ivs = list(open_intervals)
    for (_, e1), (s2, _) in zip(ivs, [*ivs[1:], (ivs[0][0] + 168.0, 0.0)], strict=True):
        if s2 - e1 > 1e-9:
            gaps.append((e1, s2))
    out = []
    weeks = int(horizon_min / (168 * 60)) + 2
    for w in range(-1, weeks + 1):
        for a, b in gaps:
            lo = math.ceil(base_min + (w * 168 + a) * 60 + 1e-9)
            hi = math.floor(base_min + (w * 168 + b) * 60 - 1e-9)
            lo, hi = max(lo, 0), min(hi, horizon_min)
            if lo <= hi:
                out.append((lo, hi))
    return out


def _add_driver_hours(
    routing: Any,
    manager: Any,
    time_dim: Any,
    vehicles: Sequence[VehicleType],
    drive_h: np.ndarray,
    elapsed_min: np.ndarray,
    hos: Mapping[str, tuple[float, float, float, float]],
) -> list[Any]:
    """Carry driving time over from arc to arc: the daily driving limit across stops.

    A dimension counts, in :data:`ALLOWANCE_SCALE` units, the share of the daily driving
    allowance used since the last daily rest. An arc adds what :func:`allowance_used` leaves in
    use on arrival (the arc's own rests are in its time transit, :func:`rest_h`); the counter
    may not exceed the allowance. Before an arc the counter restarts from zero when

    * it would otherwise exceed the allowance: the vehicle then takes its crew's daily rest at
      the stop (time slack), which a wait there already covers; or
    * the time windows force the rest anyway: the earliest arrival at the next stop is later
      than the latest departure from this one by at least the rest.

    Encoding: an arc's transit is its share minus one allowance (minus three where the windows
    force a rest, a mark no other arc reaches); the slack gives back the allowance (and the
    mark) unless the counter is reset, when it also gives back the counter. Both rules follow
    from the routes by propagation alone, so OR-Tools places rests without search. The schedule
    is legal and conservative: a wait the windows do not force resets nothing.
    ``elapsed_min`` is the longest time transit of each node pair over the crews (service,
    driving and the arc's own pauses), in minutes. Returns the reset flag of every routing
    index (1: daily rest at that stop).
    """
    solver = routing.solver()
    full = int(ALLOWANCE_SCALE)
    rest_min = [int(to_solver_int(hos[v.crew][3], scale=MINUTES_PER_H)) for v in vehicles]
    # where the windows force a daily rest (node space; a depot's start is never pinned)
    n = elapsed_min.shape[0]
    earliest, latest = np.zeros(n, dtype=np.int64), np.full(n, np.iinfo(np.int64).max // 4)
    for k in range(n):
        if not routing.IsStart(i := manager.NodeToIndex(k)):
            earliest[k], latest[k] = time_dim.CumulVar(i).Min(), time_dim.CumulVar(i).Max()
    free = earliest[None, :] - latest[:, None] - elapsed_min >= max(rest_min)
    # transit = share - allowance (the slack gives the allowance back unless the counter is
    # reset); on an arc with a forced rest, share - 3 allowances: a mark no normal arc reaches
    callbacks = {}
    for crew in sorted({v.crew for v in vehicles}):
        share = to_solver_int(allowance_used(drive_h, hos[crew]), scale=full, big=10 * full)
        callbacks[crew] = routing.RegisterTransitMatrix((share - full - 2 * full * free).tolist())
    routing.AddDimensionWithVehicleTransits(
        [callbacks[v.crew] for v in vehicles], 3 * full, full, True, "driving_since_rest"
    )
    dim = routing.GetDimensionOrDie("driving_since_rest")
    flags = []
    for i in range(routing.Size()):
        transit = dim.FixedTransitVar(i)
        forced = solver.IsLessCstVar(transit, -2 * full)
        over = solver.IsGreaterCstVar(dim.CumulVar(i) + transit, 0)
        reset = (forced + over).Var()  # never both: a forced arc's transit is below -2 full
        solver.Add(dim.SlackVar(i) == full + 2 * full * forced - reset * dim.CumulVar(i))
        if len(set(rest_min)) == 1:
            need = reset * rest_min[0]
        else:
            # VehicleVar is -1 on an inactive node: shift it so the element is defined
            need = solver.Element([0, *rest_min], (routing.VehicleVar(i) + 1).Var()) * reset
        solver.Add(time_dim.SlackVar(i) >= need)
        routing.AddToAssignment(reset)
        flags.append(reset)
    return flags


def _accepted_routes(
    routing: Any, routes: list[list[int]], chain_of: Mapping[int, frozenset[int]]
) -> list[list[int]]:
    """Phase-1 routes that the phase-2 model accepts, leaving out whole shipments where needed.

    Phase 1 lacks the all-or-none coupling of an alternative's legs, so its routes may break a
    phase-2 constraint (seen: a few stops on the demo). OR-Tools itself judges
    (``ReadAssignmentFromRoutes``): shipments are added one at a time, in the order their first
    stop appears on the routes, and kept only if the routes so far stay feasible. Before, one
    broken chain made phase 2 start from nothing.
    """

    def accepted(keep: set[int]) -> bool:
        sub = [[n for n in r if n in keep] for r in routes]
        return routing.ReadAssignmentFromRoutes(sub, True) is not None

    every = {n for r in routes for n in r}
    if not every or accepted(every):
        return routes
    kept: set[int] = set()
    tried: set[frozenset[int]] = set()
    for route in routes:
        for n in route:
            chain = chain_of[n]
            if chain in tried:
                continue
            tried.add(chain)
            if chain <= every and accepted(kept | chain):
                kept |= chain
    log.info(
        "seeding phase 2: kept %d of %d phase-1 stops (the others broke a phase-2 constraint)",
        len(kept),
        len(every),
    )
    return [[n for n in r if n in kept] for r in routes]


def solve_fleet(
    G: nx.MultiDiGraph | TravelNetwork,
    shipments: Sequence[Shipment],
    fleet: Sequence[VehicleType],
    *,
    scenario: Any = "status-quo",
    percentile: int = 50,
    soft_windows: bool = False,
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    solution_limit: int | None = None,
    allow_sea: bool = True,
    service_h: float = SERVICE_H,
    terms: ScenarioTerms | None = None,
    params: Any = None,
    progress: bool = False,
    first_solution: str = FIRST_SOLUTION,
    seed: int = 0,
) -> FleetPlan:
    """Route ``shipments`` with ``fleet`` under ``scenario``.

    Parameters
    ----------
    G : networkx.MultiDiGraph or TravelNetwork
        The multimodal graph (:func:`networks.load_network`), or a prepared
        :class:`~logistics.matrix.TravelNetwork` to reuse across scenarios.
    shipments, fleet : sequences
        From :func:`logistics.shipments.read_shipments` / ``read_fleet`` (or the demo set).
    scenario : Scenario or str
    percentile : {50, 90}
        Reliability percentile of border, transloading and port times in the plan.
    soft_windows : bool
        ``False``: deliveries must meet ``latest_utc``; ``True``: late deliveries allowed at
        each shipment's ``lateness_cost_usd_per_h``.
    time_limit_s : float or None
        Wall-clock search limit (use in the CLI); ``None`` with ``solution_limit`` for
        deterministic runs (tests).
    solution_limit : int, optional
        Stop after this many solutions.
    allow_sea : bool
        Offer the sea alternative where one exists.
    service_h : float
        Loading / unloading time at each shipment's origin and destination.
    terms : ScenarioTerms, optional
        Precomputed terms (overrides ``scenario``/``percentile``/``params``).
    progress : bool
        Show a tqdm progress bar with the objective (CLI use).
    first_solution : str
        OR-Tools first-solution strategy of phase 1 (see :data:`FIRST_SOLUTION`).
    seed : int
        Kept in ``plan.solver["seed"]`` and used by :func:`evaluate_plan` by default. The
        OR-Tools search itself has no random seed: with a solution limit and no time limit it
        repeats exactly.

    Returns
    -------
    FleetPlan
        Without Monte Carlo columns; see :func:`evaluate_plan`.

    Raises
    ------
    RoutingError
        Empty inputs, bad limits, or no solution found (with the likely cause).
    """
    if not shipments:
        raise RoutingError("no shipments to route")
    if not fleet or sum(v.count for v in fleet) == 0:
        raise RoutingError("empty fleet: no vehicles to route with")
    if time_limit_s is None and solution_limit is None:
        raise RoutingError("give time_limit_s or solution_limit (or both)")
    if time_limit_s is not None and not time_limit_s > 0:
        raise RoutingError(f"time_limit_s {time_limit_s!r} must be > 0 seconds")
    net = G if isinstance(G, TravelNetwork) else TravelNetwork(G)
    if terms is None:
        terms = scenario_terms(
            scenario, percentile=percentile, params=params, crossings=net.border_keys
        )
    t_start = _time.perf_counter()

    # ---------------------------------------------------------------- matrices
    places, fixed, key_of = _stop_places(net, shipments, fleet)
    mat = net.road_matrix(places, border_terms=terms.border_terms(), stop_nodes=fixed)
    sea_ports = [p for p in sorted(net.port_node) if p in terms.ports]
    sea = net.sea_matrix(sea_ports) if (allow_sea and len(sea_ports) > 1) else None
    t_matrix = _time.perf_counter() - t_start

    vehicles = [v for v in fleet for _ in range(v.count)]
    caps = _effective_caps(vehicles, terms)
    hos = terms.hours_of_service

    # ---------------------------------------------------------------- alternatives
    t0 = min(s.ready_utc for s in shipments).replace(hour=0, minute=0, second=0, microsecond=0)
    horizon_h = (
        max(s.latest_utc for s in shipments) - t0
    ).total_seconds() / 3600.0 + HORIZON_SLACK_H
    alts: list[list[_Alternative]] = []
    reasons: dict[int, str] = {}
    depot_stop = [key_of[_place_key(v.depot)] for v in vehicles]
    hours_full = {
        crew: mat.time_s / 3600.0 + rest_h(mat.drive_s / 3600.0, hos[crew])
        for crew in sorted({v.crew for v in vehicles})
    }
    for si, s in enumerate(shipments):
        o, d = key_of[_place_key(s.origin)], key_of[_place_key(s.destination)]
        options: list[_Alternative] = []
        why: list[str] = []
        if mat.reachable[o, d]:
            legs = _road_legs(si, o, d, s.origin.country, mat, net, terms, key_of)
            if isinstance(legs, str):
                why.append(legs)
            else:
                est = (
                    sum(
                        mat.time_s[leg.start, leg.end] / 3600
                        + float(rest_h(mat.drive_s[leg.start, leg.end] / 3600, hos["single"]))
                        + leg.gap_after_h
                        for leg in legs
                    )
                    + 2 * service_h
                )
                n_tl = sum(1 for leg in legs if leg.transfer)
                note = "road door to door" if n_tl == 0 else f"road with {n_tl} transload(s)"
                options.append(_Alternative("road", legs, est, note))
        else:
            why.append("unreachable by road")
        if allow_sea:
            alt = _sea_alternative(si, s, o, d, mat, sea, sea_ports, terms, key_of, net)
            if alt is not None:
                alt.estimate_h += 2 * service_h
                options.append(alt)
        kept = []
        for alt in options:
            problems = []
            for leg in alt.legs:
                leg.allowed = _allowed(leg, s, vehicles, caps)
                if not leg.allowed:
                    rules_ok = _allowed(leg, s, vehicles, np.full_like(caps, np.inf))
                    where = "/".join(sorted(leg.countries))
                    if rules_ok:
                        cap = max(caps[k, 0] for k in rules_ok)
                        problems.append(
                            f"capacity: no vehicle allowed on leg {leg.index + 1} ({where}) can "
                            f"carry it (weight {s.weight_t:g} t; legal payload under this "
                            f"scenario at most {cap:g} t, or too little space)"
                        )
                    else:
                        kind = "with a cross-border permit " if leg.crossings else ""
                        problems.append(
                            f"permit: no vehicle {kind}registered for leg {leg.index + 1} in "
                            f"{where}"
                        )
            if problems:
                why.append(f"{alt.mode}: {problems[0]}")
                continue
            window_h = (s.latest_utc - s.ready_utc).total_seconds() / 3600.0
            # the window bounds the arrival: the final unloading may end after it
            arrive_h = alt.estimate_h - service_h
            if not soft_windows and arrive_h > window_h + 1e-6:
                why.append(
                    f"{alt.mode}: window infeasible even alone (arrives {arrive_h:.1f} h "
                    f"after the ready time at the earliest, window closes after {window_h:.1f} h)"
                )
                continue
            ready_h = (s.ready_utc - t0).total_seconds() / 3600.0
            if ready_h + alt.estimate_h > horizon_h - 1e-6:
                why.append(
                    f"{alt.mode}: window infeasible even alone (needs {alt.estimate_h:.1f} h, "
                    f"beyond the planning horizon of {HORIZON_SLACK_H:g} h after the last window)"
                )
                continue
            alt.leg_alone_usd = _alone_cost_usd(alt, vehicles, depot_stop, mat, hours_full)
            alt.alone_cost_usd = sum(alt.leg_alone_usd)
            kept.append(alt)
        # cheapest alone first: the insertion heuristic inserts the first alternative of a
        # shipment it can place, and local search rarely swaps a whole chain afterwards
        kept.sort(key=lambda a: a.alone_cost_usd)
        alts.append(kept)
        if not kept:
            reasons[si] = "; ".join(why) or "no alternative"

    # ---------------------------------------------------------------- nodes
    # node 0..n_depots-1: depots; then pickup/delivery nodes of every kept leg
    depot_stops = sorted({key_of[_place_key(v.depot)] for v in vehicles})
    node_stop: list[int] = list(depot_stops)
    node_service_h: list[float] = [0.0] * len(depot_stops)
    node_demand: list[list[float]] = [[0.0] * len(DEMAND_UNITS) for _ in depot_stops]
    node_cost_usd: list[float] = [0.0] * len(depot_stops)
    for si, options in enumerate(alts):
        s = shipments[si]
        dem = [s.demand(u) for u in DEMAND_UNITS]
        for alt in options:
            for leg in alt.legs:
                leg.pickup_node = len(node_stop)
                node_stop.append(leg.start)
                node_service_h.append(service_h if leg.index == 0 else 0.0)
                node_demand.append(dem)
                node_cost_usd.append(0.0)
                leg.delivery_node = len(node_stop)
                node_stop.append(leg.end)
                node_service_h.append(service_h if leg is alt.legs[-1] else 0.0)
                node_demand.append([-x for x in dem])
                node_cost_usd.append(leg.transfer_cost_usd)
    n_nodes = len(node_stop)
    stops = np.array(node_stop)
    horizon = int(to_solver_int(horizon_h, scale=MINUTES_PER_H))

    sub_t = mat.time_s[np.ix_(stops, stops)]
    sub_drive = mat.drive_s[np.ix_(stops, stops)]
    sub_km = mat.distance_m[np.ix_(stops, stops)] / 1000.0
    sub_fee = mat.fee_usd[np.ix_(stops, stops)]
    service = np.array(node_service_h)
    big = 10 * horizon
    transit_h: dict[str, np.ndarray] = {}
    for crew in sorted({v.crew for v in vehicles}):
        transit_h[crew] = sub_t / 3600.0 + rest_h(sub_drive / 3600.0, hos[crew])
    fastest_h = np.minimum.reduce(list(transit_h.values()))
    # longest time transit of each node pair over the crews (service, driving, the arc's pauses)
    elapsed_min = to_solver_int(
        service[:, None] + np.maximum.reduce(list(transit_h.values())), scale=MINUTES_PER_H, big=big
    )
    node_cost = np.array(node_cost_usd)
    drop_cents = int(to_solver_int(DROP_PENALTY_USD, scale=CENTS_PER_USD))
    # Phase 1 rewards each later leg (so chains get completed); phase 2 ties legs together.
    chain_cents = int(drop_cents * CHAIN_WEIGHT)
    starts = [depot_stops.index(key_of[_place_key(v.depot)]) for v in vehicles]

    def minutes(t: datetime) -> int:
        return int(to_solver_int((t - t0).total_seconds() / 60.0, scale=1.0))

    # ---------------------------------------------------------------- routing model
    def build(couple: bool) -> tuple[Any, Any, Any, list[Any]]:
        """The routing model; ``couple`` keeps each alternative's legs all active or all
        inactive (phase 2). Phase 1 omits that so insertion heuristics can work, and rewards
        every later leg with a penalty instead."""
        manager = pywrapcp.RoutingIndexManager(n_nodes, len(vehicles), starts, starts)
        routing = pywrapcp.RoutingModel(manager)
        solver = routing.solver()
        time_cb: dict[str, int] = {}
        for crew in sorted({v.crew for v in vehicles}):
            mins = to_solver_int(service[:, None] + transit_h[crew], scale=MINUTES_PER_H, big=big)
            np.fill_diagonal(mins, 0)
            time_cb[crew] = routing.RegisterTransitMatrix(mins.tolist())
        routing.AddDimensionWithVehicleTransits(
            [time_cb[v.crew] for v in vehicles], horizon, horizon, False, "time"
        )
        time_dim = routing.GetDimensionOrDie("time")
        # arc costs per vehicle type (km, hours, border fees, transfer costs at the node left)
        cost_cb: dict[int, int] = {}
        for k, v in enumerate(vehicles):
            vt = id(v)  # vehicles of one type share the VehicleType object
            if vt not in cost_cb:
                usd = (
                    sub_km * v.cost_per_km_usd
                    + transit_h[v.crew] * v.cost_per_h_usd
                    + sub_fee
                    + node_cost[:, None]
                )
                cents = to_solver_int(usd, scale=CENTS_PER_USD, big=10**11)
                np.fill_diagonal(cents, 0)
                cost_cb[vt] = routing.RegisterTransitMatrix(cents.tolist())
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[vt], k)
            routing.SetFixedCostOfVehicle(
                int(to_solver_int(v.fixed_cost_usd, scale=CENTS_PER_USD)), k
            )
        # capacities
        units = [j for j, u in enumerate(DEMAND_UNITS) if any(s.demand(u) > 0 for s in shipments)]
        for j in units:
            u = DEMAND_UNITS[j]
            scale = DEMAND_SCALE[u]
            dem = np.array([row[j] for row in node_demand])
            ints = np.sign(dem).astype(np.int64) * to_solver_int(np.abs(dem), scale=scale)
            cb = routing.RegisterUnaryTransitVector(ints.tolist())
            vcaps = to_solver_int(caps[:, j], scale=scale, rounding="floor").tolist()
            routing.AddDimensionWithVehicleCapacity(cb, 0, vcaps, True, f"load_{u}")
        # shared deck space: on vehicle k a shipment takes the largest share of the deck it
        # needs in any space unit (a 40-foot box fills a container chassis; pallets beside it
        # do not fit). The per-unit dimensions alone would let one truck carry 2 TEU and 33
        # pallets at once.
        space = [j for j in units if DEMAND_UNITS[j] != "weight_t"]
        if len(space) > 1:
            # one dimension per class of space capacities: binding for that class only (a
            # single dimension with per-vehicle unary transits found no solution at all with
            # OR-Tools 9.15, even all-unperformed)
            dem_sp = np.array([[row[j] for j in space] for row in node_demand])
            sign = np.sign(dem_sp.sum(axis=1)).astype(np.int64)
            classes = sorted(
                {tuple(float(caps[k, j]) for j in space) for k in range(len(vehicles))}
            )
            for c, key in enumerate(classes):
                cap = np.array(key)
                with np.errstate(divide="ignore", invalid="ignore"):
                    share = np.where(dem_sp == 0, 0.0, np.abs(dem_sp) / cap)
                # a unit this class cannot carry at all: its vehicles are banned from the node
                need = np.max(np.where(np.isfinite(share), share, 1.0), axis=1)
                ints = sign * to_solver_int(need, scale=DECK_SCALE)
                cb = routing.RegisterUnaryTransitVector(ints.tolist())
                free = int(np.abs(ints).sum()) + int(DECK_SCALE)
                vcaps = [
                    int(DECK_SCALE) if tuple(float(caps[k, j]) for j in space) == key else free
                    for k in range(len(vehicles))
                ]
                routing.AddDimensionWithVehicleCapacity(cb, 0, vcaps, True, f"deck_{c}")

        for si, options in enumerate(alts):
            s = shipments[si]
            if not options:
                continue
            ready = minutes(s.ready_utc)
            earliest = minutes(s.earliest_utc)
            latest = int(
                to_solver_int((s.latest_utc - t0).total_seconds(), scale=1 / 60.0, rounding="floor")
            )
            first_nodes: list[int] = []
            for alt in options:
                bounds = _leg_bounds(alt, s, t0, fastest_h, service)
                for leg, (est_h, lst_h) in zip(alt.legs, bounds, strict=True):
                    p = manager.NodeToIndex(leg.pickup_node)
                    dl = manager.NodeToIndex(leg.delivery_node)
                    # implied window of each leg (necessary, so it only prunes): helps the
                    # insertion heuristics place the legs of a chain in a consistent order
                    time_dim.CumulVar(p).SetMin(
                        int(to_solver_int(est_h, scale=MINUTES_PER_H, rounding="floor"))
                    )
                    if not soft_windows:
                        time_dim.CumulVar(dl).SetMax(
                            int(to_solver_int(lst_h, scale=MINUTES_PER_H, rounding="ceil"))
                        )
                    routing.AddPickupAndDelivery(p, dl)
                    solver.Add(routing.VehicleVar(p) == routing.VehicleVar(dl))
                    solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(dl))
                    # (SetAllowedVehiclesForIndex takes an absl::Span the Python wrapper rejects)
                    banned = sorted(set(range(len(vehicles))) - set(leg.allowed))
                    if banned:
                        routing.VehicleVar(p).RemoveValues(banned)
                        routing.VehicleVar(dl).RemoveValues(banned)
                    if leg.index == 0:
                        time_dim.CumulVar(p).SetMin(ready)
                        first_nodes += [p, dl]
                    else:
                        prev = alt.legs[leg.index - 1]
                        pp = manager.NodeToIndex(prev.pickup_node)
                        pd_ = manager.NodeToIndex(prev.delivery_node)
                        gap = int(to_solver_int(prev.gap_after_h, scale=MINUTES_PER_H))
                        time_dim.AddNodePrecedence(pd_, p, gap)
                        if couple:  # all legs of an alternative, or none
                            solver.Add(routing.ActiveVar(p) == routing.ActiveVar(pp))
                            routing.AddDisjunction([p, dl], 0, 2)
                        else:
                            later = chain_cents // (len(alt.legs) - 1)
                            routing.AddDisjunction([p, dl], later, 2)
                    if leg is alt.legs[-1]:
                        time_dim.CumulVar(dl).SetMin(earliest)
                        if soft_windows:
                            coef = int(
                                to_solver_int(
                                    s.lateness_cost_usd_per_h / MINUTES_PER_H, scale=CENTS_PER_USD
                                )
                            )
                            time_dim.SetCumulVarSoftUpperBound(dl, latest, max(coef, 1))
                        else:
                            time_dim.CumulVar(dl).SetMax(latest)
                    if leg.end_open is not None:
                        for lo, hi in _closed_minutes(*leg.end_open, t0, horizon):
                            time_dim.CumulVar(dl).RemoveInterval(lo, hi)
            routing.AddDisjunction(first_nodes, drop_cents, 2)
            if not couple:
                # phase 1 offers only the alternative that is cheapest alone (see "Search")
                for alt in options[1:]:
                    for leg in alt.legs:
                        for n in (leg.pickup_node, leg.delivery_node):
                            routing.ActiveVar(manager.NodeToIndex(n)).SetValue(0)
        # after the windows: they decide where a rest is guaranteed
        rests = _add_driver_hours(
            routing, manager, time_dim, vehicles, sub_drive / 3600.0, elapsed_min, hos
        )
        for k in range(len(vehicles)):
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(k)))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(k)))
        return manager, routing, time_dim, rests

    # ---------------------------------------------------------------- search
    # Phase 1 (uncoupled legs, insertion heuristic) builds routes fast; its complete chains seed
    # phase 2 (coupled legs, guided local search). See docs/fleet.md, "Search".
    from logistics.vrptw import search_parameters

    def limits(share: float) -> tuple[float | None, int | None]:
        return (None if time_limit_s is None else time_limit_s * share), solution_limit

    # Without a time limit, guided local search may never reach the solution limit on a small
    # instance (it keeps moving without counting new solutions): greedy descent stops at the
    # first local optimum, so solution-limited runs always end and repeat exactly.
    search_kw: dict[str, Any] = dict(SEARCH_OPTIONS)
    if time_limit_s is None:
        search_kw["metaheuristic"] = "GREEDY_DESCENT"

    bar = None
    t_search = _time.perf_counter()
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=float(time_limit_s or 0) or None,
            desc=f"optimize {terms.name}",
            unit="s",
            bar_format="{desc}: {n:.0f}/{total:.0f} s {postfix}",
            mininterval=0.5,
            disable=None,  # off when stderr is not a terminal
        )

    def watch(routing: Any, phase: str) -> None:
        if bar is None:
            return

        def on_solution() -> None:
            elapsed = min(_time.perf_counter() - t_search, bar.total or 1e9)
            bar.set_postfix_str(
                f"{phase}: objective USD {routing.CostVar().Max() / CENTS_PER_USD:,.0f}",
                refresh=False,
            )
            bar.update(max(elapsed - bar.n, 0.0))  # redraws at most every mininterval

        routing.AddAtSolutionCallback(on_solution)

    tl1, sl1 = limits(PHASE1_SHARE)
    manager1, routing1, _, _ = build(couple=False)
    watch(routing1, "phase 1")
    sol1 = routing1.SolveWithParameters(
        search_parameters(
            tl1,
            solution_limit=sl1,
            strategy=first_solution,
            **search_kw,
        )
    )
    if sol1 is None and solution_limit is None:
        # the time share ran out before the first solution: finish that one solution, then
        # give phase 2 what is left (at least one second)
        log.info("phase 1 found no solution in %.1f s; completing the first one", tl1 or 0.0)
        sol1 = routing1.SolveWithParameters(
            search_parameters(None, solution_limit=1, strategy=first_solution, **search_kw)
        )
    seed_routes: list[list[int]] = [[] for _ in vehicles]
    if sol1 is not None:
        on_route: dict[int, int] = {}
        for k in range(len(vehicles)):
            idx = sol1.Value(routing1.NextVar(routing1.Start(k)))
            while not routing1.IsEnd(idx):
                on_route[manager1.IndexToNode(idx)] = k
                idx = sol1.Value(routing1.NextVar(idx))
        keep: set[int] = set()
        for options in alts:
            for alt in options:
                nodes = [n for leg in alt.legs for n in (leg.pickup_node, leg.delivery_node)]
                if all(n in on_route for n in nodes):
                    keep.update(nodes)
                    break
        for k in range(len(vehicles)):
            idx = sol1.Value(routing1.NextVar(routing1.Start(k)))
            while not routing1.IsEnd(idx):
                node = manager1.IndexToNode(idx)
                if node in keep:
                    seed_routes[k].append(node)
                idx = sol1.Value(routing1.NextVar(idx))
    log.info(
        "phase 1: %d solutions in %.1f s; %d complete-chain stops seed phase 2",
        routing1.solver().Solutions(),
        _time.perf_counter() - t_search,
        sum(map(len, seed_routes)),
    )
    manager, routing, time_dim, rests = build(couple=True)
    chain_of: dict[int, frozenset[int]] = {}
    for options in alts:
        for alt in options:
            chain = frozenset(n for leg in alt.legs for n in (leg.pickup_node, leg.delivery_node))
            chain_of.update(dict.fromkeys(chain, chain))
    seed_routes = _accepted_routes(routing, seed_routes, chain_of)
    watch(routing, "phase 2")
    tl2, sl2 = limits(1.0 - PHASE1_SHARE)
    if time_limit_s is not None:
        tl2 = max(time_limit_s - (_time.perf_counter() - t_search), 1.0)
    search = search_parameters(tl2, solution_limit=sl2, strategy="ALL_UNPERFORMED", **search_kw)
    t_solve0 = _time.perf_counter()
    initial = routing.ReadAssignmentFromRoutes(seed_routes, True) if any(seed_routes) else None
    if initial is not None:
        solution = routing.SolveFromAssignmentWithParameters(initial, search)
    else:
        if any(seed_routes):
            log.warning("phase-1 routes rejected by the coupled model; starting from empty")
        solution = routing.SolveWithParameters(search)
    t_solve = _time.perf_counter() - t_solve0 + (t_solve0 - t_search)
    if bar is not None:
        bar.close()
    if solution is None:
        raise RoutingError(
            f"scenario {terms.name!r}: OR-Tools found no solution in the limit; every shipment "
            "is droppable, so this means the limit was too short to build a first solution "
            "(raise --time-limit)"
        )
    plan = _extract(
        solution,
        routing,
        manager,
        time_dim,
        shipments=shipments,
        vehicles=vehicles,
        alts=alts,
        reasons=reasons,
        mat=mat,
        stops=stops,
        transit_h=transit_h,
        rests=rests,
        t0=t0,
        terms=terms,
        soft_windows=soft_windows,
    )
    plan.solver.update(
        {
            "status": int(routing.status()),
            "objective_usd": solution.ObjectiveValue() / CENTS_PER_USD,
            "matrix_s": round(t_matrix, 3),
            "solve_s": round(t_solve, 3),
            "nodes": n_nodes,
            "vehicles": len(vehicles),
            "time_limit_s": time_limit_s,
            "solution_limit": solution_limit,
            "seed": seed,
        }
    )
    return plan


# =========================================================================== extraction


def _extract(
    solution: Any,
    routing: Any,
    manager: Any,
    time_dim: Any,
    *,
    shipments: Sequence[Shipment],
    vehicles: Sequence[VehicleType],
    alts: list[list[_Alternative]],
    reasons: dict[int, str],
    mat: TravelMatrix,
    stops: np.ndarray,
    transit_h: Mapping[str, np.ndarray],
    rests: Sequence[Any],
    t0: datetime,
    terms: ScenarioTerms,
    soft_windows: bool,
) -> FleetPlan:
    node_leg: dict[int, tuple[_Leg, str]] = {}
    for options in alts:
        for alt in options:
            for leg in alt.legs:
                node_leg[leg.pickup_node] = (leg, "pickup")
                node_leg[leg.delivery_node] = (leg, "delivery")
    at: dict[int, float] = {}
    veh_of: dict[int, int] = {}
    stop_rows = []
    veh_rows = []
    geometry: dict[str, list[tuple[float, float]]] = {}
    for k, v in enumerate(vehicles):
        idx = routing.Start(k)
        if routing.IsEnd(solution.Value(routing.NextVar(idx))):
            continue
        vid = f"{v.vehicle_type}@{v.depot.name}#{k}"
        on_board: set[str] = set()
        seq = 0
        km = drive_h = empty_km = hours = fee = 0.0
        n_rests = 0
        hos = terms.hours_of_service[v.crew]
        coords: list[tuple[float, float]] = []
        prev_node = None
        while True:
            node = manager.IndexToNode(idx)
            minute = solution.Min(time_dim.CumulVar(idx))
            arc_drive_h = 0.0
            if prev_node is not None:
                a, b = stops[prev_node], stops[node]
                arc_km = float(mat.distance_m[a, b]) / 1000.0
                km += arc_km
                arc_drive_h = float(mat.drive_s[a, b]) / 3600.0
                drive_h += arc_drive_h
                n_rests += int(_days_and_last(arc_drive_h, hos[2])[0])
                hours += float(transit_h[v.crew][prev_node, node])
                fee += float(mat.fee_usd[a, b])
                if not on_board:
                    empty_km += arc_km
                coords += [(float(mat.places[a].lon), float(mat.places[a].lat))]
                coords += mat.path_lonlat(int(a), int(b))
            leg_info = node_leg.get(node)
            place = mat.places[stops[node]]
            sid, kind, leg_no = "", "depot", 0
            if leg_info is not None:
                leg, kind = leg_info
                sid = shipments[leg.shipment].shipment_id
                leg_no = leg.index + 1
                at[node] = minute
                veh_of[node] = k
                if kind == "pickup":
                    on_board.add(sid)
                else:
                    on_board.discard(sid)
            rest_here = not routing.IsEnd(idx) and solution.Value(rests[idx]) == 1
            if rest_here:
                n_rests += 1
                hours += hos[3]
            stop_rows.append(
                {
                    "vehicle": vid,
                    "seq": seq,
                    "kind": kind,
                    "shipment_id": sid,
                    "leg": leg_no,
                    "place": place.name,
                    "country": place.country,
                    "lat": place.lat,
                    "lon": place.lon,
                    "arrival_utc": (t0 + timedelta(minutes=minute)).isoformat(),
                    "on_board": len(on_board),
                    "driving_h": arc_drive_h,
                    "daily_rest_h": hos[3] if rest_here else 0.0,
                }
            )
            seq += 1
            prev_node = node
            if routing.IsEnd(idx):
                break
            idx = solution.Value(routing.NextVar(idx))
        coords.append((float(v.depot.lon), float(v.depot.lat)))
        geometry[vid] = coords
        cost = km * v.cost_per_km_usd + hours * v.cost_per_h_usd + fee + v.fixed_cost_usd
        veh_rows.append(
            {
                "vehicle": vid,
                "vehicle_type": v.vehicle_type,
                "country": v.country,
                "crew": v.crew,
                "cross_border_permit": v.cross_border_permit,
                "km": km,
                "driving_h": drive_h,
                "daily_rests": n_rests,
                "duty_h": hours,
                "empty_km": empty_km,
                "fees_usd": fee,
                "cost_usd": cost,
            }
        )
    rows = []
    for si, s in enumerate(shipments):
        row: dict[str, Any] = {
            "shipment_id": s.shipment_id,
            "origin": s.origin.name,
            "destination": s.destination.name,
            "origin_country": s.origin.country,
            "destination_country": s.destination.country,
            "weight_t": s.weight_t,
            "latest_utc": s.latest_utc.isoformat(),
        }
        chosen = None
        for alt in alts[si]:
            first = alt.legs[0]
            if first.pickup_node in at and all(
                leg.pickup_node in at and leg.delivery_node in at for leg in alt.legs
            ):
                chosen = alt
        partial = (
            any(leg.pickup_node in at for alt in alts[si] for leg in alt.legs) and chosen is None
        )
        if chosen is None:
            reason = reasons.get(si)
            if reason is None:
                reason = (
                    "partial: not every leg could be scheduled"
                    if partial
                    else "fleet/time: no vehicle could take it within its window in this plan"
                )
            row.update(status="dropped", mode="", reason=reason, legs=0)
            rows.append(row)
            continue
        pick = t0 + timedelta(minutes=at[chosen.legs[0].pickup_node])
        deliver = t0 + timedelta(minutes=at[chosen.legs[-1].delivery_node])
        others = [a for a in alts[si] if a is not chosen]
        why = chosen.note
        if others:
            o = others[0]
            why += (
                f"; chosen over {o.mode} ({o.note}, alone {o.estimate_h:.0f} h and USD "
                f"{o.alone_cost_usd:,.0f} vs {chosen.estimate_h:.0f} h and USD "
                f"{chosen.alone_cost_usd:,.0f}): lower plan cost within the window"
            )
        else:
            why += "; only alternative"
        transfer_cost = sum(leg.transfer_cost_usd for leg in chosen.legs)
        late_h = max(0.0, (deliver - s.latest_utc).total_seconds() / 3600.0)
        row.update(
            status="served",
            mode=chosen.mode,
            reason=why,
            legs=len(chosen.legs),
            vehicles=";".join(str(veh_of[leg.pickup_node]) for leg in chosen.legs),
            crossings=";".join(
                mat.crossings(chosen.legs[0].start, chosen.legs[-1].end)
                if chosen.mode == "road"
                else []
            ),
            transfers=";".join(leg.transfer for leg in chosen.legs if leg.transfer),
            ports="->".join(chosen.ports) if chosen.mode == "sea" else "",
            sea_km=chosen.sea_km,
            pickup_utc=pick.isoformat(),
            delivery_utc=deliver.isoformat(),
            transit_h=(deliver - pick).total_seconds() / 3600.0,
            estimate_h=chosen.estimate_h,
            lateness_h=late_h,
            lateness_cost_usd=late_h * s.lateness_cost_usd_per_h if soft_windows else 0.0,
            transfer_cost_usd=transfer_cost,
            crew=vehicles[veh_of[chosen.legs[0].pickup_node]].crew,
        )
        rows.append(row)
    ship = pd.DataFrame(rows)
    veh = pd.DataFrame(
        veh_rows,
        columns=[
            "vehicle",
            "vehicle_type",
            "country",
            "crew",
            "cross_border_permit",
            "km",
            "driving_h",
            "daily_rests",
            "duty_h",
            "empty_km",
            "fees_usd",
            "cost_usd",
        ],
    )
    kpis = _kpis(ship, veh, shipments, terms)
    return FleetPlan(
        scenario=terms.name,
        percentile=terms.percentile,
        soft_windows=soft_windows,
        t0_utc=t0,
        shipments=ship,
        stops=pd.DataFrame(stop_rows),
        vehicles=veh,
        kpis=kpis,
        geometry=geometry,
        solver={},
    )


def _kpis(
    ship: pd.DataFrame,
    veh: pd.DataFrame,
    shipments: Sequence[Shipment],
    terms: ScenarioTerms,
    on_time: pd.Series | None = None,
) -> dict[str, Any]:
    served = ship[ship["status"] == "served"]
    n = len(ship)
    km = float(veh["km"].sum())
    weight = {s.shipment_id: s.weight_t for s in shipments}
    sea_rows = served[served["mode"] == "sea"] if len(served) else served
    sea_tkm = (
        float(
            sum(
                float(km_) * weight[str(sid)]
                for km_, sid in zip(sea_rows["sea_km"], sea_rows["shipment_id"], strict=True)
            )
        )
        if len(sea_rows)
        else 0.0
    )
    transfer = float(served["transfer_cost_usd"].sum()) if len(served) else 0.0
    lateness = float(served["lateness_cost_usd"].sum()) if len(served) else 0.0
    kpis: dict[str, Any] = {
        "scenario": terms.name,
        "percentile": terms.percentile,
        "shipments": n,
        "served": len(served),
        "dropped": n - len(served),
        "cost_usd": round(float(veh["cost_usd"].sum()) + transfer, 2),
        "cost_per_served_usd": round((float(veh["cost_usd"].sum()) + transfer) / len(served), 2)
        if len(served)
        else None,
        "truck_cost_usd": round(float(veh["cost_usd"].sum()), 2),
        "transfer_cost_usd": round(transfer, 2),
        "lateness_cost_usd": round(lateness, 2),
        "vehicles_used": len(veh),
        "km": round(km, 1),
        "driving_h": round(float(veh["driving_h"].sum()), 2),
        "daily_rests": int(veh["daily_rests"].sum()),
        "empty_km_share": round(float(veh["empty_km"].sum()) / km, 4) if km > 0 else 0.0,
        "co2_kg": round(terms.co2_road_kg_per_vkm * km + terms.co2_sea_kg_per_tkm * sea_tkm, 1),
        "road_share": round(float((served["mode"] == "road").mean()), 4) if len(served) else 0.0,
        "sea_share": round(float((served["mode"] == "sea").mean()), 4) if len(served) else 0.0,
        "on_time_rate": None,
    }
    if on_time is not None:
        kpis["on_time_rate"] = round(float(on_time.fillna(0.0).sum()) / n, 4) if n else 0.0
    elif len(served):
        planned = (served["lateness_h"] <= 1e-9).sum()
        kpis["planned_on_time_rate"] = round(float(planned) / n, 4)
    return kpis


# =========================================================================== Monte Carlo replay


def evaluate_plan(
    plan: FleetPlan,
    G: nx.MultiDiGraph,
    shipments: Sequence[Shipment],
    *,
    scenario: Any = None,
    draws: int = 500,
    seed: int | None = None,
    params: Any = None,
    terms: ScenarioTerms | None = None,
) -> FleetPlan:
    """Replay every served shipment through :func:`logistics.simulate`.

    Each shipment's door-to-door route (road via the crossings the plan used, or sea) is
    simulated from its planned pickup; the plan's own detours and waits (planned transit minus
    the model's estimate for the shipment alone) are added to every draw; an arrival before the
    window waits for it. Adds ``on_time_probability``, ``p50_delivery_utc``, ``p90_lateness_h``
    per shipment and ``on_time_rate`` (expected share of all shipments delivered in their
    window; dropped ones count as late) to the KPIs.

    Returns
    -------
    FleetPlan
        A new plan with the Monte Carlo columns.
    """
    from logistics.montecarlo import simulate
    from networks.borders import ROUTE_CROSSINGS
    from networks.routing import shortest_route

    sc = scenario if scenario is not None else plan.scenario
    by_id = {s.shipment_id: s for s in shipments}
    ship = plan.shipments.copy()
    probs: list[float] = []
    p90_late: list[float] = []
    p50_arrival: list[str] = []
    notes: list[str] = []
    mc_p50: list[float] = []
    routes: dict[tuple[Any, ...], Any] = {}
    seed = int(plan.solver.get("seed", 0)) if seed is None else int(seed)
    rng_seed = seed
    for k, row in enumerate(ship.to_dict("records")):
        if row["status"] != "served":
            probs.append(np.nan)
            p90_late.append(np.nan)
            p50_arrival.append("")
            notes.append("")
            mc_p50.append(np.nan)
            continue
        s = by_id[row["shipment_id"]]
        crossings = tuple(c for c in str(row["crossings"] or "").split(";") if c)
        via = None
        if row["mode"] == "road" and crossings:
            via = next((r for r, ids in ROUTE_CROSSINGS.items() if ids == crossings), None)
            if via is None and len(crossings) == 1:
                via = crossings[0]
        key = (s.origin, s.destination, row["mode"], via)
        note = ""
        try:
            if key not in routes:
                routes[key] = shortest_route(
                    G, s.origin, s.destination, mode=str(row["mode"]), via=via
                )
            route = routes[key]
            mc = simulate(
                route,
                str(row["pickup_utc"]),
                sc,
                draws=draws,
                seed=rng_seed + k,
                crew=str(row["crew"]),
                params=params,
            )
            samples = np.asarray(mc.samples_h, dtype=float)
        except ValueError as exc:
            note = f"replay failed: {exc}"
            log.warning("shipment %s: %s", row["shipment_id"], note)
            samples = np.array([float(row["transit_h"])])
        pick = datetime.fromisoformat(str(row["pickup_utc"]))
        planned = datetime.fromisoformat(str(row["delivery_utc"]))
        # detours and waits of the plan itself (zero when the plan waits for the window)
        waits_for_window = planned <= s.earliest_utc + timedelta(minutes=1)
        extra = (
            0.0
            if waits_for_window
            else max(0.0, float(row["transit_h"]) - float(row["estimate_h"]))
        )
        arrive_h = samples + extra
        earliest_h = (s.earliest_utc - pick).total_seconds() / 3600.0
        latest_h = (s.latest_utc - pick).total_seconds() / 3600.0
        arrive_h = np.maximum(arrive_h, earliest_h)
        late = np.maximum(arrive_h - latest_h, 0.0)
        probs.append(float(np.mean(arrive_h <= latest_h + 1e-9)))
        mc_p50.append(float(np.median(samples)))
        p90_late.append(float(np.percentile(late, 90)))
        p50_arrival.append((pick + timedelta(hours=float(np.median(arrive_h)))).isoformat())
        notes.append(note)
    ship["on_time_probability"] = probs
    ship["p90_lateness_h"] = p90_late
    ship["p50_delivery_utc"] = p50_arrival
    ship["replay_note"] = notes
    ship["mc_door_to_door_p50_h"] = mc_p50
    if terms is None:
        terms = scenario_terms(sc, percentile=plan.percentile, params=params)
    kpis = _kpis(ship, plan.vehicles, shipments, terms, on_time=ship["on_time_probability"])
    kpis["draws"] = draws
    kpis["seed"] = seed
    return FleetPlan(
        scenario=plan.scenario,
        percentile=plan.percentile,
        soft_windows=plan.soft_windows,
        t0_utc=plan.t0_utc,
        shipments=ship,
        stops=plan.stops,
        vehicles=plan.vehicles,
        kpis=kpis,
        geometry=plan.geometry,
        solver=dict(plan.solver),
    )


# =========================================================================== compare + export


KPI_COLUMNS = (
    "scenario",
    "cost_usd",
    "cost_per_served_usd",
    "vehicles_used",
    "on_time_rate",
    "dropped",
    "road_share",
    "sea_share",
    "km",
    "driving_h",
    "empty_km_share",
    "co2_kg",
    "served",
)


def optimize(
    G: nx.MultiDiGraph | TravelNetwork,
    shipments: Sequence[Shipment],
    fleet: Sequence[VehicleType],
    *,
    scenario: Any = "status-quo",
    percentile: int = 50,
    soft_windows: bool = False,
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    solution_limit: int | None = None,
    draws: int = 500,
    seed: int = 0,
    graph: nx.MultiDiGraph | None = None,
    progress: bool = False,
    params: Any = None,
) -> FleetPlan:
    """Solve and replay in one call (what ``corridor optimize`` runs).

    ``graph`` is the networkx graph for the Monte Carlo replay when ``G`` is a TravelNetwork.
    """
    net = G if isinstance(G, TravelNetwork) else TravelNetwork(G)
    nxg = graph if graph is not None else (G if not isinstance(G, TravelNetwork) else None)
    if nxg is None:
        raise RoutingError("give the networkx graph (graph=...) for the Monte Carlo replay")
    terms = scenario_terms(
        scenario, percentile=percentile, params=params, crossings=net.border_keys
    )
    plan = solve_fleet(
        net,
        shipments,
        fleet,
        terms=terms,
        soft_windows=soft_windows,
        time_limit_s=time_limit_s,
        solution_limit=solution_limit,
        progress=progress,
        seed=seed,
    )
    return evaluate_plan(
        plan, nxg, shipments, scenario=scenario, draws=draws, seed=seed, params=params, terms=terms
    )


def compare_fleet(
    G: nx.MultiDiGraph,
    shipments: Sequence[Shipment],
    fleet: Sequence[VehicleType],
    scenarios: Sequence[Any],
    *,
    percentile: int = 50,
    soft_windows: bool = False,
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    solution_limit: int | None = None,
    draws: int = 500,
    seed: int = 0,
    progress: bool = False,
    workers: int | None = None,
) -> tuple[pd.DataFrame, dict[str, FleetPlan]]:
    """The same shipments and fleet under each scenario.

    Parameters
    ----------
    workers : int, optional
        Scenarios solved at once, each in its own process (OR-Tools routing uses one core).
        Default: one per CPU core, at most one per scenario; 1 solves them in this process.
        Solution-limited runs give the same plans either way. Workers are forked where the
        platform can (Linux); elsewhere they are spawned, and a calling script needs the
        ``if __name__ == "__main__":`` guard.

    Returns
    -------
    (DataFrame, dict)
        One row per scenario with :data:`KPI_COLUMNS`, and the plans by scenario name.
    """
    if not scenarios:
        raise RoutingError("no scenarios to compare")
    if workers is not None and workers < 1:
        raise RoutingError(f"workers {workers!r} must be at least 1")
    n_workers = min(len(scenarios), workers or os.cpu_count() or 1)
    net = TravelNetwork(G)
    kw: dict[str, Any] = {
        "percentile": percentile,
        "soft_windows": soft_windows,
        "time_limit_s": time_limit_s,
        "solution_limit": solution_limit,
        "draws": draws,
        "seed": seed,
        "graph": G,
    }
    if n_workers == 1:
        results = [
            optimize(net, shipments, fleet, scenario=sc, progress=progress, **kw)
            for sc in scenarios
        ]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        from tqdm import tqdm

        # fork where there is one (Linux): the workers need not re-import the caller's script,
        # which a script without an ``if __name__ == "__main__":`` guard cannot survive
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ProcessPoolExecutor(n_workers, mp_context=ctx) as pool:
            futures = [
                pool.submit(optimize, net, shipments, fleet, scenario=sc, **kw) for sc in scenarios
            ]
            done = tqdm(
                as_completed(futures),
                total=len(futures),
                desc=f"optimize ({n_workers} processes)",
                unit="scenario",
                disable=None if progress else True,
            )
            for _ in done:
                pass
            results = [f.result() for f in futures]
    plans = {plan.scenario: plan for plan in results}
    table = pd.DataFrame([{c: p.kpis.get(c) for c in KPI_COLUMNS} for p in plans.values()])
    return table, plans


def _atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, datetime):
        return o.isoformat()
    return str(o)


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def write_json(path: Path, data: Any) -> Path:
    """Write JSON atomically."""
    text = json.dumps(_clean(data), indent=2, default=_json_default)

    def write(p: Path) -> None:
        p.write_text(text + "\n", encoding="utf-8")

    return _atomic_write(Path(path), write)


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a CSV atomically."""
    return _atomic_write(Path(path), lambda p: frame.to_csv(p, index=False))


def plan_geojson(plan: FleetPlan) -> dict[str, Any]:
    """Vehicle routes (LineStrings along the network) and stops (Points) as GeoJSON."""
    features: list[dict[str, Any]] = []
    veh = {str(r["vehicle"]): r for r in plan.vehicles.to_dict("records")}
    for vid, coords in plan.geometry.items():
        props: dict[str, Any] = {"vehicle": vid, "scenario": plan.scenario}
        if vid in veh:
            r = veh[vid]
            props.update(
                km=round(float(r["km"]), 1),
                cost_usd=round(float(r["cost_usd"]), 2),
                vehicle_type=str(r["vehicle_type"]),
            )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                "properties": props,
            }
        )
    for st in plan.stops.to_dict("records"):
        if st["kind"] == "depot":
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(st["lon"]), float(st["lat"])]},
                "properties": {
                    "vehicle": st["vehicle"],
                    "seq": int(st["seq"]),
                    "kind": st["kind"],
                    "shipment_id": st["shipment_id"],
                    "leg": int(st["leg"]),
                    "place": st["place"],
                    "arrival_utc": st["arrival_utc"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_plan(plan: FleetPlan, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``routes.csv``, ``routes.geojson``, ``shipments.csv``, ``vehicles.csv``, ``kpis.json``.

    Every file is written atomically (temporary file + ``os.replace``).
    """
    out = Path(out_dir)
    gj = json.dumps(plan_geojson(plan), default=_json_default)
    kpis = dict(plan.kpis)
    kpis["solver"] = plan.solver
    kpis["soft_windows"] = plan.soft_windows
    return [
        write_csv(out / "routes.csv", plan.stops),
        _atomic_write(out / "routes.geojson", lambda p: p.write_text(gj, encoding="utf-8")),
        write_csv(out / "shipments.csv", plan.shipments),
        write_csv(out / "vehicles.csv", plan.vehicles),
        write_json(out / "kpis.json", kpis),
    ]


def comparison_chart(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Side-by-side bar chart: cost, vehicles, on-time rate and road vs sea share per scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(table["scenario"])
    x = np.arange(len(names))
    fig, axes = plt.subplots(1, 4, figsize=(16, 4.2))
    axes[0].bar(x, table["cost_usd"].astype(float) / 1000.0, color="#4c72b0")
    axes[0].set_title("cost (thousand USD)")
    axes[1].bar(x, table["vehicles_used"].astype(float), color="#55a868")
    axes[1].set_title("vehicles used")
    axes[2].bar(x, table["on_time_rate"].astype(float).fillna(0.0) * 100, color="#c44e52")
    axes[2].set_title("on-time rate (%, Monte Carlo)")
    axes[2].set_ylim(0, 100)
    road = table["road_share"].astype(float) * 100
    sea = table["sea_share"].astype(float) * 100
    axes[3].bar(x, road, color="#8172b2", label="road")
    axes[3].bar(x, sea, bottom=road, color="#64b5cd", label="sea")
    axes[3].set_title("modal split of served shipments (%)")
    axes[3].legend(loc="lower right")
    for ax in axes:
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    fig.suptitle("Same shipments and fleet under each scenario")
    fig.tight_layout()
    target = Path(path)

    def save(p: Path) -> None:
        fig.savefig(p, dpi=110, format="png")

    try:
        _atomic_write(target, save)
    finally:
        plt.close(fig)
    return target


def write_comparison(
    table: pd.DataFrame, plans: Mapping[str, FleetPlan], out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Write ``comparison.csv``, ``comparison.png``, ``kpis.json`` and one folder per plan."""
    out = Path(out_dir)
    written = [
        write_csv(out / "comparison.csv", table),
        comparison_chart(table, out / "comparison.png"),
    ]
    written.append(
        write_json(out / "kpis.json", {"scenarios": {n: p.kpis for n, p in plans.items()}})
    )
    for name, plan in plans.items():
        written += write_plan(plan, out / name)
    return written
