"""Benchmark the fleet stage: 400-stop travel matrix, demo set under 4 scenarios, peak memory.

Run::

    python benchmarks/bench_fleet.py [--time-limit 15] [--draws 500] [--limits 5,15,30]

Prints the figures recorded in ``docs/performance.md`` ("Fleet routing"). Targets: matrix for
400 stops < 5 s; the demo set (>= 60 shipments) under 4 scenarios < 2 min on 2 cores; peak
memory < 2 GB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numpy as np


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process, or of the largest finished child process
    (``resource.RUSAGE_CHILDREN``), in MB (Linux reports KB)."""
    return resource.getrusage(who).ru_maxrss / 1024.0


def bench_matrix(G: object, n_stops: int, seed: int) -> None:
    from logistics.fleet import scenario_terms
    from logistics.matrix import TravelNetwork
    from networks.types import Place

    t = time.perf_counter()
    net = TravelNetwork(G)  # type: ignore[arg-type]
    t_net = time.perf_counter() - t
    rng = np.random.default_rng(seed)
    road = np.flatnonzero(net.kind == "road")
    idx = rng.choice(road, n_stops, replace=False)
    # points 0-2 km off random road nodes, like real addresses
    jitter = rng.normal(0.0, 0.01, size=(n_stops, 2))
    stops = [
        Place(
            name=f"stop{k}",
            lat=float(net.lat[i] + jitter[k, 0]),
            lon=float(net.lon[i] + jitter[k, 1]),
            country=str(net.country[i]),
        )
        for k, i in enumerate(idx)
    ]
    terms = scenario_terms("status-quo", percentile=90, crossings=net.border_keys)
    t = time.perf_counter()
    m = net.road_matrix(stops, border_terms=terms.border_terms())
    t_cold = time.perf_counter() - t
    t = time.perf_counter()
    net.road_matrix(stops, border_terms=terms.border_terms())
    t_warm = time.perf_counter() - t
    print(
        f"matrix {n_stops} stops: network prep {t_net:.2f} s, first matrix {t_cold:.2f} s "
        f"(incl. scenario-weighted CSR), repeat {t_warm:.2f} s; "
        f"{m.reachable.mean():.1%} of pairs reachable; peak RSS {peak_rss_mb():.0f} MB"
    )


def bench_compare(G: object, time_limit: float, draws: int, workers: int | None) -> None:
    from logistics.cli.fleet import DEFAULT_COMPARE_SCENARIOS
    from logistics.fleet import KPI_COLUMNS, compare_fleet
    from logistics.shipments import demo_fleet, demo_shipments

    shipments, fleet = demo_shipments(), demo_fleet()
    t = time.perf_counter()
    table, plans = compare_fleet(
        G,  # type: ignore[arg-type]
        shipments,
        fleet,
        list(DEFAULT_COMPARE_SCENARIOS),
        time_limit_s=time_limit,
        draws=draws,
        seed=0,
        workers=workers,
    )
    total = time.perf_counter() - t
    n = min(len(plans), workers or os.cpu_count() or 1)
    parent, child = peak_rss_mb(), peak_rss_mb(resource.RUSAGE_CHILDREN)
    print(
        f"demo compare: {len(shipments)} shipments, {sum(v.count for v in fleet)} vehicles, "
        f"{len(plans)} scenarios, {time_limit:g} s limit, {draws} draws, {n} process(es): "
        f"{total:.1f} s wall; peak RSS {parent:.0f} MB here, largest worker {child:.0f} MB "
        f"(at most {parent + (n if n > 1 else 0) * child:.0f} MB together)"
    )
    for name, plan in plans.items():
        s = plan.solver
        print(
            f"  {name}: matrix {s['matrix_s']:.2f} s, search {s['solve_s']:.1f} s, "
            f"{s['nodes']} nodes"
        )
    print(table[[c for c in KPI_COLUMNS if c in table.columns]].to_string(index=False))


def bench_limits(G: object, limits: list[float]) -> None:
    from logistics.fleet import solve_fleet
    from logistics.matrix import TravelNetwork
    from logistics.shipments import demo_fleet, demo_shipments

    net = TravelNetwork(G)  # type: ignore[arg-type]
    shipments, fleet = demo_shipments(), demo_fleet()
    for limit in limits:
        plan = solve_fleet(net, shipments, fleet, scenario="status-quo", time_limit_s=limit)
        k = plan.kpis
        print(
            f"status-quo, {limit:g} s: served {k['served']}/{k['shipments']}, "
            f"cost USD {k['cost_usd']:,.0f}, vehicles {k['vehicles_used']}, "
            f"objective USD {plan.solver['objective_usd']:,.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stops", type=int, default=400)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--limits", default="", help="extra status-quo runs, e.g. 5,15,30")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers", type=int, default=None, help="scenario processes (default: one per core)"
    )
    args = parser.parse_args()
    import ortools

    import networks
    from logistics.cli.fleet import DEFAULT_DRAWS, DEFAULT_TIME_LIMIT_S

    print(
        f"python {platform.python_version()}, ortools {ortools.__version__}, "
        f"{os.cpu_count()} cpus, {platform.machine()}"
    )
    t = time.perf_counter()
    G = networks.load_network("all")
    print(f"network load {time.perf_counter() - t:.2f} s: {G.number_of_nodes()} nodes")
    bench_matrix(G, args.stops, args.seed)
    bench_compare(
        G, args.time_limit or DEFAULT_TIME_LIMIT_S, args.draws or DEFAULT_DRAWS, args.workers
    )
    if args.limits:
        bench_limits(G, [float(x) for x in args.limits.split(",") if x])
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
