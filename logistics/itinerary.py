"""Door-to-door itineraries: a route walked in time under a scenario.

:func:`build_itinerary` walks the legs of a :class:`networks.Route` from a departure date-time:
driving (free-flow leg times) under hours-of-service rules, waiting for closed borders and port
gates (opening hours in each side's local time), exit and entry clearance, transloading where the
scenario forbids through-trucking, port dwell, waiting for the next sailing and sailing time.

The same engine (:class:`_Walker`) runs on arrays of draws, so :mod:`logistics.montecarlo`
reuses it: one array element per draw, numpy arithmetic per event, never a Python loop over draws.

Model choices (see ``docs/parameters.md``); each rule lives in :mod:`logistics.rules` and the
fleet model uses the same one:

* Border stops and whose hours apply: :func:`logistics.rules.border.border_stops` (separate exit
  and entry controls, or one joint control open when both sides are). Documents and clearance
  progress only while open; they pause at closing and resume at the next opening (the pause
  counts as waiting). Transloading, after entry clearance, is done in a bonded yard assumed to
  work around the clock.
* Hours of service: :class:`logistics.rules.hours.HoursOfService` (a stop of at least ``break_h``
  resets the continuous-driving counter, one of at least ``daily_rest_h`` the daily counter too;
  double crew: no breaks). Transloading and a sea leg hand the cargo to a new truck and driver.
* Port gates and sailings: :mod:`logistics.rules.sea` (sailings evenly spaced from Monday 00:00
  local time of the loading port).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from logistics.costs import CostModel
from logistics.parameters import Delay, OpeningHours, ParameterSet, load_parameters
from logistics.rules.border import border_stops, unpassable, work_parts
from logistics.rules.hours import CREWS, HoursOfService
from logistics.rules.sea import gate_open, next_sailing, sailing_h
from logistics.scenarios import Scenario, load_scenario
from networks.geo import DEFAULT_COUNTRY, local_zone, parse_time, utc_offset_h, zone_name
from networks.io import save_figure_atomic
from networks.types import Leg, Route

__all__ = [
    "CREWS",
    "Itinerary",
    "ItineraryError",
    "build_itinerary",
    "parse_departure",
    "time_cost_distance_chart",
]

log = logging.getLogger(__name__)

_EPS = 1e-9

Sampler = Callable[[str, Delay], np.ndarray]


@dataclass(frozen=True)
class DriverState:
    """Where a truck's driver stands in time (hours since the epoch, :func:`to_hours`) and on
    the hours-of-service counters: continuous driving since the last break, driving since the
    last daily rest, and when the last drive ended (``None``: not driven yet, fresh)."""

    t_h: float
    cont_h: float = 0.0
    day_h: float = 0.0
    last_drive_end_h: float | None = None


class ItineraryError(ValueError):
    """An itinerary cannot be built (bad departure, crew, payload, a crossing never open)."""


# --------------------------------------------------------------------------- time helpers


def parse_departure(depart: str | dt.datetime, origin_country: str) -> tuple[dt.datetime, bool]:
    """Parse a departure time.

    Parameters
    ----------
    depart : str or datetime
        ISO 8601 (``"2026-03-02 18:00"``, ``"2026-03-02T18:00+07:00"``) or a datetime.
    origin_country : str
        Country whose local time a naive departure is taken in.

    Returns
    -------
    (datetime, bool)
        The tz-aware departure and whether the origin's local time was assumed.
    """
    if not isinstance(depart, (str, dt.datetime)):
        raise ItineraryError(f"departure must be an ISO 8601 text or a datetime, got {depart!r}")
    try:
        value = parse_time(depart, country=origin_country, field="departure")
    except ValueError as exc:
        raise ItineraryError(str(exc)) from None
    raw = depart if isinstance(depart, dt.datetime) else dt.datetime.fromisoformat(depart.strip())
    if raw.tzinfo is None or raw.utcoffset() is None:
        return value.astimezone(local_zone(origin_country)), True
    return raw, False


def to_hours(t: dt.datetime) -> float:
    """Hours since the Unix epoch (UTC) of an aware datetime."""
    return t.timestamp() / 3600.0


def from_hours(h: float, country: str) -> pd.Timestamp:
    """Aware timestamp in ``country``'s local time from hours since the epoch."""
    return pd.Timestamp(dt.datetime.fromtimestamp(round(h * 3600.0), local_zone(country)))


# --------------------------------------------------------------------------- the engine


@dataclass
class _Event:
    place: str
    country: str
    activity: str
    start: np.ndarray
    end: np.ndarray
    km: float
    cost_usd: np.ndarray
    crossing_id: str = ""
    port_id: str = ""


@dataclass
class _CrossingTrace:
    crossing_id: str
    from_country: str
    to_country: str
    arrive: np.ndarray
    leave: np.ndarray
    wait_h: np.ndarray
    clearance_h: np.ndarray
    documentary_h: np.ndarray
    transload_h: np.ndarray
    cost_usd: np.ndarray
    through_trucking: bool
    single_stop: bool
    relay: np.ndarray  # per draw: a fresh driver takes over the truck here (through-trucking)


@dataclass
class _PortTrace:
    port_id: str
    role: str
    dwell_h: np.ndarray
    wait_h: np.ndarray


@dataclass
class _Trace:
    t0: np.ndarray
    end: np.ndarray
    cost_usd: np.ndarray
    events: list[_Event]
    crossings: list[_CrossingTrace]
    ports: list[_PortTrace]
    km: float
    driving_h: float
    co2_kg: float
    payload_t: float
    capacity_t: float


def _port_of(node: Any) -> str:
    """Port id of a graph node named ``port:<id>`` (``""`` otherwise)."""
    return node[5:] if isinstance(node, str) and node.startswith("port:") else ""


def _place_name(route: Route, leg: Leg, i: int, legs: list[Leg]) -> str:
    if leg.crossing_id:
        return leg.crossing_id
    if leg.port_id:
        return leg.port_id
    if i == 0:
        return f"{route.origin.name} ({leg.country})" if leg.country else route.origin.name
    if i == len(legs) - 1:
        return f"{leg.country} to {route.destination.name}"
    return f"{leg.country} road"


class _Walker:
    """Walk a route for ``n`` draws at once (one array element per draw)."""

    def __init__(
        self,
        route: Route,
        t0: float | np.ndarray,
        scenario: Scenario,
        params: ParameterSet,
        *,
        n: int,
        sampler: Sampler,
        crew: str,
        detail: bool,
        payload_t: float | None,
        relay: bool = True,
        state: DriverState | None = None,
        transload_at: frozenset[str] | None = None,
    ) -> None:
        if crew not in CREWS:
            raise ItineraryError(f"unknown crew {crew!r}; allowed: {', '.join(CREWS)}")
        if not route.legs:
            raise ItineraryError(
                f"route {route.origin.name} -> {route.destination.name} has no legs"
            )
        self.route, self.scenario, self.params = route, scenario, params
        self.n, self.sample, self.detail, self.crew = n, sampler, detail, crew
        self.relay = relay
        self.transload_at = transload_at
        self.costs = CostModel(params, scenario, crew)
        try:
            self.hos = HoursOfService.from_scenario(scenario, params, crew)
        except ValueError as exc:
            raise ItineraryError(str(exc)) from None
        countries = [
            leg.country for leg in route.legs if leg.mode in ("road", "port") and leg.country
        ]
        self.capacity_t = scenario.capacity_t(params, sorted(set(countries)))
        if payload_t is None:
            payload_t = self.capacity_t
        if (
            isinstance(payload_t, bool)
            or not isinstance(payload_t, (int, float))
            or not math.isfinite(payload_t)
            or payload_t <= 0
        ):
            raise ItineraryError(
                f"payload_t must be a positive number of tonnes, got {payload_t!r}"
            )
        if payload_t > self.capacity_t + _EPS:
            raise ItineraryError(
                f"payload_t = {payload_t:g} t exceeds the truck's capacity of "
                f"{self.capacity_t:g} t under "
                f"scenario {scenario.name!r} (axle_loads = {scenario.axle_loads!r})"
            )
        self.payload_t = float(payload_t)
        self.t = np.broadcast_to(np.asarray(t0, dtype=float), (n,)).copy()
        self.t0 = self.t.copy()
        self.cont = np.zeros(n)
        self.day = np.zeros(n)
        self.last_drive_end = self.t.copy()
        if state is not None:  # a driver already on duty (a fleet plan's truck between stops)
            self.cont = np.full(n, state.cont_h)
            self.day = np.full(n, state.day_h)
            if state.last_drive_end_h is not None:
                self.last_drive_end = np.full(n, state.last_drive_end_h)
        self.cost = np.zeros(n)
        self.events: list[_Event] = []
        self.crossings: list[_CrossingTrace] = []
        self.ports: list[_PortTrace] = []
        self.km = 0.0
        self.driving_h = 0.0
        self.co2 = 0.0

    # -- bookkeeping

    def _event(
        self,
        place: str,
        country: str,
        activity: str,
        start: np.ndarray,
        end: np.ndarray,
        *,
        km: float = 0.0,
        cost: np.ndarray | float = 0.0,
        crossing_id: str = "",
        port_id: str = "",
    ) -> None:
        cost_arr = np.broadcast_to(np.asarray(cost, dtype=float), (self.n,))
        self.cost = self.cost + cost_arr
        if activity in ("drive", "sailing") or np.any(end > start + _EPS) or np.any(cost_arr > 0):
            self.events.append(
                _Event(
                    place,
                    country,
                    activity,
                    start.copy(),
                    end.copy(),
                    km,
                    cost_arr.copy(),
                    crossing_id,
                    port_id,
                )
            )

    def _stationary(
        self,
        place: str,
        country: str,
        activity: str,
        end: np.ndarray,
        *,
        truck: bool = True,
        extra_cost: np.ndarray | float = 0.0,
        crossing_id: str = "",
        port_id: str = "",
    ) -> np.ndarray:
        """Advance time to ``end`` doing ``activity``; charge truck hours if ``truck``."""
        start = self.t
        end = np.maximum(end, start)
        dur = end - start
        cost = np.asarray(extra_cost, dtype=float) + (
            dur * self.costs.truck_usd_per_h(country) if truck else 0.0
        )
        self._event(
            place,
            country,
            activity,
            start,
            end,
            cost=cost,
            crossing_id=crossing_id,
            port_id=port_id,
        )
        self.t = end
        return dur

    def _new_driver(self) -> None:
        self.cont = np.zeros(self.n)
        self.day = np.zeros(self.n)
        self.last_drive_end = self.t.copy()

    # -- driving under hours of service

    def drive(
        self,
        place: str,
        country: str,
        hours: float,
        km: float,
        *,
        crossing_id: str = "",
        port_id: str = "",
    ) -> None:
        hos = self.hos
        self.cont, self.day = hos.after_stop(self.cont, self.day, self.t - self.last_drive_end)
        remaining = np.full(self.n, max(hours, 0.0))
        leg_start = self.t.copy()
        per_h = self.costs.truck_usd_per_h(country)
        per_km = self.costs.truck_usd_per_km(country)
        speed = km / hours if hours > 0 else 0.0
        while True:
            active = remaining > _EPS
            if not active.any():
                break
            chunk = np.where(active, hos.stint_h(self.cont, self.day, remaining), 0.0)
            start = self.t
            self.t = self.t + chunk
            remaining = remaining - chunk
            self.cont = self.cont + chunk
            self.day = self.day + chunk
            if self.detail and chunk[0] > _EPS:
                self._event(
                    place,
                    country,
                    "drive",
                    start,
                    self.t,
                    km=float(chunk[0]) * speed,
                    cost=chunk * (per_h + per_km * speed),
                    crossing_id=crossing_id,
                    port_id=port_id,
                )
            pause, rest, self.cont, self.day = hos.pause_after(self.cont, self.day, remaining)
            if pause.any():
                start = self.t
                self.t = self.t + pause
                if self.detail:
                    self._event(
                        place,
                        country,
                        "daily rest" if rest[0] else "break",
                        start,
                        self.t,
                        cost=pause * per_h,
                        crossing_id=crossing_id,
                        port_id=port_id,
                    )
        if not self.detail:
            self._event(
                place,
                country,
                "drive",
                leg_start,
                self.t,
                km=km,
                cost=(self.t - leg_start) * per_h + per_km * km,
                crossing_id=crossing_id,
                port_id=port_id,
            )
        self.last_drive_end = self.t.copy()
        self.km += km
        self.driving_h += hours
        self.co2 += self.costs.road_co2_kg(km)

    # -- calendar-bound work

    def _work(
        self,
        place: str,
        country: str,
        activity: str,
        hours: OpeningHours,
        work: np.ndarray,
        *,
        crossing_id: str,
        extra_cost: float = 0.0,
        what: str,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Wait for ``hours`` to open, then work ``work`` hours while open; return (wait, work)."""
        if hours.never_open:
            raise ItineraryError(
                f"{what} never opens (opening hours {hours.text!r}); the route cannot pass"
            )
        off = utc_offset_h(country)
        opened = hours.next_open(self.t, off)
        wait = self._stationary(
            place, country, f"wait ({what} closed)", opened, crossing_id=crossing_id
        )
        end = hours.finish(self.t, work, off)
        if self.detail and np.all(end > hours.closing(self.t, off)):
            elapsed = self._work_in_parts(
                place,
                country,
                activity,
                hours,
                work,
                end,
                extra_cost=extra_cost,
                crossing_id=crossing_id,
            )
        else:
            elapsed = self._stationary(
                place, country, activity, end, extra_cost=extra_cost, crossing_id=crossing_id
            )
        # pauses inside the work (closing time) count as waiting
        waited = wait + (elapsed - work)
        return np.where(waited < 1e-7, 0.0, waited), work

    def _work_in_parts(
        self,
        place: str,
        country: str,
        activity: str,
        hours: OpeningHours,
        work: np.ndarray,
        end: np.ndarray,
        *,
        extra_cost: float,
        crossing_id: str,
    ) -> np.ndarray:
        """Record work interrupted by closing time as parts and waits (one draw, detail mode)."""
        off = utc_offset_h(country)
        start = self.t.copy()
        remaining = work.copy()
        cost = extra_cost
        while np.all(remaining > _EPS):
            close = hours.closing(self.t, off)
            chunk = np.minimum(remaining, close - self.t)
            self._stationary(
                place, country, activity, self.t + chunk, extra_cost=cost, crossing_id=crossing_id
            )
            cost = 0.0
            remaining = remaining - chunk
            if np.all(remaining > _EPS):
                self._stationary(
                    place,
                    country,
                    f"wait ({activity} resumes at opening)",
                    hours.next_open(self.t, off),
                    crossing_id=crossing_id,
                )
        self.t = np.maximum(self.t, end)
        return self.t - start

    # -- border crossing

    def cross(
        self, leg: Leg, driving_after_h: float = 0.0, customs: tuple[bool, bool] = (False, False)
    ) -> None:
        """Pass crossing ``leg``; ``driving_after_h``: driving left on the route after it (up to
        a sailing), which decides whether a driver relay there gains time; ``customs``: whether
        the shipment's export (at the exit) and import (at the entry) clearance is done here
        (``CostModel.clearance_usd``: once per land shipment, never at a transit crossing)."""
        cid, a, b = leg.crossing_id, leg.from_country, leg.to_country
        if not (a and b):
            raise ItineraryError(f"border leg at crossing {cid!r} lacks from_country/to_country")
        rule = self.scenario.border_rule(self.params, cid, a, b)
        if why := unpassable(rule):
            raise ItineraryError(
                f"{why} under scenario {self.scenario.name!r}; the route cannot pass"
            )
        arrive = self.t.copy()
        cost0 = self.cost.copy()
        wait = np.zeros(self.n)
        doc = np.full(self.n, rule.documentary_h)
        trans = np.zeros(self.n)
        parts = work_parts(
            rule,
            self.sample(f"{cid}:{a}-{b}:exit_clearance_h", rule.exit_clearance),
            self.sample(f"{cid}:{a}-{b}:entry_clearance_h", rule.entry_clearance),
            self.scenario.general_value(self.params, "single_stop_time_factor"),
        )
        parts["documentary"] = doc
        clear = np.zeros(self.n)
        for stop in border_stops(rule):
            if stop.after_bridge:
                self.drive(cid, b, leg.travel_time_h, leg.distance_km, crossing_id=cid)
            for task in stop.tasks:
                fee = task.fee_usd
                if customs[0] and task.part in ("exit", "joint"):
                    fee += self.costs.export_clearance_usd(a)
                if customs[1] and task.part in ("entry", "joint"):
                    fee += self.costs.import_clearance_usd(b)
                w, work = self._work(
                    cid,
                    stop.country,
                    task.activity,
                    stop.hours,
                    np.broadcast_to(np.asarray(parts[task.part], dtype=float), (self.n,)),
                    crossing_id=cid,
                    extra_cost=fee,
                    what=f"{cid} (joint stop)"
                    if stop.side == "joint"
                    else f"{cid} ({stop.country} side)",
                )
                wait += w
                if task.part != "documentary":
                    clear += work
        if self._transloads(cid, rule.through_trucking):
            trans = self.sample(f"{cid}:{a}-{b}:transload_h", rule.transload)
            # the bonded yard is assumed to work around the clock (not bound to the border's hours)
            self._stationary(
                cid,
                b,
                "transload (new truck and driver)",
                self.t + trans,
                extra_cost=rule.transload_cost_usd,
                crossing_id=cid,
            )
            self._new_driver()
            relay = np.zeros(self.n, dtype=bool)
        else:
            relay = (
                self._relay(driving_after_h)
                if self.relay and rule.through_trucking
                else np.zeros(self.n, dtype=bool)
            )
            if relay.any():
                self._stationary(
                    cid,
                    b,
                    "driver relay (fresh driver, the truck goes on)",
                    self.t,
                    crossing_id=cid,
                )
        self.crossings.append(
            _CrossingTrace(
                cid,
                a,
                b,
                arrive,
                self.t.copy(),
                wait,
                clear,
                doc,
                trans,
                self.cost - cost0,
                rule.through_trucking,
                rule.single_stop,
                relay,
            )
        )

    def _transloads(self, cid: str, through_trucking: bool) -> bool:
        """Whether the goods change truck at crossing ``cid``: where the scenario forbids
        through-trucking, or exactly at ``transload_at`` when the walk follows a plan."""
        if self.transload_at is not None:
            return cid in self.transload_at
        return not through_trucking

    def state(self) -> DriverState:
        """The driver's state now (first draw)."""
        return DriverState(
            float(self.t[0]),
            float(self.cont[0]),
            float(self.day[0]),
            float(self.last_drive_end[0]),
        )

    def _relay(self, driving_after_h: float) -> np.ndarray:
        """Where a truck may drive through (a permit is an option, not an obligation), hand it
        to a fresh driver when the one on board would have to pause before the driving left is
        done: a fresh driver never pauses sooner, so the relay is never slower (and costs
        nothing in this model). Returns the draws that relay."""
        room = self.hos.stint_h(self.cont, self.day, np.inf)
        relay = driving_after_h > room + _EPS
        self.cont = np.where(relay, 0.0, self.cont)
        self.day = np.where(relay, 0.0, self.day)
        return relay

    # -- sea block

    def sea(self, block: list[Leg]) -> None:
        first_sea = next(i for i, leg in enumerate(block) if leg.mode == "sea")
        last_sea = max(i for i, leg in enumerate(block) if leg.mode == "sea")
        load_id = next((leg.port_id for leg in block[:first_sea] if leg.port_id), "") or _port_of(
            block[first_sea].start_node
        )
        if not load_id and self.route.origin.kind == "port" and first_sea == 0:
            load_id = self.route.origin.place_id
        unload_id = next(
            (leg.port_id for leg in block[last_sea + 1 :] if leg.port_id), ""
        ) or _port_of(block[last_sea].end_node)
        if not unload_id and self.route.destination.kind == "port" and last_sea == len(block) - 1:
            unload_id = self.route.destination.place_id
        if not load_id or not unload_id or load_id == unload_id:
            raise ItineraryError(
                f"sea legs without two distinct ports (loading {load_id or '?'}, "
                f"unloading {unload_id or '?'})"
            )
        origin = self.scenario.port_rule(self.params, load_id)
        dest = self.scenario.port_rule(self.params, unload_id)
        for leg in block[:first_sea]:  # port access (drayage) on the loading side
            self.drive(
                origin.port_id,
                leg.country or origin.country,
                leg.travel_time_h,
                leg.distance_km,
                port_id=origin.port_id,
            )
        oc, dc = origin.country, dest.country
        gate = origin.gate_hours
        if gate.never_open:
            raise ItineraryError(f"port {origin.port_id!r} gate never opens ({gate.text!r})")
        w1 = self._stationary(
            origin.port_id,
            oc,
            "wait (port gate closed)",
            gate_open(gate, self.t, oc),
            port_id=origin.port_id,
        )
        dwell = self.sample(f"{origin.port_id}:export_dwell_h", origin.export_dwell)
        self._stationary(
            origin.port_id,
            oc,
            "port dwell and handling (export)",
            self.t + dwell,
            truck=False,
            extra_cost=origin.export_handling_usd,
            port_id=origin.port_id,
        )
        per_week = self.params.sailings_per_week(origin.port_id, dest.port_id)
        w2 = self._stationary(
            origin.port_id,
            oc,
            "wait for next sailing",
            next_sailing(self.t, per_week, oc),
            truck=False,
            port_id=origin.port_id,
        )
        sea_km = sum(leg.distance_km for leg in block[first_sea : last_sea + 1])
        sail_h = float(sailing_h(sea_km, self.costs.sailing_speed_kph))
        self._event(
            f"{origin.port_id} to {dest.port_id}",
            oc,
            "sailing",
            self.t,
            self.t + sail_h,
            km=sea_km,
            cost=self.costs.sea_freight_usd(sea_km),
            port_id=dest.port_id,
        )
        self.t = self.t + sail_h
        self.km += sea_km
        self.co2 += self.costs.sea_co2_kg(sea_km, self.payload_t)
        self.ports.append(_PortTrace(origin.port_id, "export", dwell, w1 + w2))
        dwell2 = self.sample(f"{dest.port_id}:import_dwell_h", dest.import_dwell)
        self._stationary(
            dest.port_id,
            dc,
            "port dwell and handling (import)",
            self.t + dwell2,
            truck=False,
            extra_cost=dest.import_handling_usd,
            port_id=dest.port_id,
        )
        gate = dest.gate_hours
        if gate.never_open:
            raise ItineraryError(f"port {dest.port_id!r} gate never opens ({gate.text!r})")
        w3 = self._stationary(
            dest.port_id,
            dc,
            "wait (port gate closed)",
            gate_open(gate, self.t, dc),
            truck=False,
            port_id=dest.port_id,
        )
        self.ports.append(_PortTrace(dest.port_id, "import", dwell2, w3))
        self._new_driver()
        for leg in block[last_sea + 1 :]:
            self.drive(
                dest.port_id,
                leg.country or dc,
                leg.travel_time_h,
                leg.distance_km,
                port_id=dest.port_id,
            )

    # -- whole route

    def _customs_at(self) -> dict[int, tuple[bool, bool]]:
        """Where a land shipment clears customs: export at the first crossing out of the origin
        country, import at the last one into the destination country, each only when no sailing
        comes before / after it (the ports then carry the clearance)."""
        legs = self.route.legs
        borders = [i for i, leg in enumerate(legs) if leg.mode == "border"]
        sails = [i for i, leg in enumerate(legs) if leg.mode == "sea"]
        out: dict[int, tuple[bool, bool]] = {}
        if not borders:
            return out
        first, last = borders[0], borders[-1]
        export = not any(j < first for j in sails)
        imp = not any(j > last for j in sails)
        origin = legs[first].from_country
        dest = self.route.destination.country or legs[last].to_country
        out[first] = (export and origin != dest, False)
        ex, _ = out.get(last, (False, False))
        out[last] = (ex, imp and legs[last].to_country == dest and origin != dest)
        return out

    def run(self) -> _Trace:
        legs = self.route.legs
        customs = self._customs_at()
        i = 0
        while i < len(legs):
            leg = legs[i]
            if leg.mode == "border":
                after = 0.0
                for later in legs[i + 1 :]:
                    if later.mode in ("port", "sea"):
                        break
                    after += later.travel_time_h if later.mode == "road" else 0.0
                self.cross(leg, after, customs.get(i, (False, False)))
                i += 1
            elif leg.mode in ("port", "sea"):
                j = i
                while j < len(legs) and legs[j].mode in ("port", "sea"):
                    j += 1
                block = legs[i:j]
                if any(b.mode == "sea" for b in block):
                    self.sea(block)
                else:
                    for b in block:
                        self.drive(
                            b.port_id or _place_name(self.route, b, i, legs),
                            b.country,
                            b.travel_time_h,
                            b.distance_km,
                            port_id=b.port_id,
                        )
                i = j
            elif leg.mode == "road":
                self.drive(
                    _place_name(self.route, leg, i, legs),
                    leg.country,
                    leg.travel_time_h,
                    leg.distance_km,
                )
                i += 1
            else:
                raise ItineraryError(
                    f"leg {i} has unknown mode {leg.mode!r}; allowed: road, sea, port, border"
                )
        return _Trace(
            self.t0,
            self.t,
            self.cost,
            self.events,
            self.crossings,
            self.ports,
            self.km,
            self.driving_h,
            self.co2,
            self.payload_t,
            self.capacity_t,
        )


def walk(
    route: Route,
    t0: float | np.ndarray,
    scenario: Scenario,
    params: ParameterSet,
    *,
    n: int,
    sampler: Sampler,
    crew: str = "single",
    detail: bool = False,
    payload_t: float | None = None,
    relay: bool = True,
    transload_at: frozenset[str] | None = None,
) -> _Trace:
    """Run the engine for ``n`` draws (internal; used by :mod:`logistics.montecarlo`).
    ``relay``: a fresh driver may take over at a crossing the truck drives through;
    ``transload_at``: the crossings where the goods change truck (default: where the scenario
    forbids through-trucking)."""
    scenario.check_crossings(params)
    return _Walker(
        route,
        t0,
        scenario,
        params,
        n=n,
        sampler=sampler,
        crew=crew,
        detail=detail,
        payload_t=payload_t,
        relay=relay,
        transload_at=transload_at,
    ).run()


def walk_on(
    route: Route,
    state: DriverState,
    scenario: Scenario,
    params: ParameterSet,
    *,
    sampler: Sampler,
    crew: str = "single",
    transload_at: frozenset[str] = frozenset(),
    relay: bool = False,
) -> tuple[DriverState, tuple[str, ...]]:
    """Walk ``route`` once with a driver already on duty (``state``): the stretch of a fleet
    plan's truck between two stops, or the passage of the goods at a transload crossing. The
    truck drives through every crossing except those in ``transload_at``; with ``relay``, a
    fresh driver takes over at a crossing the scenario lets it drive through when the one on
    board would pause before the end of the stretch (as :func:`build_itinerary`).

    Returns
    -------
    (DriverState, tuple of str)
        The driver's state at the end, and the crossings where a fresh driver took over.
    """
    w = _Walker(
        route,
        state.t_h,
        scenario,
        params,
        n=1,
        sampler=sampler,
        crew=crew,
        detail=False,
        payload_t=None,
        relay=relay,
        state=state,
        transload_at=transload_at,
    )
    w.run()
    return w.state(), tuple(c.crossing_id for c in w.crossings if bool(c.relay[0]))


def quantile_sampler(q: float) -> Sampler:
    """A sampler returning each distribution's quantile ``q`` (0.5: the median walk)."""

    def sample(key: str, delay: Delay) -> np.ndarray:
        return np.array([float(delay.quantile(q))])

    return sample


def median_sampler(overrides: Mapping[str, float] | None = None) -> Sampler:
    """A sampler returning each distribution's median, or a pinned value from ``overrides``."""
    pinned = dict(overrides or {})
    for key, value in pinned.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
        ):
            raise ItineraryError(
                f"draws[{key!r}] must be a non-negative number of hours, got {value!r}"
            )

    def sample(key: str, delay: Delay) -> np.ndarray:
        return np.array([float(pinned.get(key, delay.median_h))])

    return sample


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Itinerary:
    """A door-to-door itinerary (one realisation: medians unless ``draws`` pinned values).

    Attributes
    ----------
    route : Route
    scenario : Scenario
    crew : str
    depart : pandas.Timestamp
        Aware departure time.
    depart_assumed_local : bool
        True when the departure had no UTC offset and the origin's local time was assumed.
    events : DataFrame
        One row per event: ``place``, ``country``, ``zone``, ``activity``, ``start``, ``end``
        (aware, local time of the place), ``duration_h``, ``km``, ``cum_km``, ``cum_h``,
        ``cost_usd``, ``cum_cost_usd``, ``crossing_id``, ``port_id``.
    crossings : DataFrame
        Per crossing: ``id``, ``from_country``, ``to_country``, ``arrive``, ``leave``, ``time_h``,
        ``wait_h``, ``documentary_h``, ``clearance_h``, ``transload_h``, ``cost_usd``,
        ``through_trucking``, ``single_stop``.
    hours, cost_usd, co2_kg, distance_km, driving_h, payload_t, capacity_t : float
    """

    route: Route
    scenario: Scenario
    crew: str
    depart: pd.Timestamp
    depart_assumed_local: bool
    arrive: pd.Timestamp
    events: pd.DataFrame
    crossings: pd.DataFrame
    hours: float
    cost_usd: float
    co2_kg: float
    distance_km: float
    driving_h: float
    payload_t: float
    capacity_t: float
    notes: tuple[str, ...] = field(default=())

    @property
    def delay_h(self) -> float:
        """Hours not spent driving or sailing (waiting, breaks, rests, clearance, dwell)."""
        moving = self.events.loc[
            self.events["activity"].isin(["drive", "sailing"]), "duration_h"
        ].sum()
        return self.hours - float(moving)

    @property
    def indicators(self) -> dict[str, float]:
        """CPMM-style indicators: speed with and without delays, time and cost at borders."""
        moving = float(
            self.events.loc[self.events["activity"].isin(["drive", "sailing"]), "duration_h"].sum()
        )
        return {
            "distance_km": round(self.distance_km, 1),
            "hours": round(self.hours, 2),
            "moving_h": round(moving, 2),
            "delay_h": round(self.hours - moving, 2),
            "speed_with_delays_kph": round(self.distance_km / self.hours, 1)
            if self.hours > 0
            else 0.0,
            "speed_without_delays_kph": round(self.distance_km / moving, 1) if moving > 0 else 0.0,
            "border_time_h": round(float(self.crossings["time_h"].sum()), 2)
            if len(self.crossings)
            else 0.0,
            "border_cost_usd": round(float(self.crossings["cost_usd"].sum()), 2)
            if len(self.crossings)
            else 0.0,
            "cost_usd": round(self.cost_usd, 2),
            "cost_usd_per_t": round(self.cost_usd / self.payload_t, 2),
            "co2_kg": round(self.co2_kg, 1),
            "co2_kg_per_t": round(self.co2_kg / self.payload_t, 2),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (stable names: hours, cost_usd, co2_kg, crossings, legs)."""
        legs = _records(self.events.drop(columns=["zone"]))
        crossings = _records(self.crossings)
        return {
            "origin": self.route.origin.name,
            "destination": self.route.destination.name,
            "scenario": self.scenario.name,
            "crew": self.crew,
            "depart": self.depart.isoformat(),
            "depart_assumed_local": self.depart_assumed_local,
            "arrive": self.arrive.isoformat(),
            "hours": round(self.hours, 3),
            "cost_usd": round(self.cost_usd, 2),
            "co2_kg": round(self.co2_kg, 2),
            "distance_km": round(self.distance_km, 2),
            "payload_t": round(self.payload_t, 2),
            "indicators": self.indicators,
            "crossings": crossings,
            "legs": legs,
            "notes": list(self.notes),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``df`` as JSON-ready dicts (ISO times, rounded floats, ``""`` -> ``None``)."""
    out: list[dict[str, Any]] = []
    for rec in df.to_dict("records"):
        row: dict[str, Any] = {}
        for key, value in rec.items():
            if isinstance(value, pd.Timestamp):
                row[str(key)] = value.isoformat()
            elif isinstance(value, (bool, np.bool_)):
                row[str(key)] = bool(value)
            elif isinstance(value, (float, np.floating)):
                row[str(key)] = round(float(value), 3)
            elif value == "":
                row[str(key)] = None
            else:
                row[str(key)] = value
        out.append(row)
    return out


def _events_frame(trace: _Trace, index: int = 0) -> pd.DataFrame:
    rows = []
    cum_km = 0.0
    cum_cost = 0.0
    for ev in trace.events:
        s, e = float(ev.start[index]), float(ev.end[index])
        cost = float(ev.cost_usd[index])
        cum_km += ev.km
        cum_cost += cost
        country = ev.country or DEFAULT_COUNTRY
        rows.append(
            {
                "place": ev.place,
                "country": ev.country,
                "zone": zone_name(country),
                "activity": ev.activity,
                "start": from_hours(s, country),
                "end": from_hours(e, country),
                "duration_h": e - s,
                "km": ev.km,
                "cum_km": cum_km,
                "cum_h": e - float(trace.t0[index]),
                "cost_usd": cost,
                "cum_cost_usd": cum_cost,
                "crossing_id": ev.crossing_id,
                "port_id": ev.port_id,
            }
        )
    columns = [
        "place",
        "country",
        "zone",
        "activity",
        "start",
        "end",
        "duration_h",
        "km",
        "cum_km",
        "cum_h",
        "cost_usd",
        "cum_cost_usd",
        "crossing_id",
        "port_id",
    ]
    return pd.DataFrame(rows, columns=columns)


def _crossings_frame(trace: _Trace, index: int = 0) -> pd.DataFrame:
    rows = [
        {
            "id": c.crossing_id,
            "from_country": c.from_country,
            "to_country": c.to_country,
            "arrive": from_hours(float(c.arrive[index]), c.from_country),
            "leave": from_hours(float(c.leave[index]), c.to_country),
            "time_h": float(c.leave[index] - c.arrive[index]),
            "wait_h": float(c.wait_h[index]),
            "documentary_h": float(c.documentary_h[index]),
            "clearance_h": float(c.clearance_h[index]),
            "transload_h": float(c.transload_h[index]),
            "cost_usd": float(c.cost_usd[index]),
            "through_trucking": c.through_trucking,
            "single_stop": c.single_stop,
            "handover": "driver relay"
            if c.relay[index]
            else ("same driver" if c.through_trucking else "transload"),
        }
        for c in trace.crossings
    ]
    columns = [
        "id",
        "from_country",
        "to_country",
        "arrive",
        "leave",
        "time_h",
        "wait_h",
        "documentary_h",
        "clearance_h",
        "transload_h",
        "cost_usd",
        "through_trucking",
        "single_stop",
        "handover",
    ]
    return pd.DataFrame(rows, columns=columns)


def _origin_country(route: Route) -> str:
    if route.origin.country:
        return route.origin.country
    for leg in route.legs:
        if leg.country:
            return leg.country
    return "TH"


def build_itinerary(
    route: Route,
    depart: str | dt.datetime,
    scenario: Scenario | str = "status-quo",
    *,
    crew: str = "single",
    payload_t: float | None = None,
    draws: Mapping[str, float] | None = None,
    params: ParameterSet | None = None,
    relay: bool = True,
) -> Itinerary:
    """Walk ``route`` in time from ``depart`` under ``scenario``.

    Parameters
    ----------
    route : networks.Route
        From :func:`networks.shortest_route` (or built by hand).
    depart : str or datetime
        ISO 8601; without an offset it is the origin's local time (``depart_assumed_local``).
    scenario : Scenario or str
        A scenario or a built-in name / TOML path.
    crew : {"single", "double"}
    payload_t : float, optional
        Cargo on the truck (t); default the truck's capacity under the scenario's axle regime.
    draws : mapping, optional
        Pinned delay values (hours) by key, e.g.
        ``{"na-phao-cha-lo:LA-VN:entry_clearance_h": 4.0}``;
        every other delay takes its median.
    params : ParameterSet, optional
        Parameter tables (default: the shipped ones).
    relay : bool
        Where the scenario lets the truck drive through a crossing, a fresh driver takes over
        there when the one on board would otherwise pause before the end (``handover`` in
        :attr:`Itinerary.crossings`: ``transload``, ``driver relay`` or ``same driver``).
        ``False``: one driver (crew) all the way, as a fleet plan's truck.

    Returns
    -------
    Itinerary

    Raises
    ------
    ItineraryError
        Unparseable departure, unknown crew, payload above capacity, a crossing that never opens.
    """
    sc = load_scenario(scenario)
    p = params or load_parameters()
    origin_country = _origin_country(route)
    start, assumed = parse_departure(depart, origin_country)
    t0 = to_hours(start)
    trace = walk(
        route,
        t0,
        sc,
        p,
        n=1,
        sampler=median_sampler(draws),
        crew=crew,
        detail=True,
        payload_t=payload_t,
        relay=relay,
    )
    events = _events_frame(trace)
    dest_country = route.destination.country or (
        events["country"].iloc[-1] if len(events) else origin_country
    )
    notes = []
    if assumed:
        notes.append(
            f"departure {depart!s} has no UTC offset: taken as local time at the origin "
            f"({zone_name(origin_country)}, UTC{utc_offset_h(origin_country):+g})"
        )
    hours = float(trace.end[0] - t0)
    log.info(
        "itinerary %s -> %s under %s: %.1f h",
        route.origin.name,
        route.destination.name,
        sc.name,
        hours,
    )
    return Itinerary(
        route=route,
        scenario=sc,
        crew=crew,
        depart=pd.Timestamp(start),
        depart_assumed_local=assumed,
        arrive=from_hours(float(trace.end[0]), dest_country),
        events=events,
        crossings=_crossings_frame(trace),
        hours=hours,
        cost_usd=float(trace.cost_usd[0]),
        co2_kg=trace.co2_kg,
        distance_km=trace.km,
        driving_h=trace.driving_h,
        payload_t=trace.payload_t,
        capacity_t=trace.capacity_t,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- chart


def time_cost_distance_chart(itinerary: Itinerary, path: str | Path) -> Path:
    """Write the UNESCAP time/cost-distance chart of ``itinerary`` as a PNG (atomically).

    Two panels share the distance axis: cumulative hours and cumulative cost (USD) against
    cumulative km. Stops (borders, rests, ports) appear as vertical steps; crossings are labelled.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(path)
    ev = itinerary.events
    km = np.concatenate([[0.0], ev["cum_km"].to_numpy()])
    hours = np.concatenate([[0.0], ev["cum_h"].to_numpy()])
    cost = np.concatenate([[0.0], ev["cum_cost_usd"].to_numpy()])
    fig, (ax_t, ax_c) = plt.subplots(2, 1, sharex=True, figsize=(9, 7))
    ax_t.plot(km, hours, color="tab:blue", lw=1.8)
    ax_c.plot(km, cost, color="tab:red", lw=1.8)
    for row in itinerary.crossings.to_dict("records"):
        sel = ev["crossing_id"] == row["id"]
        if sel.any():
            x = float(ev.loc[sel, "cum_km"].iloc[0])
            for ax in (ax_t, ax_c):
                ax.axvline(x, color="grey", ls=":", lw=0.8)
            ax_t.annotate(
                f"{row['id']}\n{row['time_h']:.1f} h",
                (x, float(ev.loc[sel, "cum_h"].iloc[-1])),
                fontsize=7,
                xytext=(3, -14),
                textcoords="offset points",
            )
    ax_t.set_ylabel("cumulative time (h)")
    ax_c.set_ylabel("cumulative cost (USD)")
    ax_c.set_xlabel("cumulative distance (km)")
    ax_t.set_title(
        f"Time/cost-distance: {itinerary.route.origin.name} to {itinerary.route.destination.name} "
        f"({itinerary.scenario.name}, {itinerary.crew} crew)",
        fontsize=10,
    )
    for ax in (ax_t, ax_c):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure_atomic(fig, out, dpi=120)
