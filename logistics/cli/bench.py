"""`corridor bench vrptw|pdptw`: the OR-Tools engine against published best-known solutions."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from tqdm import tqdm

from logistics import engine, pdptw, vrptw
from networks.io import SCHEMA_VERSION


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add this family's sub-commands to sub."""
    bench = sub.add_parser("bench", help="benchmark the routing engine against published results")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True, metavar="BENCHMARK")
    p = bench_sub.add_parser(
        "vrptw",
        help="Solomon/Homberger VRPTW instances: vehicles, distance and gap to the BKS",
        description=(
            "Solve every *.txt instance of DIR (Solomon/Homberger format) with OR-Tools and "
            "compare with bks.csv beside them. Distance-only objective by default, in the DIMACS "
            "convention against distance_only_bks_dimacs; rows without it (Homberger) against "
            "bks_distance in double precision. Feasibility is re-checked from the instance data."
        ),
    )
    p.add_argument(
        "--dir",
        required=True,
        help="folder of *.txt instances with a bks.csv beside them (or in its parent folder)",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="seconds per instance, wall clock (default 10)",
    )
    p.add_argument(
        "--solution-limit",
        type=int,
        default=None,
        help="stop each search after N improving solutions (deterministic; no time limit)",
    )
    p.add_argument("--objective", choices=vrptw.OBJECTIVES, default="distance")
    p.add_argument(
        "--instances",
        default="**/*.txt",
        help="glob of instance files under DIR (default **/*.txt, recursive), e.g. 'solomon/R1*'",
    )
    p.add_argument(
        "--workers", type=int, default=2, help="parallel searches per instance (default 2)"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--seed", type=int, default=0, help="seed of the extra workers' relabelling")
    p.set_defaults(handler=_vrptw)

    d = pdptw.DEFAULT_SETTINGS
    q = bench_sub.add_parser(
        "pdptw",
        help="Li & Lim PDPTW instances: vehicles, distance and gaps to the BKS",
        description=(
            "Solve every *.txt instance of DIR (Li & Lim format) with the fleet's search engine "
            "(logistics.engine: OR-Tools local search, then ruin and recreate of whole "
            "pickup-delivery pairs) and compare with bks.csv (vehicles first, then distance in "
            "double precision). Each solution is re-checked from the instance data. The budget "
            "counts work, so a run repeats exactly; --time-limit is only a safety cap."
        ),
    )
    q.add_argument(
        "--dir", required=True, help="folder of *.txt instances with bks.csv in it or its parent"
    )
    q.add_argument(
        "--instances",
        default="**/*.txt",
        help="glob of instance files under DIR (default **/*.txt), e.g. 'pdp_100/lc1*'",
    )
    q.add_argument(
        "--rr-iterations",
        type=int,
        default=d.rr_iterations,
        help=f"ruin-and-recreate iterations per worker (work budget, default {d.rr_iterations})",
    )
    q.add_argument(
        "--rm-positions",
        type=int,
        default=pdptw.DEFAULT_RM_POSITIONS,
        help="route-minimisation budget per worker in insertion positions (work; 0: off; "
        f"default {pdptw.DEFAULT_RM_POSITIONS})",
    )
    q.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="safety cap in seconds per worker and instance (default none); reported when it binds",
    )
    q.add_argument("--workers", type=int, default=2, help="seeded searches in parallel (default 2)")
    q.add_argument("--seed", type=int, default=0, help="seed of the searches (default 0)")
    q.add_argument("--format", choices=("table", "json"), default="table")
    q.set_defaults(handler=_pdptw)


def _fmt(value: object, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _vrptw(args: argparse.Namespace) -> int:
    bks = vrptw.read_bks(vrptw.benchmark_bks_path(args.dir))
    files = vrptw.benchmark_files(args.dir, args.instances)
    time_limit = None if args.solution_limit is not None else args.time_limit
    rows = []
    for path in tqdm(files, desc="bench vrptw", unit="inst", file=sys.stderr):
        rows.append(
            vrptw.benchmark_instance(
                path,
                bks,
                time_limit_s=time_limit,
                solution_limit=args.solution_limit,
                objective=args.objective,
                workers=args.workers,
                seed=args.seed,
            )
        )
    mean = vrptw.mean_gap(rows)
    infeasible = sum(not r["feasible"] for r in rows)
    if args.format == "json":
        out = {
            "schema_version": SCHEMA_VERSION,
            "instances": rows,
            "mean_gap_pct": mean,
            "infeasible": infeasible,
        }
        print(json.dumps(out, indent=2))
        return 0
    header = (
        f"{'instance':<10} {'vehicles':>8} {'distance':>10} {'bks_distance':>12} "
        f"{'gap_pct':>8} {'feasible':>8}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['instance']!s:<10} {r['vehicles']!s:>8} {_fmt(r['distance'], '.1f'):>10} "
            f"{_fmt(r['bks_distance'], '.2f'):>12} {_fmt(r['gap_pct'], '.2f'):>8} "
            f"{'yes' if r['feasible'] else 'NO':>8}"
        )
    limit = f"solution limit {args.solution_limit}" if time_limit is None else f"{time_limit:g} s"
    print(
        f"mean gap {_fmt(mean, '.2f')}% over {len(rows)} instance(s); "
        f"{infeasible} infeasible; objective {args.objective}; "
        f"{limit} per instance, {args.workers} worker(s)"
    )
    return 0


def _pdptw(args: argparse.Namespace) -> int:
    try:
        settings = replace(
            pdptw.DEFAULT_SETTINGS,
            rr_iterations=args.rr_iterations,
            seed=args.seed,
            time_cap_s=args.time_limit,
        )
    except engine.SettingsError as exc:
        raise pdptw.PdptwError(str(exc).replace("rr_iterations", "--rr-iterations", 1)) from exc
    if args.rm_positions < 0:
        raise pdptw.PdptwError(
            f"--rm-positions: bad value {args.rm_positions}; expected an integer >= 0"
        )
    bks = pdptw.read_bks(pdptw.benchmark_bks_path(args.dir))
    files = pdptw.benchmark_files(args.dir, args.instances)
    rows = [
        pdptw.benchmark_instance(
            path, bks, settings=settings, workers=args.workers, rm_positions=args.rm_positions
        )
        for path in tqdm(files, desc="bench pdptw", unit="inst", file=sys.stderr)
    ]
    summary = pdptw.summarize(rows)
    if args.format == "json":
        out = {"schema_version": SCHEMA_VERSION, "instances": rows, **summary}
        out["rm_positions"] = args.rm_positions
        print(json.dumps({**out, "settings": repr(settings)}, indent=2))
        return 0
    print(
        f"{'instance':<10} {'vehicles':>8} {'distance':>10} {'bks_vehicles':>12} "
        f"{'bks_distance':>12} {'vehicle_gap':>11} {'gap_pct':>8} {'feasible':>8}"
    )
    for r in rows:
        print(
            f"{r['instance']!s:<10} {r['vehicles']!s:>8} {_fmt(r['distance'], '.2f'):>10} "
            f"{_fmt(r['bks_vehicles'], 'd'):>12} {_fmt(r['bks_distance'], '.2f'):>12} "
            f"{_fmt(r['vehicle_gap'], '+d'):>11} {_fmt(r['gap_pct'], '.2f'):>8} "
            f"{'yes' if r['feasible'] else 'NO':>8}"
        )
    capped = sum(r["stopped_by"] == "time_cap" for r in rows)
    print(
        f"mean vehicle gap {_fmt(summary['mean_vehicle_gap'], '+.3f')}, mean distance gap "
        f"{_fmt(summary['mean_gap_pct'], '.2f')}% over {len(rows)} instance(s); "
        f"{summary['infeasible']} infeasible; {args.rr_iterations} ruin-and-recreate "
        f"iterations x {args.workers} worker(s), route minimisation {args.rm_positions} "
        f"positions, seed {args.seed}" + (f"; time cap bound on {capped}" if capped else "")
    )
    return 0
