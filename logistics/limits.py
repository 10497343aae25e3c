"""The documented bounds of every input, in one place (see ``docs/limits.md``).

Each bound caps the work a command does before it starts: the CLI, the app, the readers and the
scenario loader check their inputs against these constants and raise :class:`LimitError` (a
``ValueError``) with one line naming the field, the value and the allowed range.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from networks import road

__all__ = [
    "GENERAL_BOUNDS",
    "HORIZON_SLACK_H",
    "MAX_DRAWS",
    "MAX_DURATION_H",
    "MAX_FACTOR",
    "MAX_FLEET_ROWS",
    "MAX_HORIZON_H",
    "MAX_HOURS_CHARS",
    "MAX_ID_CHARS",
    "MAX_INPUT_BYTES",
    "MAX_OSM_BYTES",
    "MAX_OSM_ELEMENTS",
    "MAX_PLACES",
    "MAX_QUANTITY",
    "MAX_SCENARIO_BYTES",
    "MAX_SEED",
    "MAX_SHIPMENT_ROWS",
    "MAX_TIME_LIMIT_S",
    "MAX_TOML_DEPTH",
    "MAX_USD",
    "MAX_VEHICLES",
    "MAX_WINDOW_H",
    "MAX_WORKERS",
    "MAX_YEAR",
    "MIN_OD_DISTANCE_M",
    "MIN_YEAR",
    "LimitError",
    "check_datetime",
    "check_draws",
    "check_horizon",
    "check_number",
    "check_seed",
    "horizon_h",
]

#: Monte Carlo draws of one command (itinerary, OD comparison, delay export, fleet replay).
#: Source: assumption: 100,000 draws of a long itinerary take about 1 GB and tens of seconds;
#: 2,000 already give the P90 within about 1 %.
MAX_DRAWS = 100_000
#: Longest ``--time-limit`` of any command (per sub-problem, phase or instance), s: a day.
MAX_TIME_LIMIT_S = 86_400.0
#: Most worker processes of any command (``--workers``).
MAX_WORKERS = 256
#: Largest random seed (numpy and OR-Tools take any non-negative integer below 2**32).
MAX_SEED = 2**32 - 1
#: Longest single duration in a scenario or parameter table (clearance, documentary time,
#: transloading, port dwell, hours-of-service periods), h. Source: assumption: 30 days, far
#: above any recorded border or port time; the walk over opening hours is bounded by it.
MAX_DURATION_H = 720.0
#: Largest multiplier in a scenario (``clearance_factor``, ``port_dwell_factor``).
#: Source: assumption: ten times the table value.
MAX_FACTOR = 10.0
#: Largest money amount in a scenario or parameter table (fees, handling, freight, costs), USD.
#: Source: assumption: USD 1 million, far above any per-truck corridor charge.
MAX_USD = 1_000_000.0
#: Extra horizon beyond the latest delivery window (room for soft lateness).
#: Source: assumption: 5 days.
HORIZON_SLACK_H = 120.0
#: Longest planning horizon of a shipment set (midnight UTC before the first ready time to the
#: last window end plus :data:`HORIZON_SLACK_H`): bounds the fleet model (closed border hours are
#: listed week by week) and its run time.
#: Source: assumption: a planner's horizon is a week to a month; 62 days leave room for that.
MAX_HORIZON_H = 62 * 24.0
#: Longest delivery window after departure (``--window-h``), h: the planning horizon.
MAX_WINDOW_H = MAX_HORIZON_H
#: Years a date-time may fall in (UTC): every calendar, pandas timestamp and offset stays valid.
MIN_YEAR = 1970
MAX_YEAR = 2200
#: Largest quantity of a shipment or vehicle capacity in any unit (t, m3, pallets, TEU).
#: Source: assumption: a million of any unit, far above one truck or ship load.
MAX_QUANTITY = 1_000_000.0
#: Shortest great-circle distance between a shipment's origin and destination, m (nearer is a
#: local delivery, not a corridor shipment; both ends would snap to the same road node).
#: Source: assumption: 1 km.
MIN_OD_DISTANCE_M = 1_000.0
#: Longest id or name in a shipment or fleet table (``shipment_id``, ``vehicle_type``), characters.
MAX_ID_CHARS = 100
#: Longest opening-hours text in a scenario (``opening_hours``, ``gate_hours``...), characters.
MAX_HOURS_CHARS = 200
#: Rows of a shipment table. Source: assumption: the demo x50 (3,950 rows, the largest
#: ``corridor demo --scale``); the largest measured plan is 948 shipments (docs/performance.md).
MAX_SHIPMENT_ROWS = 4_000
#: Distinct places (origins and destinations, by coordinates) of a shipment table: the road
#: matrix is routed from each one. Measured: 1,000 shipments between 2,000 random places spent
#: 90 s and 1.1 GB before the solve (docs/limits.md); the demo has 18.
MAX_PLACES = 1_000
#: Rows (vehicle types and depots) of a fleet table.
MAX_FLEET_ROWS = 1_000
#: Vehicles of a fleet, over all rows (also the largest ``count`` of one row). Measured on
#: the 79 demo shipments in one sub-problem (``--budget 5 --time-limit 10``): 1,020 vehicles
#: 31 s and 1.4 GB, 4,998 vehicles 188 s and 14 GB (docs/limits.md).
MAX_VEHICLES = 1_000
#: Size of a shipment or fleet file, bytes.
MAX_INPUT_BYTES = 50 * 2**20
#: Size of a scenario TOML file, bytes.
MAX_SCENARIO_BYTES = 2**20
#: Deepest nesting of arrays and tables in a scenario file (a scenario needs 3).
MAX_TOML_DEPTH = 16
#: OSM data (``networks.road``, where the loaders check them): bytes of XML after
#: decompression (and of a PBF file), and nodes plus ways of a PBF file or Overpass response.
MAX_OSM_BYTES = road.MAX_OSM_BYTES
MAX_OSM_ELEMENTS = road.MAX_OSM_ELEMENTS

#: Bounds of the general parameters (table and scenario ``[general]``):
#: name -> (lowest, lowest excluded, highest). Driving periods of at least 1 h and a sailing
#: speed of at least 1 km/h bound the steps of the itinerary walk (a driving allowance of 1e-6 h
#: made it run for minutes, a speed near 0 sails past the year 9999).
GENERAL_BOUNDS: dict[str, tuple[float, bool, float]] = {
    "continuous_driving_h": (1.0, False, 24.0),
    "break_h": (0.0, False, 24.0),
    "daily_driving_h": (1.0, False, 24.0),
    "daily_rest_h": (0.0, False, 24.0),
    "double_crew_daily_driving_h": (1.0, False, 24.0),
    "double_crew_daily_rest_h": (0.0, False, 24.0),
    "double_crew_extra_usd_per_h": (0.0, False, MAX_USD),
    "tare_t": (0.0, False, 100.0),
    "co2_road_kg_per_vkm": (0.0, False, 100.0),
    "co2_sea_kg_per_tkm": (0.0, False, 100.0),
    "sailing_speed_kph": (1.0, False, 100.0),
    "sea_freight_base_usd": (0.0, False, MAX_USD),
    "sea_freight_usd_per_km": (0.0, False, MAX_USD),
    "single_stop_time_factor": (0.0, False, MAX_FACTOR),
}


class LimitError(ValueError):
    """An input outside its documented bound (one line: field, value, allowed range)."""


def check_number(
    field: str, value: Any, *, lo: float, hi: float, lo_open: bool = False, whole: bool = False
) -> float:
    """Return ``value`` as a float if it is a finite number in ``[lo, hi]`` (``(lo, hi]`` with
    ``lo_open``; a whole number with ``whole``), else raise :class:`LimitError`."""
    kind = "a whole number" if whole else "a number"
    allowed = f"{kind} {'>' if lo_open else '>='} {_fmt(lo)} and <= {_fmt(hi)}"
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (value > lo if lo_open else value >= lo)
        and value <= hi
        and (not whole or float(value).is_integer())
    )
    if not ok:
        raise LimitError(f"{field}: bad value {value!r}; allowed: {allowed}")
    return float(value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_draws(value: Any, *, field: str = "draws", allow_zero: bool = False) -> int:
    """Monte Carlo draws: a whole number from 1 (0 with ``allow_zero``) to :data:`MAX_DRAWS`."""
    check_number(field, value, lo=0 if allow_zero else 1, hi=MAX_DRAWS, whole=True)
    return int(value)


def check_seed(value: Any, *, field: str = "seed") -> int:
    """A random seed: a whole number from 0 to :data:`MAX_SEED`."""
    check_number(field, value, lo=0, hi=MAX_SEED, whole=True)
    return int(value)


def check_datetime(value: datetime, *, field: str) -> datetime:
    """An aware date-time whose UTC year is :data:`MIN_YEAR` to :data:`MAX_YEAR`."""
    year = value.astimezone(UTC).year if value.utcoffset() is not None else value.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise LimitError(
            f"{field}: bad value {value.isoformat()}; allowed: a date-time in the years "
            f"{MIN_YEAR}-{MAX_YEAR} (UTC)"
        )
    return value


def horizon_h(first_ready_utc: datetime, last_latest_utc: datetime) -> float:
    """Planning horizon, h: midnight UTC before ``first_ready_utc`` to ``last_latest_utc``, plus
    :data:`HORIZON_SLACK_H`."""
    t0 = first_ready_utc.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (last_latest_utc - t0) / timedelta(hours=1) + HORIZON_SLACK_H


def check_horizon(first_ready_utc: datetime, last_latest_utc: datetime, *, what: str) -> None:
    """Raise :class:`LimitError` when the horizon (:func:`horizon_h`) exceeds
    :data:`MAX_HORIZON_H`; ``what`` names the shipment with the last window end."""
    if horizon_h(first_ready_utc, last_latest_utc) > MAX_HORIZON_H:
        days = (MAX_HORIZON_H - HORIZON_SLACK_H) / 24
        raise LimitError(
            f"latest_delivery: bad value {last_latest_utc.isoformat()} ({what}); allowed: at "
            f"most {days:g} days after midnight UTC before the first ready time "
            f"{first_ready_utc.isoformat()}: split the shipments into shorter periods"
        )
