"""Reports: one itinerary with its Monte Carlo, scenario x mode comparison for an OD pair, and
per-crossing / per-route delay exports.

:func:`itinerary_report` walks a route at the medians and adds the Monte Carlo percentiles.
:func:`compare_od` routes an origin-destination pair by road (optionally ``via`` a crossing or
route) and by sea, simulates each under every scenario and says which mode wins.
:func:`export_delays` writes per-crossing and per-route delay estimates (CSV, Parquet or GeoJSON)
with a JSON sidecar holding the scenarios, every parameter with its source, the seed, the number of
draws and the package version. The data file and its sidecar are replaced together, in a fixed
order (:func:`networks.io.staged_files`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from logistics.defaults import DRAWS_ANALYSIS
from logistics.itinerary import (
    Itinerary,
    ItineraryError,
    _origin_country,
    build_itinerary,
    parse_departure,
    to_hours,
    walk,
)
from logistics.montecarlo import MonteCarloResult, simulate
from logistics.parameters import Delay, ParameterSet, load_parameters
from logistics.scenarios import Scenario, list_scenarios, load_scenario
from logistics.schema import SCHEMA_VERSION, crossing_objects, port_objects
from networks.io import check_output, staged_files, to_safe_csv
from networks.types import Leg, Place, Route

__all__ = [
    "EXPORT_FORMATS",
    "OD_TABLE_COLUMNS",
    "STANDARD_ROUTES",
    "ExportError",
    "compare_od",
    "compare_od_json",
    "compare_od_table",
    "export_delays",
    "itinerary_report",
    "package_version",
]

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "parquet", "geojson")
#: Columns of the printed OD comparison (``on_time_probability`` only with a window).
OD_TABLE_COLUMNS = (
    "scenario",
    "mode",
    "p50_h",
    "p90_h",
    "p95_h",
    "cost_usd",
    "cost_usd_per_t",
    "co2_kg",
    "on_time_probability",
    "winner",
)
#: Per-crossing Monte Carlo percentiles an itinerary report adds to the median walk.
_CROSSING_P90 = ("wait_p90_h", "clearance_p90_h", "transload_p90_h", "time_p90_h")
#: On-time probability a mode needs to be called reliable enough to win on cost.
RELIABLE_ENOUGH = 0.9
#: Origin, destination, via, mode of the per-route delay estimates in :func:`export_delays`.
STANDARD_ROUTES: tuple[tuple[str, str, str | None, str], ...] = (
    ("Bangkok", "Hanoi", "R9", "road"),
    ("Bangkok", "Hanoi", "R12", "road"),
    ("Bangkok", "Hanoi", "R8", "road"),
    ("Bangkok", "Hanoi", None, "sea"),
    ("Singapore", "Bangkok", None, "road"),
    ("Singapore", "Bangkok", None, "sea"),
    ("Kuala Lumpur", "Bangkok", None, "road"),
)
_STATS = ("mean", "p50", "p90", "p95")


class ExportError(ValueError):
    """Bad export request (format, path) or nothing to export."""


def package_version() -> str:
    """Installed version of the ``asean-corridor`` package (``"unknown"`` when not installed)."""
    from importlib import metadata

    try:
        return metadata.version("asean-corridor")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_departure() -> str:
    """The default departure used by reports: ``2026-03-02 08:00`` (a Monday), origin local time."""
    return "2026-03-02 08:00"


# --------------------------------------------------------------------------- itinerary


def itinerary_report(
    route: Route,
    depart: str | dt.datetime,
    scenario: str | Scenario,
    *,
    crew: str = "single",
    payload_t: float | None = None,
    draws: int = DRAWS_ANALYSIS,
    seed: int = 0,
    window: float | str | dt.datetime | None = None,
    params: ParameterSet | None = None,
) -> tuple[Itinerary, dict[str, Any]]:
    """One route walked at the median delays, with its Monte Carlo percentiles.

    Parameters
    ----------
    route : networks.Route
    depart : str or datetime
        ISO 8601; without an offset, the origin's local time.
    scenario : str or Scenario
    crew : {"single", "double"}
    payload_t : float, optional
        Cargo on the truck (t); default its capacity.
    draws : int
        Monte Carlo draws (0: the median walk only, whose hours stand for every percentile).
    seed : int
    window : float, str or datetime, optional
        Delivery window: hours after departure, or a deadline (ISO 8601, no offset = destination
        time); gives ``on_time_probability`` (needs ``draws`` > 0).

    Returns
    -------
    (Itinerary, dict)
        The median walk, and the JSON-ready report of the ``itinerary`` schema
        (:mod:`logistics.schema`): ``median_walk_h`` is door to door walked once with every delay
        at its median; ``travel_time_h``, ``distance_km``, ``countries``, ``crossings`` (objects
        with ``id``) and ``ports`` as in ``route``; ``events`` the walk's timeline. With draws the
        Monte Carlo adds ``p50_h``, ``p90_h``, ``p95_h``, ``mean_h``, ``draws``, ``seed``, its mean
        ``cost_usd``, the ``*_p90_h`` of each crossing and ``on_time_probability`` with a window;
        without draws there are no percentiles.

    Raises
    ------
    ItineraryError
        Bad ``draws``, a window without draws, and everything :func:`build_itinerary` rejects.
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 0:
        raise ItineraryError(f"draws {draws!r} is out of range; allowed: a whole number >= 0")
    if window is not None and draws == 0:
        raise ItineraryError(
            f"window {window!r} needs Monte Carlo draws; allowed: draws > 0 with a window"
        )
    sc = load_scenario(scenario)
    it = build_itinerary(route, depart, sc, crew=crew, payload_t=payload_t, params=params)
    out = _itinerary_json(route, it.to_dict())
    if draws == 0:
        return it, out
    mc = simulate(
        route, depart, sc, draws=draws, seed=seed, crew=crew, payload_t=payload_t, params=params
    )
    summary = mc.summary(window=window)
    by_id = {(c["id"], c["from_country"]): c for c in summary["crossings"]}
    for c in out["crossings"]:
        extra = by_id.get((c["id"], c["from_country"]), {})
        c.update({key: extra[key] for key in _CROSSING_P90 if key in extra})
    for key in ("p50_h", "p90_h", "p95_h", "mean_h", "draws", "seed", "cost_usd"):
        out[key] = summary[key]
    if window is not None:
        out["on_time_probability"] = summary["on_time_probability"]
    return it, out


def _itinerary_json(route: Route, walked: dict[str, Any]) -> dict[str, Any]:
    """The ``itinerary`` schema's fields from a route and its median walk's ``to_dict()``."""
    first = ("origin", "destination", "scenario", "crew", "depart", "depart_assumed_local")
    return {
        "schema_version": SCHEMA_VERSION,
        **{k: walked[k] for k in first},
        "arrive": walked["arrive"],
        "median_walk_h": walked["hours"],
        "distance_km": round(route.distance_km, 3),
        "travel_time_h": round(route.travel_time_h, 4),
        "countries": route.countries,
        "cost_usd": walked["cost_usd"],
        "co2_kg": walked["co2_kg"],
        "payload_t": walked["payload_t"],
        "indicators": walked["indicators"],
        "crossings": walked["crossings"],
        "ports": port_objects(route),
        "events": walked["legs"],
        "notes": walked["notes"],
    }


# --------------------------------------------------------------------------- compare


def _winner(rows: list[dict[str, Any]], window: bool) -> str:
    """Mode that wins among ``rows`` (one scenario): see :func:`compare_od`."""
    if not rows:
        return ""
    if len(rows) == 1:
        return str(rows[0]["mode"])
    if window:
        ok = [r for r in rows if r["on_time_probability"] >= RELIABLE_ENOUGH]
        if ok:
            return str(min(ok, key=lambda r: r["cost_usd_per_t"])["mode"])
        return str(
            max(rows, key=lambda r: (r["on_time_probability"], -r["cost_usd_per_t"]))["mode"]
        )
    return str(min(rows, key=lambda r: r["cost_usd_per_t"])["mode"])


def _row(
    scenario: Scenario, mode: str, route: Route, mc: MonteCarloResult, window_h: float | None
) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "mode": mode,
        "crossings": ",".join(route.crossings),
        "ports": ",".join(leg.port_id for leg in route.legs if leg.mode == "port" and leg.port_id),
        "distance_km": round(route.distance_km, 1),
        "p50_h": round(mc.p50_h, 3),
        "p90_h": round(mc.p90_h, 3),
        "p95_h": round(mc.p95_h, 3),
        "mean_h": round(mc.mean_h, 3),
        "cost_usd": round(mc.cost_usd, 2),
        "payload_t": round(mc.payload_t, 2),
        "cost_usd_per_t": round(mc.cost_usd / mc.payload_t, 2),
        "co2_kg": round(mc.co2_kg, 2),
        "co2_kg_per_t": round(mc.co2_kg / mc.payload_t, 3),
        "on_time_probability": round(mc.on_time_probability(window_h), 4)
        if window_h is not None
        else math.nan,
    }


def compare_od(
    G: Any,
    origin: str | Place,
    destination: str | Place,
    scenarios: Sequence[str | Scenario],
    *,
    via: str | None = None,
    depart: str | dt.datetime | None = None,
    window_h: float | None = None,
    draws: int = DRAWS_ANALYSIS,
    seed: int = 0,
    crew: str = "single",
    modes: Sequence[str] = ("road", "sea"),
    params: ParameterSet | None = None,
) -> pd.DataFrame:
    """Compare road and sea for one OD pair under several scenarios.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The multimodal network (:func:`networks.load_network`).
    origin, destination : str or Place
    scenarios : sequence of str or Scenario
    via : str, optional
        Crossing id or route label (``R9``, ``R12``, ``R8``) for the road route.
    depart : str or datetime, optional
        Departure (default :func:`default_departure`, origin local time).
    window_h : float, optional
        Delivery window in hours after departure; gives ``on_time_probability``.
    draws, seed : int
        Monte Carlo draws and seed (the same seed for every scenario: common random numbers).
    crew : {"single", "double"}
    modes : sequence of {"road", "sea"}

    Returns
    -------
    DataFrame
        One row per scenario and mode: ``scenario``, ``mode``, ``crossings``, ``ports``,
        ``distance_km``, ``p50_h``, ``p90_h``, ``p95_h``, ``mean_h``, ``cost_usd``, ``payload_t``,
        ``cost_usd_per_t``, ``co2_kg``, ``co2_kg_per_t``, ``on_time_probability`` (NaN without a
        window), ``winner`` (the scenario's winning mode) and ``wins``. With a window, the winner is
        the cheapest mode (per tonne) whose on-time probability is at least 0.9, else the most
        reliable; without one, the cheapest per tonne. ``attrs`` holds the departure and notes
        (e.g. a mode that could not be routed) and, per mode, the route's ``crossings``,
        ``ports`` (objects with ``id``), ``countries`` and ``travel_time_h``.
    """

    _check_od_args(scenarios, modes, window_h)
    loaded = [load_scenario(s) for s in scenarios]
    p = params or load_parameters()
    depart = depart if depart is not None else default_departure()
    routes, notes = _od_routes(G, origin, destination, via, modes)
    df = pd.DataFrame(_od_rows(routes, depart, loaded, draws, seed, crew, window_h, p))
    start, assumed = parse_departure(depart, _origin_country(next(iter(routes.values()))))
    df.attrs.update(
        {
            "routes": {
                m: {
                    "crossings": crossing_objects(r),
                    "ports": port_objects(r),
                    "countries": r.countries,
                    "travel_time_h": round(r.travel_time_h, 4),
                }
                for m, r in routes.items()
            },
            "depart": start.isoformat(),
            "depart_assumed_local": assumed,
            "window_h": window_h,
            "draws": draws,
            "seed": seed,
            "crew": crew,
            "notes": notes,
        }
    )
    return df


def _check_od_args(scenarios: Sequence[Any], modes: Sequence[str], window_h: Any) -> None:
    """The arguments :func:`compare_od` and :func:`compare_od_week` share."""
    if not scenarios:
        raise ItineraryError(
            "compare_od needs at least one scenario; available: " + ", ".join(list_scenarios())
        )
    for m in modes:
        if m not in ("road", "sea"):
            raise ItineraryError(f"unknown mode {m!r}; allowed: road, sea")
    if window_h is not None and (
        isinstance(window_h, bool) or not isinstance(window_h, (int, float)) or not window_h > 0
    ):
        raise ItineraryError(f"window_h must be a positive number of hours, got {window_h!r}")


def _od_routes(
    G: Any, origin: Any, destination: Any, via: str | None, modes: Sequence[str]
) -> tuple[dict[str, Route], list[str]]:
    """The route of each mode (road through ``via``), and notes on the modes without one."""
    import networks

    notes: list[str] = []
    routes: dict[str, Route] = {}
    for m in modes:
        try:
            routes[m] = networks.shortest_route(
                G, origin, destination, via=via if m == "road" else None, mode=m
            )
        except networks.RouteError as exc:
            if len(modes) == 1:
                raise
            notes.append(f"no {m} route: {exc}")
            log.warning("compare_od: no %s route from %s to %s: %s", m, origin, destination, exc)
    if not routes:
        raise ItineraryError(
            f"no route from {origin} to {destination} by {', '.join(modes)}: {'; '.join(notes)}"
        )
    return routes, notes


def _od_rows(
    routes: dict[str, Route],
    depart: Any,
    scenarios: Sequence[Scenario],
    draws: int,
    seed: int,
    crew: str,
    window_h: float | None,
    params: ParameterSet,
) -> list[dict[str, Any]]:
    """One row per scenario and mode from one departure, with each scenario's winning mode."""
    rows: list[dict[str, Any]] = []
    for sc in scenarios:
        block = []
        for m, route in routes.items():
            mc = simulate(route, depart, sc, draws=draws, seed=seed, crew=crew, params=params)
            block.append(_row(sc, m, route, mc, window_h))
        win = _winner(block, window_h is not None)
        for r in block:
            r["winner"] = win
            r["wins"] = r["mode"] == win
        rows.extend(block)
    return rows


#: ``corridor compare --departures week``: one departure per hour of a week.
WEEK_DEPARTURES = 7 * 24


def compare_od_week(
    G: Any,
    origin: str | Place,
    destination: str | Place,
    scenarios: Sequence[str | Scenario],
    *,
    via: str | None = None,
    depart: str | dt.datetime | None = None,
    window_h: float | None = None,
    draws: int = DRAWS_ANALYSIS,
    seed: int = 0,
    crew: str = "single",
    modes: Sequence[str] = ("road", "sea"),
    params: ParameterSet | None = None,
    departures: int = WEEK_DEPARTURES,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`compare_od` from every hour of a week (``departures`` hourly departures from
    ``depart``), because a scenario's gain depends on when the truck reaches the borders.

    Returns
    -------
    (DataFrame, DataFrame)
        Every row of :func:`compare_od` with its ``depart``; and per scenario and mode the
        distribution of the P50 door-to-door time over the departures (``p50_h_min``,
        ``p50_h_median``, ``p50_h_max``), the mean cost, and against the first scenario given
        (the baseline, normally the status quo) how often the P50 is shorter (``faster_share``),
        longer (``slower_share``) and the largest difference (``worst_h``, ``best_h``).
    """
    if isinstance(departures, bool) or not isinstance(departures, int) or departures < 1:
        raise ItineraryError(f"departures must be a positive integer, got {departures!r}")
    _check_od_args(scenarios, modes, window_h)
    loaded = [load_scenario(s) for s in scenarios]
    p = params or load_parameters()
    routes, notes = _od_routes(G, origin, destination, via, modes)
    start, _ = parse_departure(
        depart if depart is not None else default_departure(),
        _origin_country(next(iter(routes.values()))),
    )
    rows: list[dict[str, Any]] = []
    for k in range(departures):
        when = start + dt.timedelta(hours=k)
        for r in _od_rows(routes, when, loaded, draws, seed, crew, window_h, p):
            rows.append({"depart": when.isoformat(), **r})
        if progress is not None:
            progress(k + 1, departures)
    every = pd.DataFrame(rows)
    base = loaded[0].name
    ref = every[every["scenario"] == base].set_index(["depart", "mode"])["p50_h"]
    summary = []
    for (name, mode), grp in every.groupby(["scenario", "mode"], sort=False):
        p50 = grp.set_index("depart")["p50_h"]
        diff = p50 - ref.xs(mode, level="mode").reindex(p50.index)
        summary.append(
            {
                "scenario": name,
                "mode": mode,
                "departures": len(grp),
                "p50_h_min": float(p50.min()),
                "p50_h_median": float(p50.median()),
                "p50_h_max": float(p50.max()),
                "cost_usd_mean": float(grp["cost_usd"].mean()),
                "baseline": base,
                "faster_share": float((diff < -1e-6).mean()),
                "slower_share": float((diff > 1e-6).mean()),
                "best_h": float(diff.min()),
                "worst_h": float(diff.max()),
            }
        )
    table = pd.DataFrame(summary)
    table.attrs.update({"start": start.isoformat(), "draws": draws, "seed": seed, "notes": notes})
    return every, table


def compare_od_table(df: pd.DataFrame) -> pd.DataFrame:
    """The printed columns of a :func:`compare_od` table (:data:`OD_TABLE_COLUMNS`).

    ``on_time_probability`` is left out when the comparison had no window.
    """
    window = df.attrs.get("window_h") is not None
    return df[[c for c in OD_TABLE_COLUMNS if window or c != "on_time_probability"]]


def compare_od_json(
    df: pd.DataFrame, origin: str | Place, destination: str | Place
) -> dict[str, Any]:
    """A :func:`compare_od` table as JSON-ready data with the stable field names.

    Returns
    -------
    dict
        The ``compare-od`` schema (:mod:`logistics.schema`): ``schema_version``, ``origin``,
        ``destination`` (names), the table's ``attrs`` (``depart``, ``window_h``, ``draws``,
        ``seed``, ``crew``, ``notes`` ...) and ``rows``: one dict per scenario and mode, NaN as
        ``None``, without ``on_time_probability`` when there was no window; ``crossings`` and
        ``ports`` as lists of objects with ``id``, ``countries`` and ``travel_time_h`` as in
        ``route``.
    """
    window = df.attrs.get("window_h") is not None
    routes = df.attrs.get("routes", {})
    rows = [
        {
            **{k: _json_ready(v) for k, v in r.items() if window or k != "on_time_probability"},
            **_json_ready(routes.get(r["mode"], {})),
        }
        for r in df.to_dict("records")
    ]
    ends = {
        k: p.name if isinstance(p, Place) else str(p)
        for k, p in (("origin", origin), ("destination", destination))
    }
    attrs = {str(k): _json_ready(v) for k, v in df.attrs.items() if k != "routes"}
    return {"schema_version": SCHEMA_VERSION, **ends, **attrs, "rows": rows}


# --------------------------------------------------------------------------- export


def _crossing_route(crossing_id: str, a: str, b: str) -> Route:
    """A route made of one border leg (for per-crossing estimates)."""
    leg = Leg(
        mode="border",
        country=b,
        distance_km=0.0,
        travel_time_h=0.0,
        start_node=f"{crossing_id}:{a}",
        end_node=f"{crossing_id}:{b}",
        start_lonlat=(0.0, 0.0),
        end_lonlat=(0.0, 0.0),
        crossing_id=crossing_id,
        from_country=a,
        to_country=b,
    )
    return Route(
        origin=Place(f"{crossing_id} ({a})", 0.0, 0.0, a, "crossing", crossing_id),
        destination=Place(f"{crossing_id} ({b})", 0.0, 0.0, b, "crossing", crossing_id),
        nodes=[leg.start_node, leg.end_node],
        legs=[leg],
    )


def _stat_cols(prefix: str, values: np.ndarray) -> dict[str, float]:
    pct = np.percentile(values, [50, 90, 95])
    return {
        f"{prefix}_mean_h": round(float(values.mean()), 4),
        f"{prefix}_p50_h": round(float(pct[0]), 4),
        f"{prefix}_p90_h": round(float(pct[1]), 4),
        f"{prefix}_p95_h": round(float(pct[2]), 4),
    }


def _week_start_times(
    depart: str | dt.datetime, country: str, n: int, rng: np.random.Generator
) -> np.ndarray:
    start, _ = parse_departure(depart, country)
    return to_hours(start) + rng.uniform(0.0, 168.0, n)


def _sampler(rng: np.random.Generator, n: int) -> Callable[[str, Delay], np.ndarray]:
    def sample(key: str, delay: Delay) -> np.ndarray:
        return delay.sample(rng, n)

    return sample


def delay_estimates(
    scenarios: Sequence[str | Scenario],
    *,
    G: Any = None,
    draws: int = DRAWS_ANALYSIS,
    seed: int = 0,
    depart: str | dt.datetime | None = None,
    routes: Sequence[tuple[str, str, str | None, str]] = STANDARD_ROUTES,
    params: ParameterSet | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Per-crossing (and, with ``G``, per-route) delay estimates for each scenario.

    Arrival (crossings) and departure (routes) times are drawn uniformly over the week that starts
    at ``depart`` (default :func:`default_departure`), so opening hours weigh in as they would for
    traffic spread over the week. ``wait`` counts waiting for border openings, port gates and
    sailings; ``port_dwell`` the container dwell in ports (sea routes).

    Returns
    -------
    (DataFrame, list of dict)
        The estimates (``level`` = ``crossing`` or ``route``) and GeoJSON-ready geometries
        (same order as the rows).
    """
    import networks

    loaded = [load_scenario(s) for s in scenarios]
    if not loaded:
        raise ExportError("no scenario to export; available: " + ", ".join(list_scenarios()))
    p = params or load_parameters()
    depart = depart if depart is not None else default_departure()
    positions: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in networks.crossings_table().to_dict("records"):
        for side in ("a", "b"):
            point = [float(rec[f"lon_{side}"]), float(rec[f"lat_{side}"])]
            positions[(str(rec["crossing_id"]), str(rec[f"country_{side}"]))] = {
                "type": "Point",
                "coordinates": point,
            }
    rows: list[dict[str, Any]] = []
    geoms: list[dict[str, Any]] = []
    route_objs: list[tuple[tuple[str, str, str | None, str], Route]] = []
    if G is not None:
        for spec in routes:
            o, d, via, mode = spec
            try:
                route_objs.append((spec, networks.shortest_route(G, o, d, via=via, mode=mode)))
            except (networks.RouteError, networks.PlaceError) as exc:
                log.warning(
                    "delay export: skipping route %s -> %s (%s, via %s): %s", o, d, mode, via, exc
                )
    for k, sc in enumerate(loaded):
        for cid, a, b in sorted(p.borders):
            rng = np.random.default_rng([seed, k, len(rows)])
            route = _crossing_route(cid, a, b)
            t0 = _week_start_times(depart, a, draws, rng)
            trace = walk(route, t0, sc, p, n=draws, sampler=_sampler(rng, draws))
            c = trace.crossings[0]
            row: dict[str, Any] = {
                "scenario": sc.name,
                "level": "crossing",
                "id": cid,
                "from_country": a,
                "to_country": b,
                "origin": "",
                "destination": "",
                "via": "",
                "mode": "border",
            }
            row.update(_stat_cols("time", c.leave - c.arrive))
            row.update(_stat_cols("wait", c.wait_h))
            row.update(_stat_cols("clearance", c.clearance_h))
            row.update(_stat_cols("transload", c.transload_h))
            row.update(_stat_cols("port_dwell", np.zeros(draws)))
            row["cost_p50_usd"] = round(float(np.percentile(c.cost_usd, 50)), 2)
            rows.append(row)
            geoms.append(positions.get((cid, a), {}))
        for (o, d, via, mode), route in route_objs:
            rng = np.random.default_rng([seed, k, len(rows)])
            t0 = _week_start_times(depart, _origin_country(route), draws, rng)
            trace = walk(route, t0, sc, p, n=draws, sampler=_sampler(rng, draws))
            total = trace.end - t0
            waits = sum((c.wait_h for c in trace.crossings), np.zeros(draws))
            waits = waits + sum((pt.wait_h for pt in trace.ports), np.zeros(draws))
            dwell = sum((pt.dwell_h for pt in trace.ports), np.zeros(draws))
            clears = sum((c.clearance_h for c in trace.crossings), np.zeros(draws))
            trans = sum((c.transload_h for c in trace.crossings), np.zeros(draws))
            row = {
                "scenario": sc.name,
                "level": "route",
                "id": f"{o}-{d}-{via or mode}".lower().replace(" ", "-"),
                "from_country": route.countries[0] if route.countries else "",
                "to_country": route.countries[-1] if route.countries else "",
                "origin": o,
                "destination": d,
                "via": via or "",
                "mode": mode,
            }
            row.update(_stat_cols("time", total))
            row.update(_stat_cols("wait", waits))
            row.update(_stat_cols("clearance", clears))
            row.update(_stat_cols("transload", trans))
            row.update(_stat_cols("port_dwell", dwell))
            row["cost_p50_usd"] = round(float(np.percentile(trace.cost_usd, 50)), 2)
            rows.append(row)
            geoms.append({"type": "LineString", "coordinates": [list(c) for c in route.coords]})
    return pd.DataFrame(rows), geoms


def _parameters_with_sources(p: ParameterSet) -> dict[str, Any]:
    from logistics.parameters import (
        bibliography,
        border_parameters,
        country_costs,
        general_parameters,
        port_parameters,
        sea_lanes,
    )

    if p is not load_parameters():
        log.info("delay export: custom parameter set; sidecar lists the shipped tables' sources")
    return {
        "border_parameters": border_parameters().to_dict("records"),
        "port_parameters": port_parameters().to_dict("records"),
        "sea_lanes": sea_lanes().to_dict("records"),
        "country_costs": country_costs().to_dict("records"),
        "general_parameters": general_parameters().to_dict("records"),
        # the sources' [@key] citations, resolved (logistics/data/bibliography.toml)
        "bibliography": {k: vars(s) for k, s in bibliography().items()},
    }


def check_export_out(out: str | Path) -> tuple[Path, Path]:
    """The data file and sidecar paths of ``out``; :class:`ExportError` if either is a folder,
    symbolic link, FIFO or device (checked before any work)."""
    path = Path(out)
    sidecar = path.with_name(path.name + ".json")
    for target in (path, sidecar):
        try:
            check_output(target, folder=False)
        except ValueError as exc:
            raise ExportError(str(exc)) from None
    return path, sidecar


def export_delays(
    scenarios: Sequence[str | Scenario] | str,
    *,
    fmt: str,
    out: str | Path,
    G: Any = None,
    draws: int = DRAWS_ANALYSIS,
    seed: int = 0,
    depart: str | dt.datetime | None = None,
    params: ParameterSet | None = None,
) -> tuple[Path, Path]:
    """Write per-crossing and per-route delay estimates and a JSON sidecar.

    Parameters
    ----------
    scenarios : sequence of str or Scenario, or "all"
    fmt : {"csv", "parquet", "geojson"}
    out : path
        Output file; the sidecar is written beside it as ``<out>.json``. Both are written into
        a temporary folder beside ``out`` and then moved in one fixed order
        (:func:`networks.io.staged_files`): the old sidecar is removed, the data file moves,
        then the new sidecar, so a sidecar never describes another run's data (its
        ``data_sha256`` names the data file's bytes). CSV text cells are neutralised
        (:func:`networks.io.csv_safe`).
    G : networkx.MultiDiGraph, optional
        With a network, per-route estimates for :data:`STANDARD_ROUTES` are added.
    draws, seed : int
    depart : str or datetime, optional
        Start of the week over which arrival times are spread.

    Returns
    -------
    (Path, Path)
        The data file and the sidecar.

    Raises
    ------
    ExportError
        Bad format or draws, or ``out`` (or its sidecar) is a folder, link, FIFO or device.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; allowed: {', '.join(EXPORT_FORMATS)}")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ExportError(f"draws must be a positive integer, got {draws!r}")
    names: Sequence[str | Scenario] = list_scenarios() if scenarios == "all" else scenarios
    if isinstance(names, str):
        names = [names]
    path, sidecar = check_export_out(out)
    p = params or load_parameters()
    loaded = [load_scenario(s) for s in names]
    df, geoms = delay_estimates(loaded, G=G, draws=draws, seed=seed, depart=depart, params=p)

    def write(target: Path) -> None:
        if fmt == "csv":
            to_safe_csv(df, target)
        elif fmt == "parquet":
            df.to_parquet(target, index=False)
        else:
            features = [
                {"type": "Feature", "geometry": g or None, "properties": _json_ready(rec)}
                for rec, g in zip(df.to_dict("records"), geoms, strict=True)
            ]
            collection = {
                "type": "FeatureCollection",
                "schema_version": SCHEMA_VERSION,
                "features": features,
            }
            text = json.dumps(collection, ensure_ascii=False, allow_nan=False)
            target.write_text(text, encoding="utf-8")

    with staged_files(path.parent, companions=[sidecar.name]) as tmp:
        write(tmp / path.name)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "scenarios": [s.to_dict() for s in loaded],
            "parameters": _parameters_with_sources(p),
            "seed": seed,
            "draws": draws,
            "depart": str(depart if depart is not None else default_departure()),
            "arrival_times": (
                "uniform over the week starting at 'depart' (local time of the exit side or origin)"
            ),
            "version": package_version(),
            "format": fmt,
            "rows": len(df),
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "columns": list(df.columns),
            "data_file": path.name,
            "data_sha256": hashlib.sha256((tmp / path.name).read_bytes()).hexdigest(),
        }
        meta_text = json.dumps(_json_ready(meta), indent=2, ensure_ascii=False, allow_nan=False)
        (tmp / sidecar.name).write_text(meta_text, encoding="utf-8")
    log.info("wrote %d delay estimates to %s (+ %s)", len(df), path, sidecar.name)
    return path, sidecar


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) else f
    return value
