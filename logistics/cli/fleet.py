"""`corridor optimize` and the fleet side of `corridor compare` (just-in-time fleet routing).

``corridor optimize --shipments F --fleet F | --demo --scenario NAME --out DIR`` routes one set of
shipments under one scenario; ``corridor compare --shipments F --fleet F | --demo --scenarios
a,b,c --out DIR`` (parsed in :mod:`logistics.cli.delays`) hands over to :func:`run_fleet_compare`.
The CLI only parses, calls :mod:`logistics.fleet` and prints.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.defaults import DRAWS_REPLAY
from logistics.fleet import SolverSettings

#: Scenarios of ``corridor compare --demo`` when none are named: the status quo and the three
#: measures that change the fleet model most (legs, payload, both).
DEFAULT_COMPARE_SCENARIOS = (
    "status-quo",
    "through-trucking",
    "harmonized-axle-loads",
    "full-integration",
)
_DEFAULTS = SolverSettings()


def add_solver_arguments(p: argparse.ArgumentParser, *, compare: bool = False) -> None:
    """The solver flags shared by ``optimize`` and the fleet ``compare``."""
    p.add_argument(
        "--budget",
        type=int,
        default=None,
        metavar="N",
        help=(
            "local-search solutions of phase 2 per sub-problem (work, not seconds: the same "
            f"inputs and seed give the same plan; default {_DEFAULTS.phase2_solutions}); phase 1 "
            "gets N/4 + 1 (at least the default)"
        ),
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=_DEFAULTS.time_limit_s,
        help=(
            "safety cap on the whole solve from its first step, s (default "
            f"{_DEFAULTS.time_limit_s:g}; each search still gets at least 1 s); when it binds "
            "the output says so (stopped_by)"
        ),
    )
    p.add_argument(
        "--group-size",
        type=int,
        default=_DEFAULTS.group_shipments,
        help="largest sub-problem in shipments; larger sets are split (default "
        f"{_DEFAULTS.group_shipments})",
    )
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default one per core)"
    )
    p.add_argument(
        "--percentile",
        type=int,
        choices=(50, 90),
        default=50,
        help="reliability percentile of border, transload and port times in the plan",
    )
    p.add_argument(
        "--soft-windows",
        action="store_true",
        help="allow late delivery at each shipment's lateness cost (default: hard windows)",
    )
    if compare:
        p.add_argument(
            "--replicas",
            type=int,
            default=1,
            help="runs with seeds seed, seed+1, ...: the table shows the spread (default 1)",
        )
        p.add_argument(
            "--no-cross-seed",
            action="store_true",
            help="do not let scenarios restart from each other's better plans",
        )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add ``optimize`` to the ``corridor`` sub-commands."""
    op = sub.add_parser(
        "optimize",
        help="route JIT shipments with a fleet under a scenario (OR-Tools), replay via Monte Carlo",
        description=(
            "Route shipments with a fleet under one scenario and write routes (CSV, GeoJSON), "
            "the node path of every leg, per-shipment results and kpis.json. Use --demo for the "
            "shipped SYNTHETIC demo set. The plan depends only on the inputs, the budget and "
            "--seed."
        ),
    )
    op.add_argument("--shipments", default=None, help="shipments CSV or Parquet")
    op.add_argument("--fleet", default=None, help="fleet CSV or Parquet")
    op.add_argument(
        "--demo", action="store_true", help="use the shipped synthetic demo shipments and fleet"
    )
    op.add_argument("--scenario", default="status-quo", help="scenario name or TOML path")
    add_solver_arguments(op)
    op.add_argument("--draws", type=int, default=DRAWS_REPLAY, help="Monte Carlo draws")
    op.add_argument("--seed", type=int, default=0, help="seed of the search and the Monte Carlo")
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


def solver_settings(args: argparse.Namespace) -> SolverSettings:
    """The solver settings of the flags (validated: a bad value names the flag)."""
    from logistics.fleet import SolverSettingsError

    budget = getattr(args, "budget", None)
    flags = {
        "phase2_solutions": "--budget",
        "phase1_solutions": "--budget",
        "time_limit_s": "--time-limit",
        "group_shipments": "--group-size",
        "workers": "--workers",
        "seed": "--seed",
    }
    try:
        kw: dict[str, Any] = {
            "seed": int(getattr(args, "seed", 0) or 0),
            "time_limit_s": args.time_limit,
            "group_shipments": args.group_size,
            "workers": args.workers,
        }
        return SolverSettings(**kw) if budget is None else SolverSettings.with_budget(budget, **kw)
    except SolverSettingsError as exc:
        field = str(exc).split(":", 1)[0]
        raise ValueError(f"{flags.get(field, field)}: {str(exc).split(':', 1)[1].strip()}") from exc


def _bar(desc: str) -> tuple[Callable[[float, int], None], Callable[[], None]]:
    """A tqdm bar over sub-problems (off when stderr is not a terminal)."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="sub-problem", disable=None)

    def update(done: float, total: int) -> None:
        bar.total = total
        bar.n = round(done, 2)
        bar.refresh()

    return update, bar.close


def _print_table(frame: pd.DataFrame) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 40):
        print(frame.to_string(index=False))


def _stopped_note(kpis: dict[str, Any]) -> str:
    if kpis.get("stopped_by") == "time_cap":
        return (
            "  NOTE: the safety time cap (--time-limit) ended the search before its budget; "
            "this plan may not repeat exactly"
        )
    return ""


def _empty_plan_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The printed KPI rows, costs shown as ``-`` where nothing was served (never "cost 0")."""
    out = frame.astype({c: object for c in _EMPTY_PLAN_BLANK if c in frame.columns})
    for col in _EMPTY_PLAN_BLANK:
        if col in out.columns and "served" in out.columns:
            out.loc[out["served"] == 0, col] = "-"
    return out


#: KPI columns that mean nothing for a plan that serves no shipment.
_EMPTY_PLAN_BLANK = ("cost_usd", "cost_per_served_usd", "objective_usd", "on_time_rate", "km")


def _warn(command: str, text: str) -> None:
    print(f"corridor {command}: WARNING: {text}", file=sys.stderr)


def _optimize(args: argparse.Namespace) -> int:
    from logistics.fleet import optimize, write_plan
    from logistics.fleet.io import check_plan_out, json_text, plan_kpis
    from logistics.scenarios import load_scenario

    settings = solver_settings(args)
    if not args.out:
        raise ValueError("--out DIR is required")
    shipments, fleet, source = _inputs(args)
    load_scenario(args.scenario)  # a bad scenario is named before a bad --out
    check_plan_out(args.out)  # before the solve: a link, FIFO, file or foreign folder is refused
    G = _graph(args.corridor)
    t0 = time.perf_counter()
    update, close = _bar(f"optimize {args.scenario}")
    try:
        plan = optimize(
            G,
            shipments,
            fleet,
            scenario=args.scenario,
            percentile=args.percentile,
            soft_windows=args.soft_windows,
            settings=settings,
            draws=args.draws,
            progress=update,
        )
    finally:
        close()
    written = write_plan(plan, args.out)
    empty = plan.kpis.get("served", 0) == 0
    if empty:  # loud, on stderr, and exit 1: an empty plan is not a result (docs: exit codes)
        _warn("optimize", f"0 of {len(shipments)} shipments served: {plan.kpis.get('warning')}")
    if args.format == "json":
        print(json_text(plan_kpis(plan)))
        return 1 if empty else 0
    print(f"shipments: {source}; scenario {plan.scenario}; P{plan.percentile}")
    kpi_row = pd.DataFrame([plan.kpis]).drop(columns=["seed", "warning"], errors="ignore")
    _print_table(_empty_plan_view(kpi_row))
    if note := _stopped_note(plan.kpis):
        print(note)
    if plan.kpis.get("warning"):
        print(f"  WARNING: {plan.kpis['warning']}")
    dropped = plan.shipments[plan.shipments["status"] == "dropped"]
    if len(dropped):
        print(f"\ndropped ({len(dropped)}):")
        for r in dropped.to_dict("records"):
            print(f"  {r['shipment_id']}: {r['reason']}")
    print(f"\nwrote {len(written)} files to {Path(args.out)} in {time.perf_counter() - t0:.1f} s:")
    for p in written:
        print(f"  {p}")
    return 1 if empty else 0


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
    (routes, legs, shipments, vehicles, kpis) to ``--out`` (default: a new temporary folder).
    """
    from logistics.cli.checks import unique_scenarios
    from logistics.fleet import KPI_COLUMNS, compare_fleet, write_comparison
    from logistics.fleet.io import check_comparison_out, json_text
    from logistics.schema import SCHEMA_VERSION

    settings = solver_settings(args)
    replicas = getattr(args, "replicas", 1)
    if not 1 <= replicas <= 50:
        raise ValueError(f"--replicas: bad value {replicas!r}; allowed: an integer from 1 to 50")
    names = scenario_names(getattr(args, "scenarios", None), DEFAULT_COMPARE_SCENARIOS)
    unique_scenarios(names)  # fail fast, before the long work: each loads, names differ
    shipments, fleet, source = _inputs(args)
    out = args.out or tempfile.mkdtemp(prefix="corridor-compare-")
    check_comparison_out(out)  # before the solve: a link, FIFO, file or foreign folder is refused
    G = _graph(getattr(args, "corridor", "all") or "all")
    t0 = time.perf_counter()
    update, close = _bar("compare")
    try:
        table, plans = compare_fleet(
            G,
            shipments,
            fleet,
            names,
            percentile=args.percentile,
            soft_windows=args.soft_windows,
            settings=settings,
            replicas=replicas,
            cross_seed=not getattr(args, "no_cross_seed", False),
            draws=int(getattr(args, "draws", None) or DRAWS_REPLAY),
            progress=update,
        )
    finally:
        close()
    written = write_comparison(table, plans, out)
    empty = [p.scenario for p in plans.values() if p.kpis.get("served", 0) == 0]
    for name in empty:
        _warn("compare", f"{name}: 0 of {len(shipments)} shipments served: see its shipments.csv")
    # exit 1 when no scenario served anything (nothing to compare); one empty scenario is a result
    code = 1 if plans and len(empty) == len(plans) else 0
    if getattr(args, "format", "table") == "json":
        print(json_text({"schema_version": SCHEMA_VERSION, "rows": table.to_dict("records")}))
        return code
    print(
        f"{len(shipments)} shipments ({source}), {sum(v.count for v in fleet)} vehicles; budget "
        f"{settings.phase1_solutions}+{settings.phase2_solutions} solutions per sub-problem, "
        f"seed {settings.seed}" + (f", {replicas} replicas" if replicas > 1 else "")
    )
    cols = [c for c in KPI_COLUMNS if c in table.columns]
    cols += [c for c in table.columns if c.endswith(("_min", "_max")) or c == "within_spread"]
    _print_table(_empty_plan_view(table[cols]))
    for name, note in zip(table["scenario"], table["relaxes"], strict=True):
        if note:
            print(f"{name} only relaxes {note}")
    for plan in plans.values():
        if note := _stopped_note(plan.kpis):
            print(f"{plan.scenario}:{note}")
        if plan.kpis.get("warning"):
            print(f"{plan.scenario}: WARNING: {plan.kpis['warning']}")
    if replicas > 1:
        print(
            "within_spread: scenarios whose served range over the replicas overlaps this one's; "
            "a difference between them is within the solver's own spread"
        )
    print(f"\nwrote {len(written)} files to {Path(out)} in {time.perf_counter() - t0:.1f} s")
    print(f"  table: {Path(out) / 'comparison.csv'}")
    print(f"  chart: {Path(out) / 'comparison.png'}")
    print(f"  KPIs:  {Path(out) / 'kpis.json'}")
    return code
