"""Cold-load time of the shipped default road network (``networks.road.load_default_roads``).

Each repetition runs in a fresh Python process, so module imports and file reads are included.
Usage: ``python benchmarks/bench_road_load.py [--repeat N]``. Prints seconds per run and the median.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

_CHILD = """
import time
t0 = time.perf_counter()
from networks.road import load_default_roads
t1 = time.perf_counter()
G = load_default_roads()
t2 = time.perf_counter()
import resource
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{t1 - t0:.4f} {t2 - t1:.4f} {G.number_of_nodes()} {G.number_of_edges()} {peak_mb:.1f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes to time (default 5)")
    args = parser.parse_args()
    totals = []
    for i in range(args.repeat):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD], check=True, capture_output=True, text=True
        ).stdout.split()
        imp, load, nodes, edges, peak = float(out[0]), float(out[1]), out[2], out[3], out[4]
        totals.append(imp + load)
        print(
            f"run {i + 1}: import {imp:.3f} s + load {load:.3f} s = {imp + load:.3f} s "
            f"({nodes} nodes, {edges} edges, peak RSS {peak} MB)"
        )
    print(
        f"cold load (import + load_default_roads), median of {args.repeat}: "
        f"{statistics.median(totals):.3f} s"
    )


if __name__ == "__main__":
    main()
