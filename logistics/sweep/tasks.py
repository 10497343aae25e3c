"""The work of one chunk of points, the same in-process and on a Dask worker.

:class:`SweepContext` holds what every point needs (the routes or the network, the base scenario,
the tables, the spec); Dask ships it to each worker once. :func:`run_chunk` computes the rows of
a chunk's points. Each point is seeded from the spec seed and its index (or the spec seed alone
with ``seeding = "common"``), never from the worker, so any split of the work gives the same rows.
Whatever a point raises is recorded in its rows' ``error`` column.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from logistics.itinerary import _origin_country, parse_departure
from logistics.montecarlo import simulate
from logistics.parameters import ParameterSet
from logistics.report import _row, _winner
from logistics.scenarios import Scenario
from logistics.sweep.spec import SweepSpec
from logistics.sweep.variant import apply_point
from networks.types import Route

__all__ = ["METRICS", "SweepContext", "point_seed", "run_chunk"]

#: Result columns of an OD sweep row besides ``point``, ``od``, ``mode`` and the parameters.
METRICS = (
    "p50_h",
    "p90_h",
    "p95_h",
    "mean_h",
    "cost_usd",
    "cost_usd_per_t",
    "co2_kg",
    "co2_kg_per_t",
    "on_time_probability",
)


@dataclass
class SweepContext:
    """Everything a chunk needs: shipped once to every worker.

    ``routes[od_index][mode]`` is a route or the text of why there is none; ``graph``,
    ``shipments`` and ``fleet`` are set for fleet sweeps only.
    """

    spec: SweepSpec
    base: Scenario
    params: ParameterSet
    target: Scenario | None
    design: pd.DataFrame
    routes: list[dict[str, Route | str]] = field(default_factory=list)
    graph: Any = None
    shipments: tuple[Any, ...] = ()
    fleet: tuple[Any, ...] = ()


def point_seed(spec: SweepSpec, point: int) -> int:
    """Seed of one point: from the spec seed and the point index (``seeding = "per-point"``)."""
    if spec.seeding == "common":
        return spec.seed
    return int(np.random.SeedSequence([spec.seed, point]).generate_state(1)[0])


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:500]


def _od_rows(ctx: SweepContext, point: int, values: dict[str, Any]) -> list[dict[str, Any]]:
    spec = ctx.spec
    seed = point_seed(spec, point)
    rows: list[dict[str, Any]] = []
    try:
        sc, params, shift_h = apply_point(ctx.base, ctx.params, values, ctx.target)
        failure = ""
    except Exception as exc:  # recorded per point, never fatal
        sc, params, shift_h, failure = ctx.base, ctx.params, 0.0, _error(exc)
    for i, routes in enumerate(ctx.routes):
        od = spec.od[i]
        block: list[dict[str, Any]] = []
        for mode in spec.modes:
            route = routes[mode]
            row: dict[str, Any] = {"mode": mode, "error": failure}
            if isinstance(route, str):
                row["error"] = route
            elif not failure:
                try:
                    start, _ = parse_departure(spec.depart, _origin_country(route))
                    depart = start + dt.timedelta(hours=shift_h)
                    mc = simulate(
                        route,
                        depart,
                        sc,
                        draws=spec.draws,
                        seed=seed,
                        crew=spec.crew,
                        params=params,
                    )
                    full = _row(sc, mode, route, mc, spec.window_h)
                    row.update({k: full[k] for k in METRICS})
                except Exception as exc:  # recorded per point, never fatal
                    row["error"] = _error(exc)
            block.append(row)
        failed = any(r["error"] for r in block)  # no winner from a partial comparison
        winner = "" if failed else _winner(block, spec.window_h is not None)
        for r in block:
            rows.append(
                {
                    "point": point,
                    "od": i,
                    "od_label": od.label,
                    **values,
                    "mode": r["mode"],
                    **{k: float(r.get(k, math.nan)) for k in METRICS},
                    "winner": winner,
                    "seed": seed,
                    "error": r["error"],
                }
            )
    return rows


def _fleet_rows(ctx: SweepContext, point: int, values: dict[str, Any]) -> list[dict[str, Any]]:
    from logistics.fleet import KPI_COLUMNS, SolverSettings, solve_fleet

    spec = ctx.spec
    row: dict[str, Any] = {"point": point, **values}
    try:
        sc, params, _ = apply_point(ctx.base, ctx.params, values, ctx.target)
        settings = SolverSettings.with_budget(spec.budget, seed=0, time_limit_s=None, workers=1)
        plan = solve_fleet(
            ctx.graph,
            ctx.shipments,
            ctx.fleet,
            scenario=sc,
            percentile=spec.percentile,
            settings=settings,
            params=params,
        )
        for k in KPI_COLUMNS[1:]:  # None (e.g. nothing served) as NaN: one column type
            row[k] = math.nan if plan.kpis.get(k) is None else plan.kpis[k]
        row["error"] = ""
    except Exception as exc:  # recorded per point, never fatal
        row.update({k: math.nan for k in KPI_COLUMNS[1:] if k != "stopped_by"})
        row["stopped_by"] = ""
        row["error"] = _error(exc)
    return [row]


def run_chunk(ctx: SweepContext, chunk: int) -> pd.DataFrame:
    """Rows of the points of chunk ``chunk`` (``chunk_points`` consecutive points).

    Returns
    -------
    DataFrame
        OD sweeps: one row per point x OD x mode (``point``, ``od``, ``od_label``, the parameters,
        ``mode``, :data:`METRICS`, ``winner``, ``seed``, ``error``); fleet sweeps: one row per
        point with the plan's KPIs and ``error``.
    """
    size = ctx.spec.chunk_points
    part = ctx.design.iloc[chunk * size : (chunk + 1) * size]
    names = [p.path for p in ctx.spec.parameters]
    rows: list[dict[str, Any]] = []
    work = _fleet_rows if ctx.spec.kind == "fleet" else _od_rows
    for record in part.to_dict("records"):
        rows.extend(work(ctx, int(record["point"]), {n: record[n] for n in names}))
    return pd.DataFrame(rows)
