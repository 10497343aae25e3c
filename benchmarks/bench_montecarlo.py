"""Monte Carlo and scenario-comparison speed on the real Bangkok–Hanoi routes.

Measures, after the network is loaded (load time printed separately):

* 10,000-draw :func:`logistics.simulate` of the full Bangkok–Hanoi itinerary (R9, R12, R8 and sea,
  status quo and full integration; target < 1 s each);
* :func:`logistics.compare_od` for one OD pair, all built-in scenarios, road and sea, 2,000 draws
  (target < 5 s);
* one :func:`logistics.build_itinerary` (medians, full events table).

Usage: ``python benchmarks/bench_montecarlo.py [--repeat N] [--draws N]``. Prints the median of
``--repeat`` runs for each figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any


def _median_s(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--draws", type=int, default=10_000, help="Monte Carlo draws (default 10000)"
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    import logistics
    import networks

    graph = networks.load_network("all")
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"network loaded in {time.perf_counter() - t0:.2f} s"
    )
    depart = "2026-03-02 18:00"
    routes = {
        f"road via {via}": networks.shortest_route(graph, "Bangkok", "Hanoi", via=via, mode="road")
        for via in ("R9", "R12", "R8")
    }
    routes["sea"] = networks.shortest_route(graph, "Bangkok", "Hanoi", mode="sea")
    logistics.simulate(routes["sea"], depart, "status-quo", draws=100)  # warm-up (imports, tables)

    for name, route in routes.items():
        for scenario in ("status-quo", "full-integration"):
            sc = logistics.load_scenario(scenario)
            s = _median_s(
                lambda r=route, sc=sc: logistics.simulate(r, depart, sc, draws=args.draws, seed=0),
                args.repeat,
            )
            mc = logistics.simulate(route, depart, sc, draws=args.draws, seed=0)
            print(
                f"simulate {args.draws:>6} draws  Bangkok-Hanoi {name:<12} {scenario:<17} "
                f"{s * 1000:7.1f} ms   "
                f"(P50 {mc.p50_h:.1f} h, P90 {mc.p90_h:.1f} h, P95 {mc.p95_h:.1f} h)"
            )
    route = routes["road via R12"]
    s = _median_s(lambda: logistics.build_itinerary(route, depart, "status-quo"), args.repeat)
    print(f"build_itinerary (medians, events table) R12 status-quo  {s * 1000:7.1f} ms")
    names = logistics.list_scenarios()
    s = _median_s(
        lambda: logistics.compare_od(
            graph, "Bangkok", "Hanoi", names, via="R12", depart=depart, window_h=96, draws=2000
        ),
        args.repeat,
    )
    print(f"compare_od Bangkok-Hanoi, {len(names)} scenarios x road+sea, 2000 draws: {s:.2f} s")


if __name__ == "__main__":
    main()
