"""Sweep throughput on Dask: N points of Bangkok -> Hanoi via R12 (road and sea) x draws.

Builds a Latin-hypercube spec over the R12 crossings' clearance and transloading scales, opening
hours and the departure over the week (the shipped ``r12-sobol`` parameters plus ``depart_h``),
runs it on a fresh LocalCluster of 1 and then 2 worker processes (one thread each) into
temporary folders, and prints for each: wall time of the run (cluster start-up apart), points per
second, the speed-up, the workers' CPU time (how many cores they actually got: on a shared
machine the speed-up is bounded by that), each worker's peak resident memory, and whether the
two runs wrote byte-identical Parquet partitions. ``uptime`` is printed before and after: the
machine is shared.

Usage: ``python benchmarks/bench_sweep.py [--points 10000] [--draws 2000] [--workers 1,2]``.
Target (issue 13): 10,000 points x 2,000 draws under 10 minutes on 2 cores, speed-up >= 1.7.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

SPEC = """
name = "bench-sweep"
seed = 13
design = "lhs"
samples = {points}
draws = {draws}
window_h = 120.0
corridor = "bangkok-hanoi"
chunk_points = {chunk}
[[od]]
from = "Bangkok"
to = "Hanoi"
via = "R12"
"""
PARAMS = (
    ("crossings.nakhon-phanom-thakhek.clearance_scale", 0.25, 3.0),
    ("crossings.na-phao-cha-lo.clearance_scale", 0.25, 3.0),
    ("crossings.nakhon-phanom-thakhek.open_h", 8.0, 24.0),
    ("crossings.na-phao-cha-lo.open_h", 8.0, 24.0),
    ("crossings.nakhon-phanom-thakhek.transload_scale", 0.25, 3.0),
    ("crossings.na-phao-cha-lo.transload_scale", 0.25, 3.0),
    ("depart_h", 0.0, 168.0),
)


def _peak_rss_mb() -> float:
    """Peak resident memory of the calling process (MB; Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    """CPU seconds (user + system) used so far by the calling process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _run(spec: Any, out: Path, n_workers: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from logistics.sweep import run_sweep

    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        startup = time.perf_counter() - t0
        cpu0 = sum(client.run(_cpu_s).values())
        t1 = time.perf_counter()
        info = run_sweep(spec, out, scheduler=cluster.scheduler_address)
        wall = time.perf_counter() - t1
        cpu = sum(client.run(_cpu_s).values()) - cpu0
        peaks = sorted(client.run(_peak_rss_mb).values())
    return {"startup_s": startup, "wall_s": wall, "cpu_s": cpu, "peak_mb": peaks, "info": info}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=50, help="points per task (default 50)")
    parser.add_argument("--workers", default="1,2", help="worker counts to run (default 1,2)")
    args = parser.parse_args()
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    from logistics.sweep import parse_spec

    text = SPEC.format(points=args.points, draws=args.draws, chunk=args.chunk)
    for path, lo, hi in PARAMS:
        text += f'[[parameters]]\npath = "{path}"\nrange = [{lo}, {hi}]\n'
    import tomllib

    spec = parse_spec(tomllib.loads(text), name="bench-sweep")
    print(f"{args.points} points x 1 OD x 2 modes x {args.draws} draws, {os.cpu_count()} CPUs")
    print(f"before: {_uptime()}")
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(w) for w in args.workers.split(",")):
            r = _run(spec, Path(tmp) / f"w{n}", n)
            results[n] = r
            info = r["info"]
            print(
                f"{n} worker(s): {r['wall_s']:.1f} s ({args.points / r['wall_s']:.0f} points/s; "
                f"cluster start {r['startup_s']:.1f} s), {info['rows']} rows, "
                f"{info['failed_rows']} failed, peak memory per worker "
                + ", ".join(f"{m:.0f}" for m in r["peak_mb"])
                + f" MB; workers' CPU {r['cpu_s']:.0f} s "
                + f"= {r['cpu_s'] / r['wall_s']:.2f} cores busy"
            )
            print(f"  after: {_uptime()}")
        if len(results) >= 2:
            lo, hi = min(results), max(results)
            ratio = results[lo]["wall_s"] / results[hi]["wall_s"]
            print(f"speed-up {lo} -> {hi} workers: {ratio:.2f}x")
            a = sorted((Path(tmp) / f"w{lo}" / "results").glob("part-*.parquet"))
            same = all(
                p.read_bytes() == (Path(tmp) / f"w{hi}" / "results" / p.name).read_bytes()
                for p in a
            )
            print(
                f"identical Parquet partitions with {lo} and {hi} workers: {same} ({len(a)} files)"
            )


if __name__ == "__main__":
    main()
