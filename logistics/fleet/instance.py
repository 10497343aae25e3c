"""The fleet problem instance: shipments, vehicles, alternatives and legs, solver nodes and
matrices under one scenario. Immutable once built, and free of OR-Tools, so it can be tested and
inspected on its own (``docs/fleet.md``, "The routing model").

Every shipment has one or more **alternatives** (``road`` door to door by one permitted truck,
``road`` with transloads at crossings, ``sea`` via the nearest ports); each alternative is a
chain of **legs**, a leg is a pickup-delivery pair carried by one vehicle. Node 0.. of the solver
are the depots, then a pickup and a delivery node per leg of every alternative.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from logistics.fleet.terms import RoutingError, ScenarioTerms
from logistics.limits import HORIZON_SLACK_H, LimitError, check_horizon
from logistics.limits import horizon_h as limits_horizon_h
from logistics.matrix import TravelMatrix, TravelNetwork, to_solver_int
from logistics.shipments import DEMAND_UNITS, Shipment, VehicleType
from networks.types import Place

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
#: Solver units: minutes per time unit, cents per dollar.
MINUTES_PER_H = 60.0
CENTS_PER_USD = 100.0
MODES = ("road", "sea")


@dataclass(frozen=True)
class Leg:
    """One pickup-delivery pair of one alternative of one shipment.

    ``start``/``end`` are stop indices of the travel matrix; ``pickup_node``/``delivery_node``
    solver nodes; ``gap_after_h`` the transfer time before the next leg may be picked up
    (border passage, clearance and transloading, or port dwell, sailing wait and sailing).
    """

    shipment: int
    index: int
    start: int
    end: int
    countries: frozenset[str]
    crossings: tuple[str, ...]  # crossings driven through on this leg
    gap_after_h: float = 0.0
    transfer_cost_usd: float = 0.0
    transfer: str = ""
    transload_at: str = ""  # crossing id where the goods change vehicle after this leg
    end_open: tuple[tuple[tuple[float, float], ...], float] | None = None
    allowed: tuple[int, ...] = ()
    pickup_node: int = -1
    delivery_node: int = -1

    @property
    def nodes(self) -> tuple[int, int]:
        """The leg's pickup and delivery solver nodes."""
        return (self.pickup_node, self.delivery_node)


@dataclass(frozen=True)
class Alternative:
    """One way to serve a shipment: a mode and a chain of legs.

    ``key`` names the alternative the same way under every scenario (mode and where the goods
    change vehicle), so a plan of one scenario can be read into another's model.
    """

    mode: str
    legs: tuple[Leg, ...]
    estimate_h: float  # door-to-door if served alone, at the percentile
    note: str
    key: str
    sea_km: float = 0.0
    ports: tuple[str, str] = ("", "")
    sea_nodes: tuple[Any, ...] = ()  # graph nodes of the sailing, port to port
    co2_kg: float = 0.0  # at sea (road CO2 is counted per vehicle-km)
    alone_cost_usd: float = math.inf
    leg_alone_usd: tuple[float, ...] = ()

    @property
    def nodes(self) -> tuple[int, ...]:
        """Solver nodes of every leg, pickup then delivery, in chain order."""
        return tuple(n for leg in self.legs for n in (leg.pickup_node, leg.delivery_node))


@dataclass(frozen=True)
class FleetInstance:
    """One scenario's routing problem (built by :func:`build_instance`).

    Attributes
    ----------
    shipments, vehicles : tuple
        The shipments and one entry per vehicle (fleet rows expanded by ``count``).
    vehicle_index : tuple of int
        Index of each vehicle in the whole expanded fleet (stable across sub-problems).
    alternatives : tuple of tuple of Alternative
        Per shipment, cheapest alone first; empty when the shipment cannot be served at all
        (``reasons`` says why).
    node_stop, node_service_h, node_demand, node_cost_usd : ndarray
        Per solver node: matrix stop, loading time, demand per unit of ``DEMAND_UNITS``
        (negative at deliveries) and transfer cost charged when leaving the node.
    transit_h : mapping
        Per arc class (:meth:`arc_key`: the crew, and whether the vehicle is confined to its
        country), node x node hours: driving, border delays and the arc's own rests.
    mat_domestic : TravelMatrix or None
        The road matrix without border edges: a vehicle without a cross-border permit never
        drives through another country, not even empty (None: every vehicle uses ``mat``).
    """

    terms: ScenarioTerms
    shipments: tuple[Shipment, ...]
    vehicles: tuple[VehicleType, ...]
    vehicle_index: tuple[int, ...]
    caps: np.ndarray
    mat: TravelMatrix
    t0: datetime
    horizon_min: int
    soft_windows: bool
    service_h: float
    alternatives: tuple[tuple[Alternative, ...], ...]
    reasons: Mapping[int, str]
    starts: tuple[int, ...]
    node_stop: np.ndarray
    node_service_h: np.ndarray
    node_demand: np.ndarray
    node_cost_usd: np.ndarray
    transit_h: Mapping[str, np.ndarray] = field(repr=False)
    mat_domestic: TravelMatrix | None = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.node_stop)

    def domestic(self, k: int) -> bool:
        """Vehicle ``k`` stays in its country (no permit) and has its own matrix."""
        return self.mat_domestic is not None and not self.vehicles[k].cross_border_permit

    def arc_mat(self, k: int) -> TravelMatrix:
        """The road matrix vehicle ``k`` drives on."""
        return self.mat_domestic if self.mat_domestic is not None and self.domestic(k) else self.mat

    def arc_key(self, k: int) -> str:
        """Key of vehicle ``k``'s arc times in :attr:`transit_h`."""
        return self.vehicles[k].crew + ("/domestic" if self.domestic(k) else "")

    def minutes(self, t: datetime) -> int:
        """Solver minutes after ``t0`` (rounded up)."""
        return int(to_solver_int((t - self.t0).total_seconds() / 60.0, scale=1.0))

    def node_leg(self) -> dict[int, tuple[Leg, str, Alternative]]:
        """Solver node -> (leg, ``pickup``/``delivery``, alternative)."""
        out: dict[int, tuple[Leg, str, Alternative]] = {}
        for options in self.alternatives:
            for alt in options:
                for leg in alt.legs:
                    out[leg.pickup_node] = (leg, "pickup", alt)
                    out[leg.delivery_node] = (leg, "delivery", alt)
        return out

    def node_keys(self) -> dict[int, tuple[str, str, int, str]]:
        """Solver node -> (shipment id, alternative key, leg index, pickup/delivery): the same
        key names the same stop under every scenario."""
        return {
            n: (self.shipments[leg.shipment].shipment_id, alt.key, leg.index, kind)
            for n, (leg, kind, alt) in self.node_leg().items()
        }


@dataclass(frozen=True)
class Stops:
    """The matrix stops shared by every scenario and sub-problem of one shipment set."""

    places: list[Place]
    nodes: list[Any]
    key_of: Mapping[str, int]


def place_key(p: Place) -> str:
    return f"place:{p.lat:.6f},{p.lon:.6f}"


def node_key(net: TravelNetwork, k: int) -> str:
    return f"node:{net.node_ids[k]}"


def stop_places(
    net: TravelNetwork, shipments: Sequence[Shipment], fleet: Sequence[VehicleType]
) -> Stops:
    """Stops of the matrix: shipment ends, depots, every checkpoint and port (by node)."""
    places: list[Place] = []
    nodes: list[Any] = []
    key_of: dict[str, int] = {}

    def add(key: str, place: Place, node: Any = None) -> None:
        if key not in key_of:
            key_of[key] = len(places)
            places.append(place)
            nodes.append(node)

    for s in shipments:
        for p in (s.origin, s.destination):
            add(place_key(p), p)
    for v in fleet:
        add(place_key(v.depot), v.depot)
    border = net.edges[net.edges["mode"] == "border"]
    for u, v in zip(border["u"], border["v"], strict=True):
        for k in (int(u), int(v)):
            place = Place(
                name=str(net.node_ids[k]),
                lat=float(net.lat[k]),
                lon=float(net.lon[k]),
                country=str(net.country[k]),
                kind="crossing",
            )
            add(node_key(net, k), place, net.node_ids[k])
    for pid, k in sorted(net.port_node.items()):
        place = Place(
            name=pid,
            lat=float(net.lat[k]),
            lon=float(net.lon[k]),
            country=str(net.country[k]),
            kind="port",
            place_id=pid,
        )
        add(node_key(net, k), place, net.node_ids[k])
    return Stops(places, nodes, key_of)


def _through_country(
    cids: Sequence[str], country: str, border: pd.DataFrame, terms: ScenarioTerms
) -> str | tuple[str]:
    """The country reached by driving through ``cids`` from ``country`` (a 1-tuple), or why
    one of them may not be driven through under ``terms``."""
    for cid in cids:
        rows = border[(border["crossing_id"] == cid) & (border["frm"] == country)]
        if rows.empty:
            return f"unreachable: crossing {cid} has no direction out of {country}"
        nxt = str(rows.iloc[0]["to"])
        t = terms.crossings.get((cid, country, nxt))
        if t is None or not t.through_trucking:
            return f"crossing {cid} ({country}->{nxt}) may not be driven through in this scenario"
        country = nxt
    return (country,)


def _drive_through(
    mat: TravelMatrix,
    start: int,
    cid: str,
    country: str,
    border: pd.DataFrame,
    key_of: Mapping[str, int],
    net: TravelNetwork,
    terms: ScenarioTerms,
) -> str | tuple[list[str], str]:
    """On the way from stop ``start`` (in ``country``) to transload crossing ``cid``: the
    crossings the quickest path drives through, and the country it reaches ``cid`` from; or
    why that path is not allowed under ``terms``."""
    why = f"unreachable: crossing {cid} from {country}"
    rows = border[border["crossing_id"] == cid]
    for u, frm in zip(rows["u"].tolist(), rows["frm"].tolist(), strict=True):
        exit_stop = key_of[node_key(net, int(u))]
        through = [c for c in mat.crossings(start, exit_stop) if c != cid]
        done = _through_country(through, country, border, terms)
        if isinstance(done, str):
            why = done
        elif done[0] == str(frm):
            return through, done[0]
    return why


def _road_legs(
    s_idx: int,
    o: int,
    d: int,
    origin_country: str,
    mat: TravelMatrix,
    net: TravelNetwork,
    terms: ScenarioTerms,
    key_of: Mapping[str, int],
    *,
    relay: bool,
    pinned: Sequence[str] | None = None,
) -> list[Leg] | str:
    """Split the road path o -> d into legs at crossings without through-trucking.

    ``relay``: the goods change vehicle at every crossing, even where a permitted truck could
    go on. ``pinned``: the crossings where the goods change vehicle, in order (the legs between
    them take the quickest path; used to read another scenario's plan into this model).
    """
    legs: list[Leg] = []
    through: list[str] = []
    start, countries = o, {origin_country}
    country = origin_country
    border = net.edges[net.edges["mode"] == "border"]
    for cid in mat.crossings(o, d) if pinned is None else pinned:
        if pinned is not None:  # drive through what the quickest path to the crossing crosses
            done = _drive_through(mat, start, cid, country, border, key_of, net, terms)
            if isinstance(done, str):
                return done
            through, country = done
        rows = border[(border["crossing_id"] == cid) & (border["frm"] == country)]
        if rows.empty:
            return f"unreachable: crossing {cid} has no direction out of {country}"
        row = rows.iloc[0]
        nxt = str(row["to"])
        t = terms.crossings.get((cid, country, nxt))
        if t is None:
            return f"unreachable: crossing {cid} ({country}->{nxt}) never opens in this scenario"
        if t.through_trucking and not relay and pinned is None:
            through.append(cid)
            countries.add(nxt)
            country = nxt
            continue
        exit_stop = key_of[node_key(net, int(row["u"]))]
        entry_stop = key_of[node_key(net, int(row["v"]))]
        if pinned is not None:
            countries |= mat.countries(start, exit_stop)
        legs.append(
            Leg(
                shipment=s_idx,
                index=len(legs),
                start=start,
                end=exit_stop,
                countries=frozenset(countries),
                crossings=tuple(through),
                gap_after_h=t.clearance_h
                + t.min_wait_h
                + float(row["travel_time"]) / 3600.0
                + t.transload_h,
                transfer_cost_usd=t.transload_cost_usd + t.fee_usd,
                transfer=f"transload at {cid} ({country}->{nxt})",
                transload_at=cid,
                end_open=(
                    t.open_intervals if t.pause_free is None else t.pause_free,
                    t.utc_offset_h,
                ),
            )
        )
        start, countries, through, country = entry_stop, {nxt}, [], nxt
    if pinned is not None:
        through = mat.crossings(start, d)
        countries |= mat.countries(start, d)
        last = _through_country(through, country, border, terms)
        if isinstance(last, str):
            return last
    legs.append(
        Leg(
            shipment=s_idx,
            index=len(legs),
            start=start,
            end=d,
            countries=frozenset(countries),
            crossings=tuple(through),
        )
    )
    return legs


def _road_alternatives(
    s_idx: int,
    s: Shipment,
    o: int,
    d: int,
    mat: TravelMatrix,
    net: TravelNetwork,
    terms: ScenarioTerms,
    key_of: Mapping[str, int],
    hos: Mapping[str, Any],
    service_h: float,
    extra: Sequence[str] = (),
) -> list[Alternative] | str:
    """Road door to door (split where through-trucking is not allowed) and, where a permit
    lets trucks drive through, also the relay alternative with a transload at every crossing:
    a permit is an option, not an obligation. ``extra``: more ``road:`` keys to offer (the
    alternatives another scenario's plan uses)."""
    out: list[Alternative] = []
    pins: list[tuple[bool, list[str] | None]] = [(False, None), (True, None)]
    pins += [(True, [c for c in k[len("road:") :].split(">") if c]) for k in extra]
    for relay, pinned in pins:
        legs = _road_legs(
            s_idx, o, d, s.origin.country, mat, net, terms, key_of, relay=relay, pinned=pinned
        )
        if isinstance(legs, str):
            if pinned is not None:
                continue  # another scenario's route that this one cannot drive
            return legs
        transloads = [leg.transload_at for leg in legs if leg.transload_at]
        key = "road:" + ">".join(transloads)
        # customs clearance, once per land shipment, charged when the goods are delivered
        customs = terms.customs_usd(s.origin.country, s.destination.country)
        if customs:
            last = legs[-1]
            legs[-1] = replace(last, transfer_cost_usd=last.transfer_cost_usd + customs)
        if any(a.key == key for a in out):
            continue
        est = (
            sum(
                mat.time_s[leg.start, leg.end] / 3600
                + float(hos["single"].rest_h(mat.drive_s[leg.start, leg.end] / 3600))
                + leg.gap_after_h
                for leg in legs
            )
            + 2 * service_h
        )
        note = (
            "road door to door" if not transloads else f"road with {len(transloads)} transload(s)"
        )
        out.append(Alternative("road", tuple(legs), float(est), note, key=key))
    return out


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
    service_h: float,
    ports: tuple[str, str] | None = None,
) -> Alternative | None:
    """Sea via the port nearest (by road) to each end, in the origin / destination country, or
    via the given ``ports`` (another scenario's plan)."""
    if sea is None or s.origin.country == s.destination.country:
        return None

    def port_stop(pid: str) -> int:
        return key_of[node_key(net, net.port_node[pid])]

    def nearest(country: str, outbound: bool) -> int | None:
        found: tuple[float, int] | None = None
        for i, pid in enumerate(sea_ports):
            if terms.port_country.get(pid) != country:
                continue
            stop = port_stop(pid)
            t = mat.time_s[o, stop] if outbound else mat.time_s[stop, d]
            if np.isfinite(t) and (found is None or t < found[0]):
                found = (float(t), i)
        return None if found is None else found[1]

    if ports is None:
        i, j = nearest(s.origin.country, True), nearest(s.destination.country, False)
    elif ports[0] in sea_ports and ports[1] in sea_ports:
        i, j = sea_ports.index(ports[0]), sea_ports.index(ports[1])
    else:
        return None
    if i is None or j is None or not np.isfinite(sea.distance_m[i, j]):
        return None
    a, b = sea_ports[i], sea_ports[j]
    sa, sb = port_stop(a), port_stop(b)
    sea_km = float(sea.distance_m[i, j]) / 1000.0
    passage = terms.sea(a, b, sea_km)
    gap = passage.total_h
    total = mat.time_s[o, sa] / 3600 + gap + mat.time_s[sb, d] / 3600 + 2 * service_h
    cost = _boxes(s) * (passage.freight_usd + passage.handling_usd)
    legs = (
        Leg(
            shipment=s_idx,
            index=0,
            start=o,
            end=sa,
            countries=frozenset({s.origin.country}),
            crossings=(),
            gap_after_h=gap,
            transfer_cost_usd=cost,
            transfer=f"sea {a}->{b} ({sea_km:.0f} km)",
            end_open=(passage.in_time, passage.utc_offset_h),
        ),
        Leg(
            shipment=s_idx,
            index=1,
            start=sb,
            end=d,
            countries=frozenset({s.destination.country}),
            crossings=(),
        ),
    )
    return Alternative(
        "sea",
        legs,
        float(total),
        f"sea via {a}->{b}",
        key=f"sea:{a}>{b}",
        sea_km=sea_km,
        ports=(a, b),
        sea_nodes=tuple(sea.path_nodes(i, j)),
        co2_kg=passage.co2_kg_per_t * s.weight_t,
    )


def _allowed(
    leg: Leg, s: Shipment, vehicles: Sequence[VehicleType], caps: np.ndarray
) -> tuple[int, ...]:
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
    return tuple(out)


def effective_caps(vehicles: Sequence[VehicleType], terms: ScenarioTerms) -> np.ndarray:
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
    alt: Alternative,
    vehicles: Sequence[VehicleType],
    depot_stop: Sequence[int],
    mat: TravelMatrix,
    hours: Mapping[str, np.ndarray],
) -> tuple[float, ...]:
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
    return tuple(out)


def _check_alternative(
    alt: Alternative,
    s: Shipment,
    vehicles: Sequence[VehicleType],
    caps: np.ndarray,
    *,
    soft_windows: bool,
    service_h: float,
    ready_h: float,
    horizon_h: float,
) -> tuple[Alternative | None, str]:
    """The alternative with each leg's allowed vehicles, or None and why it cannot be served."""
    legs = []
    for leg in alt.legs:
        allowed = _allowed(leg, s, vehicles, caps)
        if not allowed:
            where = "/".join(sorted(leg.countries))
            rules_ok = _allowed(leg, s, vehicles, np.full_like(caps, np.inf))
            if rules_ok:
                cap = max(caps[k, 0] for k in rules_ok)
                return None, (
                    f"{alt.mode}: capacity: no vehicle allowed on leg {leg.index + 1} ({where}) "
                    f"can carry it (weight {s.weight_t:g} t; legal payload under this scenario "
                    f"at most {cap:g} t, or too little space)"
                )
            kind = "with a cross-border permit " if leg.crossings else ""
            return None, (
                f"{alt.mode}: permit: no vehicle {kind}registered for leg {leg.index + 1} in "
                f"{where}"
            )
        legs.append(replace(leg, allowed=allowed))
    window_h = (s.latest_utc - s.ready_utc).total_seconds() / 3600.0
    arrive_h = alt.estimate_h - service_h  # the window bounds the arrival, not the unloading
    if not soft_windows and arrive_h > window_h + 1e-6:
        return None, (
            f"{alt.mode}: window infeasible even alone (arrives {arrive_h:.1f} h after the ready "
            f"time at the earliest, window closes after {window_h:.1f} h)"
        )
    if ready_h + alt.estimate_h > horizon_h - 1e-6:
        return None, (
            f"{alt.mode}: window infeasible even alone (needs {alt.estimate_h:.1f} h, beyond the "
            f"planning horizon of {HORIZON_SLACK_H:g} h after the last window)"
        )
    return replace(alt, legs=tuple(legs)), ""


def _options(
    si: int,
    s: Shipment,
    net: TravelNetwork,
    mat: TravelMatrix,
    sea: TravelMatrix | None,
    sea_ports: Sequence[str],
    terms: ScenarioTerms,
    key_of: Mapping[str, int],
    service_h: float,
    extra: Mapping[str, Sequence[str]],
) -> tuple[list[Alternative], list[str]]:
    """Every alternative of one shipment (before the vehicle and window checks), and why the
    missing ones are missing."""
    o, d = key_of[place_key(s.origin)], key_of[place_key(s.destination)]
    hos = terms.hours_of_service
    options: list[Alternative] = []
    why: list[str] = []
    more = extra.get(s.shipment_id, ())
    if mat.reachable[o, d]:
        road = _road_alternatives(
            si,
            s,
            o,
            d,
            mat,
            net,
            terms,
            key_of,
            hos,
            service_h,
            extra=[k for k in more if k.startswith("road:")],
        )
        if isinstance(road, str):
            why.append(road)
        else:
            options += road
    else:
        why.append("unreachable by road")
    pairs: list[tuple[str, str] | None] = [None]
    pairs += [tuple(k[len("sea:") :].split(">", 1)) for k in more if k.startswith("sea:")]  # type: ignore[misc]
    for ports in pairs:
        alt = _sea_alternative(
            si, s, o, d, mat, sea, sea_ports, terms, key_of, net, service_h, ports=ports
        )
        if alt is not None and all(a.key != alt.key for a in options):
            options.append(alt)
    return options, why


def _number_nodes(
    shipments: Sequence[Shipment],
    alts: Sequence[Sequence[Alternative]],
    depot_stops: Sequence[int],
    order: Sequence[int] | None,
    service_h: float,
) -> tuple[
    tuple[tuple[Alternative, ...], ...], list[int], list[float], list[list[float]], list[float]
]:
    """Solver nodes: depots first, then a pickup and a delivery per leg of every alternative,
    shipments in ``order``. Returns the numbered alternatives and per node: matrix stop,
    loading time, demand per unit (negative at deliveries), transfer cost when leaving it."""
    node_stop: list[int] = list(depot_stops)
    node_service: list[float] = [0.0] * len(depot_stops)
    node_demand: list[list[float]] = [[0.0] * len(DEMAND_UNITS) for _ in depot_stops]
    node_cost: list[float] = [0.0] * len(depot_stops)
    numbered: list[tuple[Alternative, ...]] = [()] * len(shipments)
    for si in order if order is not None else range(len(shipments)):
        dem = [shipments[si].demand(u) for u in DEMAND_UNITS]
        new_alts = []
        for alt in alts[si]:
            legs = []
            for leg in alt.legs:
                pick = len(node_stop)
                node_stop += [leg.start, leg.end]
                final = leg.index == len(alt.legs) - 1
                node_service += [service_h if leg.index == 0 else 0.0, service_h if final else 0.0]
                node_demand += [dem, [-x for x in dem]]
                node_cost += [0.0, leg.transfer_cost_usd]
                legs.append(replace(leg, pickup_node=pick, delivery_node=pick + 1))
            new_alts.append(replace(alt, legs=tuple(legs)))
        numbered[si] = tuple(new_alts)
    return tuple(numbered), node_stop, node_service, node_demand, node_cost


def build_instance(
    net: TravelNetwork,
    shipments: Sequence[Shipment],
    vehicles: Sequence[VehicleType],
    terms: ScenarioTerms,
    *,
    mat: TravelMatrix,
    stops: Stops,
    sea: TravelMatrix | None,
    sea_ports: Sequence[str],
    vehicle_index: Sequence[int] | None = None,
    soft_windows: bool = False,
    service_h: float = SERVICE_H,
    order: Sequence[int] | None = None,
    extra: Mapping[str, Sequence[str]] | None = None,
    mat_domestic: TravelMatrix | None = None,
) -> FleetInstance:
    """Alternatives, legs and solver nodes of ``shipments`` for ``vehicles`` under ``terms``.

    ``mat`` is the road matrix of ``stops`` under ``terms`` (shared by sub-problems); ``order``
    numbers the shipments' solver nodes (a seeded permutation gives the search another path;
    the default is the input order). ``extra`` maps a shipment id to alternative keys to offer
    besides its own (the alternatives another scenario's plan uses: a relaxed scenario keeps
    every plan of the stricter one).
    """
    if not shipments:
        raise RoutingError("no shipments to route")
    if not vehicles:
        raise RoutingError("empty fleet: no vehicles to route with")
    key_of = stops.key_of
    hos = terms.hours_of_service
    caps = effective_caps(vehicles, terms)
    t0 = min(s.ready_utc for s in shipments).replace(hour=0, minute=0, second=0, microsecond=0)
    first = min(s.ready_utc for s in shipments)
    last = max(shipments, key=lambda s: s.latest_utc)
    try:  # the one horizon rule (the shipment reader applies it too)
        check_horizon(first, last.latest_utc, what=f"shipment {last.shipment_id!r}")
    except LimitError as exc:
        raise RoutingError(str(exc)) from None
    horizon_h = limits_horizon_h(first, last.latest_utc)
    depot_stop = [key_of[place_key(v.depot)] for v in vehicles]
    crews = sorted({v.crew for v in vehicles})
    hours_full = {
        crew: mat.time_s / 3600.0 + hos[crew].rest_h(mat.drive_s / 3600.0) for crew in crews
    }
    alts: list[list[Alternative]] = []
    reasons: dict[int, str] = {}
    for si, s in enumerate(shipments):
        options, why = _options(
            si, s, net, mat, sea, sea_ports, terms, key_of, service_h, (extra or {})
        )
        kept = []
        ready_h = (s.ready_utc - t0).total_seconds() / 3600.0
        for alt in options:
            checked, problem = _check_alternative(
                alt,
                s,
                vehicles,
                caps,
                soft_windows=soft_windows,
                service_h=service_h,
                ready_h=ready_h,
                horizon_h=horizon_h,
            )
            if checked is None:
                why.append(problem)
                continue
            leg_usd = _alone_cost_usd(checked, vehicles, depot_stop, mat, hours_full)
            kept.append(replace(checked, leg_alone_usd=leg_usd, alone_cost_usd=sum(leg_usd)))
        # cheapest alone first: phase 1 of the search offers only this one (docs/fleet.md)
        kept.sort(key=lambda a: (a.alone_cost_usd, a.key))
        alts.append(kept)
        if not kept:
            reasons[si] = "; ".join(dict.fromkeys(why)) or "no alternative"
    depot_stops = sorted(set(depot_stop))
    numbered, node_stop, node_service, node_demand, node_cost = _number_nodes(
        shipments, alts, depot_stops, order, service_h
    )
    stops_arr = np.array(node_stop)
    transit_h = {}
    for v in vehicles:
        domestic = mat_domestic is not None and not v.cross_border_permit
        key = v.crew + ("/domestic" if domestic else "")
        if key not in transit_h:
            m = mat_domestic if domestic and mat_domestic is not None else mat
            sub_t = m.time_s[np.ix_(stops_arr, stops_arr)]
            sub_drive = m.drive_s[np.ix_(stops_arr, stops_arr)]
            transit_h[key] = sub_t / 3600.0 + hos[v.crew].rest_h(sub_drive / 3600.0)
    return FleetInstance(
        terms=terms,
        shipments=tuple(shipments),
        vehicles=tuple(vehicles),
        vehicle_index=tuple(vehicle_index if vehicle_index is not None else range(len(vehicles))),
        caps=caps,
        mat=mat,
        t0=t0,
        horizon_min=int(to_solver_int(horizon_h, scale=MINUTES_PER_H)),
        soft_windows=soft_windows,
        service_h=service_h,
        alternatives=tuple(numbered),
        reasons=reasons,
        starts=tuple(depot_stops.index(k) for k in depot_stop),
        node_stop=stops_arr,
        node_service_h=np.array(node_service),
        node_demand=np.array(node_demand, dtype=float).reshape(-1, len(DEMAND_UNITS)),
        node_cost_usd=np.array(node_cost),
        transit_h=transit_h,
        mat_domestic=mat_domestic,
    )
