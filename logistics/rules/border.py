"""The border rule: where a truck stops at a crossing, whose hours apply, and what it costs.

For one crossing and direction (``from_country`` -> ``to_country``) under a scenario:

* **Separate controls** (the default): the truck stops on the exit side (documents, then exit
  clearance, exit fee; exit side's hours in its local time), drives across, then stops on the entry
  side (entry clearance, entry fee; entry side's hours).
* **Single-stop inspection**: the truck drives across and stops once, on the entry side, at the
  joint control. Both administrations staff it, so it is open only when **both** sides are open:
  the intersection of the two calendars (read in the entry side's local time). Documents, then the
  joint inspection of ``single_stop_time_factor x (exit + entry clearance)``; both fees.
  A side that never opens therefore closes the crossing under either regime.
* Documents and clearance progress only while the stop is open; they pause at closing and resume at
  the next opening (the pause counts as waiting).
* Without through-trucking the load is transloaded after entry clearance, in a bonded yard assumed
  to work around the clock, onto a new truck with a new driver.

The itinerary walks :func:`border_stops` at the truck's real arrival time; the fleet model and the
matrices take :func:`crossing_passage`, the same walk at a quantile for a random arrival.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.rules.calendar import (
    Intervals,
    finish,
    intersect,
    minute_runs,
    shift,
    week_minutes,
)
from networks.geo import utc_offset_h

__all__ = [
    "BorderStop",
    "BorderTask",
    "CrossingPassage",
    "border_stops",
    "crossing_passage",
    "joint_hours",
]


@dataclass(frozen=True)
class BorderTask:
    """One piece of work at a stop (``part``: ``documentary``, ``exit``, ``entry``, ``joint``)."""

    activity: str
    part: str
    fee_usd: float


@dataclass(frozen=True)
class BorderStop:
    """Where the truck stops: ``side`` ``exit``, ``entry`` or ``joint``; ``hours`` is the stop's
    calendar (an ``OpeningHours``) in the local time of ``country``."""

    side: str
    country: str
    hours: Any
    after_bridge: bool
    tasks: tuple[BorderTask, ...]

    @property
    def utc_offset_h(self) -> float:
        """UTC offset of the stop's calendar."""
        return utc_offset_h(self.country)


def joint_hours(rule: Any) -> Any:
    """Calendar of the single-stop joint control: open when both sides are (entry local time)."""
    from logistics.parameters import OpeningHours

    lag = utc_offset_h(rule.to_country) - utc_offset_h(rule.from_country)
    ivs = intersect(shift(tuple(rule.exit_hours.intervals), lag), tuple(rule.entry_hours.intervals))
    text = (
        f"{rule.exit_hours.text} ({rule.from_country}) and "
        f"{rule.entry_hours.text} ({rule.to_country})"
    )
    return OpeningHours(text=text, intervals=ivs)


def border_stops(rule: Any) -> tuple[BorderStop, ...]:
    """The stops of a ``BorderRule`` (effective, after the scenario) in the order driven."""
    a, b = rule.from_country, rule.to_country
    if rule.single_stop:
        tasks = (
            BorderTask("documents", "documentary", 0.0),
            BorderTask(
                "joint inspection (single stop)", "joint", rule.exit_fee_usd + rule.entry_fee_usd
            ),
        )
        return (BorderStop("joint", b, joint_hours(rule), True, tasks),)
    return (
        BorderStop(
            "exit",
            a,
            rule.exit_hours,
            False,
            (
                BorderTask("documents", "documentary", 0.0),
                BorderTask("exit clearance", "exit", rule.exit_fee_usd),
            ),
        ),
        BorderStop(
            "entry",
            b,
            rule.entry_hours,
            True,
            (BorderTask("entry clearance", "entry", rule.entry_fee_usd),),
        ),
    )


def work_parts(rule: Any, exit_h: Any, entry_h: Any, factor: float) -> dict[str, Any]:
    """Hours of each task part: documents, exit, entry, and the joint inspection
    ``factor x (exit + entry)`` (``factor`` = ``single_stop_time_factor``)."""
    return {
        "documentary": rule.documentary_h,
        "exit": exit_h,
        "entry": entry_h,
        "joint": factor * (np.asarray(exit_h) + np.asarray(entry_h)),
    }


def unpassable(rule: Any) -> str:
    """Why the crossing cannot be passed (a stop that never opens), or ``""``."""
    for stop in border_stops(rule):
        if stop.hours.never_open:
            where = (
                "at the joint stop, open only when both sides are"
                if stop.side == "joint"
                else f"on the {stop.side} side"
            )
            return (
                f"crossing {rule.crossing_id!r} ({rule.from_country}->{rule.to_country}) never "
                f"opens {where} ({stop.country}, opening hours {stop.hours.text!r})"
            )
    return ""


@dataclass(frozen=True)
class CrossingPassage:
    """One crossing in one direction under a scenario at a quantile (what the fleet model needs).

    Attributes
    ----------
    through_trucking, single_stop : bool
    clearance_h : float
        Exit + entry clearance at the quantile (x ``single_stop_time_factor`` under single stop)
        plus documentary time.
    wait_h : float
        Opening-hours wait (before and inside the work) at the quantile for a uniformly random
        arrival, walking :func:`border_stops` with the clearance at the quantile.
    transload_h, transload_cost_usd : float
        Transloading, for a truck that may not drive through.
    fee_usd : float
        Exit + entry fees.
    open_intervals : tuple of (float, float)
        Calendar of the first stop (the joint control, or the exit side), hours since Monday
        00:00 in the local time ``utc_offset_h``.
    pause_free : tuple of (float, float), or None
        Arrival times at the crossing (at the exit checkpoint, same clock as
        ``open_intervals``) from which the whole passage, with the clearance at the quantile,
        waits least for openings (``min_wait_h``; 0 unless the work is longer than every open
        stretch): the fleet model lets a transload leg arrive only then, with a transfer time
        that includes ``min_wait_h``, so it never under-states the walk (a truck arriving at
        another time waits before it; that wait is at most what the walk pauses, plus the work
        done before the pause). ``None``: the same as ``open_intervals``.
    min_wait_h : float
        The least wait over all arrival times of the week.
    passable : bool
        ``False`` when a stop never opens (``wait_h`` is then ``inf``).
    """

    crossing_id: str
    from_country: str
    to_country: str
    through_trucking: bool
    single_stop: bool
    clearance_h: float
    wait_h: float
    transload_h: float
    transload_cost_usd: float
    fee_usd: float
    open_intervals: Intervals
    utc_offset_h: float
    passable: bool
    pause_free: Intervals | None = None
    min_wait_h: float = 0.0

    @property
    def delay_h(self) -> float:
        """Clearance and waits of a truck driving through (transloading not included)."""
        return self.clearance_h + self.wait_h


def _q(delay: Any, quantile: float) -> float:
    return float(delay.quantile(quantile)) if delay.median_h > 0 else 0.0


def crossing_passage(
    scenario: Any,
    params: Any,
    crossing_id: str,
    from_country: str,
    to_country: str,
    *,
    quantile: float,
    bridge_h: float = 0.0,
) -> CrossingPassage:
    """The border rule for one crossing and direction at ``quantile`` (``0.5``, ``0.9`` ...).

    ``bridge_h`` is the drive between the two checkpoints (it only moves the entry stop in time).
    """
    rule = scenario.border_rule(params, crossing_id, from_country, to_country)
    factor = scenario.general_value(params, "single_stop_time_factor")
    parts = work_parts(
        rule, _q(rule.exit_clearance, quantile), _q(rule.entry_clearance, quantile), factor
    )
    stops = border_stops(rule)
    clearance = float(parts["joint"] if rule.single_stop else parts["exit"] + parts["entry"])
    clearance += rule.documentary_h
    passable = not unpassable(rule)
    wait = float("inf")
    pause_free: Intervals = ()
    least = float("inf")
    first = stops[0]
    if passable:
        t = week_minutes()  # arrivals every minute of the week from Monday 00:00 UTC
        start, work = t.copy(), 0.0
        for stop in stops:
            if stop.after_bridge:
                t = t + bridge_h
                start = start + bridge_h
            for task in stop.tasks:
                h = float(parts[task.part])
                t = finish(tuple(stop.hours.intervals), t, h, stop.utc_offset_h)
                work += h
        waits = t - start - work
        wait = float(np.quantile(waits, quantile, method="inverted_cdf"))
        wait = max(wait, 0.0) if wait > 1e-7 else 0.0
        least = float(waits.min())
        pause_free = minute_runs(waits <= least + 1e-6, first.utc_offset_h)
        least = least if least > 1e-6 else 0.0
    return CrossingPassage(
        crossing_id=crossing_id,
        from_country=from_country,
        to_country=to_country,
        through_trucking=bool(rule.through_trucking),
        single_stop=bool(rule.single_stop),
        clearance_h=clearance,
        wait_h=wait,
        transload_h=_q(rule.transload, quantile),
        transload_cost_usd=float(rule.transload_cost_usd),
        fee_usd=float(rule.exit_fee_usd + rule.entry_fee_usd),
        open_intervals=tuple(first.hours.intervals),
        utc_offset_h=first.utc_offset_h,
        passable=passable,
        pause_free=pause_free,
        min_wait_h=least,
    )
