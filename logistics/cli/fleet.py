"""`corridor optimize` and the fleet side of `corridor compare` (just-in-time fleet routing).

``corridor optimize --shipments F --fleet F | --demo --scenario NAME --out DIR`` routes one set of
shipments under one scenario; ``corridor compare --shipments F --fleet F | --demo --scenarios
a,b,c --out DIR`` (parsed in :mod:`logistics.cli.delays`) hands over to :func:`run_fleet_compare`.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.fleet import DEFAULT_TIME_LIMIT_S

log = logging.getLogger(__name__)

#: Scenarios of ``corridor compare --demo`` when none are named: the status quo and the three
#: measures that change the fleet model most (legs, payload, both).
DEFAULT_COMPARE_SCENARIOS = (
    "status-quo",
    "through-trucking",
    "harmonized-axle-loads",
    "full-integration",
)
DEFAULT_DRAWS = 500


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``optimize`` to the ``corridor`` sub-commands."""
    op = sub.add_parser(
        "optimize",
        help="route JIT shipments with a fleet under a scenario (OR-Tools), replay via Monte Carlo",
        description=(
            "Route shipments with a fleet under one scenario and write routes (CSV, GeoJSON), "
            "per-shipment results and kpis.json. Use --demo for the shipped SYNTHETIC demo set."
        ),
    )
    op.add_argument("--shipments", default=None, help="shipments CSV or Parquet")
    op.add_argument("--fleet", default=None, help="fleet CSV or Parquet")
    op.add_argument(
        "--demo", action="store_true", help="use the shipped synthetic demo shipments and fleet"
    )
    op.add_argument("--scenario", default="status-quo", help="scenario name or TOML path")
    op.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help=f"solver time limit, s (default {DEFAULT_TIME_LIMIT_S:g})",
    )
    op.add_argument(
        "--percentile",
        type=int,
        choices=(50, 90),
        default=50,
        help="reliability percentile of border, transload and port times in the plan",
    )
    op.add_argument(
        "--soft-windows",
        action="store_true",
        help="allow late delivery at each shipment's lateness cost (default: hard windows)",
    )
    op.add_argument(
        "--solution-limit",
        type=int,
        default=None,
        help="stop after N solutions per search phase (reproducible runs; "
        "without --time-limit the search has no wall-clock limit)",
    )
    op.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help="Monte Carlo draws")
    op.add_argument("--seed", type=int, default=0, help="Monte Carlo seed")
    op.add_argument("--corridor", default="all", help="network corridor (default all)")
    op.add_argument("--out", required=True, help="output folder")
    op.add_argument("--format", choices=("table", "json"), default="table")
    op.set_defaults(handler=_optimize)


def _inputs(args: argparse.Namespace) -> tuple[Any, Any, str]:
    from logistics.shipments import (
        check_fleet_fits,
        demo_fleet,
        demo_shipments,
        read_fleet,
        read_shipments,
    )

    if getattr(args, "demo", False):
        if args.shipments or args.fleet:
            raise ValueError("--demo replaces --shipments/--fleet; give one or the other")
        return demo_shipments(), demo_fleet(), "demo (SYNTHETIC)"
    if not args.shipments or not args.fleet:
        raise ValueError(
            "give --shipments FILE and --fleet FILE, or --demo for the shipped synthetic demo set"
        )
    fleet = read_fleet(args.fleet)
    shipments = read_shipments(args.shipments)
    check_fleet_fits(shipments, fleet)
    return shipments, fleet, f"{args.shipments} + {args.fleet}"


def _graph(corridor: str) -> Any:
    from networks import load_network

    return load_network(corridor)


def _check_limits(args: argparse.Namespace) -> tuple[float | None, int | None]:
    """(time limit, solution limit): the default time limit unless only a solution limit."""
    solutions = getattr(args, "solution_limit", None)
    limit = args.time_limit
    if limit is None and solutions is None:
        limit = DEFAULT_TIME_LIMIT_S
    if limit is not None and not limit > 0:
        raise ValueError(f"--time-limit {limit!r} must be > 0 seconds")
    if solutions is not None and solutions < 1:
        raise ValueError(f"--solution-limit {solutions!r} must be >= 1")
    draws = getattr(args, "draws", DEFAULT_DRAWS)
    if draws is not None and draws < 1:
        raise ValueError(f"--draws {draws!r} must be >= 1")
    return (None if limit is None else float(limit)), solutions


def _print_table(frame: pd.DataFrame) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(frame.to_string(index=False))


def _optimize(args: argparse.Namespace) -> int:
    from logistics.fleet import optimize, write_plan

    limit, solutions = _check_limits(args)
    if not args.out:
        raise ValueError("--out DIR is required")
    shipments, fleet, source = _inputs(args)
    G = _graph(args.corridor)
    t0 = time.perf_counter()
    plan = optimize(
        G,
        shipments,
        fleet,
        scenario=args.scenario,
        percentile=args.percentile,
        soft_windows=args.soft_windows,
        time_limit_s=limit,
        solution_limit=solutions,
        draws=args.draws,
        seed=args.seed,
        progress=True,
    )
    written = write_plan(plan, args.out)
    if args.format == "json":
        print(json.dumps({k: v for k, v in plan.kpis.items()}, default=str))
        return 0
    print(f"shipments: {source}; scenario {plan.scenario}; P{plan.percentile}")
    _print_table(pd.DataFrame([plan.kpis]).drop(columns=["seed"], errors="ignore"))
    dropped = plan.shipments[plan.shipments["status"] == "dropped"]
    if len(dropped):
        print(f"\ndropped ({len(dropped)}):")
        for r in dropped.to_dict("records"):
            print(f"  {r['shipment_id']}: {r['reason']}")
    print(f"\nwrote {len(written)} files to {Path(args.out)} in {time.perf_counter() - t0:.1f} s:")
    for p in written:
        print(f"  {p}")
    return 0


def scenario_names(text: str | None, default: tuple[str, ...] | None = None) -> list[str]:
    """Scenario names of ``--scenarios``: comma-separated, ``all``, or (when empty) ``default``
    (``None``: all)."""
    from logistics.scenarios import list_scenarios

    if text is None or not str(text).strip():
        return list_scenarios() if default is None else list(default)
    if str(text).strip().lower() == "all":
        return list_scenarios()
    names = [s.strip() for s in str(text).split(",") if s.strip()]
    if not names:
        raise ValueError(f"--scenarios {text!r} names no scenario")
    return names


def run_fleet_compare(args: argparse.Namespace) -> int:
    """``corridor compare --shipments F --fleet F | --demo [--scenarios a,b,c] --out DIR``.

    Runs the same shipments and fleet under each scenario, prints the side-by-side KPI table
    and writes ``comparison.csv``, ``comparison.png``, ``kpis.json`` and one folder per scenario
    (routes, shipments, vehicles, kpis) to ``--out`` (default: a new temporary folder).
    """
    from logistics.fleet import KPI_COLUMNS, compare_fleet, write_comparison
    from logistics.scenarios import load_scenario

    limit, solutions = _check_limits(args)
    names = scenario_names(getattr(args, "scenarios", None), DEFAULT_COMPARE_SCENARIOS)
    for name in names:
        load_scenario(name)  # fail fast on a bad name, before the long work
    shipments, fleet, source = _inputs(args)
    out = args.out or tempfile.mkdtemp(prefix="corridor-compare-")
    G = _graph(getattr(args, "corridor", "all") or "all")
    t0 = time.perf_counter()
    table, plans = compare_fleet(
        G,
        shipments,
        fleet,
        names,
        percentile=args.percentile,
        soft_windows=args.soft_windows,
        time_limit_s=limit,
        solution_limit=solutions,
        draws=int(getattr(args, "draws", DEFAULT_DRAWS) or DEFAULT_DRAWS),
        seed=int(getattr(args, "seed", 0) or 0),
        progress=True,
    )
    written = write_comparison(table, plans, out)
    if getattr(args, "format", "table") == "json":
        print(json.dumps({"rows": table.to_dict("records")}, default=str))
        return 0
    budget = f"{limit:g} s solver limit" if limit else f"{solutions} solutions per phase"
    print(
        f"{len(shipments)} shipments ({source}), {sum(v.count for v in fleet)} vehicles, "
        f"{budget} per scenario"
    )
    shown = table[[c for c in KPI_COLUMNS if c in table.columns]].copy()
    _print_table(shown)
    print(f"\nwrote {len(written)} files to {Path(out)} in {time.perf_counter() - t0:.1f} s")
    print(f"  table: {Path(out) / 'comparison.csv'}")
    print(f"  chart: {Path(out) / 'comparison.png'}")
    print(f"  KPIs:  {Path(out) / 'kpis.json'}")
    return 0
