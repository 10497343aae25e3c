"""Reliability by Monte Carlo: door-to-door time distributions under a scenario.

:func:`simulate` draws every delay distribution along the route (exit and entry clearance,
transloading, port dwell) for all draws at once with a seeded :class:`numpy.random.Generator`,
and walks the itinerary engine on the arrays: waiting for border openings, hours-of-service stops
and sailings follow from each draw's own arrival times. No Python loop runs over draws.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from logistics.defaults import DRAWS_SINGLE
from logistics.itinerary import (
    ItineraryError,
    _origin_country,
    parse_departure,
    to_hours,
    walk,
)
from logistics.parameters import Delay, ParameterSet, load_parameters
from logistics.scenarios import Scenario, load_scenario
from networks.types import Route

__all__ = ["MonteCarloResult", "simulate"]

log = logging.getLogger(__name__)

_QUANTILES = {"p50": 50, "p90": 90, "p95": 95}


@dataclass(frozen=True)
class MonteCarloResult:
    """Distribution of door-to-door time and cost for one route, departure and scenario.

    Attributes
    ----------
    samples_h : ndarray
        Door-to-door hours, one per draw.
    cost_samples_usd : ndarray
        Cost per draw (truck hours vary with the delays).
    co2_kg : float
        CO2 of the trip (does not depend on the delays).
    crossing_delays : DataFrame
        Per crossing and direction: mean/P50/P90/P95 of ``time``, ``wait``, ``clearance`` and
        ``transload`` hours (columns like ``wait_p90_h``) and ``cost_p50_usd``.
    port_delays : DataFrame
        Per port call: P50/P90 of dwell and wait hours.
    """

    route: Route
    scenario: Scenario
    crew: str
    depart: pd.Timestamp
    draws: int
    seed: int
    samples_h: np.ndarray
    cost_samples_usd: np.ndarray
    co2_kg: float
    payload_t: float
    crossing_delays: pd.DataFrame
    port_delays: pd.DataFrame

    @property
    def p50_h(self) -> float:
        """Median door-to-door hours."""
        return float(np.percentile(self.samples_h, 50))

    @property
    def p90_h(self) -> float:
        """90th percentile of door-to-door hours."""
        return float(np.percentile(self.samples_h, 90))

    @property
    def p95_h(self) -> float:
        """95th percentile of door-to-door hours."""
        return float(np.percentile(self.samples_h, 95))

    @property
    def mean_h(self) -> float:
        """Mean door-to-door hours."""
        return float(self.samples_h.mean())

    @property
    def cost_usd(self) -> float:
        """Median cost (USD) of the truckload."""
        return float(np.percentile(self.cost_samples_usd, 50))

    def on_time_probability(self, deadline: float | str | dt.datetime) -> float:
        """Share of draws arriving by ``deadline``.

        Parameters
        ----------
        deadline : float, str or datetime
            Hours after departure, or a date-time (ISO 8601 text or datetime; without an offset it
            is local time at the destination).
        """
        if isinstance(deadline, bool):
            raise ItineraryError(f"deadline must be hours or a date-time, got {deadline!r}")
        if isinstance(deadline, (int, float)):
            limit = float(deadline)
        else:
            dest = self.route.destination.country or next(
                (leg.country for leg in reversed(self.route.legs) if leg.country), "TH"
            )
            when, _ = parse_departure(deadline, dest)
            limit = (when - self.depart.to_pydatetime()).total_seconds() / 3600.0
        if not np.isfinite(limit):
            raise ItineraryError(f"deadline must be finite, got {deadline!r}")
        return float(np.mean(self.samples_h <= limit + 1e-9))

    def summary(self, *, window: float | str | dt.datetime | None = None) -> dict[str, Any]:
        """JSON-ready dict with the stable names ``p50_h``, ``p90_h``, ``p95_h``, ``cost_usd``,
        ``co2_kg``, ``crossings`` (``id``, ``wait_h``, ``clearance_h``, ``transload_h`` as P50s,
        plus P90s) and ``on_time_probability`` when a window is given."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "draws": self.draws,
            "seed": self.seed,
            "p50_h": round(self.p50_h, 3),
            "p90_h": round(self.p90_h, 3),
            "p95_h": round(self.p95_h, 3),
            "mean_h": round(self.mean_h, 3),
            "cost_usd": round(self.cost_usd, 2),
            "cost_p90_usd": round(float(np.percentile(self.cost_samples_usd, 90)), 2),
            "co2_kg": round(self.co2_kg, 2),
            "payload_t": round(self.payload_t, 2),
        }
        if window is not None:
            out["on_time_probability"] = round(self.on_time_probability(window), 4)
        out["crossings"] = [
            {
                "id": r["id"],
                "from_country": r["from_country"],
                "to_country": r["to_country"],
                "wait_h": round(float(r["wait_p50_h"]), 3),
                "clearance_h": round(float(r["clearance_p50_h"]), 3),
                "transload_h": round(float(r["transload_p50_h"]), 3),
                "time_h": round(float(r["time_p50_h"]), 3),
                "wait_p90_h": round(float(r["wait_p90_h"]), 3),
                "clearance_p90_h": round(float(r["clearance_p90_h"]), 3),
                "transload_p90_h": round(float(r["transload_p90_h"]), 3),
                "time_p90_h": round(float(r["time_p90_h"]), 3),
            }
            for _, r in self.crossing_delays.iterrows()
        ]
        return out


def _stats(prefix: str, values: np.ndarray) -> dict[str, float]:
    out = {f"{prefix}_mean_h": float(values.mean())}
    pct = np.percentile(values, list(_QUANTILES.values()))
    for name, v in zip(_QUANTILES, pct, strict=True):
        out[f"{prefix}_{name}_h"] = float(v)
    return out


def simulate(
    route: Route,
    depart: str | dt.datetime,
    scenario: Scenario | str = "status-quo",
    *,
    draws: int = DRAWS_SINGLE,
    seed: int = 0,
    crew: str = "single",
    payload_t: float | None = None,
    params: ParameterSet | None = None,
    relay: bool = True,
    transload_at: frozenset[str] | None = None,
) -> MonteCarloResult:
    """Monte Carlo of the door-to-door time of ``route`` from ``depart`` under ``scenario``.

    Parameters
    ----------
    route : networks.Route
    depart : str or datetime
        ISO 8601; without an offset, the origin's local time.
    scenario : Scenario or str
    draws : int
        Number of draws (>= 1).
    seed : int
        Seed of the :class:`numpy.random.Generator` (same seed, same result).
    crew : {"single", "double"}
    payload_t : float, optional
    params : ParameterSet, optional
    relay : bool
        Driver relays at crossings driven through (:func:`logistics.build_itinerary`).
    transload_at : frozenset of str, optional
        The crossings where the goods change truck (a fleet plan's transloads); default where
        the scenario forbids through-trucking.

    Returns
    -------
    MonteCarloResult
    """
    from logistics.limits import LimitError, check_draws, check_seed

    try:  # the documented bounds (docs/limits.md), for the Python API and the app too
        check_draws(draws)
        check_seed(seed)
    except LimitError as exc:
        raise ItineraryError(str(exc)) from None
    sc = load_scenario(scenario)
    p = params or load_parameters()
    start, _ = parse_departure(depart, _origin_country(route))
    t0 = to_hours(start)
    rng = np.random.default_rng(int(seed))
    n = int(draws)

    def sampler(key: str, delay: Delay) -> np.ndarray:
        return delay.sample(rng, n)

    trace = walk(
        route,
        t0,
        sc,
        p,
        n=n,
        sampler=sampler,
        crew=crew,
        detail=False,
        payload_t=payload_t,
        relay=relay,
        transload_at=transload_at,
    )
    rows = []
    for c in trace.crossings:
        row: dict[str, Any] = {
            "id": c.crossing_id,
            "from_country": c.from_country,
            "to_country": c.to_country,
        }
        row.update(_stats("time", c.leave - c.arrive))
        row.update(_stats("wait", c.wait_h))
        row.update(_stats("clearance", c.clearance_h))
        row.update(_stats("transload", c.transload_h))
        row["cost_p50_usd"] = float(np.percentile(c.cost_usd, 50))
        row["through_trucking"] = c.through_trucking
        row["single_stop"] = c.single_stop
        rows.append(row)
    ports = []
    for pt in trace.ports:
        prow: dict[str, Any] = {"port_id": pt.port_id, "role": pt.role}
        prow.update(_stats("dwell", pt.dwell_h))
        prow.update(_stats("wait", pt.wait_h))
        ports.append(prow)
    samples = trace.end - t0
    log.info(
        "simulated %d draws of %s -> %s under %s: P50 %.1f h, P90 %.1f h",
        n,
        route.origin.name,
        route.destination.name,
        sc.name,
        float(np.percentile(samples, 50)),
        float(np.percentile(samples, 90)),
    )
    return MonteCarloResult(
        route=route,
        scenario=sc,
        crew=crew,
        depart=pd.Timestamp(start),
        draws=n,
        seed=int(seed),
        samples_h=samples,
        cost_samples_usd=trace.cost_usd,
        co2_kg=trace.co2_kg,
        payload_t=trace.payload_t,
        crossing_delays=pd.DataFrame(rows),
        port_delays=pd.DataFrame(ports),
    )
