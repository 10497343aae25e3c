"""Sea rules: port gate hours, port dwell, waiting for a sailing, sailing time, freight and CO2.

The itinerary walks them at exact times (:func:`gate_open`, :func:`next_sailing`); the fleet model
and matrices take the same rules for a random arrival at a quantile (:func:`sea_passage`).

* The gate of the loading port must be open when the truck arrives; the gate of the unloading port
  when the box leaves (its own calendar, local time of the port).
* Sailings leave at evenly spaced times, ``168 / sailings_per_week`` hours apart, from Monday 00:00
  local time of the loading port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.rules.calendar import (
    ALWAYS_OPEN,
    HOURS_PER_WEEK,
    Intervals,
    minute_runs,
    next_open,
    wait_quantile_h,
    week_hour,
    week_minutes,
)
from networks.geo import utc_offset_h

__all__ = ["SeaPassage", "gate_open", "next_sailing", "sailing_h", "sea_passage"]

_EPS = 1e-9


def gate_open(gate: Any, t_utc_h: Any, country: str) -> np.ndarray:
    """Earliest time ``>= t_utc_h`` when a port ``gate`` (an ``OpeningHours``) is open."""
    return next_open(tuple(gate.intervals), t_utc_h, utc_offset_h(country))


def next_sailing(t_utc_h: Any, sailings_per_week: float, country: str) -> np.ndarray:
    """Departure of the next sailing at or after ``t_utc_h`` from a port of ``country``."""
    period = HOURS_PER_WEEK / sailings_per_week
    local = week_hour(t_utc_h, utc_offset_h(country))
    nxt = np.ceil((local - _EPS) / period) * period
    return np.asarray(t_utc_h, dtype=float) + (nxt - local)


def sailing_h(sea_km: Any, speed_kph: float) -> Any:
    """Hours at sea over ``sea_km`` at the ship's service speed."""
    return np.asarray(sea_km, dtype=float) / speed_kph


@dataclass(frozen=True)
class SeaPassage:
    """Port to port under a scenario at a quantile, for a random arrival at the loading gate.

    Attributes
    ----------
    gate_wait_h : float
        Loading-gate wait plus unloading-gate wait, each at the quantile for a random time.
    export_dwell_h, import_dwell_h, sailing_wait_h, sailing_h : float
    freight_usd, handling_usd : float
        Ocean freight and export + import handling, per box.
    co2_kg_per_t : float
        Sea CO2 per tonne of payload.
    in_time : tuple of (float, float)
        Arrivals at the loading gate (local hours of the week of the loading port) from which
        the gate, the export dwell and the wait for the sailing together take no longer than
        the loading-gate wait plus the sailing wait above: the fleet delivers boxes to the port
        only then, so the walk of a plan is never later than the model at the quay (default:
        any time, for passages built by hand).
    utc_offset_h : float
        The loading port's offset from UTC (how ``in_time`` is read).
    """

    from_port: str
    to_port: str
    sea_km: float
    gate_wait_h: float
    export_dwell_h: float
    sailing_wait_h: float
    sailing_h: float
    import_dwell_h: float
    freight_usd: float
    handling_usd: float
    co2_kg_per_t: float
    in_time: Intervals = ALWAYS_OPEN
    utc_offset_h: float = 0.0

    @property
    def total_h(self) -> float:
        """Gate to gate: waits, dwell and sailing."""
        return (
            self.gate_wait_h
            + self.export_dwell_h
            + self.sailing_wait_h
            + self.sailing_h
            + self.import_dwell_h
        )


def _q(delay: Any, quantile: float) -> float:
    return float(delay.quantile(quantile)) if delay.median_h > 0 else 0.0


def sea_passage(
    scenario: Any, params: Any, from_port: str, to_port: str, sea_km: float, *, quantile: float
) -> SeaPassage:
    """The sea rules of one port pair at ``quantile`` (``0.5`` median, ``0.9`` ...).

    The sailing wait for a random arrival is uniform on ``[0, 168 / sailings_per_week]``, so its
    quantile is ``quantile x period``.
    """
    from logistics.costs import CostModel

    a, b = scenario.port_rule(params, from_port), scenario.port_rule(params, to_port)
    costs = CostModel(params, scenario)
    per_week = params.sailings_per_week(from_port, to_port)
    load_wait_h = wait_quantile_h(a.gate_hours.intervals, quantile=quantile)
    sailing_wait_h = quantile * HOURS_PER_WEEK / max(per_week, 1e-6)
    dwell_h = _q(a.export_dwell, quantile)
    in_time: Intervals = ()
    if not a.gate_hours.never_open:
        t = week_minutes()
        ready = gate_open(a.gate_hours, t, a.country) + dwell_h
        waits = next_sailing(ready, per_week, a.country) - t - dwell_h
        in_time = minute_runs(waits <= load_wait_h + sailing_wait_h + 1e-6, utc_offset_h(a.country))
    return SeaPassage(
        from_port=from_port,
        to_port=to_port,
        sea_km=float(sea_km),
        gate_wait_h=load_wait_h + wait_quantile_h(b.gate_hours.intervals, quantile=quantile),
        export_dwell_h=dwell_h,
        sailing_wait_h=sailing_wait_h,
        sailing_h=float(sailing_h(sea_km, costs.sailing_speed_kph)),
        import_dwell_h=_q(b.import_dwell, quantile),
        freight_usd=costs.sea_freight_usd(sea_km),
        handling_usd=float(a.export_handling_usd + b.import_handling_usd),
        co2_kg_per_t=costs.sea_co2_kg(sea_km, 1.0),
        in_time=in_time,
        utc_offset_h=utc_offset_h(a.country),
    )
